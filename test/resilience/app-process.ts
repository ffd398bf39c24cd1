/**
 * The app as its own process (`src/main.ts`, as `npm start` runs it) on a database the test keeps
 * between processes, so a test can SIGKILL it and start it again on the same data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { type Database, type DatabaseConnection, openPglite } from '../../src/db/client.js';
import { projectRoot } from '../../src/project-root.js';
import { createTestDatabase } from '../support/database.js';
import { withDatabase } from '../support/global-setup.js';

export type AppProcess = { child: ChildProcess; url: string };

/**
 * A database that outlives app processes. On PostgreSQL the test keeps a connection beside the
 * app's; an embedded (PGlite) directory has one owner at a time, so `use` opens it only while no
 * app process runs.
 */
export type KeptDatabase = {
  env: Record<string, string>;
  use<T>(work: (db: Database) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
};

export async function keptDatabase(): Promise<KeptDatabase> {
  const setup = inject('testDatabase');
  if (setup.kind === 'postgres') {
    const created = await createTestDatabase();
    return {
      env: { DATABASE_URL: withDatabase(setup.url, created.name) },
      use: (work) => work(created.db),
      drop: () => created.drop(),
    };
  }
  const folder = mkdtempSync(join(tmpdir(), 'ct-crash-'));
  const dataDir = join(folder, 'pglite');
  const template = new Blob([readFileSync(setup.templateFile)]);
  let first = true;
  const open = async (): Promise<DatabaseConnection> => {
    const connection = await openPglite({ dataDir, role: 'cli', ...(first ? { loadDataDir: template } : {}) });
    first = false;
    return connection;
  };
  return {
    env: { PGLITE_DIR: dataDir },
    use: async (work) => {
      const connection = await open();
      try {
        return await work(connection.db);
      } finally {
        await connection.close();
      }
    },
    drop: () => Promise.resolve(rmSync(folder, { recursive: true, force: true })),
  };
}

/**
 * Starts `src/main.ts` and resolves once it listens (on a port of its choosing) and has passed
 * Slack's token check: before that it answers Slack's requests 503.
 */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const { app, listening } = spawnAppProcess(env);
  await listening;
  await ready(app);
  return app;
}

async function ready(app: AppProcess): Promise<void> {
  for (;;) {
    if ((await fetch(`${app.url}/readyz`)).status === 200) return;
    if (app.child.exitCode !== null || app.child.signalCode !== null)
      throw new Error('the app exited before it was ready');
    await sleep(50);
  }
}

/**
 * Starts `src/main.ts` without waiting for it: `listening` resolves once it logs that it listens
 * (and `app.url` is set then).
 * The process can be killed before then, e.g. while the catch-up of scheduled jobs it runs before
 * listening is held in a unit.
 */
export function spawnAppProcess(env: Record<string, string>): { app: AppProcess; listening: Promise<AppProcess> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot(),
    env: { ...withoutDatabaseSettings(process.env), LOG_LEVEL: 'info', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
  const app: AppProcess = { child, url: '' };
  const listening = new Promise<AppProcess>((resolve, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`the app exited (${code ?? signal}) before it listened: ${errors.join('')}`)),
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = parseLine(line);
      if (parsed?.message === 'ConsulTracker is listening') {
        app.url = `http://127.0.0.1:${Number(parsed.port)}`;
        resolve(app);
      }
    });
  });
  // A process killed on purpose before it listened rejects `listening` with nobody waiting for it.
  listening.catch(() => {});
  return { app, listening };
}

/** Ends the process at once, as a power cut or the OOM killer would: no shutdown code runs. */
export async function killHard(app: AppProcess): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise((resolve) => app.child.once('exit', resolve));
  app.child.kill('SIGKILL');
  await exited;
}

/** SIGTERM: the app finishes what it took (outbox deliveries in flight included) and exits. */
export async function stopGracefully(app: AppProcess): Promise<void> {
  const exited = new Promise((resolve) => app.child.once('exit', resolve));
  app.child.kill('SIGTERM');
  await exited;
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The test runner's own database settings must not leak into the app's. */
function withoutDatabaseSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _url, PGLITE_DIR: _dir, ...rest } = env;
  return rest;
}
