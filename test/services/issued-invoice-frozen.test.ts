/**
 * An issued invoice "can then only be voided, never changed" (the Issue confirm dialog). Its PDF is
 * rendered from the live customer and firm rows each time it is sent (the `/invoice list` PDF
 * button, a retried upload), so renaming a customer, moving it or changing the firm's tax id
 * rewrites invoices already issued and sent; the accounting export follows too.
 */
import { getDocumentProxy, extractText } from 'unpdf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invoicePdf } from '../../src/reports/invoice-pdf.js';
import { saveCustomer } from '../../src/services/customers.js';
import { invoiceDocument, invoiceExport } from '../../src/services/invoice-documents.js';
import { draftInvoices } from '../../src/services/invoices.js';
import { issueInvoice } from '../../src/services/invoice-decisions.js';
import { saveSettings } from '../../src/services/settings.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { asUser, serviceContext } from '../support/fixtures.js';
import { approvedSheet, entry, type InvoiceFirm, seedInvoiceFirm } from '../support/invoice-firm.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let firm: InvoiceFirm;
let clock: TestClock;
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeEach(async () => {
  database = await createTestDatabase();
  firm = await seedInvoiceFirm(database.db);
  clock = new TestClock('2026-12-10T12:00:00Z');
});
afterEach(async () => database.drop());

async function pdfText(bytes: Buffer): Promise<string> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  return (await extractText(pdf, { mergePages: true })).text;
}

describe('an issued invoice after its customer and the firm change', () => {
  it('keeps the customer and firm details it was issued with, in its PDF and in the accounting export', async () => {
    const { db } = database;
    expect((await saveSettings(as('UADMIN'), { firm_tax_id: 'OLD-TAX-1', firm_address: '1 Old Road' })).ok).toBe(true);
    const nov = await approvedSheet(db, firm.consultants.alice, firm.periods.nov);
    await entry(db, { sheet: nov, project: firm.projects['ACME-WEB'], date: '2026-11-03', minutes: 60, rate: 15000 });
    const drafted = await draftInvoices(as('UFIN'), { periods: [], customerCodes: ['ACME'], channel: 'C0FINANCE' });
    expect(drafted.ok).toBe(true);
    const invoiceId = drafted.ok ? drafted.drafted[0]!.invoiceId : 0;
    expect(await issueInvoice(as('UFIN'), { invoiceId })).toMatchObject({ ok: true, number: '2026-0001' });
    const asIssued = await pdfText(await invoicePdf((await invoiceDocument(db, invoiceId))!, 'issued'));
    expect(asIssued).toContain('Acme Corp');
    expect(asIssued).toContain('1 Main Street');
    expect(asIssued).toContain('US-99-1234567');
    expect(asIssued).toContain('OLD-TAX-1');

    // In January the customer is renamed and moves, and the firm gets a new tax id and address.
    clock.advance({ days: 40 });
    const renamed = await saveCustomer(as('UADMIN'), {
      id: firm.customers.ACME,
      code: 'ACME',
      name: 'Acme Holdings',
      currency: 'USD',
      billingMode: 'hourly',
      address: '9 New Avenue\nShelbyville',
      notes: '',
      invoicing: {
        paymentTermsDays: '14',
        taxId: 'US-11-7654321',
        billingEmail: 'ap@acme.example',
        invoiceRoundingMinutes: 15,
      },
    });
    expect(renamed.ok, JSON.stringify(renamed)).toBe(true);
    expect((await saveSettings(as('UADMIN'), { firm_tax_id: 'NEW-TAX-2', firm_address: '2 New Road' })).ok).toBe(true);

    // The PDF button on /invoice list re-renders invoice 2026-0001 now.
    const resent = await pdfText(await invoicePdf((await invoiceDocument(db, invoiceId))!, 'issued'));
    expect(resent).toContain('2026-0001');
    expect(resent, 'the issued invoice names the customer it was issued to').toContain('Acme Corp');
    expect(resent).toContain('1 Main Street');
    expect(resent).toContain('US-99-1234567');
    expect(resent, 'the issued invoice carries the firm tax id it was issued with').toContain('OLD-TAX-1');

    const exported = await invoiceExport(as('UFIN'), { periods: [{ kind: 'starts', on: '2026-12-01' }] });
    expect(exported.ok).toBe(true);
    if (exported.ok) expect(exported.export.rows[0]!.customerName).toBe('Acme Corp');
  }, 120_000);
});
