/**
 * A firm with approved time to invoice: ACME (hourly, USD, 15-minute rounding, 14-day terms),
 * BETA (hourly, EUR, exact minutes, the firm's default terms) and PRE (prepaid). Entries are
 * approved with frozen price rates, as an approval leaves them.
 */
import type { Database } from '../../src/db/client.js';
import { consultants, customers, employees, projects, timeEntries, timesheets } from '../../src/db/schema.js';
import { addPeriod, addUser } from './fixtures.js';

export type InvoiceFirm = {
  customers: { ACME: number; BETA: number; PRE: number };
  projects: { 'ACME-WEB': number; 'ACME-APP': number; 'BETA-OPS': number; 'PRE-SUP': number };
  periods: { nov: number; dec: number };
  consultants: { alice: number; bob: number };
};

export async function seedInvoiceFirm(db: Database): Promise<InvoiceFirm> {
  await addUser(db, 'UFIN', { name: 'Fiona Finance', rights: ['receivable'] });
  await addUser(db, 'UFIN2', { name: 'Frank Finance', rights: ['receivable'] });
  await addUser(db, 'UADMIN', { name: 'Ada Admin', rights: ['admin'] });
  await addUser(db, 'UPAY', { name: 'Paul Payable', rights: ['payable'] });
  await addUser(db, 'U01ALICE', { name: 'alice' });
  await addUser(db, 'U02BOB', { name: 'bob' });
  const alice = await consultant(db, 'U01ALICE', 'Alice Doe');
  const bob = await consultant(db, 'U02BOB', 'Bob Öberg');
  const customerIds = {
    ACME: await customer(db, {
      code: 'ACME',
      name: 'Acme Corp',
      currency: 'USD',
      invoiceRoundingMinutes: 15,
      paymentTermsDays: 14,
      address: '1 Main Street\nSpringfield 12345\nUSA',
      taxId: 'US-99-1234567',
      billingEmail: 'ap@acme.example',
    }),
    BETA: await customer(db, { code: 'BETA', name: 'Beta GmbH', currency: 'EUR' }),
    PRE: await customer(db, { code: 'PRE', name: 'Prepaid Ltd', currency: 'USD', billingMode: 'prepaid' }),
  };
  const projectIds = {
    'ACME-WEB': await project(db, 'ACME-WEB', 'Website relaunch', customerIds.ACME),
    'ACME-APP': await project(db, 'ACME-APP', 'Mobile app', customerIds.ACME),
    'BETA-OPS': await project(db, 'BETA-OPS', 'Operations', customerIds.BETA),
    'PRE-SUP': await project(db, 'PRE-SUP', 'Support', customerIds.PRE),
  };
  const periods = {
    nov: await addPeriod(db, '2026-11-01', '2026-11-30'),
    dec: await addPeriod(db, '2026-12-01', '2026-12-31'),
  };
  return { customers: customerIds, projects: projectIds, periods, consultants: { alice, bob } };
}

/** An approved sheet for the consultant in the period (one per call). */
export async function approvedSheet(db: Database, consultantId: number, periodId: number): Promise<number> {
  const [sheet] = await db
    .insert(timesheets)
    .values({ consultantId, periodId, status: 'approved', decidedAt: new Date('2026-11-30T10:00:00Z') })
    .returning();
  return sheet!.id;
}

export async function sheetWith(
  db: Database,
  consultantId: number,
  periodId: number,
  status: 'open' | 'submitted' | 'approved',
): Promise<number> {
  const [sheet] = await db.insert(timesheets).values({ consultantId, periodId, status }).returning();
  return sheet!.id;
}

export async function entry(
  db: Database,
  input: {
    sheet: number;
    project: number;
    date: string;
    minutes: number;
    rate: number | null;
    description?: string;
    billable?: boolean;
  },
): Promise<number> {
  const [row] = await db
    .insert(timeEntries)
    .values({
      timesheetId: input.sheet,
      projectId: input.project,
      workDate: input.date,
      minutes: input.minutes,
      description: input.description ?? `work on ${input.date}`,
      billable: input.billable ?? true,
      source: 'command',
      createdBy: 'U01ALICE',
      costRateCents: 5000,
      priceRateCents: input.rate,
    })
    .returning();
  return row!.id;
}

async function consultant(db: Database, userId: string, name: string): Promise<number> {
  const [employee] = await db.insert(employees).values({ userId, name }).returning();
  await db
    .insert(consultants)
    .values({ employeeId: employee!.id, defaultCostRateCents: 5000, defaultPriceRateCents: 9000 });
  return employee!.id;
}

async function customer(db: Database, values: typeof customers.$inferInsert): Promise<number> {
  return (await db.insert(customers).values(values).returning())[0]!.id;
}

async function project(db: Database, code: string, name: string, customerId: number): Promise<number> {
  return (await db.insert(projects).values({ code, name, customerId }).returning())[0]!.id;
}
