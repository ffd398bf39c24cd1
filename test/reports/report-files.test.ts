/**
 * The files a report becomes: PDF text (read back with unpdf) shows lines and totals in order
 * with embedded fonts; the CSV parses back to the report's rows; a crashing render thread or a
 * bad row is an error for the asker, not a silent loss.
 */
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeEntries } from '../../src/db/schema.js';
import type { ReportRequest } from '../../src/domain/report-request.js';
import { saveSettings } from '../../src/services/settings.js';
import { buildReportFiles } from '../../src/reports/report-files.js';
import { ReportRenderer, RenderFailed } from '../../src/reports/render-pool.js';
import { prepareReport, type ReportSpec } from '../../src/services/reports.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { asUser, serviceContext } from '../support/fixtures.js';
import { type ReportFirm, seedReportFirm } from '../support/report-firm.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let firm: ReportFirm;
let renderer: ReportRenderer;
const clock = new TestClock('2026-12-05T09:00:00Z');
const finance = () => ({
  ...serviceContext(database.db, asUser('UFINANCE'), clock),
  org: { timeZone: 'Europe/Berlin', currency: 'USD' },
});

beforeAll(async () => {
  database = await createTestDatabase();
  firm = await seedReportFirm(database.db);
  await saveSettings(serviceContext(database.db, asUser('UADMIN'), clock), { firm_name: 'Ærø & Søn Consulting' });
  renderer = new ReportRenderer({ threads: 1, queueLimit: 5 });
});
afterAll(async () => {
  await renderer.close();
  await database.drop();
});

async function spec(overrides: Partial<ReportRequest>): Promise<ReportSpec> {
  const prepared = await prepareReport(finance(), {
    kind: 'ar',
    level: 'summary',
    periods: [{ kind: 'starts', on: '2026-11-01' }],
    customerCodes: [],
    projectCodes: [],
    consultantUserIds: [],
    ...overrides,
  });
  if (!prepared.ok) throw new Error(prepared.error.message);
  return prepared.spec;
}

async function build(overrides: Partial<ReportRequest>, pdfRowLimit = 50_000) {
  const built = await buildReportFiles(finance(), await spec(overrides), renderer, { pdfRowLimit });
  if (!built.ok) throw new Error(built.error.message);
  return built;
}

async function pdfText(bytes: Buffer): Promise<string[]> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(pdf, { mergePages: false });
  return text;
}

function csvRows(bytes: Buffer): string[][] {
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.toString('utf8');
  expect(text.replace(/\r\n/g, '')).not.toContain('\n');
  const records: string[][] = parse(text, { bom: true, record_delimiter: '\r\n' });
  return records;
}

/** Asserts that `needles` appear in `text` in this order. */
function expectInOrder(text: string, needles: string[]): void {
  let from = 0;
  for (const needle of needles) {
    const at = text.indexOf(needle, from);
    expect(at, `"${needle}" after position ${from} in:\n${text}`).toBeGreaterThanOrEqual(0);
    from = at + needle.length;
  }
}

describe('AR detail files', () => {
  it('the PDF shows the heading, each line and the totals in order, with Greek, Cyrillic and accents', async () => {
    const built = await build({ level: 'detail' });
    expect(built.files.map((f) => f.filename)).toEqual(['ar-detail-2026-11-01.pdf', 'ar-detail-2026-11-01.csv']);
    const pdf = built.files[0]!.bytes;
    expect(pdf.toString('latin1')).toContain('/FontFile2');
    const [page] = await pdfText(pdf);
    expectInOrder(page!.replace(/\s+/g, ' '), [
      'Ærø & Søn Consulting',
      'Accounts Receivable — Detail',
      '1–15 Nov 2026',
      'Approved billable time of all customers, projects and consultants',
      'Generated 5 Dec 2026 10:00 (Europe/Berlin) by Fiona Finance',
      'ACME · Acme Corp (USD)',
      'ACME-APP · Mobile app',
      'Zoë Жукова',
      'Αρχιτεκτονική · Архитектура',
      '24.00',
      '999,999.99',
      '23,999,999.76',
      'Subtotal ACME-APP · Mobile app',
      'USD 23,999,999.76',
      'ACME-WEB · Website relaunch',
      '2026-11-03',
      '0.12',
      '130.10',
      '15.18',
      '2026-11-04',
      '0.02',
      '0.01',
      '0.00',
      'Subtotal ACME-WEB · Website relaunch',
      'USD 15.18',
      'Total ACME · Acme Corp (USD)',
      'USD 24,000,014.94',
      'KAISHA · Kaisha KK (JPY)',
      // The font has no Han glyphs: they print as U+FFFD and the row is still there.
      'Kickoff \uFFFD\uFFFD call',
      '1,301',
      '1,952',
      'Total KAISHA · Kaisha KK (JPY)',
      'JPY 1,952',
      'KUWAIT · Kuwait Trading (KWD)',
      '1.301',
      '0.976',
      'Total KUWAIT · Kuwait Trading (KWD)',
      'KWD 0.976',
      'Grand total in JPY',
      'JPY 1,952',
      'Grand total in KWD',
      'KWD 0.976',
      'Grand total in USD',
      'USD 24,000,014.94',
      'Page 1 of 1',
    ]);
  });

  it('the CSV has the exact header, one record per entry with exact text and plain decimals, and no totals', async () => {
    const built = await build({ level: 'detail' });
    const [header, ...records] = csvRows(built.files[1]!.bytes);
    expect(header).toEqual(
      'entry_id,date,customer_code,customer_name,project_code,project_name,consultant_id,consultant_name,description,minutes,hours,rate,amount,currency,invoice_number'.split(
        ',',
      ),
    );
    expect(records).toEqual([
      [
        String(firm.entryIds['app-24h']),
        '2026-11-05',
        'ACME',
        'Acme Corp',
        'ACME-APP',
        'Mobile app',
        'U03ZOE',
        'Zoë Жукова',
        'Αρχιτεκτονική · Архитектура',
        '1440',
        '24.00',
        '999999.99',
        '23999999.76',
        'USD',
        '',
      ],
      [
        String(firm.entryIds['web-7min']),
        '2026-11-03',
        'ACME',
        'Acme Corp',
        'ACME-WEB',
        'Website relaunch',
        'U01ALICE',
        'Alice Doe',
        'Design review',
        '7',
        '0.12',
        '130.10',
        '15.18',
        'USD',
        '',
      ],
      [
        String(firm.entryIds['web-1min']),
        '2026-11-04',
        'ACME',
        'Acme Corp',
        'ACME-WEB',
        'Website relaunch',
        'U01ALICE',
        'Alice Doe',
        'Typo fix',
        '1',
        '0.02',
        '0.01',
        '0.00',
        'USD',
        '',
      ],
      [
        String(firm.entryIds['jp-90min']),
        '2026-11-07',
        'KAISHA',
        'Kaisha KK',
        'KAISHA-OPS',
        'Operations',
        'U01ALICE',
        'Alice Doe',
        'Kickoff 漢字 call',
        '90',
        '1.50',
        '1301',
        '1952',
        'JPY',
        '',
      ],
      // A formula-like description is escaped so a spreadsheet shows it as text.
      [
        String(firm.entryIds['kw-45min']),
        '2026-11-08',
        'KUWAIT',
        'Kuwait Trading',
        'KW-AUDIT',
        'Audit',
        'U03ZOE',
        'Zoë Жукова',
        `'=HYPERLINK("x") audit`,
        '45',
        '0.75',
        '1.301',
        '0.976',
        'KWD',
        '',
      ],
    ]);
  });
});

describe('summaries and AP', () => {
  it('AR summary: PDF lists each customer’s projects and totals; CSV rows are the same rows', async () => {
    const built = await build({ customerCodes: ['ACME'] });
    const [page] = await pdfText(built.files[0]!.bytes);
    expectInOrder(page!.replace(/\s+/g, ' '), [
      'Accounts Receivable — Summary',
      'Approved billable time matching all of:',
      'Customers: ACME (Acme Corp)',
      'ACME · Acme Corp (USD)',
      'ACME-APP · Mobile app',
      '24.00',
      '23,999,999.76',
      'ACME-WEB · Website relaunch',
      '0.13',
      '15.18',
      'Total ACME · Acme Corp (USD)',
      'USD 24,000,014.94',
      'Grand total',
      'USD 24,000,014.94',
      'Page 1 of 1',
    ]);
    expect(csvRows(built.files[1]!.bytes)).toEqual([
      'customer_code,customer_name,project_code,project_name,minutes,hours,amount,currency'.split(','),
      ['ACME', 'Acme Corp', 'ACME-APP', 'Mobile app', '1440', '24.00', '23999999.76', 'USD'],
      ['ACME', 'Acme Corp', 'ACME-WEB', 'Website relaunch', '8', '0.13', '15.18', 'USD'],
    ]);
  });

  it('AP detail and summary are per consultant in the firm currency, billable or not', async () => {
    const detail = await build({ kind: 'ap', level: 'detail', consultantUserIds: ['U01ALICE'] });
    const [header, ...records] = csvRows(detail.files[1]!.bytes);
    expect(header).toEqual(
      'entry_id,date,consultant_id,consultant_name,customer_code,project_code,project_name,description,billable,minutes,hours,rate,amount,currency'.split(
        ',',
      ),
    );
    expect(records.map((r) => [r[5], r[8], r[12], r[13]])).toEqual([
      ['ACME-WEB', 'true', '8.17', 'USD'],
      ['ACME-WEB', 'true', '0.00', 'USD'],
      ['ACME-WEB', 'false', '35.00', 'USD'],
      ['KAISHA-OPS', 'true', '105.00', 'USD'],
    ]);
    const [page] = await pdfText(detail.files[0]!.bytes);
    expectInOrder(page!.replace(/\s+/g, ' '), [
      'Accounts Payable — Detail',
      'Alice Doe (U01ALICE) · USD',
      'Subtotal ACME-WEB',
      'USD 43.17',
      'Total Alice Doe',
      'USD 148.17',
      'Grand total',
      'USD 148.17',
    ]);
    const summary = await build({ kind: 'ap' });
    expect(csvRows(summary.files[1]!.bytes).slice(1)).toEqual([
      ['U01ALICE', 'Alice Doe', 'ACME-WEB', 'Website relaunch', '38', '0.63', '43.17', 'USD'],
      ['U01ALICE', 'Alice Doe', 'KAISHA-OPS', 'Operations', '90', '1.50', '105.00', 'USD'],
      ['U03ZOE', 'Zoë Жукова', 'ACME-APP', 'Mobile app', '1440', '24.00', '1572.00', 'USD'],
      ['U03ZOE', 'Zoë Жукова', 'KW-AUDIT', 'Audit', '45', '0.75', '49.13', 'USD'],
    ]);
  });

  it('a detail above the PDF row limit comes as the CSV alone, with every row', async () => {
    const built = await build({ level: 'detail' }, 3);
    expect(built.files.map((f) => f.filename)).toEqual(['ar-detail-2026-11-01.csv']);
    expect(built.pdfLeftOut).toEqual({ rows: 5, limit: 3 });
    expect(csvRows(built.files[0]!.bytes)).toHaveLength(6);
  });

  it('nothing matching is said, with no files', async () => {
    const built = await buildReportFiles(
      finance(),
      await spec({ projectCodes: ['ACME-WEB'], customerCodes: ['KAISHA'] }),
      renderer,
      { pdfRowLimit: 10 },
    );
    expect(built).toEqual({
      ok: false,
      error: {
        code: 'nothing_matches',
        message:
          'No approved billable time matches the AR summary for 1–15 Nov 2026 with those filters, so nothing was posted.',
      },
    });
  });
});

describe('failures', () => {
  it('a render thread that crashes fails its report with a reason, and the next report renders on a new thread', async () => {
    const crashing = new ReportRenderer({
      threads: 1,
      queueLimit: 1,
      workerFile: new URL('../support/crashing-render-worker.ts', import.meta.url),
    });
    try {
      const failed = buildReportFiles(finance(), await spec({ level: 'detail' }), crashing, { pdfRowLimit: 10 });
      await expect(failed).rejects.toThrow(RenderFailed);
      await expect(failed).rejects.toThrow('the report renderer stopped (exit code 70)');
    } finally {
      await crashing.close();
    }
    expect((await build({ level: 'detail' })).rows).toBe(5);
  });

  it('a bad row (approved without a frozen rate) answers what is wrong and builds no file', async () => {
    const entryId = firm.entryIds['web-7min'];
    await database.db.update(timeEntries).set({ priceRateCents: null }).where(eq(timeEntries.id, entryId));
    try {
      const built = await buildReportFiles(finance(), await spec({ level: 'detail' }), renderer, { pdfRowLimit: 10 });
      expect(built).toMatchObject({
        ok: false,
        error: {
          code: 'unpriced_entry',
          message: expect.stringContaining(`Time entry ${entryId} is approved but has no frozen price rate`),
        },
      });
    } finally {
      await database.db.update(timeEntries).set({ priceRateCents: 13010 }).where(eq(timeEntries.id, entryId));
    }
    expect((await build({ level: 'detail' })).rows).toBe(5);
  });
});
