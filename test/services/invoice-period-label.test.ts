/**
 * The period an invoice says it covers is the periods it was drafted from: drafting October and
 * December together leaves November's approved time off it, so the invoice must not say it
 * covers November, as the draft's own reply and every report already do.
 */
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoicePdf } from '../../src/reports/invoice-pdf.js';
import { invoiceDocument } from '../../src/services/invoice-documents.js';
import { draftInvoices } from '../../src/services/invoices.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addPeriod, asUser, serviceContext } from '../support/fixtures.js';
import { approvedSheet, entry, type InvoiceFirm, seedInvoiceFirm } from '../support/invoice-firm.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let firm: InvoiceFirm;
const clock = new TestClock('2027-01-10T12:00:00Z');
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  firm = await seedInvoiceFirm(db);
  const oct = await addPeriod(db, '2026-10-01', '2026-10-31');
  for (const [period, date] of [
    [oct, '2026-10-05'],
    [firm.periods.nov, '2026-11-05'],
    [firm.periods.dec, '2026-12-05'],
  ] as const)
    await entry(db, {
      sheet: await approvedSheet(db, firm.consultants.alice, period),
      project: firm.projects['BETA-OPS'],
      date,
      minutes: 60,
      rate: 10000,
    });
});
afterAll(async () => database.drop());

describe('an invoice drafted from periods that are not back to back', () => {
  it('names the periods it was drafted from, not the whole span with November in it', async () => {
    const drafted = await draftInvoices(as('UFIN'), {
      periods: [
        { kind: 'starts', on: '2026-10-01' },
        { kind: 'starts', on: '2026-12-01' },
      ],
      customerCodes: ['BETA'],
      channel: 'C0FINANCE',
    });
    if (!drafted.ok) throw new Error(drafted.error.message);
    // The reply says what was drafted: October and December.
    expect(drafted.periods).toBe('1–31 Oct 2026, 1–31 Dec 2026');
    const [invoice] = drafted.drafted;
    const doc = (await invoiceDocument(database.db, invoice!.invoiceId))!;
    expect(doc.lines.map((line) => line.workDate)).toEqual(['2026-10-05', '2026-12-05']);
    // November's hour is not on it, yet the invoice says it covers "1 Oct – 31 Dec 2026".
    expect(doc.period).toBe('1–31 Oct 2026, 1–31 Dec 2026');
    const pdf = await getDocumentProxy(new Uint8Array(await invoicePdf(doc, 'draft')));
    const { text } = await extractText(pdf, { mergePages: true });
    expect(text).not.toContain('1 Oct – 31 Dec 2026');
  });
});
