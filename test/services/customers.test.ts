import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditLedger, customers, projects, timeEntries, timesheets } from '../../src/db/schema.js';
import { customerDeletionImpact, deleteCustomers, listCustomers, saveCustomer } from '../../src/services/customers.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';

let database: TestDatabase;
const admin = () => serviceContext(database.db, asUser('UADMIN'));
const input = { name: 'Initech', currency: 'usd', billingMode: 'hourly' as const, address: '', notes: '' };

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADMIN', { rights: ['admin'] });
  await addUser(database.db, 'UALICE', { rights: ['entry'] });
});
afterAll(async () => database.drop());

describe('customers', () => {
  it('creates with a unique code and edits, saying on which field a value is wrong', async () => {
    const created = await saveCustomer(admin(), { ...input, code: 'initech' });
    expect(created).toMatchObject({ ok: true, customer: { code: 'INITECH', currency: 'USD', projects: 0 } });
    expect(await saveCustomer(admin(), { ...input, code: 'INITECH' })).toMatchObject({
      ok: false,
      error: { code: 'duplicate', field: 'code' },
    });
    expect(await saveCustomer(admin(), { ...input, code: '-X' })).toMatchObject({
      ok: false,
      error: { field: 'code' },
    });
    expect(await saveCustomer(admin(), { ...input, code: 'OK', currency: 'dollars' })).toMatchObject({
      ok: false,
      error: { field: 'currency' },
    });
    const id = created.ok ? created.customer.id : 0;
    expect(
      await saveCustomer(admin(), { ...input, id, code: 'INITECH', name: 'Initech Corp', notes: 'TPS reports' }),
    ).toMatchObject({ ok: true, customer: { name: 'Initech Corp', notes: 'TPS reports' } });
    expect(await saveCustomer(serviceContext(database.db, asUser('UALICE')), { ...input, code: 'NOPE' })).toMatchObject(
      { ok: false, error: { code: 'forbidden' } },
    );
  });

  it('deletes a customer without history with its projects and open time; archives one with approved time or credits', async () => {
    const { db } = database;
    const alice = await addConsultant(db, 'UALICE');
    const period = await addPeriod(db, '2026-11-01', '2026-11-30');
    const fresh = await addCustomer(db, 'FRESH');
    const old = await addCustomer(db, 'OLD');
    const prepaid = await addCustomer(db, 'PREPAID', 'prepaid');
    await addCustomer(db, 'STAYS');
    await db
      .insert(creditLedger)
      .values({ customerId: prepaid, minutes: 600, kind: 'purchase', occurredOn: '2026-11-01' });
    const freshProject = await addProject(db, 'FRESH-1', fresh, { consultants: [alice] });
    const oldProject = await addProject(db, 'OLD-1', old, { consultants: [alice] });
    const open = (await db.insert(timesheets).values({ consultantId: alice, periodId: period }).returning())[0]!;
    const approved = (
      await db.insert(timesheets).values({ consultantId: alice, periodId: period, status: 'cancelled' }).returning()
    )[0]!;
    const entry = (projectId: number, timesheetId: number) => ({
      timesheetId,
      projectId,
      workDate: '2026-11-10',
      minutes: 60,
      description: 'x',
      billable: true,
      source: 'command' as const,
      createdBy: 'UALICE',
    });
    await db
      .insert(timeEntries)
      .values([
        entry(freshProject, open.id),
        entry(freshProject, open.id),
        entry(oldProject, open.id),
        entry(oldProject, approved.id),
      ]);

    const ids = [fresh, old, prepaid];
    expect(await customerDeletionImpact(admin(), ids)).toEqual({
      ok: true,
      impact: {
        customers: 3,
        projects: 2,
        openEntries: 3,
        openSheets: 1,
        submittedEntries: 0,
        submittedSheets: 0,
        keptEntries: 1,
        runningTimers: 0,
        archived: ['OLD', 'PREPAID'],
      },
    });
    expect(await deleteCustomers(admin(), ids)).toMatchObject({ ok: true });
    expect(await db.select().from(customers).where(eq(customers.id, fresh))).toEqual([]);
    expect(await db.select().from(projects).where(eq(projects.id, freshProject))).toEqual([]);
    expect((await db.select().from(customers).where(eq(customers.id, old)))[0]).toMatchObject({
      archivedAt: expect.any(Date),
    });
    expect((await db.select().from(projects).where(eq(projects.id, oldProject)))[0]).toMatchObject({
      archivedAt: expect.any(Date),
      active: false,
    });
    expect((await db.select().from(timeEntries)).map((e) => e.timesheetId)).toEqual([approved.id]);
    // The list leaves out the deleted and the archived; STAYS, not in the deletion, is still there.
    const listed = await listCustomers(admin());
    const mine = ['FRESH', 'OLD', 'PREPAID', 'STAYS'];
    expect(listed.ok && listed.customers.map((c) => c.code).filter((code) => mine.includes(code))).toEqual(['STAYS']);
  });
});

describe('how a customer is invoiced', () => {
  const invoicing = { paymentTermsDays: '', taxId: '', billingEmail: '', invoiceRoundingMinutes: 0 };
  it('saves payment terms, tax id, billing email and rounding; each bad value is named by its field', async () => {
    const saved = await saveCustomer(admin(), {
      ...input,
      code: 'TERMS',
      invoicing: {
        paymentTermsDays: ' 14 ',
        taxId: ' DE-1 ',
        billingEmail: 'ap@terms.example',
        invoiceRoundingMinutes: 15,
      },
    });
    expect(saved).toMatchObject({
      ok: true,
      customer: { paymentTermsDays: 14, taxId: 'DE-1', billingEmail: 'ap@terms.example', invoiceRoundingMinutes: 15 },
    });
    const id = saved.ok ? saved.customer.id : 0;
    for (const [bad, field] of [
      [{ paymentTermsDays: '30 days' }, 'paymentTerms'],
      [{ paymentTermsDays: '400' }, 'paymentTerms'],
      [{ billingEmail: 'not an email' }, 'billingEmail'],
      [{ taxId: 'x'.repeat(61) }, 'taxId'],
      [{ invoiceRoundingMinutes: 10 }, 'rounding'],
    ] as const)
      expect(
        await saveCustomer(admin(), { ...input, id, code: 'TERMS', invoicing: { ...invoicing, ...bad } }),
      ).toMatchObject({ ok: false, error: { field } });
    // Empty terms mean the firm's default; leaving the invoicing fields out keeps them.
    expect(await saveCustomer(admin(), { ...input, id, code: 'TERMS', invoicing })).toMatchObject({
      ok: true,
      customer: { paymentTermsDays: null, taxId: '' },
    });
    await saveCustomer(admin(), { ...input, id, code: 'TERMS', invoicing: { ...invoicing, taxId: 'KEEP' } });
    expect(await saveCustomer(admin(), { ...input, id, code: 'TERMS', name: 'Renamed' })).toMatchObject({
      ok: true,
      customer: { name: 'Renamed', taxId: 'KEEP' },
    });
  });
});
