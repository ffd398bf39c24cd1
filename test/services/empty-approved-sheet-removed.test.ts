/**
 * A consultant who submitted an empty timesheet ("I worked no time this period") and had it
 * approved is told when an administrator sends it back ("you were on the Acme project all month:
 * log your time") or deletes it: the notice is what tells them to log time and submit again.
 */
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approvals, outbox, timesheets } from '../../src/db/schema.js';
import type { OutboxMessage } from '../../src/services/outbox.js';
import { adminDecide } from '../../src/services/approval-decisions.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addConsultant, addPeriod, addUser, asUser, serviceContext } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-25T12:00:00Z');
const ctxFor = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADMIN', { name: 'Ada Admin', rights: ['admin'] });
  await addUser(database.db, 'UCON', { name: 'Cid Consultant', rights: ['entry'] });
  await addConsultant(database.db, 'UCON');
  await addPeriod(database.db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());
beforeEach(async () => {
  await database.db.delete(outbox);
  await database.db.delete(approvals);
  await database.db.update(timesheets).set({ reopenedFrom: null });
  await database.db.delete(timesheets);
});

/** Cid submits November empty and Ada approves it; answers the sheet. */
async function approvedEmptySheet(): Promise<number> {
  const submitted = await submitTimesheet(ctxFor('UCON'), { confirmEmpty: true });
  expect(submitted.ok || submitted.error.message).toBe(true);
  const [sheet] = await database.db.select().from(timesheets).where(eq(timesheets.status, 'submitted'));
  expect(await adminDecide(ctxFor('UADMIN'), { timesheetId: sheet!.id, decision: 'approve' })).toMatchObject({
    ok: true,
    status: 'approved',
  });
  return sheet!.id;
}

const noticesTo = async (userId: string) =>
  (await database.db.select().from(outbox).where(like(outbox.dedupeKey, 'removed:%')))
    .map((row) => row.payload as OutboxMessage)
    .filter((message) => message.kind === 'post' && message.channel === userId);

describe('an approved empty timesheet taken back by an administrator', () => {
  it('sent back with a reason: the consultant is told, with the reason', async () => {
    const sheet = await approvedEmptySheet();
    const sent = await adminDecide(ctxFor('UADMIN'), {
      timesheetId: sheet,
      decision: 'reject',
      reason: 'You were on Acme all month: log your time',
    });
    expect(sent).toMatchObject({ ok: true, status: 'cancelled' });
    const notices = await noticesTo('UCON');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      content: {
        model: { outcome: 'rejected', afterApproval: true, reason: 'You were on Acme all month: log your time' },
      },
    });
  });

  it('deleted: the consultant is told', async () => {
    const sheet = await approvedEmptySheet();
    expect(await adminDecide(ctxFor('UADMIN'), { timesheetId: sheet, decision: 'delete' })).toMatchObject({
      ok: true,
      status: 'deleted',
    });
    expect(await noticesTo('UCON')).toHaveLength(1);
  });
});
