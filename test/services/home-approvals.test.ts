/**
 * App Home's approvals: read only when some approval is pending for the user or a principal they
 * are a delegate of (the access read says so), and then listed for each of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingDatabase } from '../../src/db/client.js';
import { homeOverview } from '../../src/services/home.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addDelegate,
  addManager,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-30T12:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UMONA', { rights: ['approval'], name: 'Mona' });
  await addUser(db, 'UPAT', { name: 'Pat' });
  await addUser(db, 'UBOB', { rights: ['entry'], name: 'Bob' });
  await addDelegate(db, 'UMONA', 'UPAT');
  const bob = await addConsultant(db, 'UBOB');
  await addProject(db, 'WEB', await addCustomer(db, 'ACME'), {
    consultants: [bob],
    managers: [await addManager(db, 'UMONA')],
  });
  await addPeriod(db, '2026-11-01', '2026-11-30');
  const ctx = serviceContext(db, asUser('UBOB'), clock);
  const logged = await logTime(ctx, {
    projectCode: 'WEB',
    minutes: 90,
    description: 'work',
    billable: true,
    source: 'command',
  });
  expect(logged.ok).toBe(true);
  expect((await submitTimesheet(ctx)).ok).toBe(true);
});
afterAll(async () => database.drop());

/** The approvals on a user's App Home, and the statements that read it. */
async function approvalsOnHome(userId: string) {
  const statements: string[] = [];
  const { db } = countingDatabase(database, (query) => statements.push(query));
  const page = await homeOverview(serviceContext(db, asUser(userId), clock));
  if (!page.ok) throw new Error(page.error.message);
  return {
    approvals: page.duties.approvals.map((a) => ({ consultant: a.consultantName, approver: a.approverId })),
    approvalReads: statements.filter((query) => /select a.id as approval_id/.test(query)).length,
  };
}

describe('approvals on App Home', () => {
  it('lists the sheet waiting for the manager, and for her delegate on her behalf', async () => {
    expect(await approvalsOnHome('UMONA')).toEqual({
      approvals: [{ consultant: 'UBOB', approver: 'UMONA' }],
      approvalReads: 1,
    });
    expect(await approvalsOnHome('UPAT')).toEqual({
      approvals: [{ consultant: 'UBOB', approver: 'UMONA' }],
      approvalReads: 1,
    });
  });

  it('reads no approvals for someone nothing waits for', async () => {
    expect(await approvalsOnHome('UBOB')).toEqual({ approvals: [], approvalReads: 0 });
  });
});
