/**
 * An approval DM updated by two changes that lock different rows: a decision on its sheet (the
 * sheet's lock) and a prepaid balance move refreshing every waiting DM of the customer (the
 * customer's lock). The refresh is held after it read the DM and before it queued the update, the
 * decision commits meanwhile, and the refresh's update is queued last, built on what it read before
 * the decision. The DM Slack ends with shows the decision and the balance after the move all the
 * same: the dispatcher reads an approval DM again when it sends it. PostgreSQL only: PGlite runs one
 * transaction at a time, so the decision could not commit while the refresh is held.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customers, outbox, slackMessages } from '../../src/db/schema.js';
import { silentLogger } from '../../src/logger.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import { currentApprovalContent } from '../../src/services/approval-messages.js';
import { addCredits } from '../../src/services/credits.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { OutboxDispatcher } from '../../src/slack/outbox-dispatcher.js';
import { renderOutboxMessage } from '../../src/slack/outbox-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import {
  addConsultant,
  addCustomer,
  addManager,
  addPeriod,
  addProject,
  addUser,
  approvalIdOf,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { Interleaving } from '../support/interleaving.js';
import { testSlackClient } from '../support/outbox-testbed.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let fake: FakeSlack;
const clock = new TestClock('2026-11-20T12:00:00Z');
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  fake = await startFakeSlack();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  for (const id of ['UM1', 'UM2', 'UM3']) await addUser(db, id, { name: id, rights: ['approval'] });
  for (const id of ['UC1', 'UC2']) await addUser(db, id, { rights: ['entry'] });
  const globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  await db.update(customers).set({ lowCreditThresholdMinutes: 0 }).where(eq(customers.id, globex));
  await addProject(db, 'GLOBEX-A', globex, {
    consultants: [await addConsultant(db, 'UC1')],
    managers: [await addManager(db, 'UM1')],
  });
  await addProject(db, 'GLOBEX-B', globex, {
    consultants: [await addConsultant(db, 'UC2')],
    managers: [await addManager(db, 'UM2'), await addManager(db, 'UM3')],
  });
  await addPeriod(db, '2026-11-01', '2026-11-30');
  const bought = await addCredits(as('UADMIN'), {
    customerCode: 'GLOBEX',
    hours: '40',
    price: '',
    date: '2026-11-01',
    note: '',
  });
  expect(bought).toMatchObject({ ok: true });
});
afterAll(async () => {
  await fake.close();
  await database.drop();
});

async function logAndSubmit(userId: string, projectCode: string): Promise<number> {
  const logged = await logTime(as(userId), {
    projectCode,
    minutes: 240,
    description: 'work',
    billable: true,
    source: 'command',
  });
  expect(logged).toMatchObject({ ok: true });
  const submitted = await submitTimesheet(as(userId));
  expect(submitted).toMatchObject({ ok: true });
  return submitted.ok ? submitted.submitted.timesheetId : 0;
}

/** Delivers everything queued, approval DMs read again as they are sent (as the app does). */
async function deliver(): Promise<void> {
  const dispatcher = new OutboxDispatcher({
    db: database.db,
    client: testSlackClient(fake, 5_000),
    render: renderOutboxMessage,
    currentContent: (content) => currentApprovalContent(database.db, content),
    clock,
    log: silentLogger,
    batchSize: 30,
  });
  for (let round = 0; round < 20; round++) {
    await dispatcher.runOnce();
    const pending = await database.db.select().from(outbox).where(eq(outbox.status, 'pending'));
    if (pending.length === 0) return;
    clock.advance({ seconds: 5 });
  }
  throw new Error('the outbox did not drain');
}

const lastDm = (userId: string) => JSON.stringify((fake.messages.get(`D${userId}`) ?? []).at(-1) ?? null);

describe('an approval DM refreshed for a balance move while a decision on its sheet commits', () => {
  it("ends showing the decision and the balance after the move, though the refresh's update, built before the decision, was queued last", async () => {
    const { db } = database;
    const sheetA = await logAndSubmit('UC1', 'GLOBEX-A');
    const sheetB = await logAndSubmit('UC2', 'GLOBEX-B');
    await deliver(); // the three managers' DMs are posted
    expect(await db.select().from(slackMessages)).toHaveLength(3);

    // UM1 approves sheet A, which deducts 4h from GLOBEX and refreshes sheet B's waiting DMs: held
    // once it has read the first of them (UM2's, pending), before it queues it.
    const interleaving = new Interleaving(database);
    const refresh = interleaving.hold(as('UM1'), 'credit-line:read');
    const approvingA = decideTimesheet(refresh.ctx, {
      approvalId: await approvalIdOf(db, sheetA, 'UM1'),
      decision: 'approve',
    });
    await refresh.reached;
    // UM2 approves sheet B meanwhile (sheet B's lock, which the refresh does not take), and commits.
    expect(
      await decideTimesheet(as('UM2'), { approvalId: await approvalIdOf(db, sheetB, 'UM2'), decision: 'approve' }),
    ).toMatchObject({ ok: true, outcome: { sheetStatus: 'submitted' } });
    refresh.release();
    expect(await approvingA).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });

    await deliver();
    // UM2 approved, and waits for UM3; the stale update said UM2 had yet to decide, with the buttons.
    expect(lastDm('UM2')).toContain('You approved. Waiting for the others.');
    expect(lastDm('UM2')).not.toContain('"action_id":"approval_approve"');
    // UM3's DM shows UM2's approval and what approving leaves after sheet A's 4h came off: 32h.
    expect(lastDm('UM3')).toContain('Approving deducts 4h from GLOBEX Inc: 32h');
    expect(lastDm('UM3')).toContain(':white_check_mark:');
  });
});
