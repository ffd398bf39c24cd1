import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadDatabaseConfig, loadEnvironmentFile } from '../config.js';
import { restorePglite } from '../db/backup.js';
import { openDatabase } from '../db/client.js';
import {
  controlSocketPath,
  DirectoryInUse,
  type DirectoryOwner,
  DirectoryUnusable,
  ownerOf,
} from '../db/directory-lock.js';
import { type CliIo, localFiles, runCli } from './commands.js';
import { FileNotWritten } from '../whole-file.js';
import { describeError, sendCommand } from './control-socket.js';

/** The command line as a process: configuration from the environment, exit code set. */
export async function main(): Promise<void> {
  loadEnvironmentFile();
  // `npm run cli` runs in the project's folder: files named on the command line are where it was typed.
  if (process.env.npm_lifecycle_event === 'cli' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
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
    ...localFiles,
  };
  const argv = process.argv.slice(2);
  try {
    const app = config.databaseUrl ? undefined : ownerOf(config.pgliteDir);
    if (argv[0] === 'restore') {
      process.exitCode = await restoreCommand(argv.slice(1), config, app, io);
    } else if (app?.role === 'app') {
      // The app writes the backup itself: it gets the file's full path, not one relative to here.
      const sent = argv[0] === 'backup' && argv[1] !== undefined ? ['backup', resolve(argv[1])] : argv;
      process.exitCode = await runThroughApp(sent, io, controlSocketPath(config.pgliteDir));
    } else {
      // Said when a command opens the database, not for help or a mistyped command, which open none.
      const connect = () => {
        if (!config.databaseUrl && !existsSync(config.pgliteDir)) {
          io.err(`No embedded database at ${config.pgliteDir} yet; creating it.`);
        }
        return openDatabase(config, 'cli');
      };
      process.exitCode = await runCli(argv, io, connect, config);
    }
  } catch (error) {
    process.stderr.write(
      error instanceof DirectoryInUse || error instanceof DirectoryUnusable || error instanceof FileNotWritten
        ? `${error.message}\n`
        : `consultracker failed: ${error instanceof Error ? describeError(error) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}

/** `restore <file>`: only into the embedded database, only while nothing owns it. */
async function restoreCommand(
  args: string[],
  config: { databaseUrl?: string | undefined; pgliteDir: string },
  owner: DirectoryOwner | undefined,
  io: CliIo,
): Promise<number> {
  if (args.length !== 1) {
    io.err('restore needs exactly one file, e.g. consultracker restore backups/consultracker-2026-12-01.tar.gz');
    return 1;
  }
  if (config.databaseUrl) {
    io.err(
      'restore loads a backup of the embedded database; this app uses PostgreSQL (DATABASE_URL), whose backups are restored with pg_restore or your provider’s tools.',
    );
    return 1;
  }
  if (owner?.role === 'app') {
    io.err('restore runs only while the app is stopped: stop ConsulTracker, then run consultracker restore <file>.');
    return 1;
  }
  if (owner) {
    io.err(`Another consultracker command (pid ${owner.pid}) has the embedded database open; restore once it is done.`);
    return 1;
  }
  return restore(args[0]!, config.pgliteDir, io);
}

async function restore(file: string, dataDir: string, io: CliIo): Promise<number> {
  if (!existsSync(file)) {
    io.err(`Cannot read ${file}: no such file.`);
    return 1;
  }
  let movedAside: string | undefined;
  try {
    ({ movedAside } = await restorePglite(file, dataDir));
  } catch (error) {
    // restorePglite has put back what was there; the usual cause is a file that is not a backup.
    io.err(
      `Could not restore ${file} (${describeError(error)}). Restore a file written by consultracker backup ` +
        `or the nightly backup; ${dataDir} was left as it was.`,
    );
    return 1;
  }
  if (movedAside) io.out(`Moved the database that was there to ${movedAside}.`);
  io.out(`Restored ${file} into ${dataDir}. Start the app to use it.`);
  return 0;
}

/** The app owns the embedded database: it runs the command; files stay on this side. */
async function runThroughApp(argv: string[], io: CliIo, socketPath: string): Promise<number> {
  const files: Record<string, string> = {};
  if (argv[0] === 'import' && argv[1] !== undefined) {
    try {
      files[argv[1]] = readFileSync(argv[1], 'utf8');
    } catch (error) {
      io.err(`Cannot read ${argv[1]}: ${(error as Error).message}`);
      return 1;
    }
  }
  const reply = await sendCommand(socketPath, { argv, files });
  for (const { path, text } of reply.written) io.write(path, text);
  for (const line of reply.out) io.out(line);
  for (const line of reply.err) io.err(line);
  return reply.code;
}

// Run directly (`node dist/src/cli/main.js`), as opposed to imported by bin/consultracker.js or a test.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
