/**
 * The accounting exports of a line whose time was rounded up: Xero and QuickBooks get the billed
 * hours at the hourly rate whenever that product is the line's amount exactly, as for any other line.
 */
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { invoiceLines, invoices } from '../../src/db/schema.js';
import { invoiceCsvFiles } from '../../src/reports/invoice-csv.js';
import { issueInvoice } from '../../src/services/invoice-decisions.js';
import { invoiceExport } from '../../src/services/invoice-documents.js';
import { draftInvoices } from '../../src/services/invoices.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { asUser, serviceContext } from '../support/fixtures.js';
import { approvedSheet, entry, type InvoiceFirm, seedInvoiceFirm } from '../support/invoice-firm.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let firm: InvoiceFirm;
const clock = new TestClock('2026-12-10T12:00:00Z');
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);
const records = (bytes: Buffer) =>
  parse<Record<string, string>>(bytes.toString('utf8').replace(/^\uFEFF/, ''), { columns: true });

beforeEach(async () => {
  database = await createTestDatabase();
  firm = await seedInvoiceFirm(database.db);
});
afterEach(async () => database.drop());

it('exports 20 minutes billed as 30 at 150.00 as 0.5 hours x 150.00, not one unit of 75.00', async () => {
  const sheet = await approvedSheet(database.db, firm.consultants.alice, firm.periods.nov);
  await entry(database.db, { sheet, project: firm.projects['ACME-WEB'], date: '2026-11-03', minutes: 20, rate: 15000 });
  await draftInvoices(as('UFIN'), { periods: [], customerCodes: ['ACME'], channel: 'C0FINANCE' });
  const [draft] = await database.db.select().from(invoices);
  expect((await issueInvoice(as('UFIN'), { invoiceId: draft!.id })).ok).toBe(true);
  expect(await database.db.select().from(invoiceLines)).toMatchObject([
    { minutes: 20, roundedMinutes: 30, rateCents: 15000, amountCents: 7500 },
  ]);

  const exported = await invoiceExport(as('UFIN'), { periods: [{ kind: 'this' }] });
  if (!exported.ok) throw new Error(exported.error.message);
  const [xero, quickbooks] = invoiceCsvFiles(exported.export);
  expect(records(xero!.bytes)).toMatchObject([{ '*Quantity': '0.5', '*UnitAmount': '150.00' }]);
  expect(records(quickbooks!.bytes)).toMatchObject([
    { 'Item Quantity': '0.5', 'Item Rate': '150.00', 'Item Amount': '75.00' },
  ]);
});
