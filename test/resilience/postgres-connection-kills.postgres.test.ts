import { eq, like } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { timeEntries } from '../../src/db/schema.js';
import { OUR_FAULT } from '../../src/slack/edge/edge-receiver.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { ResilienceTally } from './tally.js';

/**
 * What PostgreSQL does on a restart, a failover or a proxy closing connections: it ends the app's
 * connections under running requests. PGlite runs inside the app's own process and has no
 * connection that another party could end, so these tests need PostgreSQL.
 */
const setup = inject('testDatabase');

let h: AppHarness;

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-24T12:00:00Z' });
  h.fake.users.set('U01ALICE', { id: 'U01ALICE', real_name: 'Alice Doe', tz: 'UTC' });
  await importFixture(h, 'small-firm.yaml');
});

const tally = new ResilienceTally('postgres connection kills');
afterAll(async () => {
  tally.report();
  await h?.stop();
});

/** Runs SQL as the server's administrator, outside the app's pool. */
async function asAdministrator(statement: string): Promise<void> {
  if (setup.kind !== 'postgres') throw new Error('needs PostgreSQL');
  const client = new pg.Client({ connectionString: setup.url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Ends every connection the app holds to its database, idle or in the middle of a request. */
const terminateAppConnections = () =>
  asAdministrator(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${h.database.name}' and pid <> pg_backend_pid()`,
  );

type Outcome = { tag: string; status: number; saved: boolean; toldFailed: boolean };

async function logTagged(tag: string): Promise<Outcome> {
  const response = await h.slack.slashCommand({ command: '/log', text: `1m ACME-WEB ${tag}`, userId: 'U01ALICE' });
  const reply = JSON.stringify(response.body);
  return {
    tag,
    status: response.status,
    saved: reply.includes('Logged') && reply.includes(tag),
    toldFailed: reply.includes(OUR_FAULT),
  };
}

/** Waits (a poll, not a timing) until no client is checked out of the app's pool. */
async function everyConnectionReturned(): Promise<void> {
  if (h.database.kind !== 'postgres') return;
  const pool = h.database.client;
  for (let polls = 0; pool.totalCount !== pool.idleCount; polls++) {
    if (polls === 500) expect.fail(`${pool.totalCount - pool.idleCount} connections never came back to the pool`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const savedWith = async (tag: string) =>
  (await h.database.db.select().from(timeEntries).where(eq(timeEntries.description, tag))).length;

describe('when PostgreSQL ends the app’s connections', () => {
  it(
    'twice during /log load at concurrency 4: the app lives, every confirmed entry is saved once, ' +
      'every other request was told it failed and saved nothing, and the next /log works without a restart',
    async () => {
      const outcomes: Outcome[] = [];
      let next = 0;
      let running = true;
      const worker = async () => {
        while (running) outcomes.push(await logTagged(`outage-${next++}`));
      };
      const until = async (count: number) => {
        while (outcomes.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
      };
      const workers = [worker(), worker(), worker(), worker()];
      await until(12);
      await terminateAppConnections();
      await until(30);
      await terminateAppConnections();
      tally.faults += 2;
      await until(50);
      running = false;
      await Promise.all(workers);
      await h.app.settled();

      tally.cases++;
      for (const outcome of outcomes) {
        expect(outcome.status).toBe(200);
        expect(outcome.saved !== outcome.toldFailed, `${outcome.tag} was answered one way`).toBe(true);
        const saved = await savedWith(outcome.tag);
        if (outcome.saved) tally.once(saved);
        else expect(saved, `entries saved for ${outcome.tag}, which was told it failed`).toBe(0);
      }
      expect(outcomes.filter((o) => o.toldFailed).length, 'requests the kills failed').toBeGreaterThan(0);
      expect(outcomes.filter((o) => o.saved).length).toBeGreaterThan(0);
      const rows = await h.database.db.select().from(timeEntries).where(like(timeEntries.description, 'outage-%'));
      expect(rows).toHaveLength(outcomes.filter((o) => o.saved).length);

      // Every connection went back to the pool: a dead one left checked out would starve it.
      await everyConnectionReturned();
      const after = await logTagged('after the outage');
      expect(after.saved).toBe(true);
      expect(await savedWith('after the outage')).toBe(1);
    },
  );

  it('/readyz answers 503 while the database refuses connections and 200 once it takes them again; /log meanwhile says it saved nothing', async () => {
    tally.cases++;
    await asAdministrator(`alter database "${h.database.name}" allow_connections false`);
    try {
      await terminateAppConnections();
      tally.faults++;
      const down = await fetch(`${h.appUrl}/readyz`);
      expect(down.status).toBe(503);
      expect(((await down.json()) as { checks: { database: string } }).checks.database).toMatch(/^unreachable/);
      const refused = await logTagged('while the database is away');
      expect(refused.toldFailed).toBe(true);
    } finally {
      await asAdministrator(`alter database "${h.database.name}" allow_connections true`);
    }
    const up = await fetch(`${h.appUrl}/readyz`);
    expect(up.status).toBe(200);
    expect(await savedWith('while the database is away')).toBe(0);
    expect((await logTagged('back again')).saved).toBe(true);
  });
});
