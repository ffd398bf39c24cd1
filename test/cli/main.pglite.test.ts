/**
 * `consultracker` as its process runs it (`main()`: configuration from the environment, the exit
 * code set), called in this process on embedded databases in a temporary folder: restore, a
 * directory another command holds, a file that cannot be read (also while the app runs), a setting
 * that is wrong.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config.js';
import { openPglite, queryRows } from '../../src/db/client.js';
import { silentLogger } from '../../src/logger.js';
import { startConsulTracker } from '../../src/server.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { TestClock } from '../support/test-clock.js';

let work: string;
const saved = { argv: process.argv, env: { ...process.env } };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ct-main-'));
});
afterEach(() => {
  process.argv = saved.argv;
  process.env = { ...saved.env };
  process.exitCode = undefined;
  vi.restoreAllMocks();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `consultracker ...argv` on the embedded database in `dataDir`; what it printed and its exit code. */
async function consultracker(dataDir: string, argv: string[], env: Record<string, string> = {}) {
  process.argv = [process.execPath, 'consultracker', ...argv];
  process.env = { ...saved.env, PGLITE_DIR: dataDir };
  delete process.env.DATABASE_URL;
  Object.assign(process.env, env);
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((text) => stdout.push(String(text)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((text) => stderr.push(String(text)) > 0);
  try {
    await main();
  } finally {
    vi.restoreAllMocks();
  }
  const code = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('consultracker restore', () => {
  it('says it cannot read a backup that is not there, exits 1 and creates no directory', async () => {
    const dataDir = join(work, 'never');
    const missing = join(work, 'missing.tar.gz');
    expect(await consultracker(dataDir, ['restore', missing])).toEqual({
      code: 1,
      stdout: '',
      stderr: `Cannot read ${missing}: no such file.\n`,
    });
    expect(existsSync(dataDir)).toBe(false);
  });

  it('restores a backup into an empty folder, and over a database moves that one aside first', async () => {
    const source = join(work, 'source');
    const file = join(work, 'setup.tar.gz');
    expect(await consultracker(source, ['import', 'examples/setup.yaml'])).toMatchObject({
      code: 0,
      stderr: `No embedded database at ${source} yet; creating it.\n`,
    });
    expect((await consultracker(source, ['backup', file])).stdout).toMatch(/^Wrote a backup of the database to /);

    const target = join(work, 'target');
    expect(await consultracker(target, ['restore', file])).toEqual({
      code: 0,
      stdout: `Restored ${file} into ${target}. Start the app to use it.\n`,
      stderr: '',
    });
    const again = await consultracker(target, ['restore', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      new RegExp(
        `^Moved the database that was there to ${target}\\.before-restore-[^\\n]+\\.\\nRestored ${file} into ${target}\\.`,
      ),
    );
    expect(readdirSync(work).filter((name) => name.startsWith('target.before-restore-'))).toHaveLength(1);
    const exported = await consultracker(target, ['export']);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(exported.stdout).toContain('code: ACME-WEB');
  }, 120_000);

  it('restoring a file that is not a backup says which file failed and what to restore instead, leaving the database that was there in place', async () => {
    const dataDir = join(work, 'kept');
    expect((await consultracker(dataDir, ['import', 'examples/setup.yaml'])).code).toBe(0);
    const notABackup = join(work, 'notes.txt');
    writeFileSync(notABackup, 'these are not the bytes of a database\n');
    const failed = await consultracker(dataDir, ['restore', notABackup]);
    expect(failed).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `Could not restore ${notABackup} (the file is not a gzip backup). Restore a file written by ` +
        `consultracker backup or the nightly backup; ${dataDir} was left as it was.\n`,
    });
    expect(readdirSync(work).filter((name) => name.startsWith('kept.before-restore-'))).toEqual([]);
    expect((await consultracker(dataDir, ['export'])).stdout).toContain('code: ACME-WEB');
  }, 120_000);

  it('refuses a backup cut off halfway in one line, before moving the database that is there', async () => {
    const dataDir = join(work, 'kept-cut');
    expect((await consultracker(dataDir, ['import', 'examples/setup.yaml'])).code).toBe(0);
    const whole = join(work, 'whole.tar.gz');
    expect((await consultracker(dataDir, ['backup', whole])).code).toBe(0);
    const cut = join(work, 'cut.tar.gz');
    const bytes = readFileSync(whole);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(await consultracker(dataDir, ['restore', cut])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `Could not restore ${cut} (the file is cut off, perhaps a copy that did not finish). Restore a file written by ` +
        `consultracker backup or the nightly backup; ${dataDir} was left as it was.\n`,
    });
    expect(readdirSync(work).filter((name) => name.startsWith('kept-cut.before-restore-'))).toEqual([]);
    expect((await consultracker(dataDir, ['export'])).stdout).toContain('code: ACME-WEB');
  }, 120_000);

  it('asks for exactly one file, and on PostgreSQL points to its own restore tools', async () => {
    const dataDir = join(work, 'never-either');
    expect(await consultracker(dataDir, ['restore'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'restore needs exactly one file, e.g. consultracker restore backups/consultracker-2026-12-01.tar.gz\n',
    });
    const onPostgres = await consultracker(dataDir, ['restore', 'backup.tar.gz'], {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(onPostgres).toMatchObject({ code: 1, stderr: expect.stringContaining('restored with pg_restore') });
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('consultracker refusing', () => {
  it('names the command that holds the directory and exits 1', async () => {
    const dataDir = join(work, 'held');
    const holder = await openPglite({ dataDir, role: 'cli' });
    try {
      const refused = await consultracker(dataDir, ['migrate']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`The embedded database ${dataDir} is in use by a consultracker command`);
      expect(refused.stderr).not.toContain('consultracker failed');
    } finally {
      await holder.close();
    }
  });

  it('while the app runs, an import of a file that cannot be read says so, exits 1 and imports nothing; the app still answers', async () => {
    const dataDir = join(work, 'running');
    const fake = await startFakeSlack();
    const connection = await openPglite({ dataDir });
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      PGLITE_DIR: dataDir,
    });
    const app = await startConsulTracker({
      config,
      connection,
      clock: new TestClock('2026-11-24T12:00:00Z'),
      log: silentLogger,
    });
    try {
      const missing = join(work, 'missing-setup.yaml');
      const refused = await consultracker(dataDir, ['import', missing]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`^Cannot read ${missing}: ENOENT`));
      const listed = await consultracker(dataDir, ['outbox', 'list']);
      expect(listed).toMatchObject({ code: 0, stderr: '' });
      expect(await queryRows(connection.db, sql`select 1 from customers`)).toEqual([]);
    } finally {
      await app.stop();
      await fake.close();
    }
  }, 120_000);

  it('names a wrong setting on stderr and exits 1 before opening anything', async () => {
    const dataDir = join(work, 'misconfigured');
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const stderr: string[] = [];
    process.argv = [process.execPath, 'consultracker', 'migrate'];
    process.env = { ...saved.env, PGLITE_DIR: dataDir, CURRENCY: 'dollars' };
    delete process.env.DATABASE_URL;
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => stderr.push(String(text)) > 0);
    await expect(main()).rejects.toThrow('exit 1');
    expect(stderr.join('')).toContain('CURRENCY');
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('consultracker on a folder it cannot use', () => {
  it('says so in one line naming the folder and PGLITE_DIR, without a stack trace', async () => {
    const blocked = join(work, 'a-file');
    writeFileSync(blocked, 'not a folder');
    const dataDir = join(blocked, 'deeper', 'pglite');
    const failed = await consultracker(dataDir, ['migrate']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      new RegExp(
        `^No embedded database at ${dataDir} yet; creating it\\.\\nCannot use ${dataDir} for the embedded database: .+\\. Set PGLITE_DIR to a folder this user may write to[^\\n]*\\n$`,
      ),
    );
    expect(failed.stderr).not.toContain('    at ');
  });
});
