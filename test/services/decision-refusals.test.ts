/** decideTimesheet refusals a Slack form cannot send but a caller of the service can: a blank reason, no person acting. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, timesheets } from '../../src/db/schema.js';
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
let sheetId: number;
let approvalId: number;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UMGR', { name: 'Mia Manager', rights: ['approval'] });
  await addUser(db, 'UCON', { name: 'Cid Consultant', rights: ['entry'] });
  const con = await addConsultant(db, 'UCON');
  const mgr = await addManager(db, 'UMGR');
  await addProject(db, 'WEB', await addCustomer(db, 'ACME'), { consultants: [con], managers: [mgr] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
  const consultant = serviceContext(db, asUser('UCON'), clock);
  expect(
    await logTime(consultant, {
      projectCode: 'WEB',
      minutes: 60,
      description: 'work',
      billable: true,
      source: 'command',
    }),
  ).toMatchObject({ ok: true });
  const submitted = await submitTimesheet(consultant);
  sheetId = submitted.ok ? submitted.submitted.timesheetId : 0;
  approvalId = await approvalIdOf(db, sheetId, 'UMGR');
});
afterAll(async () => database.drop());

/** The sheet and its approval are as submitted: nothing was decided. */
async function stillWaiting(): Promise<void> {
  const { db } = database;
  expect((await db.select().from(timesheets).where(eq(timesheets.id, sheetId)))[0]).toMatchObject({
    status: 'submitted',
  });
  expect((await db.select().from(approvals).where(eq(approvals.id, approvalId)))[0]).toMatchObject({
    status: 'pending',
    decidedBy: null,
  });
}

describe('decideTimesheet', () => {
  it('refuses a rejection whose reason is only spaces, on the reason field, and decides nothing', async () => {
    const manager = serviceContext(database.db, asUser('UMGR'), clock);
    expect(await decideTimesheet(manager, { approvalId, decision: 'reject', reason: '   ' })).toEqual({
      ok: false,
      error: {
        code: 'reason_required',
        message: 'Say why you are sending the timesheet back, so the consultant knows what to fix.',
        field: 'reason',
      },
    });
    await stillWaiting();
  });

  it('refuses a decision made by no person (a job or the command line), and decides nothing', async () => {
    const job = serviceContext(database.db, { kind: 'system', name: 'job' }, clock);
    expect(await decideTimesheet(job, { approvalId, decision: 'approve' })).toEqual({
      ok: false,
      error: { code: 'not_a_user', message: 'Only a person decides on timesheets.' },
    });
    await stillWaiting();
  });
});
