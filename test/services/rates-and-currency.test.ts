/** Issue 11, rates and money: overrides survive team changes, currencies stay put, minor units, limits. */
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, creditLedger, customers, projectConsultants, projects, timeEntries } from '../../src/db/schema.js';
import { amountForMinutes, formatMoney } from '../../src/domain/money.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import { saveCustomer } from '../../src/services/customers.js';
import { assignToProject, removeFromProjects } from '../../src/services/employee-assignments.js';
import { saveEmployee } from '../../src/services/employees.js';
import { projectDetail, saveProject, setAssignmentRates } from '../../src/services/projects.js';
import { importSetup } from '../../src/services/setup-import.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
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

async function customer(code: string, currency: string) {
  const [row] = await database.db
    .insert(customers)
    .values({ code, name: `${code} Ltd`, currency })
    .returning();
  return row!.id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UMGR', { rights: ['approval'] });
  for (const id of ['UALI', 'UBEN', 'UCAT']) await addUser(db, id, { name: id, rights: ['entry'] });
  // Default rates are in the firm's currency, USD: cost 70.00, price 140.00.
  ids.ali = await addConsultant(db, 'UALI');
  ids.ben = await addConsultant(db, 'UBEN');
  ids.cat = await addConsultant(db, 'UCAT');
  const manager = await addManager(db, 'UMGR');
  ids.manager = manager;
  ids.acme = await customer('ACME', 'USD');
  ids.nippon = await customer('NIPPON', 'JPY');
  ids.kuwait = await customer('KUWAIT', 'KWD');
  ids.web = await addProject(db, 'WEB', ids.acme, { managers: [manager] });
  ids.tokyo = await addProject(db, 'TOKYO', ids.nippon, { managers: [manager] });
  ids.gulf = await addProject(db, 'GULF', ids.kuwait, { managers: [manager] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

const assign = (employeeId: number, projectId: number, costRate: string, priceRate: string) =>
  assignToProject(admin(), { employeeId, projectId, as: 'consultant', costRate, priceRate });
const log = (userId: string, projectCode: string, minutes: number) =>
  logTime(ctxFor(userId), { projectCode, minutes, description: 'work', billable: true, source: 'command' });
async function submitAndApprove(userId: string) {
  const submitted = await submitTimesheet(ctxFor(userId));
  expect(submitted).toMatchObject({ ok: true });
  const sheet = submitted.ok ? submitted.submitted.timesheetId : 0;
  expect(
    await decideTimesheet(ctxFor('UMGR'), {
      approvalId: await approvalIdOf(database.db, sheet, 'UMGR'),
      decision: 'approve',
    }),
  ).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });
  return sheet;
}
const frozen = (sheet: number) =>
  database.db
    .select({ minutes: timeEntries.minutes, cost: timeEntries.costRateCents, price: timeEntries.priceRateCents })
    .from(timeEntries)
    .where(eq(timeEntries.timesheetId, sheet))
    .orderBy(asc(timeEntries.id));

describe('taking a consultant off a project', () => {
  it('keeps their rate override for the time they logged there: the assignment is archived and approval freezes it', async () => {
    expect(await assign(ids.ali!, ids.web!, '90.00', '200.00')).toMatchObject({ ok: true });
    expect(await log('UALI', 'WEB', 180)).toMatchObject({ ok: true });
    expect(await removeFromProjects(admin(), ids.ali!, [{ projectId: ids.web!, as: 'consultant' }])).toMatchObject({
      ok: true,
      removed: 1,
    });
    const [assignment] = await database.db
      .select()
      .from(projectConsultants)
      .where(and(eq(projectConsultants.projectId, ids.web!), eq(projectConsultants.consultantId, ids.ali!)));
    expect(assignment).toMatchObject({ costRateCents: 9000, priceRateCents: 20000, archivedAt: expect.any(Date) });
    // Off the project: no more time there, and it leaves the project's page.
    expect(await log('UALI', 'WEB', 30)).toMatchObject({ ok: false, error: { code: 'project_not_allowed' } });
    const page = await projectDetail(admin(), ids.web!);
    expect(page.ok && page.consultants).toEqual([]);

    const sheet = await submitAndApprove('UALI');
    expect(await frozen(sheet)).toEqual([{ minutes: 180, cost: 9000, price: 20000 }]);
  });
});

describe('amounts in the currency’s minor unit', () => {
  it('reads yen and dinar rates in their own decimals, freezes them on approval, and totals add up in each', async () => {
    // The price is in the customer's currency; the cost in the firm's.
    expect(await assign(ids.ben!, ids.tokyo!, '', '15000.5')).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_amount',
        field: 'price',
        message: expect.stringMatching(/in JPY: write a number with no decimals/),
      },
    });
    expect(await assign(ids.ben!, ids.tokyo!, '80.50', '15000')).toMatchObject({ ok: true });
    expect(await assign(ids.ben!, ids.gulf!, '', '45.1255')).toMatchObject({
      ok: false,
      error: { field: 'price', message: expect.stringMatching(/in KWD: write a number with at most 3 decimals/) },
    });
    expect(await assign(ids.ben!, ids.gulf!, '', '45.125')).toMatchObject({ ok: true });
    const tokyo = await projectDetail(admin(), ids.tokyo!);
    expect(tokyo.ok && tokyo.consultants[0]).toMatchObject({ costRateCents: 8050, priceRateCents: 15000 });
    expect(tokyo.ok && tokyo.customer.currency).toBe('JPY');

    await log('UBEN', 'TOKYO', 90);
    await log('UBEN', 'TOKYO', 45);
    await log('UBEN', 'GULF', 20);
    const sheet = await submitAndApprove('UBEN');
    const lines = await frozen(sheet);
    expect(lines).toEqual([
      { minutes: 90, cost: 8050, price: 15000 },
      { minutes: 45, cost: 8050, price: 15000 },
      { minutes: 20, cost: 7000, price: 45125 },
    ]);
    const yen = lines.slice(0, 2).reduce((sum, l) => sum + amountForMinutes(l.minutes, l.price!), 0);
    const dinars = amountForMinutes(20, 45125);
    expect([formatMoney(yen, 'JPY'), formatMoney(dinars, 'KWD')]).toEqual(['¥33,750', 'KWD\u00a015.042']);
  });
});

describe('a customer’s currency and billing mode', () => {
  it('cannot change once it has approved time, and the refusal says why', async () => {
    const input = { id: ids.acme!, code: 'ACME', name: 'ACME Ltd', address: '', notes: '' };
    expect(await saveCustomer(admin(), { ...input, currency: 'EUR', billingMode: 'hourly' })).toMatchObject({
      ok: false,
      error: {
        code: 'currency_fixed',
        field: 'currency',
        message:
          'ACME has approved time in USD, so its currency stays USD. Bill in another currency with a new customer.',
      },
    });
    expect(await saveCustomer(admin(), { ...input, currency: 'USD', billingMode: 'prepaid' })).toMatchObject({
      ok: false,
      error: { code: 'billing_fixed', field: 'billing', message: expect.stringMatching(/stays hourly/) },
    });
    expect(
      await saveCustomer(admin(), { ...input, name: 'Acme Renamed', currency: 'USD', billingMode: 'hourly' }),
    ).toMatchObject({ ok: true });
  });

  it('cannot change once it has prepaid credit, though no time was ever approved, and the refusal names the credit', async () => {
    const credited = await customer('CREDITED', 'USD');
    await database.db.update(customers).set({ billingMode: 'prepaid' }).where(eq(customers.id, credited));
    await database.db
      .insert(creditLedger)
      .values({ customerId: credited, minutes: 600, kind: 'purchase', occurredOn: '2026-11-02', priceCents: 100_000 });
    const input = { id: credited, code: 'CREDITED', name: 'CREDITED Ltd', address: '', notes: '' };
    expect(await saveCustomer(admin(), { ...input, currency: 'EUR', billingMode: 'prepaid' })).toMatchObject({
      ok: false,
      error: {
        code: 'currency_fixed',
        field: 'currency',
        message:
          'CREDITED has prepaid credit in USD, so its currency stays USD. Bill in another currency with a new customer.',
      },
    });
    expect(await saveCustomer(admin(), { ...input, currency: 'USD', billingMode: 'hourly' })).toMatchObject({
      ok: false,
      error: {
        code: 'billing_fixed',
        field: 'billing',
        message: expect.stringMatching(/^CREDITED has prepaid credit/),
      },
    });
    const [row] = await database.db.select().from(customers).where(eq(customers.id, credited));
    expect(row).toMatchObject({ currency: 'USD', billingMode: 'prepaid' });
  });

  it('needs a project price rate for a consultant on a project billed in another currency than the firm’s, in the form and the setup file', async () => {
    expect(await assign(ids.cat!, ids.tokyo!, '', '')).toMatchObject({
      ok: false,
      error: {
        code: 'price_rate_needed',
        field: 'price',
        message:
          "NIPPON is billed in JPY, and a consultant's default price rate is in USD: give a price rate in JPY for TOKYO.",
      },
    });
    // Without history the currency may change, but not while a consultant's time there would be priced by a rate in another currency.
    const euro = await customer('EURO', 'USD');
    await addProject(database.db, 'PARIS', euro, { consultants: [ids.cat!] });
    expect(
      await saveCustomer(admin(), {
        id: euro,
        code: 'EURO',
        name: 'EURO Ltd',
        currency: 'EUR',
        billingMode: 'hourly',
        address: '',
        notes: '',
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'consultants_priced',
        field: 'currency',
        message:
          "Consultants on EURO's projects (UCAT on PARIS) would be priced in EUR by rates given in USD. Take them off its projects first, change the currency, then assign them again with their rates in EUR. Someone taken off a project counts until the time they logged there is approved.",
      },
    });

    const file = `projects:
  - { code: TOKYO, customer: NIPPON, name: Tokyo, consultants: [{ user: UCAT }] }`;
    expect(await importSetup(admin(), file)).toEqual({
      ok: false,
      errors: [
        "projects[0].consultants[0].price_rate: NIPPON is billed in JPY and a consultant's default price rate is in USD; give UCAT a price_rate in JPY on TOKYO",
      ],
    });
    const history = `customers:
  - { code: ACME, name: ACME Ltd, currency: EUR }`;
    expect(await importSetup(admin(), history)).toEqual({
      ok: false,
      errors: ['customers[0].currency: ACME has approved time in USD, so its currency stays USD'],
    });
  });
});

describe("a project's customer", () => {
  const move = (projectId: number, code: string, customerId: number, consultantIds?: number[]) =>
    saveProject(admin(), {
      id: projectId,
      code,
      customerId,
      name: code,
      description: '',
      address: '',
      notes: '',
      active: true,
      ...(consultantIds ? { consultantIds } : {}),
    });
  const customerOf = async (projectId: number) =>
    (await database.db.select().from(projects).where(eq(projects.id, projectId)))[0]!.customerId;

  it('moves to a customer billed in the same currency while its time is unapproved, never to another currency, and stays once it has approved time, in the form and the setup file', async () => {
    await addUser(database.db, 'UDAN', { name: 'UDAN', rights: ['entry'] });
    const dan = await addConsultant(database.db, 'UDAN');
    const first = await customer('FIRST', 'USD');
    const second = await customer('SECOND', 'USD');
    const euro = await customer('EUROPA', 'EUR');
    const mover = await addProject(database.db, 'MOVER', first, { consultants: [dan], managers: [ids.manager!] });
    expect(await log('UDAN', 'MOVER', 60)).toMatchObject({ ok: true });

    const otherCurrency =
      'MOVER is billed in USD with FIRST, and EUROPA bills in EUR: its price rates are amounts in USD. To bill EUROPA, add a new project for it.';
    expect(await move(mover, 'MOVER', euro)).toEqual({
      ok: false,
      error: { code: 'currency_differs', field: 'customer', message: otherCurrency },
    });
    expect(await importSetup(admin(), 'projects:\n  - { code: MOVER, customer: EUROPA, name: Mover }')).toEqual({
      ok: false,
      errors: [`projects[0].customer: ${otherCurrency}`],
    });
    expect(await customerOf(mover)).toBe(first);
    expect(await move(mover, 'MOVER', second)).toMatchObject({ ok: true });
    expect(await customerOf(mover)).toBe(second);

    await submitAndApprove('UDAN');
    const stays = {
      ok: false,
      error: {
        code: 'customer_fixed',
        field: 'customer',
        message:
          'MOVER has approved time billed to SECOND, so it stays with that customer. To bill another customer from now on, add a new project for it.',
      },
    };
    expect(await move(mover, 'MOVER', first)).toEqual(stays);
    expect(await customerOf(mover)).toBe(second);
    expect(await importSetup(admin(), 'projects:\n  - { code: MOVER, customer: FIRST, name: Mover }')).toEqual({
      ok: false,
      errors: [`projects[0].customer: ${stays.error.message}`],
    });
    expect(await customerOf(mover)).toBe(second);
  });

  it('keeps its currency while someone taken off one of its projects has time there to be approved at a rate in the old currency', async () => {
    await addUser(database.db, 'UEVE', { name: 'UEVE', rights: ['entry'] });
    const eve = await addConsultant(database.db, 'UEVE');
    const leaving = await customer('LEAVING', 'USD');
    const project = await addProject(database.db, 'LEAVER', leaving, { consultants: [eve], managers: [ids.manager!] });
    expect(await log('UEVE', 'LEAVER', 30)).toMatchObject({ ok: true });
    expect(await submitTimesheet(ctxFor('UEVE'))).toMatchObject({ ok: true });
    expect(await move(project, 'LEAVER', leaving, [])).toMatchObject({ ok: true });

    const input = {
      id: leaving,
      code: 'LEAVING',
      name: 'LEAVING Ltd',
      billingMode: 'hourly' as const,
      address: '',
      notes: '',
    };
    expect(await saveCustomer(admin(), { ...input, currency: 'EUR' })).toMatchObject({
      ok: false,
      error: { code: 'consultants_priced', field: 'currency', message: expect.stringMatching(/\(UEVE on LEAVER\)/) },
    });
    expect(await importSetup(admin(), 'customers:\n  - { code: LEAVING, name: LEAVING Ltd, currency: EUR }')).toEqual({
      ok: false,
      errors: [
        expect.stringMatching(/^customers\[0\]\.currency: Consultants on LEAVING's projects \(UEVE on LEAVER\)/),
      ],
    });
    expect((await database.db.select().from(customers).where(eq(customers.id, leaving)))[0]!.currency).toBe('USD');
  });

  it('keeps its currency while a project price rate given in it would be read in the new one', async () => {
    await addUser(database.db, 'UFAY', { name: 'UFAY', rights: ['entry'] });
    const fay = await addConsultant(database.db, 'UFAY');
    const yen = await customer('YENCO', 'JPY');
    const project = await addProject(database.db, 'YENP', yen, { managers: [ids.manager!] });
    expect(await assign(fay, project, '', '15000')).toMatchObject({ ok: true });
    const input = { id: yen, code: 'YENCO', name: 'YENCO Ltd', billingMode: 'hourly' as const, address: '', notes: '' };
    expect(await saveCustomer(admin(), { ...input, currency: 'USD' })).toEqual({
      ok: false,
      error: {
        code: 'consultants_priced',
        field: 'currency',
        message:
          "Consultants on YENCO's projects (UFAY on YENP) have project price rates in JPY, which would be read as USD. Take them off its projects first, change the currency, then assign them again with their rates in USD. Someone taken off a project counts until the time they logged there is approved.",
      },
    });
    expect(await removeFromProjects(admin(), fay, [{ projectId: project, as: 'consultant' }])).toMatchObject({
      ok: true,
    });
    expect(await saveCustomer(admin(), { ...input, currency: 'USD' })).toMatchObject({ ok: true });
  });
});

describe('out-of-range amounts', () => {
  it('get a field error naming the maximum, never a database error: rates, default rates, package prices and credit hours', async () => {
    expect(
      await setAssignmentRates(admin(), {
        projectId: ids.tokyo!,
        consultantId: ids.ben!,
        costRate: '',
        priceRate: '30000000',
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'amount_too_large',
        field: 'price',
        message: 'A rate per hour can be at most ¥10,000,000; 30000000 is more.',
      },
    });
    expect(
      await saveEmployee(admin(), {
        id: ids.ben!,
        userId: 'UBEN',
        name: 'Ben',
        address: '',
        notes: '',
        manager: false,
        consultant: { costRate: '70.00', priceRate: '30000000' },
      }),
    ).toMatchObject({
      ok: false,
      error: { field: 'price', message: 'A rate per hour can be at most $100,000.00; 30000000.00 is more.' },
    });
    const file = `customers:
  - code: PRE
    name: Prepaid Ltd
    billing: prepaid
    prepaid: { topup_price: 9000000000, topup_hours: 10 }
    credits: [{ hours: 200000, on: 2026-11-01 }]`;
    expect(await importSetup(admin(), file)).toEqual({
      ok: false,
      errors: ['customers[0].credits[0].hours: 200000 hours is more than the 100,000 hours one entry can hold'],
    });
    const price = `customers:
  - { code: PRE, name: Prepaid Ltd, billing: prepaid, prepaid: { topup_price: 9000000000 } }`;
    expect(await importSetup(admin(), price)).toEqual({
      ok: false,
      errors: ['customers[0].prepaid.topup_price: A price can be at most $1,000,000,000.00; 9000000000.00 is more.'],
    });
  });
});

describe('the audit trail of rates', () => {
  it('records every rate change with what it was before and after', async () => {
    const before = await database.db.select({ id: auditLog.id }).from(auditLog);
    const seen = new Set(before.map((r) => r.id));
    expect(await assign(ids.ben!, ids.tokyo!, '81.00', '16000')).toMatchObject({ ok: true });
    expect(
      await saveEmployee(admin(), {
        id: ids.ben!,
        userId: 'UBEN',
        name: 'Ben',
        address: '',
        notes: '',
        manager: false,
        consultant: { costRate: '72.00', priceRate: '150.00' },
      }),
    ).toMatchObject({ ok: true });
    const rows = (await database.db.select().from(auditLog).orderBy(asc(auditLog.id))).filter((r) => !seen.has(r.id));
    expect(rows.find((r) => r.action === 'employee.assign')).toMatchObject({
      before: { costRateCents: 8050, priceRateCents: 15000 },
      after: { costRateCents: 8100, priceRateCents: 16000 },
    });
    expect(rows.find((r) => r.action === 'consultant.set_rates')).toMatchObject({
      before: { defaultCostRateCents: 7000, defaultPriceRateCents: 14000 },
      after: { defaultCostRateCents: 7200, defaultPriceRateCents: 15000 },
    });
  });
});
