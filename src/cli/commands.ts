import { readFileSync } from 'node:fs';
import { writeWholeFile } from '../whole-file.js';
import type { DatabaseConnection } from '../db/client.js';
import { backupPglite } from '../db/backup.js';
import { migrateDatabase } from '../db/migrate.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { silentLogger } from '../logger.js';
import type { ServiceContext } from '../services/context.js';
import { type JobsCommand, parseJobsCommand, runJobsCommand } from './jobs.js';
import { exportSetup } from '../services/setup-export.js';
import { OUTBOX_USAGE, parseOutboxCommand, runOutboxCommand } from './outbox-command.js';
import { type ImportSummary, importSetup } from '../services/setup-import.js';

export const USAGE = `Usage: consultracker <command>

  import <file.yaml>   load customers, people, projects, roles and periods (all or nothing)
  export [file.yaml]   write the current setup in the same format (to stdout without a file)
  migrate              apply database migrations
  backup <file>        a consistent copy of the embedded database, taken while the app runs
  restore <file>       load a backup into PGLITE_DIR (the app stopped; data there is moved aside)
  jobs list [NAME]     the scheduled jobs and their latest runs (key, state, result or error)
  jobs run NAME [--at ISO-INSTANT]
                       run a job as the scheduler would at that instant (default now); what
                       already ran is not done again
${OUTBOX_USAGE}
  help                 show this

The database comes from DATABASE_URL, else PGlite in PGLITE_DIR (default data/pglite in the
project folder; a relative path is taken from there, wherever the command is typed). .env is read
from the working directory, else from the project folder. While the app runs on the embedded
database, commands run through the app, which owns it.`;

export type CliIo = {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Files are read and written where the command was typed, also when the app runs it. */
  read: (path: string) => string;
  write: (path: string, text: string) => void;
};

/** Files on this machine, relative to the working directory. */
export const localFiles: Pick<CliIo, 'read' | 'write'> = {
  read: (path) => readFileSync(path, 'utf8'),
  write: (path, text) => writeWholeFile(path, text),
};

/** Runs one command; returns the exit code. The connection is opened only when a command needs it. */
export async function runCli(
  argv: string[],
  io: CliIo,
  connect: () => Promise<DatabaseConnection>,
  config: { currency: string; orgTimeZone: string },
  clock: Clock = systemClock,
): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (!['import', 'export', 'migrate', 'outbox', 'backup', 'restore', 'jobs'].includes(command)) {
    io.err(`Unknown command "${command}".\n\n${USAGE}`);
    return 1;
  }
  if (command === 'restore') {
    // Restore replaces the directory a running app holds: the command line does it itself (cli/main.ts).
    io.err('restore runs only while the app is stopped: stop ConsulTracker, then run consultracker restore <file>.');
    return 1;
  }
  const outboxCommand = command === 'outbox' ? parseOutboxCommand(args) : undefined;
  if (typeof outboxCommand === 'string') {
    io.err(`${outboxCommand}\n\n${USAGE}`);
    return 1;
  }
  if ((command === 'import' || command === 'backup') && args.length !== 1) {
    io.err(
      `${command} needs exactly one file, e.g. consultracker ${command} ${command === 'import' ? 'setup.yaml' : 'backup.tar.gz'}`,
    );
    return 1;
  }
  let jobs: JobsCommand | undefined;
  if (command === 'jobs') {
    const parsed = parseJobsCommand(args, clock.now());
    if (!parsed.ok) {
      io.err(parsed.message);
      return 1;
    }
    jobs = parsed.command;
  } else if (!['import', 'backup', 'outbox'].includes(command) && args.length > (command === 'export' ? 1 : 0)) {
    io.err(`Too many arguments for ${command}.\n\n${USAGE}`);
    return 1;
  }

  let source: string | undefined;
  if (command === 'import') {
    try {
      source = io.read(args[0]!);
    } catch (error) {
      io.err(`Cannot read ${args[0]}: ${(error as Error).message}`);
      return 1;
    }
  }

  const connection = await connect();
  try {
    if (command === 'backup') {
      if (connection.kind !== 'pglite') {
        io.err(
          'backup copies the embedded database; on PostgreSQL use pg_dump (see README.md, "What the embedded database promises, and backups").',
        );
        return 1;
      }
      const bytes = await backupPglite(connection.client, args[0]!);
      io.out(`Wrote a backup of the database to ${args[0]} (${Math.ceil(bytes / 1024)} KiB).`);
      return 0;
    }
    await migrateDatabase(connection);
    if (command === 'migrate') {
      io.out('The database is up to date.');
      return 0;
    }
    const ctx: ServiceContext = {
      db: connection.db,
      actor: { kind: 'system', name: 'cli' },
      clock,
      log: silentLogger,
      org: { timeZone: config.orgTimeZone, currency: config.currency },
    };
    if (outboxCommand) return await runOutboxCommand(ctx, outboxCommand, io);
    if (jobs) {
      await runJobsCommand({ ...ctx, actor: { kind: 'system', name: 'job' } }, jobs, io.out);
      return 0;
    }
    if (command === 'import') {
      const result = await importSetup(ctx, source!);
      if (!result.ok) {
        const problems = result.errors.length === 1 ? 'this problem' : `these ${result.errors.length} problems`;
        io.err(`Nothing was imported; fix ${problems} in ${args[0]}:`);
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
      io.write(args[0], exported.yaml);
      io.out(`Wrote the setup to ${args[0]}.`);
    } else {
      io.out(exported.yaml.trimEnd());
    }
    return 0;
  } finally {
    await connection.close();
  }
}

const NOUNS: Record<keyof ImportSummary, [one: string, many: string]> = {
  settings: ['setting', 'settings'],
  customers: ['customer', 'customers'],
  credits: ['credit purchase', 'credit purchases'],
  employees: ['employee', 'employees'],
  projects: ['project', 'projects'],
  assignments: ['project assignment', 'project assignments'],
  roles: ['role', 'roles'],
  users: ['user', 'users'],
  periods: ['reporting period', 'reporting periods'],
};

/** "2 customers created, 1 project updated" or "nothing changed". */
export function describeSummary(summary: ImportSummary): string {
  const parts: string[] = [];
  const count = (n: number, kind: keyof ImportSummary) => `${n} ${NOUNS[kind][n === 1 ? 0 : 1]}`;
  for (const kind of Object.keys(summary) as (keyof ImportSummary)[]) {
    const { created, updated } = summary[kind];
    if (created) parts.push(`${count(created, kind)} created`);
    if (updated) parts.push(`${count(updated, kind)} updated`);
  }
  return parts.length ? `${parts.join(', ')}.` : 'nothing changed (the database already matches the file).';
}
