/**
 * Answers that come after the ack deadline (a database held longer than ACK_DEADLINE_MS): a form
 * Slack closed at the deadline whose listener then refuses it tells its user why in a DM; a command
 * that opened a modal late takes its "still working" away.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { creditLedger } from '../../src/db/schema.js';
import { STILL_WORKING } from '../../src/slack/edge/edge-receiver.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';

let h: AppHarness;
const ADMIN = 'U0ADMIN';
const f = ids.credits.field;

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z', adminUserIds: [ADMIN], env: { ACK_DEADLINE_MS: '200' } });
  h.fake.users.set(ADMIN, { id: ADMIN, real_name: 'Ada Admin', tz: 'UTC' });
  await importFixture(h, 'approvals-firm.yaml');
  await h.app.outbox.stop();
});
afterAll(async () => h?.stop());

/**
 * Holds the users table, which every request reads first, until released (PostgreSQL: a lock even
 * reads wait for; PGlite: its one connection, busy in this transaction), as a slow database would.
 */
async function holdDatabase(): Promise<() => Promise<void>> {
  let locked!: () => void;
  let release!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = h.database.db.transaction(async (tx) => {
    await tx.execute(sql`lock table users in access exclusive mode`);
    locked();
    await released;
  });
  await isLocked;
  return async () => {
    release();
    await held;
  };
}

describe('past the ack deadline (ACK_DEADLINE_MS=200)', () => {
  it('a form closed at the deadline and then refused tells its user in a DM what was wrong', async () => {
    const text = (value: string) => ({ type: 'plain_text_input', value });
    const release = await holdDatabase();
    let answer;
    try {
      answer = await h.slack.viewSubmission({
        userId: ADMIN,
        callbackId: ids.credits.addModal,
        privateMetadata: JSON.stringify({ code: 'GLOBEX' }),
        values: {
          [f.hours.block]: { [f.hours.action]: text('0.01') },
          [f.price.block]: { [f.price.action]: text('1.00') },
          [f.date.block]: { [f.date.action]: { type: 'datepicker', selected_date: '2026-11-30' } },
          [f.note.block]: { [f.note.action]: text('PO slow') },
        },
      });
    } finally {
      await release();
    }
    await h.app.settled();
    expect(answer.status).toBe(200);
    expect(answer.body).toBeUndefined();
    expect(await h.database.db.select().from(creditLedger).where(eq(creditLedger.note, 'PO slow'))).toHaveLength(0);
    const told = h.fake.callsTo('chat.postMessage').filter((call) => call.args.channel === ADMIN);
    expect(told).toHaveLength(1);
    expect(String(told[0]!.args.text)).toMatch(
      /^Your form was not saved: .*whole number of minutes.* Open it again to fix that\.$/,
    );
  });

  it('a command that opened a modal after the deadline takes its "still working" away', async () => {
    h.fake.reset();
    const responseUrl = h.fake.responseUrl();
    const release = await holdDatabase();
    let answer;
    try {
      answer = await h.slack.slashCommand({ command: '/admin', text: '', userId: ADMIN, responseUrl });
    } finally {
      await release();
    }
    await h.app.settled();
    expect(JSON.stringify(answer.body)).toContain(STILL_WORKING);
    expect(h.fake.callsTo('views.open')).toHaveLength(1);
    expect(h.fake.callsTo('response_url').map((call) => call.args)).toContainEqual(
      expect.objectContaining({ delete_original: true }),
    );
  });
});
