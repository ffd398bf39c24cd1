/**
 * `consultracker` as its process runs it (`main()`: configuration from the environment, the exit
 * code set), called in this process on embedded databases in a temporary folder: restore, a
 * directory another command holds, a file that cannot be read, a setting that is wrong.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { openPglite } from '../../src/db/client.js';

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
  process.env = { ...saved.env, PGLITE_DIR: dataDir, ...env };
  delete process.env.DATABASE_URL;
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
