import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openPglite, queryRows } from '../../src/db/client.js';
import { controlDirectory, DirectoryInUse } from '../../src/db/directory-lock.js';
import { silentLogger } from '../../src/logger.js';
import { projectRoot } from '../../src/project-root.js';
import { startConsulTracker } from '../../src/server.js';
import { sql } from 'drizzle-orm';
import { outbox } from '../../src/db/schema.js';
import { enqueueMessage } from '../../src/services/outbox.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { TestClock } from '../support/test-clock.js';

const run = promisify(execFile);
let work: string;
let fake: FakeSlack;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ct-owned-'));
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
  rmSync(work, { recursive: true, force: true });
});

/** `consultracker …` as a separate process, the way a second terminal runs it. */
async function consultracker(dataDir: string, ...argv: string[]) {
  return consultrackerWith({}, dataDir, ...argv);
}

async function consultrackerWith(extraEnv: NodeJS.ProcessEnv, dataDir: string, ...argv: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, PGLITE_DIR: dataDir };
  delete env.DATABASE_URL;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], {
      cwd: projectRoot(),
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function startAppOn(dataDir: string, opened?: Awaited<ReturnType<typeof openPglite>>) {
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    PGLITE_DIR: dataDir,
  });
  const connection = opened ?? (await openPglite({ dataDir }));
  return startConsulTracker({ config, connection, clock: new TestClock('2026-11-24T12:00:00Z'), log: silentLogger });
}

describe('the embedded database while the app runs', () => {
  it('imports through the running app, twice in a row, and everything imported is there after the app stops', async () => {
    const dataDir = join(work, 'readme-order');
    const extra = join(work, 'extra.yaml');
    writeFileSync(extra, 'customers:\n  - { code: INITECH, name: Initech, currency: USD, billing: hourly }\n');

    for (const file of ['examples/setup.yaml', extra]) {
      const app = await startAppOn(dataDir);
      const imported = await consultracker(dataDir, 'import', file);
      expect(imported.stderr).toBe('');
      expect(imported).toMatchObject({ code: 0, stdout: expect.stringMatching(/customer(s)? created/) });
      await app.stop();
    }

    const reopened = await openPglite({ dataDir });
    try {
      const codes = await queryRows<{ code: string }>(reopened.db, sql`select code from customers order by code`);
      expect(codes.map((row) => row.code)).toEqual(['ACME', 'GLOBEX', 'INITECH']);
      // The unique index agrees with the table: a damaged directory fails here on customers_code_unique.
      await reopened.db.execute(sql`reindex table customers`);
    } finally {
      await reopened.close();
    }
    const again = await consultracker(dataDir, 'import', 'examples/setup.yaml');
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('nothing changed') });
  }, 120_000);

  it('writes an export where the command was typed, not where the app runs', async () => {
    const dataDir = join(work, 'export');
    const app = await startAppOn(dataDir);
    try {
      await consultracker(dataDir, 'import', 'examples/setup.yaml');
      const target = join(work, 'exported.yaml');
      const exported = await consultracker(dataDir, 'export', target);
      expect(exported).toMatchObject({ code: 0, stdout: `Wrote the setup to ${target}.\n` });
      expect(readFileSync(target, 'utf8')).toContain('name: Globex Corporation');
    } finally {
      await app.stop();
    }
  }, 120_000);

  it('lists and resends undelivered Slack messages through the running app', async () => {
    const dataDir = join(work, 'outbox');
    const connection = await openPglite({ dataDir });
    const app = await startAppOn(dataDir, connection);
    await app.outbox.stop();
    try {
      const ref = 'approval:1:U02BOB';
      await enqueueMessage(
        connection.db,
        ref,
        { kind: 'post', ref, channel: 'U02BOB', content: { template: 'x', model: 1 } },
        new Date(),
      );
      const [dead] = await connection.db
        .update(outbox)
        .set({ status: 'dead', lastError: 'Slack refused: is_archived' })
        .returning({ id: outbox.id });
      const listed = await consultracker(dataDir, 'outbox', 'list');
      expect(listed).toMatchObject({ code: 0, stderr: '' });
      expect(listed.stdout).toContain(`${dead!.id}  post ${ref}`);
      const resent = await consultracker(dataDir, 'outbox', 'retry', String(dead!.id));
      expect(resent).toMatchObject({ code: 0, stdout: expect.stringContaining(`Queued message ${dead!.id}`) });
      const [row] = await connection.db.select({ status: outbox.status }).from(outbox);
      expect(row!.status).toBe('pending');
    } finally {
      await app.stop();
    }
  }, 120_000);

  it('refuses a second opening of a directory whose owner runs, naming the owner and the lock file', async () => {
    const dataDir = join(work, 'owned');
    const owner = await openPglite({ dataDir });
    try {
      const second = openPglite({ dataDir });
      await expect(second).rejects.toThrow(DirectoryInUse);
      await expect(second).rejects.toThrow(
        new RegExp(
          `in use by the ConsulTracker app \\(pid ${process.pid}\\).*delete ${controlDirectory(dataDir)}/lock`,
        ),
      );
    } finally {
      await owner.close();
    }
    const afterRelease = await openPglite({ dataDir });
    await afterRelease.close();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dataDir = join(work, 'stale');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    mkdirSync(controlDirectory(dataDir), { recursive: true });
    writeFileSync(join(controlDirectory(dataDir), 'lock'), JSON.stringify({ pid: Number(dead.stdout), role: 'app' }));

    const connection = await openPglite({ dataDir });
    try {
      const [row] = await queryRows<{ one: number }>(connection.db, sql`select 1 as one`);
      expect(row?.one).toBe(1);
    } finally {
      await connection.close();
    }
  });
});

describe('the command line before any database exists', () => {
  it('help and a mistyped command neither create the directory nor say they are creating it; migrate says so and creates it', async () => {
    const dataDir = join(work, 'not-yet');
    const help = await consultracker(dataDir, '--help');
    expect(help).toMatchObject({ code: 0, stderr: '', stdout: expect.stringContaining('Usage: consultracker') });
    const mistyped = await consultracker(dataDir, 'imprt', 'setup.yaml');
    expect(mistyped.code).toBe(1);
    expect(mistyped.stderr).toMatch(/^Unknown command "imprt"/);
    expect(mistyped.stderr).not.toContain('creating it');
    expect(existsSync(dataDir)).toBe(false);

    const migrated = await consultracker(dataDir, 'migrate');
    expect(migrated.code).toBe(0);
    expect(migrated.stderr).toBe(`No embedded database at ${dataDir} yet; creating it.\n`);
    expect(existsSync(dataDir)).toBe(true);
  });
});

describe('`npm run cli`', () => {
  it('reads and writes the files it is given where it was typed, though npm runs it in the project folder', async () => {
    const typedIn = join(work, 'typed-in');
    mkdirSync(typedIn);
    // What npm sets for `npm run cli` typed in another folder: it runs the script in the project's.
    const npm = { npm_lifecycle_event: 'cli', INIT_CWD: typedIn };
    const dataDir = join(work, 'npm-run');
    const exported = await consultrackerWith(npm, dataDir, 'export', 'typed-here.yaml');
    expect(exported).toMatchObject({ code: 0, stdout: 'Wrote the setup to typed-here.yaml.\n' });
    expect(existsSync(join(typedIn, 'typed-here.yaml'))).toBe(true);
    expect(existsSync(join(projectRoot(), 'typed-here.yaml'))).toBe(false);
    const imported = await consultrackerWith(npm, dataDir, 'import', 'typed-here.yaml');
    expect(imported.code).toBe(0);
  });
});
