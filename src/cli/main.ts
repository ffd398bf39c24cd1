import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadDatabaseConfig } from '../config.js';
import { type DatabaseConnection, openDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { systemClock } from '../domain/clock.js';
import { silentLogger } from '../logger.js';
import type { ServiceContext } from '../services/context.js';
import { exportSetup } from '../services/setup-export.js';
import { type ImportSummary, importSetup } from '../services/setup-import.js';

export const USAGE = `Usage: consultracker <command>

  import <file.yaml>   load customers, people, projects, roles and periods (all or nothing)
  export [file.yaml]   write the current setup in the same format (to stdout without a file)
  migrate              apply database migrations
  help                 show this

The database comes from DATABASE_URL, else PGlite in PGLITE_DIR (default ./data/pglite);
.env in the working directory is read first. The app must not be running on the same PGlite
directory (one process per directory).`;

export type CliIo = { out: (text: string) => void; err: (text: string) => void };

/** Runs one command; returns the exit code. The connection is opened only when a command needs it. */
export async function runCli(
  argv: string[],
  io: CliIo,
  connect: () => Promise<DatabaseConnection>,
  config: { currency: string; orgTimeZone: string },
): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (!['import', 'export', 'migrate'].includes(command)) {
    io.err(`Unknown command "${command}".\n\n${USAGE}`);
    return 1;
  }
  if (command === 'import' && args.length !== 1) {
    io.err(`import needs exactly one file, e.g. consultracker import setup.yaml`);
    return 1;
  }
  if (command !== 'import' && args.length > (command === 'export' ? 1 : 0)) {
    io.err(`Too many arguments for ${command}.\n\n${USAGE}`);
    return 1;
  }

  let source: string | undefined;
  if (command === 'import') {
    try {
      source = readFileSync(args[0]!, 'utf8');
    } catch (error) {
      io.err(`Cannot read ${args[0]}: ${(error as Error).message}`);
      return 1;
    }
  }

  const connection = await connect();
  try {
    await migrateDatabase(connection);
    if (command === 'migrate') {
      io.out('The database is up to date.');
      return 0;
    }
    const ctx: ServiceContext = {
      db: connection.db,
      actor: { kind: 'system', name: 'cli' },
      clock: systemClock,
      log: silentLogger,
      org: { timeZone: config.orgTimeZone, currency: config.currency },
    };
    if (command === 'import') {
      const result = await importSetup(ctx, source!);
      if (!result.ok) {
        io.err(
          `Nothing was imported; fix these ${result.errors.length === 1 ? 'problem' : `${result.errors.length} problems`} in ${args[0]}:`,
        );
        for (const error of result.errors) io.err(`  ${error}`);
        return 1;
      }
      io.out(`Imported ${args[0]}: ${describeSummary(result.summary)}`);
      return 0;
    }
    const exported = await exportSetup(ctx);
    if (!exported.ok) {
      io.err(exported.error.message);
      return 1;
    }
    if (args[0]) {
      writeFileSync(args[0], exported.yaml);
      io.out(`Wrote the setup to ${args[0]}.`);
    } else {
      io.out(exported.yaml.trimEnd());
    }
    return 0;
  } finally {
    await connection.close();
  }
}

/** "2 customers created, 1 project updated" or "nothing changed". */
export function describeSummary(summary: ImportSummary): string {
  const parts: string[] = [];
  for (const [kind, counts] of Object.entries(summary)) {
    if (counts.created) parts.push(`${counts.created} ${kind} created`);
    if (counts.updated) parts.push(`${counts.updated} ${kind} updated`);
  }
  return parts.length ? `${parts.join(', ')}.` : 'nothing changed (the database already matches the file).';
}

/** The command line as a process: configuration from the environment, exit code set. */
export async function main(): Promise<void> {
  try {
    process.loadEnvFile('.env');
  } catch {
    // No .env file: the environment alone configures the command.
  }
  let config;
  try {
    config = loadDatabaseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const io: CliIo = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  };
  try {
    process.exitCode = await runCli(process.argv.slice(2), io, () => openDatabase(config), config);
  } catch (error) {
    process.stderr.write(
      `consultracker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}

// Run directly (`node dist/src/cli/main.js`), as opposed to imported by bin/consultracker.js or a test.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
