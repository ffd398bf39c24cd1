/**
 * An administrator may not decide on, or remove, their own timesheet (README: "Nobody decides
 * their own timesheet, in any role"). Deleting their own submitted sheet from /admin > Timesheets
 * would be that decision by another name: the managers' requests withdrawn and the period logged
 * again on a fresh open sheet.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, timeEntries, timesheets } from '../../src/db/schema.js';
import { adminDecide } from '../../src/services/approval-decisions.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addManager,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-25T12:00:00Z');
const ctxFor = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { name: 'Ada Admin', rights: ['admin', 'security'] });
  await addUser(db, 'UADMIN2', { name: 'Abe Admin', rights: ['admin', 'entry'] });
  await addUser(db, 'UMGR', { name: 'Mia Manager', rights: ['approval'] });
  const abe = await addConsultant(db, 'UADMIN2');
  const acme = await addCustomer(db, 'ACME');
  await addProject(db, 'WEB', acme, { consultants: [abe], managers: [await addManager(db, 'UMGR')] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

const log = (description: string) =>
  logTime(ctxFor('UADMIN2'), { projectCode: 'WEB', minutes: 480, description, billable: true, source: 'command' });

describe('an administrator and their own submitted timesheet', () => {
  it('may not delete it from /admin > Timesheets, as they may not send it back', async () => {
    expect(await log('what the manager is asked to approve')).toMatchObject({ ok: true });
    const submitted = await submitTimesheet(ctxFor('UADMIN2'));
    expect(submitted).toMatchObject({ ok: true });
    const sheetId = submitted.ok ? submitted.submitted.timesheetId : 0;

    // Sending it back is refused: nobody decides their own sheet.
    expect(
      await adminDecide(ctxFor('UADMIN2'), { timesheetId: sheetId, decision: 'reject', reason: 'let me edit' }),
    ).toMatchObject({ ok: false, error: { code: 'own_timesheet' } });

    // Deleting it must be refused the same way, and leave it waiting for its manager.
    const deleted = await adminDecide(ctxFor('UADMIN2'), { timesheetId: sheetId, decision: 'delete' });
    const [sheet] = await database.db.select().from(timesheets).where(eq(timesheets.id, sheetId));
    const pending = await database.db.select().from(approvals).where(eq(approvals.timesheetId, sheetId));
    const afterwards = await log('something else, on a fresh open sheet');
    const entries = await database.db.select().from(timeEntries);

    expect({
      deleted,
      sheetStatus: sheet?.status ?? 'gone',
      approvals: pending.map((a) => [a.approverId, a.status]),
      relogged: afterwards.ok,
      entries: entries.map((e) => e.description),
    }).toEqual({
      deleted: { ok: false, error: expect.objectContaining({ code: 'own_timesheet' }) },
      sheetStatus: 'submitted',
      approvals: [['UMGR', 'pending']],
      relogged: false,
      entries: ['what the manager is asked to approve'],
    });
  });
});
