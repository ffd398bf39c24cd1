/** Editing an employee changes who decides: the sheets already waiting follow, as every other team change does. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, timesheets } from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import { saveEmployee } from '../../src/services/employees.js';
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
const ctxFor = (userId: string) => serviceContext(database.db, asUser(userId), clock);
const admin = () => ctxFor('UADMIN');
const ids: Record<string, number> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { name: 'Ada Admin', rights: ['admin', 'security'] });
  await addUser(db, 'UBOB', { name: 'Bob', rights: ['approval'] });
  await addUser(db, 'UROBERT', { name: 'Robert', rights: ['approval'] });
  await addUser(db, 'UMIA', { name: 'Mia', rights: ['approval'] });
  await addUser(db, 'UALI', { name: 'Ali', rights: ['entry'] });
  await addUser(db, 'UCAT', { name: 'Cat', rights: ['entry'] });
  ids.ali = await addConsultant(db, 'UALI');
  ids.cat = await addConsultant(db, 'UCAT');
  ids.bob = await addManager(db, 'UBOB');
  ids.mia = await addManager(db, 'UMIA');
  const acme = await addCustomer(db, 'ACME');
  await addProject(db, 'WEB', acme, { consultants: [ids.ali], managers: [ids.bob] });
  await addProject(db, 'OPS', acme, { consultants: [ids.cat], managers: [ids.mia] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

async function submits(userId: string, projectCode: string): Promise<number> {
  expect(
    await logTime(ctxFor(userId), { projectCode, minutes: 60, description: 'work', billable: true, source: 'command' }),
  ).toMatchObject({ ok: true });
  const submitted = await submitTimesheet(ctxFor(userId));
  expect(submitted).toMatchObject({ ok: true });
  return submitted.ok ? submitted.submitted.timesheetId : 0;
}
const pendingApprovers = async (sheet: number) =>
  (await database.db.select().from(approvals).where(eq(approvals.timesheetId, sheet)))
    .filter((a) => a.status === 'pending')
    .map((a) => a.approverId)
    .sort();

describe('editing a manager’s Slack member', () => {
  it('moves the decisions waiting for the old member to the one now holding the record, so the sheet can still be decided', async () => {
    const sheet = await submits('UALI', 'WEB');
    expect(await pendingApprovers(sheet)).toEqual(['UBOB']);
    const bobsDecision = await approvalIdOf(database.db, sheet, 'UBOB');

    // The administrator picked the wrong Slack member for this manager and corrects it.
    expect(
      await saveEmployee(admin(), {
        id: ids.bob!,
        userId: 'UROBERT',
        name: 'Robert',
        address: '',
        notes: '',
        consultant: null,
        manager: true,
      }),
    ).toMatchObject({ ok: true });

    // The old member can no longer decide it (they manage nothing)...
    const old = await decideTimesheet(ctxFor('UBOB'), { approvalId: bobsDecision, decision: 'approve' });
    expect(old).toMatchObject({ ok: false, error: { code: 'withdrawn' } });
    // ...so the decision must be waiting for the manager of WEB now, not for UBOB.
    expect(await pendingApprovers(sheet)).toEqual(['UROBERT']);
  });
});

describe('giving a manager their manager role back', () => {
  it('asks them again on the sheets of their projects, which had gone to the administrators meanwhile', async () => {
    const drop = { id: ids.mia!, userId: 'UMIA', name: 'Mia', address: '', notes: '', consultant: null };
    // Mia stops managing: OPS has no manager left, so a sheet submitted now goes to the administrators.
    expect(await saveEmployee(admin(), { ...drop, manager: false })).toMatchObject({ ok: true });
    const sheet = await submits('UCAT', 'OPS');
    expect(await pendingApprovers(sheet)).toEqual(['UADMIN']);

    // Mia manages again; she is still on OPS's team (dropping the role left her place there).
    expect(await saveEmployee(admin(), { ...drop, manager: true })).toMatchObject({ ok: true });

    // As when a manager is added to a project (Assign to project) or regains the approval right,
    // the sheet waiting on OPS is routed again: it waits for OPS's manager, not for a stand-in.
    expect(await pendingApprovers(sheet)).toEqual(['UMIA']);
    expect((await database.db.select().from(timesheets).where(eq(timesheets.id, sheet)))[0]?.status).toBe('submitted');
  });
});
