/**
 * An hourly customer made prepaid while a timesheet with its billable time is being approved. The
 * approval locks every customer its billable time is charged to, hourly ones too, and reads their
 * billing under that lock; the switch checks the customer's history under the same lock. So the
 * switch waits for the approval and is then refused (the customer has approved time): the time is
 * never left prepaid and undeducted, which /invoice draft would skip as prepaid.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditLedger, customers } from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import { addCredits } from '../../src/services/credits.js';
import { saveCustomer } from '../../src/services/customers.js';
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
import { Interleaving } from '../support/interleaving.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-20T12:00:00Z');
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);
let initech: number;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UM1', { name: 'Mia Manager', rights: ['approval'] });
  await addUser(db, 'UC1', { rights: ['entry'] });
  const globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  initech = await addCustomer(db, 'INITECH', 'hourly');
  const uc1 = await addConsultant(db, 'UC1');
  const um1 = await addManager(db, 'UM1');
  await addProject(db, 'GLOBEX-A', globex, { consultants: [uc1], managers: [um1] });
  await addProject(db, 'INITECH-A', initech, { consultants: [uc1], managers: [um1] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
  expect(
    await addCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '40', price: '', date: '2026-11-01', note: '' }),
  ).toMatchObject({ ok: true });
});
afterAll(async () => database.drop());

describe('an hourly customer made prepaid while its time is being approved', () => {
  it('waits for the approval and is refused, since the customer now has approved time; INITECH stays hourly', async () => {
    for (const [projectCode, minutes] of [
      ['INITECH-A', 180],
      ['GLOBEX-A', 60],
    ] as const)
      expect(
        await logTime(as('UC1'), { projectCode, minutes, description: 'work', billable: true, source: 'command' }),
      ).toMatchObject({ ok: true });
    const submitted = await submitTimesheet(as('UC1'));
    if (!submitted.ok) throw new Error(submitted.error.message);

    // Mia's approval is held once it has locked the customers its billable time is charged to.
    const race = new Interleaving(database);
    const held = race.hold(as('UM1'), 'approve:customers-locked');
    const approving = decideTimesheet(held.ctx, {
      approvalId: await approvalIdOf(database.db, submitted.submitted.timesheetId, 'UM1'),
      decision: 'approve',
    });
    await held.reached;
    // Meanwhile an administrator makes INITECH prepaid: no approved time is committed yet.
    const switching = saveCustomer(race.racer(as('UADMIN')), {
      id: initech,
      code: 'INITECH',
      name: 'Initech',
      currency: 'USD',
      billingMode: 'prepaid',
      address: '',
      notes: '',
    });
    await race.waiting(1);
    held.release();

    expect(await approving).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });
    expect(await switching).toMatchObject({ ok: false, error: { code: 'billing_fixed', field: 'billing' } });
    const [customer] = await database.db.select().from(customers).where(eq(customers.id, initech));
    expect(customer!.billingMode).toBe('hourly');
    expect(await database.db.select().from(creditLedger).where(eq(creditLedger.customerId, initech))).toEqual([]);
  });
});
