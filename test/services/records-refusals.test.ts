/** What removing periods and employees refuses, and dropping a consultant role with time still to settle. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { timeEntries } from '../../src/db/schema.js';
import { deleteEmployees, employeeDeletionImpact } from '../../src/services/employee-removal.js';
import { saveEmployee } from '../../src/services/employees.js';
import { addPeriods, deletePeriods, listPeriods, periodDeletionImpact } from '../../src/services/periods.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { changedTables, digestTables, type TableDigest } from '../support/database-digest.js';
import {
  addConsultant,
  addCustomer,
  addPeriod,
  addProject,
  addTimesheet,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';

let database: TestDatabase;
const admin = () => serviceContext(database.db, asUser('UADMIN'));
const clerk = () => serviceContext(database.db, asUser('UCLERK'));
let before: TableDigest[];
const unchanged = async () => expect(changedTables(before, await digestTables(database.db))).toEqual([]);
let november: number;
let alice: number;
let bob: number;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UCLERK', { rights: ['entry'] });
  await addUser(db, 'UALICE', { name: 'Alice' });
  await addUser(db, 'UBOB', { name: 'Bob' });
  alice = await addConsultant(db, 'UALICE');
  bob = await addConsultant(db, 'UBOB');
  november = await addPeriod(db, '2026-11-01', '2026-11-30');
  const project = await addProject(db, 'ACME-WEB', await addCustomer(db, 'ACME'), { consultants: [alice, bob] });
  const sheet = await addTimesheet(db, alice, november);
  for (const workDate of ['2026-11-02', '2026-11-03'])
    await db.insert(timeEntries).values({
      timesheetId: sheet,
      projectId: project,
      workDate,
      minutes: 60,
      description: 'x',
      billable: true,
      source: 'command',
      createdBy: 'UALICE',
    });
  await addTimesheet(db, bob, november, 'submitted');
});
afterAll(async () => database.drop());
beforeEach(async () => {
  before = await digestTables(database.db);
});

describe('periods', () => {
  it('refuses dates that are not real dates, on the start field', async () => {
    expect(await addPeriods(admin(), { startsOn: '2026-12-01', endsOn: '2026-12-32' })).toEqual({
      ok: false,
      error: { code: 'invalid_date', message: 'Dates must be real dates written as YYYY-MM-DD.', field: 'starts' },
    });
    expect(await addPeriods(admin(), { cadence: 'weekly', from: 'next week', to: '2027-01-31' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_date' },
    });
    await unchanged();
  });

  it('names the days of a period that ends before it begins', async () => {
    expect(await addPeriods(admin(), { startsOn: '2026-12-10', endsOn: '2026-12-01' })).toEqual({
      ok: false,
      error: {
        code: 'period_order',
        message: 'The period must begin on or before its end (Thu 10 Dec 2026 is after Tue 1 Dec 2026).',
        field: 'ends',
      },
    });
    await unchanged();
  });

  it('refuses the list, the impact and the removal to someone without the admin right', async () => {
    expect(await listPeriods(clerk())).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await periodDeletionImpact(clerk(), [november])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await deletePeriods(clerk(), [november])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await unchanged();
  });

  it('asks to mark periods first, counts nothing for no period, and refuses a list naming a period already gone', async () => {
    expect(await deletePeriods(admin(), [])).toEqual({
      ok: false,
      error: { code: 'nothing_marked', message: 'Mark the periods to delete first.' },
    });
    expect(await periodDeletionImpact(admin(), [])).toEqual({
      ok: true,
      impact: { periods: 0, openSheets: 0, openEntries: 0, keptSheets: 0 },
    });
    expect(await deletePeriods(admin(), [november, 999_999])).toEqual({
      ok: false,
      error: { code: 'stale', message: 'Some of those periods are already gone; refresh the list and try again.' },
    });
    await unchanged();
  });
});

describe('employees', () => {
  it('refuses the impact and the removal to someone without the employees right', async () => {
    expect(await employeeDeletionImpact(clerk(), [alice])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await deleteEmployees(clerk(), [alice])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await unchanged();
  });

  it('asks to mark employees first, counts nothing for nobody, and refuses a list naming someone already gone', async () => {
    expect(await deleteEmployees(admin(), [])).toEqual({
      ok: false,
      error: { code: 'nothing_marked', message: 'Mark the employees to delete first.' },
    });
    expect(await employeeDeletionImpact(admin(), [999_999])).toEqual({
      ok: true,
      impact: { employees: 0, openSheets: 0, openEntries: 0, pendingDecisions: 0, archived: [] },
    });
    expect(await deleteEmployees(admin(), [alice, 999_999])).toEqual({
      ok: false,
      error: { code: 'stale', message: 'Some of those employees are already gone; look at the list again and retry.' },
    });
    await unchanged();
  });

  it('counts the open entries and the submitted sheet that a removal would take', async () => {
    expect(await employeeDeletionImpact(admin(), [alice, bob])).toEqual({
      ok: true,
      impact: { employees: 2, openSheets: 2, openEntries: 2, pendingDecisions: 0, archived: [] },
    });
  });

  it('refuses to drop the consultant role of someone with time to settle, counting it and saying what to do', async () => {
    const dropRole = (userId: string, id: number, name: string) =>
      saveEmployee(admin(), { id, userId, name, address: '', notes: '', consultant: null, manager: false });
    expect(await dropRole('UALICE', alice, 'Alice')).toEqual({
      ok: false,
      error: {
        code: 'unsettled_time',
        message:
          'Alice has 2 entries on 1 open or submitted timesheet. Settle those in Timesheets first, or delete Alice from the Employees list, which removes them too.',
        field: 'roles',
      },
    });
    expect(await dropRole('UBOB', bob, 'Bob')).toEqual({
      ok: false,
      error: {
        code: 'unsettled_time',
        message:
          'Bob has 0 entries on 1 open or submitted timesheet. Settle those in Timesheets first, or delete Bob from the Employees list, which removes them too.',
        field: 'roles',
      },
    });
    await unchanged();
  });
});
