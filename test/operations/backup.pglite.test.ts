/** The embedded database: a backup taken through the running app under /log load, restored into a fresh directory. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { loadConfig } from '../../src/config.js';
import { runBackup } from '../../src/db/nightly-backup.js';
import { openPglite, queryRows } from '../../src/db/client.js';
import { silentLogger } from '../../src/logger.js';
import { projectRoot } from '../../src/project-root.js';
import { startConsulTracker } from '../../src/server.js';
import { importSetup } from '../../src/services/setup-import.js';
import { SIGNING_SECRET } from '../support/app-harness.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { SlackClientSimulator } from '../support/slack-requests.js';
import { TestClock } from '../support/test-clock.js';

const run = promisify(execFile);
let work: string;
let fake: FakeSlack;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ct-backup-'));
  fake = await startFakeSlack();
  fake.users.set('U01ALICE', { id: 'U01ALICE', real_name: 'Alice Doe', tz: 'UTC' });
});
afterAll(async () => {
  await fake.close();
  rmSync(work, { recursive: true, force: true });
});

/** `consultracker …` as its own process, the way an operator types it. */
async function consultracker(dataDir: string, ...argv: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DIR: dataDir };
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

const descriptions = async (dataDir: string) => {
  const connection = await openPglite({ dataDir });
  try {
    return (await queryRows<{ description: string }>(connection.db, sql`select description from time_entries`)).map(
      (row) => row.description,
    );
  } finally {
    await connection.close();
  }
};

describe('consultracker backup and restore', () => {
  it('copies every entry acknowledged before the backup while /log keeps coming, and restores it into a fresh directory', async () => {
    const dataDir = join(work, 'live');
    const file = join(work, 'nightly.tar.gz');
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      PGLITE_DIR: dataDir,
    });
    const connection = await openPglite({ dataDir });
    const clock = new TestClock('2026-11-24T12:00:00Z');
    const app = await startConsulTracker({ config, connection, clock, log: silentLogger });
    await app.initialised;
    const imported = await importSetup(
      {
        db: connection.db,
        actor: { kind: 'system', name: 'cli' },
        clock,
        log: silentLogger,
        org: { timeZone: 'UTC', currency: 'USD' },
      },
      readFileSync(new URL('../fixtures/small-firm.yaml', import.meta.url), 'utf8'),
    );
    expect(imported.ok).toBe(true);
    const slack = new SlackClientSimulator({
      appUrl: `http://127.0.0.1:${app.port}`,
      signingSecret: SIGNING_SECRET,
      responseUrl: fake.responseUrl,
    });

    const acknowledged: string[] = [];
    let loading = true;
    const load = Promise.all(
      [0, 1, 2].map(async (client) => {
        for (let n = 0; loading; n++) {
          const text = `c${client} n${n}`;
          const answer = await slack.slashCommand({
            command: '/log',
            text: `1h ACME-WEB 2026-11-20 ${text}`,
            userId: 'U01ALICE',
          });
          expect(answer.status).toBe(200);
          // Acknowledged: the ack itself says the entry was logged (a slow one answers later instead).
          if (JSON.stringify(answer.body ?? '').includes('ACME-WEB')) acknowledged.push(text);
        }
      }),
    );
    while (acknowledged.length < 6) await new Promise((resolve) => setTimeout(resolve, 20));

    const before = [...acknowledged];
    const backup = await consultracker(dataDir, 'backup', file);
    const after = acknowledged.length;
    loading = false;
    await load;
    await app.stop();

    expect(backup).toMatchObject({ code: 0, stdout: expect.stringMatching(/Wrote a backup of the database to/) });
    // The load went on while the backup was taken.
    expect(after).toBeGreaterThan(before.length);

    const fresh = join(work, 'restored');
    const restored = await consultracker(fresh, 'restore', file);
    expect(restored).toMatchObject({ code: 0, stdout: expect.stringMatching(/Restored/) });
    const entries = await descriptions(fresh);
    // Every entry acknowledged before the backup is there, once; nothing there that the app had not saved.
    for (const text of before) expect(entries.filter((entry) => entry === text)).toHaveLength(1);
    expect(new Set(entries).size).toBe(entries.length);
    const live = await descriptions(dataDir);
    for (const entry of entries) expect(live).toContain(entry);
  }, 180_000);

  it('refuses to restore under a running app, which keeps its data', async () => {
    const dataDir = join(work, 'running');
    const file = join(work, 'running.tar.gz');
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      PGLITE_DIR: dataDir,
    });
    const connection = await openPglite({ dataDir });
    const app = await startConsulTracker({
      config,
      connection,
      clock: new TestClock('2026-11-24T12:00:00Z'),
      log: silentLogger,
    });
    try {
      expect(await consultracker(dataDir, 'backup', file)).toMatchObject({ code: 0 });
      const refused = await consultracker(dataDir, 'restore', file);
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/only while the app is stopped/) });
    } finally {
      await app.stop();
    }
  }, 120_000);

  it('writes the nightly backup under its date and keeps only the newest ones', async () => {
    const dir = join(work, 'nightly');
    const dataDir = join(work, 'nightly-source');
    const connection = await openPglite({ dataDir });
    const clock = new TestClock('2026-11-20T02:30:00Z');
    try {
      if (connection.kind !== 'pglite') throw new Error('PGlite expected');
      for (let day = 0; day < 4; day++) {
        await runBackup(connection.client, { dir, keep: 2 }, clock, silentLogger);
        clock.advance({ days: 1 });
      }
    } finally {
      await connection.close();
    }
    expect(readdirSync(dir).sort()).toEqual(['consultracker-2026-11-22.tar.gz', 'consultracker-2026-11-23.tar.gz']);
    const restored = join(work, 'nightly-restored');
    expect(await consultracker(restored, 'restore', join(dir, 'consultracker-2026-11-23.tar.gz'))).toMatchObject({
      code: 0,
    });
    expect(existsSync(join(restored, 'PG_VERSION'))).toBe(true);
  }, 120_000);
});
