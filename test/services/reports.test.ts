/**
 * What the AR and AP reports read from the database: exact totals on awkward rates in three
 * currencies, approved time only, every filter, a rate changed after approval, and rights.
 */
import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { consultants, timeEntries } from '../../src/db/schema.js';
import { amountForMinutes } from '../../src/domain/money.js';
import type { ReportRequest } from '../../src/domain/report-request.js';
import {
  type ApDetailRow,
  type ApSummaryRow,
  type ArDetailRow,
  type ArSummaryRow,
  lineAmountSql,
  prepareReport,
  ReportDataError,
  planDetail,
  reportDetailPages,
  type ReportSpec,
  reportSummary,
} from '../../src/services/reports.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { asUser, serviceContext } from '../support/fixtures.js';
import { type ReportFirm, seedReportFirm } from '../support/report-firm.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let firm: ReportFirm;
const clock = new TestClock('2026-12-05T09:00:00Z');
const finance = () => serviceContext(database.db, asUser('UFINANCE'), clock);
const request = (overrides: Partial<ReportRequest> = {}): ReportRequest => ({
  kind: 'ar',
  level: 'summary',
  periods: [{ kind: 'starts', on: '2026-11-01' }],
  customerCodes: [],
  projectCodes: [],
  consultantUserIds: [],
  ...overrides,
});

beforeAll(async () => {
  database = await createTestDatabase();
  firm = await seedReportFirm(database.db);
});
afterAll(async () => database.drop());

async function spec(overrides: Partial<ReportRequest> = {}): Promise<ReportSpec> {
  const prepared = await prepareReport(finance(), request(overrides));
  if (!prepared.ok) throw new Error(prepared.error.message);
  return prepared.spec;
}

/** The detail's rows, read in pages of `pageRows` so that batches and keyset pages both occur. */
async function detail(overrides: Partial<ReportRequest> = {}, pageRows = 2) {
  const rows: (ArDetailRow | ApDetailRow)[] = [];
  const detailSpec = await spec({ level: 'detail', ...overrides });
  for await (const page of reportDetailPages(finance(), detailSpec, await planDetail(finance(), detailSpec), pageRows))
    rows.push(...page);
  return rows;
}

describe('AR summary', () => {
  it('adds line amounts rounded per entry, per project, in each customer’s currency', async () => {
    const rows = (await reportSummary(finance(), await spec())) as ArSummaryRow[];
    expect(rows).toEqual([
      {
        customerCode: 'ACME',
        customerName: 'Acme Corp',
        currency: 'USD',
        projectCode: 'ACME-APP',
        projectName: 'Mobile app',
        minutes: 1440,
        amount: 2_399_999_976n,
      },
      // 15.18 + 0.00; the non-billable half hour is not receivable.
      {
        customerCode: 'ACME',
        customerName: 'Acme Corp',
        currency: 'USD',
        projectCode: 'ACME-WEB',
        projectName: 'Website relaunch',
        minutes: 8,
        amount: 1518n,
      },
      {
        customerCode: 'KAISHA',
        customerName: 'Kaisha KK',
        currency: 'JPY',
        projectCode: 'KAISHA-OPS',
        projectName: 'Operations',
        minutes: 90,
        amount: 1952n,
      },
      {
        customerCode: 'KUWAIT',
        customerName: 'Kuwait Trading',
        currency: 'KWD',
        projectCode: 'KW-AUDIT',
        projectName: 'Audit',
        minutes: 45,
        amount: 976n,
      },
    ]);
  });

  it('leaves out submitted, open and cancelled time, whatever the period', async () => {
    const rows = await reportSummary(
      finance(),
      await spec({ periods: [{ kind: 'range', from: '2026-11-01', to: '2026-12-01' }] }),
    );
    expect(rows.reduce((sum, row) => sum + row.minutes, 0)).toBe(1440 + 8 + 90 + 45);
    expect((await planDetail(finance(), await spec({ periods: [{ kind: 'starts', on: '2026-11-16' }] }))).rows).toBe(0);
  });
});

describe('AP summary', () => {
  it('pays every approved entry, billable or not, at its frozen cost rate in the firm currency', async () => {
    const rows = (await reportSummary(finance(), await spec({ kind: 'ap' }))) as ApSummaryRow[];
    expect(rows.map((r) => [r.consultantName, r.projectCode, r.minutes, r.amount, r.currency])).toEqual([
      // 70.00 x 7 min = 8.17 (8.1666…), 0.01 x 1 min = 0.00, 70.00 x 30 min = 35.00
      ['Alice Doe', 'ACME-WEB', 38, 817n + 0n + 3500n, 'USD'],
      // 70.00 x 90 min = 105.00
      ['Alice Doe', 'KAISHA-OPS', 90, 10500n, 'USD'],
      // 65.50 x 24 h = 1,572.00; 65.50 x 45 min = 49.125 -> 49.13
      ['Zoë Жукова', 'ACME-APP', 1440, 157200n, 'USD'],
      ['Zoë Жукова', 'KW-AUDIT', 45, 4913n, 'USD'],
    ]);
  });
});

describe('detail', () => {
  it('streams every entry in report order across keyset pages, each amount rounded as the domain rounds it', async () => {
    const rows = (await detail({}, 1)) as ArDetailRow[];
    expect(rows.map((r) => [r.customerCode, r.projectCode, r.workDate, r.minutes, r.rate, r.amount])).toEqual([
      ['ACME', 'ACME-APP', '2026-11-05', 1440, 99_999_999, 2_399_999_976],
      ['ACME', 'ACME-WEB', '2026-11-03', 7, 13010, 1518],
      ['ACME', 'ACME-WEB', '2026-11-04', 1, 1, 0],
      ['KAISHA', 'KAISHA-OPS', '2026-11-07', 90, 1301, 1952],
      ['KUWAIT', 'KW-AUDIT', '2026-11-08', 45, 1301, 976],
    ]);
    for (const row of rows) expect(row.amount).toBe(amountForMinutes(row.minutes, row.rate));
    expect(rows[0]).toMatchObject({ consultantUserId: 'U03ZOE', consultantName: 'Zoë Жукова', invoiceNumber: null });
  });

  it('AP detail goes per consultant, then project, with billable marked', async () => {
    const rows = (await detail({ kind: 'ap' })) as ApDetailRow[];
    expect(rows.map((r) => [r.consultantName, r.projectCode, r.workDate, r.billable, r.amount])).toEqual([
      ['Alice Doe', 'ACME-WEB', '2026-11-03', true, 817],
      ['Alice Doe', 'ACME-WEB', '2026-11-04', true, 0],
      ['Alice Doe', 'ACME-WEB', '2026-11-06', false, 3500],
      ['Alice Doe', 'KAISHA-OPS', '2026-11-07', true, 10500],
      ['Zoë Жукова', 'ACME-APP', '2026-11-05', true, 157200],
      ['Zoë Жукова', 'KW-AUDIT', '2026-11-08', true, 4913],
    ]);
  });

  it('includes only rows matching every filter, for every combination of filters', async () => {
    const all = (await detail({ kind: 'ap' })) as ApDetailRow[];
    const customerOf: Record<string, string> = {
      'ACME-WEB': 'ACME',
      'ACME-APP': 'ACME',
      'KAISHA-OPS': 'KAISHA',
      'KW-AUDIT': 'KUWAIT',
    };
    const options = {
      customerCodes: [[], ['ACME'], ['KAISHA', 'KUWAIT']],
      projectCodes: [[], ['ACME-WEB'], ['KW-AUDIT', 'ACME-APP']],
      consultantUserIds: [[], ['U01ALICE'], ['U03ZOE', 'U01ALICE']],
    };
    for (const customerCodes of options.customerCodes)
      for (const projectCodes of options.projectCodes)
        for (const consultantUserIds of options.consultantUserIds) {
          const expected = all.filter(
            (r) =>
              (customerCodes.length === 0 || customerCodes.includes(customerOf[r.projectCode]!)) &&
              (projectCodes.length === 0 || projectCodes.includes(r.projectCode)) &&
              (consultantUserIds.length === 0 || consultantUserIds.includes(r.consultantUserId)),
          );
          const filters = { customerCodes, projectCodes, consultantUserIds };
          expect(
            (await detail({ kind: 'ap', ...filters })).map((r) => r.entryId),
            JSON.stringify(filters),
          ).toEqual(expected.map((r) => r.entryId));
          expect((await planDetail(finance(), await spec({ kind: 'ap', level: 'detail', ...filters }))).rows).toBe(
            expected.length,
          );
        }
  });

  it('a default rate changed after approval changes nothing', async () => {
    const before = await reportSummary(finance(), await spec());
    await database.db.update(consultants).set({ defaultPriceRateCents: 1, defaultCostRateCents: 1 });
    expect(await reportSummary(finance(), await spec())).toEqual(before);
  });

  it('an approved entry without a frozen rate stops the report with a message naming it', async () => {
    const ctx = finance();
    const entryId = firm.entryIds['jp-90min'];
    await database.db.update(timeEntries).set({ priceRateCents: null }).where(eq(timeEntries.id, entryId));
    try {
      const message = `Time entry ${entryId} is approved but has no frozen price rate`;
      await expect(reportSummary(ctx, await spec())).rejects.toThrow(message);
      const detailSpec = await spec({ level: 'detail' });
      const pages = reportDetailPages(ctx, detailSpec, await planDetail(ctx, detailSpec));
      await expect(
        (async () => {
          for await (const page of pages) void page;
        })(),
      ).rejects.toBeInstanceOf(ReportDataError);
    } finally {
      await database.db.update(timeEntries).set({ priceRateCents: 1301 }).where(eq(timeEntries.id, entryId));
    }
  });
});

describe('preparing a report', () => {
  it('names the missing right, for AR and for AP', async () => {
    const ar = await prepareReport(serviceContext(database.db, asUser('UPAYABLE'), clock), request());
    expect(ar).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('Accounts Receivable reports right') },
    });
    const ap = await prepareReport(serviceContext(database.db, asUser('URECEIVE'), clock), request({ kind: 'ap' }));
    expect(ap).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('Accounts Payable reports right') },
    });
  });

  it('suggests codes for an unknown customer or project, and refuses someone who is not a consultant', async () => {
    expect(await prepareReport(finance(), request({ customerCodes: ['ACM'] }))).toMatchObject({
      ok: false,
      error: { field: 'customer', message: expect.stringContaining('There is no customer `ACM`. Did you mean `ACME`') },
    });
    expect(await prepareReport(finance(), request({ projectCodes: ['ACME-WEEB'] }))).toMatchObject({
      ok: false,
      error: { field: 'project', message: expect.stringContaining('Did you mean `ACME-WEB`') },
    });
    expect(await prepareReport(finance(), request({ consultantUserIds: ['UFINANCE'] }))).toMatchObject({
      ok: false,
      error: { field: 'consultant', message: expect.stringContaining('Fiona Finance is not a consultant') },
    });
  });

  it('resolves last, this, a first day and a range of first days against the firm’s periods', async () => {
    const periodsOf = async (periods: ReportRequest['periods']) =>
      (await spec({ periods })).periods.map((p) => p.startsOn);
    expect(await periodsOf([])).toEqual(['2026-11-16']);
    expect(await periodsOf([{ kind: 'this' }])).toEqual(['2026-12-01']);
    expect(await periodsOf([{ kind: 'range', from: '2026-10-01', to: '2026-11-16' }])).toEqual([
      '2026-11-01',
      '2026-11-16',
    ]);
    expect(await prepareReport(finance(), request({ periods: [{ kind: 'starts', on: '2026-11-02' }] }))).toMatchObject({
      ok: false,
      error: {
        message: expect.stringContaining(
          'No reporting period starts on 2026-11-02. Periods start on 2026-11-01, 2026-11-16, 2026-12-01',
        ),
      },
    });
  });
});

describe('SQL and domain rounding', () => {
  it('agree on every line amount for random minutes and rates', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1440 }), fc.integer({ min: 0, max: 2_147_483_647 })), {
          minLength: 1,
          maxLength: 50,
        }),
        async (cases) => {
          const values = sql.join(
            cases.map(([m, r]) => sql`(${m}::int, ${r}::int)`),
            sql`, `,
          );
          const rows = await queryRows<{ amount: string }>(
            database.db,
            sql`select (${lineAmountSql(sql`v.m`, sql`v.r`)})::text as "amount" from (values ${values}) as v(m, r)`,
          );
          expect(rows.map((row) => BigInt(row.amount))).toEqual(cases.map(([m, r]) => BigInt(amountForMinutes(m, r))));
        },
      ),
      { numRuns: 40 },
    );
  });
});
