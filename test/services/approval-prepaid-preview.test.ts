/**
 * The prepaid line of approval DMs when a sheet has two approvers of one prepaid customer: the
 * sheet's prepaid time is deducted all at once when the last of them approves, and each DM says
 * what the balance will be once that happens.
 */
import { and, desc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { timesheets } from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import { approvalRequestModel } from '../../src/services/approval-messages.js';
import { creditStanding } from '../../src/services/credit-ledger.js';
import { addCredits } from '../../src/services/credits.js';
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
let clock: TestClock;
let globex: number;
let period: number;
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeEach(async () => {
  database = await createTestDatabase();
  clock = new TestClock('2026-11-20T12:00:00Z');
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UMGR', { rights: ['approval'] });
  await addUser(db, 'UMGR2', { rights: ['approval'] });
  await addUser(db, 'UC1', { rights: ['entry'] });
  const [ops, dev] = [await addManager(db, 'UMGR'), await addManager(db, 'UMGR2')];
  const consultant = await addConsultant(db, 'UC1');
  globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  await addProject(db, 'GLOBEX-OPS', globex, { consultants: [consultant], managers: [ops] });
  await addProject(db, 'GLOBEX-DEV', globex, { consultants: [consultant], managers: [dev] });
  period = await addPeriod(db, '2026-11-08', '2026-11-14');
  const bought = await addCredits(as('UADMIN'), {
    customerCode: 'GLOBEX',
    hours: '20',
    price: '2000.00',
    date: '2026-11-02',
    note: '',
  });
  expect(bought.ok).toBe(true);
});
afterEach(async () => database.drop());

it('each DM says what approving leaves once everyone has approved, and the last approver’s click leaves exactly that', async () => {
  for (const [projectCode, minutes, day] of [
    ['GLOBEX-OPS', 360, '2026-11-09'],
    ['GLOBEX-DEV', 240, '2026-11-10'],
  ] as const) {
    const logged = await logTime(as('UC1'), {
      projectCode,
      date: { kind: 'iso', date: day },
      minutes,
      description: 'work',
      billable: true,
      source: 'command',
    });
    expect(logged.ok).toBe(true);
  }
  expect((await submitTimesheet(as('UC1'), { periodId: period })).ok).toBe(true);
  const [sheet] = await database.db
    .select()
    .from(timesheets)
    .where(and(eq(timesheets.status, 'submitted'), eq(timesheets.periodId, period)))
    .orderBy(desc(timesheets.id));
  const decide = async (userId: string) =>
    decideTimesheet(as(userId), {
      approvalId: await approvalIdOf(database.db, sheet!.id, userId),
      decision: 'approve',
    });
  const whenAllApproved = { customerName: 'GLOBEX Inc', deductMinutes: 600, remainingAfterMinutes: 600 };

  // Neither is last: both DMs say the whole sheet's 10h goes once everyone has approved.
  for (const approver of ['UMGR', 'UMGR2'])
    expect((await approvalRequestModel(database.db, sheet!.id, approver)).prepaid).toEqual([
      { ...whenAllApproved, once: true },
    ]);

  expect((await decide('UMGR')).ok).toBe(true);
  expect((await creditStanding(database.db, as('UADMIN'), globex)).remainingMinutes).toBe(20 * 60);
  // UMGR2 is now the last: their click deducts the whole sheet's 10h.
  expect((await approvalRequestModel(database.db, sheet!.id, 'UMGR2')).prepaid).toEqual([whenAllApproved]);

  expect((await decide('UMGR2')).ok).toBe(true);
  expect((await creditStanding(database.db, as('UADMIN'), globex)).remainingMinutes).toBe(600);
});
