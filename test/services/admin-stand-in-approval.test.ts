/**
 * A project without a manager goes to the administrators, who stand in for the missing manager
 * together: one administrator's approval decides for all of them, so a firm with three
 * administrators does not wait for each. Their DMs and the audit trail say who decided.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, auditLog, timesheets } from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
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
  approvalIdOf,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-25T12:00:00Z');
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADA', { name: 'Ada Admin', rights: ['admin'] });
  await addUser(db, 'UABE', { name: 'Abe Admin', rights: ['admin'] });
  await addUser(db, 'UMIA', { name: 'Mia Manager', rights: ['approval'] });
  await addUser(db, 'UCID', { name: 'Cid Consultant', rights: ['entry'] });
  const cid = await addConsultant(db, 'UCID');
  const acme = await addCustomer(db, 'ACME');
  // WEB has a manager; OPS has none, so the administrators stand in for it.
  await addProject(db, 'WEB', acme, { consultants: [cid], managers: [await addManager(db, 'UMIA')] });
  await addProject(db, 'OPS', acme, { consultants: [cid] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

describe('administrators standing in for a project without a manager', () => {
  it('decide together: one approves for all, and the sheet is approved once its manager has too', async () => {
    for (const projectCode of ['WEB', 'OPS'])
      expect(
        await logTime(as('UCID'), { projectCode, minutes: 60, description: 'work', billable: true, source: 'command' }),
      ).toMatchObject({ ok: true });
    const submitted = await submitTimesheet(as('UCID'));
    if (!submitted.ok) throw new Error(submitted.error.message);
    const sheetId = submitted.submitted.timesheetId;

    expect(
      await decideTimesheet(as('UADA'), {
        approvalId: await approvalIdOf(database.db, sheetId, 'UADA'),
        decision: 'approve',
      }),
    ).toMatchObject({ ok: true, outcome: { sheetStatus: 'submitted' } });
    const decided = await database.db
      .select({ approver: approvals.approverId, status: approvals.status, by: approvals.decidedBy })
      .from(approvals)
      .where(eq(approvals.timesheetId, sheetId))
      .orderBy(approvals.approverId);
    expect(decided).toEqual([
      { approver: 'UABE', status: 'approved', by: 'UADA' },
      { approver: 'UADA', status: 'approved', by: 'UADA' },
      { approver: 'UMIA', status: 'pending', by: null },
    ]);
    expect(
      await database.db
        .select({ actor: auditLog.actorId })
        .from(auditLog)
        .where(and(eq(auditLog.entityId, String(sheetId)), eq(auditLog.action, 'approval.approve_as_administrators'))),
    ).toEqual([{ actor: 'UADA' }]);

    // Abe's button is now a decision already made; Mia's approval completes the sheet.
    expect(
      await decideTimesheet(as('UABE'), {
        approvalId: await approvalIdOf(database.db, sheetId, 'UABE'),
        decision: 'approve',
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'already_decided',
        message:
          'Ada Admin already approved this timesheet for the administrators; it is still waiting for the other approvers.',
      },
    });
    expect(
      await decideTimesheet(as('UMIA'), {
        approvalId: await approvalIdOf(database.db, sheetId, 'UMIA'),
        decision: 'approve',
      }),
    ).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });
    const [sheet] = await database.db.select().from(timesheets).where(eq(timesheets.id, sheetId));
    expect(sheet!.status).toBe('approved');
  });
});
