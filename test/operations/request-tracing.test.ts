/** One request id from the request's log line to the outbox rows it queued and the Slack calls that delivered them. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { outbox, timeEntries } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { type AppHarness, importFixture, SIGNING_SECRET, startAppHarness } from '../support/app-harness.js';
import { approvalIdOf } from '../support/fixtures.js';
import { HOME_PUBLISH_INTERVAL_MS } from '../../src/services/outbox.js';

const BOT_TOKEN = 'xoxb-test';
const [ALICE, BOB, DANA, ADMIN] = ['U01ALICE', 'U02BOB', 'U03DANA', 'U0ADMIN'];
type Line = Record<string, unknown> & { level: string; message: string; requestId?: string };

let h: AppHarness;
const raw: string[] = [];
const lines = () => raw.map((line) => JSON.parse(line) as Line);
const linesOf = (requestId: string) => lines().filter((line) => line.requestId === requestId);

beforeAll(async () => {
  h = await startAppHarness({
    now: '2026-11-30T10:00:00Z',
    adminUserIds: [ADMIN],
    log: createLogger('debug', (line) => raw.push(line), { secrets: [SIGNING_SECRET, BOT_TOKEN] }),
  });
  for (const id of [ALICE, BOB, DANA, ADMIN]) h.fake.users.set(id, { id, real_name: id, tz: 'UTC' });
  await importFixture(h, 'approvals-firm.yaml');
  // The test delivers the outbox itself, so each delivery is seen in order.
  await h.app.outbox.stop();
});
afterAll(async () => h.stop());

/**
 * Delivers all, letting the App Home publish interval pass whenever a home waits it out (a change
 * right after a publish does, and so does a home queued again once a DM about a change went out).
 */
async function deliver(): Promise<void> {
  await h.app.settled();
  for (let round = 0; round < 10; round++) {
    h.clock.advance({ seconds: HOME_PUBLISH_INTERVAL_MS / 1000 });
    for (let i = 0; i < 20 && (await h.app.outbox.runOnce()) > 0; i++);
    if ((await h.database.db.select().from(outbox).where(eq(outbox.status, 'pending'))).length === 0) return;
  }
  throw new Error('the outbox did not drain');
}

describe('a request id', () => {
  it('follows /log from its request line to its acknowledgement and to the App Home publish it caused, with the user and command on each line', async () => {
    const triggerId = 'trace.log.1';
    const answer = await h.slack.slashCommand({
      command: '/log',
      text: '3h ACME-WEB 2026-11-20 design review',
      userId: ALICE,
      triggerId,
    });
    expect(answer.status).toBe(200);
    await h.app.settled();
    expect(await h.database.db.select().from(timeEntries)).toHaveLength(1);

    const traced = linesOf(triggerId);
    expect(traced.map((line) => line.message)).toEqual(expect.arrayContaining(['Slack request', 'acknowledged']));
    expect(traced.find((line) => line.message === 'acknowledged')).toMatchObject({ status: 200 });
    for (const line of traced) expect(line).toMatchObject({ userId: ALICE, command: '/log' });

    // The App Home refresh it queued carries its id, and so does the views.publish that sent it.
    const [home] = await h.database.db.select().from(outbox).where(eq(outbox.requestId, triggerId));
    expect(home).toMatchObject({ kind: 'home', dedupeKey: `home:${ALICE}` });
    await deliver();
    const published = linesOf(triggerId).find((line) => line.message === 'Slack call');
    expect(published).toMatchObject({ method: 'views.publish', outboxId: home!.id });
    expect(h.fake.calls.some((call) => call.method === 'views.publish' && call.args.user_id === ALICE)).toBe(true);
  });

  it('follows a submission and an approval to the outbox rows they queued and the Slack calls that sent them', async () => {
    await h.slack.slashCommand({ command: '/timesheet', text: 'submit', userId: ALICE, triggerId: 'trace.submit.1' });
    await h.app.settled();
    const asked = await h.database.db.select().from(outbox).where(eq(outbox.requestId, 'trace.submit.1'));
    expect(asked.length).toBeGreaterThan(0);
    await deliver();

    const sheetId = (await h.database.db.query.timesheets.findFirst())!.id;
    const approvalId = await approvalIdOf(h.database.db, sheetId, BOB);
    const pressed = await h.slack.blockAction({
      userId: BOB,
      actionId: ids.approval.approve,
      value: String(approvalId),
      triggerId: 'trace.approve.1',
      responseUrl: h.fake.responseUrl(),
      container: { type: 'message', channelId: `D${BOB}`, messageTs: '1.1' },
    });
    expect(pressed.status).toBe(200);
    await h.app.settled();
    const decided = await h.database.db.select().from(outbox).where(eq(outbox.requestId, 'trace.approve.1'));
    expect(decided.length).toBeGreaterThan(0);
    await deliver();

    for (const [requestId, rows, user, command] of [
      ['trace.submit.1', asked, ALICE, '/timesheet'],
      ['trace.approve.1', decided, BOB, ids.approval.approve],
    ] as const) {
      const traced = linesOf(requestId);
      expect(traced.find((line) => line.message === 'Slack request')).toMatchObject({ userId: user, command });
      // Every row it queued was sent by a Slack call logged under the same id, and Slack got it.
      const calls = traced.filter((line) => line.message === 'Slack call');
      for (const row of rows) {
        const call = calls.find((line) => line.outboxId === row.id);
        expect(call, `the Slack call for outbox row ${row.id}`).toBeDefined();
        const [sent] = await h.database.db.select().from(outbox).where(eq(outbox.id, row.id));
        expect(sent!.status).toBe('sent');
        if (row.kind === 'home') expect(call).toMatchObject({ method: 'views.publish' });
        else expect([...h.fake.messages.values()].flat().some((message) => message.ts === call!.ts)).toBe(true);
      }
    }
  });

  it('never lets a token or the signing secret into a log line', () => {
    const log = createLogger('debug', (line) => raw.push(line), { secrets: [SIGNING_SECRET, BOT_TOKEN] });
    log.error('configuration problem', {
      config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET },
      headers: { authorization: `Bearer ${BOT_TOKEN}` },
      error: new Error(`Slack refused xoxb-1234-abcd and ${SIGNING_SECRET}`),
    });
    expect(raw.length).toBeGreaterThan(8);
    for (const line of raw) {
      expect(line).not.toContain(BOT_TOKEN);
      expect(line).not.toContain('xoxb-1234-abcd');
      expect(line).not.toContain(SIGNING_SECRET);
    }
  });
});
