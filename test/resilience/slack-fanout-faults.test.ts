/**
 * Slack misbehaving during an approval fan-out (issue 21): Alice's submission asks 12 managers by
 * DM while Slack answers 429 with Retry-After, 500s, resets, a post it accepts but never answers,
 * and a call it never answers at all (the client's own 10 s timeout). Each manager gets the DM
 * exactly once. When Slack keeps failing past the delivery window, every DM is dead, none is sent,
 * and an administrator sees them in App Home. The tests deliver the outbox on the test clock.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approvals, outbox, slackMessages, timeEntries, timesheets } from '../../src/db/schema.js';
import { silentLogger } from '../../src/logger.js';
import { importSetup } from '../../src/services/setup-import.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import type { Fault } from '../support/fake-slack.js';
import { ResilienceTally } from './tally.js';

let h: AppHarness;
const [ALICE, ADMIN] = ['U01ALICE', 'U0ADMIN'];
const MANAGERS = Array.from({ length: 12 }, (_, i) => `U${String(i + 1).padStart(2, '0')}MGR`);
const WINDOW_HOURS = 1;
const tally = new ResilienceTally('Slack faults during fan-out');

const firm = `
customers:
  - { code: ACME, name: Acme Corp, currency: USD, billing: hourly }
employees:
  - { user: ${ALICE}, name: Alice Doe, consultant: { cost_rate: '70.00', price_rate: '140.00' } }
${MANAGERS.map((id, i) => `  - { user: ${id}, name: Manager ${i + 1}, manager: true }`).join('\n')}
projects:
  - { code: ACME-WEB, customer: ACME, name: Website relaunch, managers: [${MANAGERS.join(', ')}], consultants: [{ user: ${ALICE} }] }
roles:
  - { name: Consultant, rights: [entry] }
  - { name: Manager, rights: [approval] }
users:
  - { user: ${ALICE}, roles: [Consultant] }
${MANAGERS.map((id) => `  - { user: ${id}, roles: [Manager] }`).join('\n')}
periods:
  - { starts: 2026-11-01, ends: 2026-11-30 }
`;

beforeAll(async () => {
  h = await startAppHarness({
    now: '2026-11-30T10:00:00Z',
    adminUserIds: [ADMIN],
    env: { OUTBOX_DELIVERY_WINDOW_HOURS: String(WINDOW_HOURS) },
  });
  h.fake.users.set(ALICE, { id: ALICE, real_name: 'Alice Doe', tz: 'UTC' });
  h.fake.users.set(ADMIN, { id: ADMIN, real_name: 'Ada Admin', tz: 'UTC' });
  const imported = await importSetup(
    {
      db: h.database.db,
      actor: { kind: 'system', name: 'cli' },
      clock: h.clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    firm,
  );
  expect(imported.ok).toBe(true);
  await h.app.outbox.stop();
});
afterAll(async () => {
  tally.report();
  await h.stop();
});
beforeEach(async () => {
  await h.app.settled();
  for (const table of [outbox, slackMessages, approvals, timeEntries, timesheets]) await h.database.db.delete(table);
  h.fake.reset();
});

const dm = (userId: string) => h.fake.messages.get(`D${userId}`) ?? [];
const approvalPosts = () => h.database.db.select().from(outbox).where(eq(outbox.kind, 'post'));
const postCalls = () => h.fake.callsTo('chat.postMessage').length;

async function aliceSubmits(): Promise<void> {
  await h.slack.slashCommand({ command: '/log', text: '3h ACME-WEB 2026-11-20 design review', userId: ALICE });
  const submitted = await h.slack.slashCommand({ command: '/timesheet', text: 'submit', userId: ALICE });
  expect(JSON.stringify(submitted.body)).toContain('Submitted your timesheet');
  await h.app.settled();
  expect(await approvalPosts()).toHaveLength(MANAGERS.length);
}

/** Delivery rounds, `step` of test clock apart, until no approval DM is pending. */
async function deliverAll(step: Parameters<typeof h.clock.advance>[0]): Promise<void> {
  for (let round = 1; round <= 200; round++) {
    await h.app.outbox.runOnce();
    if ((await approvalPosts()).every((row) => row.status !== 'pending')) return;
    h.clock.advance(step);
  }
  throw new Error('the outbox did not settle');
}

describe('Slack faults while 12 approval DMs go out', () => {
  it('429 with Retry-After, 500s, resets, an accepted post never answered and a hung call: every manager gets the DM exactly once', async () => {
    tally.cases++;
    await aliceSubmits();
    // In arrival order of the first posts; the rest of the calls are answered normally.
    const faults: Fault[] = [
      { status: 429, retryAfterSeconds: 30 },
      { status: 500 },
      { reset: true },
      { lateCommit: true },
      { hang: true },
      { status: 500 },
      { reset: true },
      { status: 429, retryAfterSeconds: 30 },
      { status: 500 },
    ];
    for (const fault of faults) h.fake.failNext('chat.postMessage', fault);
    tally.faults += faults.length;

    const firstRound = h.app.outbox.runOnce();
    // The accepted-but-unanswered post lands once all faulted calls are in; its caller sees the connection drop.
    for (let polls = 0; postCalls() < faults.length; polls++) {
      if (polls === 1_000) expect.fail(`only ${postCalls()} posts reached Slack in the first round`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(h.fake.commitLate()).toBe(1);
    // The hung call ends by the client's own timeout (10 s); other lanes are not held by it.
    await firstRound;
    await deliverAll({ seconds: 5 });

    for (const manager of MANAGERS) {
      tally.once(dm(manager).length);
      expect(dm(manager), manager).toHaveLength(1);
    }
    const rows = await approvalPosts();
    expect(rows.map((row) => row.status)).toEqual(MANAGERS.map(() => 'sent'));
    // Where each DM landed is recorded once, so the approval's later updates edit that message.
    expect(await h.database.db.select().from(slackMessages)).toHaveLength(MANAGERS.length);
    // Retries of posts that got no answer looked in the conversation before posting again.
    expect(h.fake.callsTo('conversations.history').length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it(`500s for longer than the ${WINDOW_HOURS} h delivery window: every DM is dead, none was posted, and an administrator sees all ${MANAGERS.length} in App Home`, async () => {
    tally.cases++;
    await aliceSubmits();
    h.fake.outage({ status: 500 }, ['chat.postMessage']);
    await deliverAll({ minutes: 1 });
    tally.faults += postCalls();

    const rows = await approvalPosts();
    expect(rows.map((row) => row.status)).toEqual(MANAGERS.map(() => 'dead'));
    for (const row of rows) {
      expect(row.attempts, row.lastError ?? '').toBeGreaterThan(1);
      expect(row.lastError).toContain(`not delivered within ${WINDOW_HOURS} h`);
    }
    for (const manager of MANAGERS) expect(dm(manager), manager).toHaveLength(0);

    h.fake.outage(undefined);
    await h.slack.event({ type: 'app_home_opened', user: ADMIN, channel: `D${ADMIN}`, tab: 'home' });
    expect(await h.homeOf(ADMIN)).toContain(`${MANAGERS.length} Slack messages not delivered`);
  });
});
