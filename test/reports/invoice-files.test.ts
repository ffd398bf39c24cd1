/**
 * What an invoice becomes on paper and in the accounting system: the PDF's text (number, lines,
 * subtotals, total, terms and rounding, in that order), the three CSV exports read back (each
 * invoice's amounts add up to its total), and AR detail naming the invoice of each invoiced entry.
 */
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customers, invoices, projects } from '../../src/db/schema.js';
import { minorUnitDigits, parseDecimal } from '../../src/domain/money.js';
import { invoiceCsvFiles, OWN_COLUMNS, QUICKBOOKS_COLUMNS, XERO_COLUMNS } from '../../src/reports/invoice-csv.js';
import { invoicePdf } from '../../src/reports/invoice-pdf.js';
import { invoiceDocument, invoiceExport } from '../../src/services/invoice-documents.js';
import { draftInvoices } from '../../src/services/invoices.js';
import { issueInvoice, voidInvoice } from '../../src/services/invoice-decisions.js';
import { planDetail, prepareReport, reportDetailPages } from '../../src/services/reports.js';
import { saveSettings } from '../../src/services/settings.js';
import type { ArDetailRow } from '../../src/services/reports.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { asUser, serviceContext } from '../support/fixtures.js';
import { approvedSheet, entry, type InvoiceFirm, seedInvoiceFirm } from '../support/invoice-firm.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let firm: InvoiceFirm;
const clock = new TestClock('2026-12-10T12:00:00Z');
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);
const ids: Record<string, number> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  firm = await seedInvoiceFirm(db);
  await saveSettings(as('UADMIN'), {
    firm_name: 'Doe & Partners',
    firm_address: '12 Harbour Road\nBristol BS1 4XX\nUnited Kingdom',
    firm_tax_id: 'GB123456789',
    invoice_account_code: '4000',
    invoice_tax_type: 'OUTPUT2',
  });
  const [kuwait] = await db
    .insert(customers)
    .values({ code: 'KW', name: 'Kuwait Trading', currency: 'KWD' })
    .returning();
  const [audit] = await db
    .insert(projects)
    .values({ code: 'KW-AUDIT', name: 'Audit', customerId: kuwait!.id })
    .returning();
  const alice = await approvedSheet(db, firm.consultants.alice, firm.periods.nov);
  const bob = await approvedSheet(db, firm.consultants.bob, firm.periods.nov);
  // ACME rounds to 15 minutes: 7 -> 15 (32.53), 50 -> 60 (130.10), 90 stays (225.00 at 150.00).
  ids.web7 = await entry(db, {
    sheet: alice,
    project: firm.projects['ACME-WEB'],
    date: '2026-11-03',
    minutes: 7,
    rate: 13010,
    description: 'Design review',
  });
  ids.web50 = await entry(db, {
    sheet: bob,
    project: firm.projects['ACME-WEB'],
    date: '2026-11-04',
    minutes: 50,
    rate: 13010,
    description: 'Löwe & <Ωmega> call',
  });
  ids.app90 = await entry(db, {
    sheet: alice,
    project: firm.projects['ACME-APP'],
    date: '2026-11-02',
    minutes: 90,
    rate: 15000,
    description: '=SUM(A1) sketch',
  });
  // KWD 1.301 x 45 min = 0.97575 -> 0.976; 3.000 x 20 min = 1.000
  ids.kw45 = await entry(db, {
    sheet: bob,
    project: audit!.id,
    date: '2026-11-05',
    minutes: 45,
    rate: 1301,
    description: 'Ledger audit',
  });
  ids.kw20 = await entry(db, {
    sheet: bob,
    project: audit!.id,
    date: '2026-11-06',
    minutes: 20,
    rate: 3000,
    description: 'Sign-off',
  });
  // BETA's time stays a draft, never issued.
  ids.beta = await entry(db, {
    sheet: alice,
    project: firm.projects['BETA-OPS'],
    date: '2026-11-07',
    minutes: 60,
    rate: 10000,
  });
  await draftInvoices(as('UFIN'), { periods: [], customerCodes: [], channel: 'C0FINANCE' });
  const drafts = await db.select().from(invoices).orderBy(invoices.id);
  for (const draft of drafts) ids[`invoice-${draft.customerId}`] = draft.id;
  expect(await issueInvoice(as('UFIN'), { invoiceId: ids[`invoice-${firm.customers.ACME}`]! })).toMatchObject({
    number: '2026-0001',
  });
  expect(await issueInvoice(as('UFIN'), { invoiceId: ids[`invoice-${kuwait!.id}`]! })).toMatchObject({
    number: '2026-0002',
  });
  ids.kuwait = kuwait!.id;
});
afterAll(async () => database.drop());

async function pdfText(bytes: Buffer): Promise<string> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(pdf, { mergePages: true });
  return text;
}

/** Each needle found after the one before it. */
function expectInOrder(text: string, needles: string[]): void {
  let at = 0;
  for (const needle of needles) {
    const found = text.indexOf(needle, at);
    expect(found, `"${needle}" after position ${at} in:\n${text}`).toBeGreaterThanOrEqual(0);
    at = found + needle.length;
  }
}

describe('the invoice PDF', () => {
  it('shows firm, customer, number and dates, lines by project with subtotals, the total, terms and rounding, in order', async () => {
    const doc = (await invoiceDocument(database.db, ids[`invoice-${firm.customers.ACME}`]!))!;
    const text = await pdfText(await invoicePdf(doc, 'issued'));
    expectInOrder(text, [
      'Doe & Partners',
      '12 Harbour Road',
      'Tax id: GB123456789',
      'INVOICE',
      '2026-0001',
      'BILL TO',
      'Acme Corp',
      '1 Main Street',
      'Tax id: US-99-1234567',
      'ap@acme.example',
      'Issue date',
      '2026-12-10',
      'Due date',
      '2026-12-24',
      '1–30 Nov 2026',
      'ACME-APP · Mobile app',
      '2026-11-02',
      'Alice Doe',
      '=SUM(A1) sketch',
      '1.50',
      '150.00',
      '225.00',
      'Subtotal ACME-APP · Mobile app',
      '225.00',
      'ACME-WEB · Website relaunch',
      '2026-11-03',
      'Design review',
      '0.25',
      '130.10',
      '32.53',
      '2026-11-04',
      'Bob Öberg',
      'Löwe & <Ωmega> call',
      '1.00',
      '130.10',
      'Subtotal ACME-WEB · Website relaunch',
      '1.25',
      '162.63',
      'Total USD',
      '387.63',
      'Payment due within 14 days of the issue date, by 2026-12-24.',
      'Time rounded up to 15-minute increments.',
    ]);
    expect(text).not.toContain('DRAFT');
  });

  it('a draft says DRAFT instead of a number; a void invoice says VOID and why', async () => {
    const draft = (await invoiceDocument(database.db, ids[`invoice-${firm.customers.BETA}`]!))!;
    const draftText = await pdfText(await invoicePdf(draft, 'draft'));
    expectInOrder(draftText, [
      'INVOICE',
      'DRAFT',
      'Beta GmbH',
      'on issue',
      '30 days after issue',
      'Total EUR',
      '100.00',
    ]);
    expect(draftText).not.toContain('rounded up');

    const { db } = database;
    const [spare] = await db
      .insert(invoices)
      .values({
        customerId: firm.customers.BETA,
        kind: 'hourly',
        currency: 'EUR',
        totalCents: 0,
        status: 'void',
        number: 'X-1',
        issuedOn: '2026-12-01',
        dueOn: '2026-12-31',
        voidReason: 'sent to the wrong company',
      })
      .returning();
    const voided = (await invoiceDocument(db, spare!.id))!;
    expectInOrder(await pdfText(await invoicePdf(voided, 'void')), [
      'X-1',
      'VOID',
      'This invoice is void: sent to the wrong company',
    ]);
    await db.delete(invoices).where(eq(invoices.id, spare!.id));
  });
});

describe('the accounting exports', () => {
  function records(bytes: Buffer): Record<string, string>[] {
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    return parse(bytes.toString('utf8'), { bom: true, columns: true, record_delimiter: '\r\n' });
  }
  const minor = (text: string, currency: string) => {
    const value = parseDecimal(text, minorUnitDigits(currency));
    expect(value, `${text} in ${currency}`).not.toBeUndefined();
    return value!;
  };
  /** quantity x unit amount in minor units, exactly (quantities have at most 4 decimals). */
  const product = (quantity: string, unit: string, currency: string) => {
    const scaled = minor(unit, currency) * parseDecimal(quantity, 4)!;
    expect(scaled % 10_000, `${quantity} x ${unit} is not a whole amount`).toBe(0);
    return scaled / 10_000;
  };

  it('Xero, QuickBooks and our own CSV parse back, one row per line, and each invoice adds up to its total', async () => {
    const exported = await invoiceExport(as('UFIN'), { periods: [{ kind: 'this' }] });
    expect(exported.ok).toBe(true);
    if (!exported.ok) return;
    expect(exported.export).toMatchObject({ invoices: 2, periods: '1–31 Dec 2026' });
    const [xero, quickbooks, own] = invoiceCsvFiles(exported.export);
    expect([xero!.filename, quickbooks!.filename, own!.filename]).toEqual([
      'invoices-2026-12-01-to-2026-12-31-xero.csv',
      'invoices-2026-12-01-to-2026-12-31-quickbooks.csv',
      'invoices-2026-12-01-to-2026-12-31.csv',
    ]);
    const totals = { '2026-0001': { amount: 38763, currency: 'USD' }, '2026-0002': { amount: 1976, currency: 'KWD' } };

    const x = records(xero!.bytes);
    expect(Object.keys(x[0]!)).toEqual([...XERO_COLUMNS]);
    expect(x).toHaveLength(5);
    expect(x[0]).toMatchObject({
      '*ContactName': 'Acme Corp',
      EmailAddress: 'ap@acme.example',
      POAddressLine1: '1 Main Street, Springfield 12345, USA',
      '*InvoiceNumber': '2026-0001',
      '*InvoiceDate': '10/12/2026',
      '*DueDate': '24/12/2026',
      '*Quantity': '1.5',
      '*UnitAmount': '150.00',
      '*AccountCode': '4000',
      '*TaxType': 'OUTPUT2',
      Currency: 'USD',
    });
    // 7 minutes billed as 15 at 130.10: 0.25 h x 130.10 = 32.525, not the line's 32.53, so one unit at 32.53.
    expect(x[1]).toMatchObject({ '*Quantity': '1', '*UnitAmount': '32.53' });
    for (const [number, total] of Object.entries(totals)) {
      const rows = x.filter((r) => r['*InvoiceNumber'] === number);
      expect(rows.reduce((sum, r) => sum + product(r['*Quantity']!, r['*UnitAmount']!, total.currency), 0)).toBe(
        total.amount,
      );
    }

    const q = records(quickbooks!.bytes);
    expect(Object.keys(q[0]!)).toEqual([...QUICKBOOKS_COLUMNS]);
    expect(q[0]).toMatchObject({
      'Invoice no': '2026-0001',
      Customer: 'Acme Corp',
      'Invoice date': '12/10/2026',
      'Due date': '12/24/2026',
      Terms: 'Net 14',
      'Service Date': '11/02/2026',
    });
    for (const [number, total] of Object.entries(totals)) {
      const rows = q.filter((r) => r['Invoice no'] === number);
      expect(rows.reduce((sum, r) => sum + minor(r['Item Amount']!, total.currency), 0)).toBe(total.amount);
      for (const r of rows)
        expect(product(r['Item Quantity']!, r['Item Rate']!, total.currency)).toBe(
          minor(r['Item Amount']!, total.currency),
        );
    }

    const o = records(own!.bytes);
    expect(Object.keys(o[0]!)).toEqual([...OWN_COLUMNS]);
    expect(o.map((r) => Number(r.entry_id))).toEqual([ids.app90, ids.web7, ids.web50, ids.kw45, ids.kw20]);
    expect(o[1]).toMatchObject({
      minutes: '7',
      rounded_minutes: '15',
      rate: '130.10',
      amount: '32.53',
      status: 'issued',
      customer_code: 'ACME',
    });
    expect(o[3]).toMatchObject({
      minutes: '45',
      rounded_minutes: '45',
      rate: '1.301',
      amount: '0.976',
      currency: 'KWD',
    });
    // A formula in a description is written so a spreadsheet shows it as text.
    expect(o[0]!.description).toBe("'=SUM(A1) sketch");
    for (const [number, total] of Object.entries(totals))
      expect(
        o.filter((r) => r.invoice_number === number).reduce((sum, r) => sum + minor(r.amount!, total.currency), 0),
      ).toBe(total.amount);
  });

  it('leaves void invoices out, and says so when nothing was issued in the periods', async () => {
    expect(await invoiceExport(as('UFIN'), { periods: [{ kind: 'last' }] })).toMatchObject({
      ok: false,
      error: { code: 'nothing_issued', message: expect.stringContaining('No invoice was issued in 1–30 Nov 2026') },
    });
  });
});

describe('AR detail', () => {
  it('names the issued invoice of each invoiced entry; drafted and voided time has none', async () => {
    const acme = ids[`invoice-${firm.customers.ACME}`]!;
    const prepared = await prepareReport(as('UFIN'), {
      kind: 'ar',
      level: 'detail',
      periods: [],
      customerCodes: [],
      projectCodes: [],
      consultantUserIds: [],
    });
    if (!prepared.ok) throw new Error(prepared.error.message);
    const read = async () => {
      const rows: ArDetailRow[] = [];
      for await (const page of reportDetailPages(
        as('UFIN'),
        prepared.spec,
        await planDetail(as('UFIN'), prepared.spec),
      ))
        rows.push(...(page as ArDetailRow[]));
      return new Map(rows.map((r) => [r.entryId, r.invoiceNumber]));
    };
    const numbers = await read();
    expect([ids.app90, ids.web7, ids.web50, ids.kw45, ids.beta].map((id) => numbers.get(id!))).toEqual([
      '2026-0001',
      '2026-0001',
      '2026-0001',
      '2026-0002',
      null,
    ]);
    await voidInvoice(as('UFIN'), { invoiceId: acme, reason: 'wrong address' });
    expect((await read()).get(ids.web7!)).toBeNull();
  });
});
