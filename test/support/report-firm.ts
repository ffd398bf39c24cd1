/**
 * A small firm with approved time on awkward rates in three currencies (USD 2 decimals, JPY 0,
 * KWD 3), plus time that must never reach a report: submitted, open and cancelled sheets.
 */
import type { Database } from '../../src/db/client.js';
import { consultants, customers, employees, projects, timeEntries, timesheets } from '../../src/db/schema.js';
import { addPeriod, addUser } from './fixtures.js';

export const PERIODS = {
  novFirst: { startsOn: '2026-11-01', endsOn: '2026-11-15' },
  novSecond: { startsOn: '2026-11-16', endsOn: '2026-11-30' },
  decFirst: { startsOn: '2026-12-01', endsOn: '2026-12-15' },
};

/** Each entry's expected amount, worked out by hand (round half up of minutes x rate / 60). */
export const APPROVED = [
  // 130.10 x 7 min = 15.178... -> 15.18
  {
    key: 'web-7min',
    consultant: 'alice',
    project: 'ACME-WEB',
    date: '2026-11-03',
    minutes: 7,
    price: 13010,
    cost: 7000,
    billable: true,
    description: 'Design review',
  },
  // 0.01 x 1 min = 0.000166... -> 0.00
  {
    key: 'web-1min',
    consultant: 'alice',
    project: 'ACME-WEB',
    date: '2026-11-04',
    minutes: 1,
    price: 1,
    cost: 1,
    billable: true,
    description: 'Typo fix',
  },
  // 999,999.99 x 24 h = 23,999,999.76
  {
    key: 'app-24h',
    consultant: 'zoe',
    project: 'ACME-APP',
    date: '2026-11-05',
    minutes: 1440,
    price: 99_999_999,
    cost: 6550,
    billable: true,
    description: 'Αρχιτεκτονική · Архитектура',
  },
  // Non-billable: AP only. Cost 70.00 x 30 min = 35.00
  {
    key: 'web-internal',
    consultant: 'alice',
    project: 'ACME-WEB',
    date: '2026-11-06',
    minutes: 30,
    price: 13010,
    cost: 7000,
    billable: false,
    description: 'Internal sync',
  },
  // JPY 1301 x 90 min = 1951.5 -> 1952 yen
  {
    key: 'jp-90min',
    consultant: 'alice',
    project: 'KAISHA-OPS',
    date: '2026-11-07',
    minutes: 90,
    price: 1301,
    cost: 7000,
    billable: true,
    description: 'Kickoff 漢字 call',
  },
  // KWD 1.301 x 45 min = 0.97575 -> 0.976
  {
    key: 'kw-45min',
    consultant: 'zoe',
    project: 'KW-AUDIT',
    date: '2026-11-08',
    minutes: 45,
    price: 1301,
    cost: 6550,
    billable: true,
    description: '=HYPERLINK("x") audit',
  },
] as const;

export type ReportFirm = {
  entryIds: Record<(typeof APPROVED)[number]['key'], number>;
  periodIds: { novFirst: number; novSecond: number; decFirst: number };
  customers: Record<'ACME' | 'KAISHA' | 'KUWAIT', number>;
};

export async function seedReportFirm(db: Database): Promise<ReportFirm> {
  await addUser(db, 'UFINANCE', { name: 'Fiona Finance', rights: ['receivable', 'payable'] });
  await addUser(db, 'URECEIVE', { name: 'Rita Receivable', rights: ['receivable'] });
  await addUser(db, 'UPAYABLE', { name: 'Paul Payable', rights: ['payable'] });
  await addUser(db, 'UADMIN', { name: 'Ada Admin', rights: ['admin'] });
  await addUser(db, 'U01ALICE', { name: 'alice' });
  await addUser(db, 'U03ZOE', { name: 'zoe' });
  const alice = await consultant(db, 'U01ALICE', 'Alice Doe', 7000, 14000);
  const zoe = await consultant(db, 'U03ZOE', 'Zoë Жукова', 6550, 13000);
  const acme = await customer(db, 'ACME', 'Acme Corp', 'USD');
  const kaisha = await customer(db, 'KAISHA', 'Kaisha KK', 'JPY');
  const kuwait = await customer(db, 'KUWAIT', 'Kuwait Trading', 'KWD');
  const projectIds: Record<string, number> = {
    'ACME-WEB': await project(db, 'ACME-WEB', 'Website relaunch', acme),
    'ACME-APP': await project(db, 'ACME-APP', 'Mobile app', acme),
    'KAISHA-OPS': await project(db, 'KAISHA-OPS', 'Operations', kaisha),
    'KW-AUDIT': await project(db, 'KW-AUDIT', 'Audit', kuwait),
  };
  const periodIds = {
    novFirst: await addPeriod(db, PERIODS.novFirst.startsOn, PERIODS.novFirst.endsOn),
    novSecond: await addPeriod(db, PERIODS.novSecond.startsOn, PERIODS.novSecond.endsOn),
    decFirst: await addPeriod(db, PERIODS.decFirst.startsOn, PERIODS.decFirst.endsOn),
  };
  const people = { alice, zoe };
  const sheet = async (
    consultantId: number,
    periodId: number,
    status: 'open' | 'submitted' | 'approved' | 'cancelled',
  ) =>
    (
      await db
        .insert(timesheets)
        .values({
          consultantId,
          periodId,
          status,
          decidedAt: status === 'approved' || status === 'cancelled' ? new Date('2026-11-20T10:00:00Z') : null,
        })
        .returning()
    )[0]!.id;
  const approvedSheets = {
    alice: await sheet(alice, periodIds.novFirst, 'approved'),
    zoe: await sheet(zoe, periodIds.novFirst, 'approved'),
  };
  const entryIds = {} as ReportFirm['entryIds'];
  for (const entry of APPROVED) {
    const [row] = await db
      .insert(timeEntries)
      .values({
        timesheetId: approvedSheets[entry.consultant],
        projectId: projectIds[entry.project]!,
        workDate: entry.date,
        minutes: entry.minutes,
        description: entry.description,
        billable: entry.billable,
        source: 'command',
        createdBy: entry.consultant === 'alice' ? 'U01ALICE' : 'U03ZOE',
        costRateCents: entry.cost,
        priceRateCents: entry.price,
      })
      .returning();
    entryIds[entry.key] = row!.id;
  }
  // Time that never appears: a cancelled sheet in the same period, a submitted and an open one.
  const neverShown = [
    await sheet(people.alice, periodIds.novFirst, 'cancelled'),
    await sheet(people.alice, periodIds.novSecond, 'submitted'),
    await sheet(people.zoe, periodIds.novSecond, 'open'),
  ];
  for (const timesheetId of neverShown)
    await db.insert(timeEntries).values({
      timesheetId,
      projectId: projectIds['ACME-WEB']!,
      workDate: '2026-11-10',
      minutes: 600,
      description: 'never in a report',
      billable: true,
      source: 'command',
      createdBy: 'U01ALICE',
      costRateCents: 100_000,
      priceRateCents: 100_000,
    });
  return { entryIds, periodIds, customers: { ACME: acme, KAISHA: kaisha, KUWAIT: kuwait } };
}

async function consultant(db: Database, userId: string, name: string, cost: number, price: number): Promise<number> {
  const [employee] = await db.insert(employees).values({ userId, name }).returning();
  await db
    .insert(consultants)
    .values({ employeeId: employee!.id, defaultCostRateCents: cost, defaultPriceRateCents: price });
  return employee!.id;
}

async function customer(db: Database, code: string, name: string, currency: string): Promise<number> {
  return (await db.insert(customers).values({ code, name, currency }).returning())[0]!.id;
}

async function project(db: Database, code: string, name: string, customerId: number): Promise<number> {
  return (await db.insert(projects).values({ code, name, customerId }).returning())[0]!.id;
}
