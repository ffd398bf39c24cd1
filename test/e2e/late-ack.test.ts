import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeEntries } from '../../src/db/schema.js';
import { SAVING } from '../../src/slack/listeners/commands/log.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';

let h: AppHarness;

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-24T12:00:00Z', env: { ACK_DEADLINE_MS: '200' } });
  h.fake.users.set('U01ALICE', { id: 'U01ALICE', real_name: 'Alice Doe', tz: 'UTC' });
  await importFixture(h, 'small-firm.yaml');
});

afterAll(async () => h?.stop());

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

/**
 * Holds the time entries table until `release` (PostgreSQL: an exclusive lock the /log insert waits
 * for; PGlite: its one connection, busy in this transaction), as a slow database would.
 */
async function holdTimeEntries() {
  const locked = deferred();
  const release = deferred();
  const held = h.database.db.transaction(async (tx) => {
    await tx.execute(sql`lock table time_entries in exclusive mode`);
    locked.resolve();
    await release.promise;
  });
  await locked.promise;
  return {
    release: async () => {
      release.resolve();
      await held;
    },
  };
}

describe('a /log the database holds past the ack deadline (ACK_DEADLINE_MS=200)', () => {
  it('acks "Saving…" at the deadline, then replaces it through response_url with the confirmation, and saves the entry once', async () => {
    const slow = await holdTimeEntries();
    const responseUrl = h.fake.responseUrl();
    let ack;
    try {
      ack = await h.slack.slashCommand({
        command: '/log',
        text: '25m ACME-WEB held past the deadline',
        userId: 'U01ALICE',
        responseUrl,
      });
    } finally {
      await slow.release();
    }
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ response_type: 'ephemeral', text: SAVING });

    const late = await h.fake.waitFor('response_url', (call) =>
      String(call.args.url).endsWith(new URL(responseUrl).pathname),
    );
    expect(late.args).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(JSON.stringify(late.args)).toContain('Logged');
    expect(JSON.stringify(late.args)).toContain('held past the deadline');

    await h.app.settled();
    const saved = await h.database.db
      .select()
      .from(timeEntries)
      .where(eq(timeEntries.description, 'held past the deadline'));
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ minutes: 25, createdBy: 'U01ALICE' });
    expect(h.fake.callsTo('response_url').filter((call) => call.args.url === late.args.url)).toHaveLength(1);
  });
});
