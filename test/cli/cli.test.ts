import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customers } from '../../src/db/schema.js';
import { localFiles, runCli } from '../../src/cli/commands.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let dir: string;
const config = { currency: 'USD', orgTimeZone: 'UTC' };

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'ct-cli-'));
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a command against the test database, which stays open across commands; `opened` counts connections asked for. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const connection = { ...database, close: async () => {} };
  let opened = 0;
  const code = await runCli(
    argv,
    { out: (t) => out.push(t), err: (t) => err.push(t), ...localFiles },
    () => {
      opened++;
      return Promise.resolve(connection);
    },
    config,
  );
  return { code, out: out.join('\n'), err: err.join('\n'), opened };
}

describe('consultracker command line', () => {
  it('imports a file, says what changed, and says nothing changed the second time', async () => {
    const first = await run('import', 'examples/setup.yaml');
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toBe(
      'Imported examples/setup.yaml: 1 setting updated, 2 customers created, 1 credit purchase created, ' +
        '4 employees created, 2 projects created, 7 project assignments created, 3 roles created, ' +
        '5 users created, 8 reporting periods created.',
    );
    expect((await run('import', 'examples/setup.yaml')).out).toContain('nothing changed');
  });

  it('lists every problem of a bad file, exits 1 and writes nothing', async () => {
    const before = await database.db.select().from(customers);
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'customers:\n  - { code: NEW, name: New }\nprojects:\n  - { code: P-1, customer: NOPE, name: P, consultants: [ { user: U09X } ] }\n',
    );
    const result = await run('import', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain('Nothing was imported; fix these 2 problems');
    expect(result.err).toContain('projects[0].customer: unknown customer NOPE');
    expect(result.err).toContain('projects[0].consultants[0].user: unknown employee U09X');
    expect(await database.db.select().from(customers)).toEqual(before);
  });

  it('reports a wrong reference and a wrong amount together, so the file is fixed in one round', async () => {
    const file = join(dir, 'two-kinds.yaml');
    writeFileSync(
      file,
      'employees:\n  - { user: U01ZED, name: Zed, consultant: { cost_rate: abc, price_rate: 100 } }\n' +
        'projects:\n  - { code: P-2, customer: ACME, name: P, consultants: [ { user: U09Y } ] }\n',
    );
    const result = await run('import', file);
    expect(result.err.split('\n')).toEqual([
      `Nothing was imported; fix these 2 problems in ${file}:`,
      '  projects[0].consultants[0].user: unknown employee U09Y',
      expect.stringMatching(/^ {2}employees\[0\]\.consultant\.cost_rate: "abc" is not an amount in USD/),
    ]);
  });

  it('says "this problem" for a file with one', async () => {
    const file = join(dir, 'one.yaml');
    writeFileSync(file, 'projects:\n  - { code: P-3, customer: NOPE, name: P }\n');
    expect((await run('import', file)).err).toContain(`Nothing was imported; fix this problem in ${file}:`);
  });

  it('exports to a file that imports back unchanged', async () => {
    const file = join(dir, 'out.yaml');
    expect(await run('export', file)).toMatchObject({ code: 0, out: `Wrote the setup to ${file}.` });
    expect(readFileSync(file, 'utf8')).toContain('code: ACME-WEB');
    expect((await run('import', file)).out).toContain('nothing changed');
    expect((await run('export')).out).toBe(readFileSync(file, 'utf8').trimEnd());
  });

  it('explains how to call it', async () => {
    expect(await run('frobnicate')).toMatchObject({
      code: 1,
      err: expect.stringContaining('Unknown command "frobnicate"'),
    });
    expect(await run('import')).toMatchObject({
      code: 1,
      err: expect.stringContaining('import needs exactly one file'),
    });
    expect(await run('import', join(dir, 'missing.yaml'))).toMatchObject({
      code: 1,
      err: expect.stringContaining('Cannot read'),
    });
    expect(await run('help')).toMatchObject({ code: 0, out: expect.stringContaining('Usage: consultracker') });
  });
});

describe('consultracker called wrongly', () => {
  it('without a command prints the usage and exits 1, opening no database', async () => {
    expect(await run()).toMatchObject({ code: 1, out: expect.stringMatching(/^Usage: consultracker/), opened: 0 });
  });

  it('refuses restore through a running command line, saying to stop the app first', async () => {
    expect(await run('restore', join(dir, 'backup.tar.gz'))).toEqual({
      code: 1,
      out: '',
      err: 'restore runs only while the app is stopped: stop ConsulTracker, then run consultracker restore <file>.',
      opened: 0,
    });
  });

  it('says backup needs exactly one file, with an example', async () => {
    expect(await run('backup')).toEqual({
      code: 1,
      out: '',
      err: 'backup needs exactly one file, e.g. consultracker backup backup.tar.gz',
      opened: 0,
    });
  });

  it('says what jobs needs when neither list nor run is given', async () => {
    expect(await run('jobs', 'start')).toMatchObject({
      code: 1,
      err: 'jobs needs list or run, e.g. consultracker jobs list or consultracker jobs run period-reminder',
      opened: 0,
    });
  });

  it('refuses too many arguments for migrate and export, with the usage, writing no file', async () => {
    for (const argv of [
      ['migrate', 'now'],
      ['export', join(dir, 'a.yaml'), join(dir, 'b.yaml')],
    ]) {
      const result = await run(...argv);
      expect(result).toMatchObject({ code: 1, opened: 0 });
      expect(result.err).toMatch(new RegExp(`^Too many arguments for ${argv[0]}\\.\n\nUsage: consultracker`));
    }
    expect(existsSync(join(dir, 'a.yaml'))).toBe(false);
  });

  it('backup writes a copy of the embedded database, and on PostgreSQL points to pg_dump', async () => {
    const file = join(dir, 'backup.tar.gz');
    const result = await run('backup', file);
    if (database.kind === 'pglite') {
      expect(result).toMatchObject({ code: 0, err: '' });
      expect(result.out).toMatch(new RegExp(`^Wrote a backup of the database to ${file} \\(\\d+ KiB\\)\\.$`));
      expect(statSync(file).size).toBeGreaterThan(0);
    } else {
      expect(result).toMatchObject({
        code: 1,
        out: '',
        err: 'backup copies the embedded database; on PostgreSQL use pg_dump (see README.md, "What the embedded database promises, and backups").',
      });
      expect(existsSync(file)).toBe(false);
    }
  });
});
