/**
 * An invoice over several pages prints its column header (Date, Consultant, Description, Hours,
 * Rate, Amount) at the top of every page: page 2 of a long project is otherwise a column of bare
 * figures. A summary likewise (Project, Hours, Amount).
 */
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { amountForMinutes } from '../../src/domain/money.js';
import { printableText } from '../../src/reports/fonts.js';
import { invoicePdf } from '../../src/reports/invoice-pdf.js';
import { reportLayout, tableItems } from '../../src/reports/report-layout.js';
import { layOutTablePdf } from '../../src/reports/summary-pdf.js';
import type { ApSummaryRow } from '../../src/services/reports.js';
import type { InvoiceDocument, InvoiceLineRow } from '../../src/services/invoice-documents.js';

function longInvoice(): InvoiceDocument {
  const lines: InvoiceLineRow[] = Array.from({ length: 130 }, (_, i) => ({
    entryId: i + 1,
    workDate: '2026-11-02',
    projectCode: i < 100 ? 'ACME-WEB' : 'ACME-APP',
    projectName: i < 100 ? 'Web' : 'App',
    consultant: `Person ${i % 7}`,
    description: 'Implementation',
    minutes: 480,
    roundedMinutes: 480,
    rate: 15_000,
    amount: amountForMinutes(480, 15_000),
  }));
  return {
    invoiceId: 1,
    kind: 'hourly',
    status: 'issued',
    number: '2026-0001',
    currency: 'USD',
    total: lines.reduce((sum, line) => sum + line.amount, 0),
    period: '1–30 Nov 2026',
    issuedOn: '2026-12-01',
    dueOn: '2026-12-31',
    paymentTermsDays: 30,
    roundingMinutes: 0,
    voidReason: null,
    firm: { name: 'Doe & Partners', address: '', taxId: '' },
    customer: { code: 'ACME', name: 'Acme', address: '', taxId: '', billingEmail: '' },
    lines,
  };
}

describe('an invoice over several pages', () => {
  it('repeats the column header on every page that carries lines', async () => {
    const pdf = await getDocumentProxy(new Uint8Array(await invoicePdf(longInvoice(), 'issued')));
    const pages = (await extractText(pdf, { mergePages: false })).text;
    expect(pages.length).toBeGreaterThan(2);
    const withoutHeader = pages
      .map((text, index) => ({ text, page: index + 1 }))
      .filter(({ text }) => text.includes('Implementation') && !/Description/.test(text))
      .map(({ page }) => `page ${page}`);
    expect(withoutHeader).toEqual([]);
  });
});

describe('an AP summary over several pages', () => {
  it('repeats the column header on every page', async () => {
    const layout = reportLayout('ap', 'summary');
    const rows: ApSummaryRow[] = [];
    for (let k = 0; k < 120; k++)
      for (let p = 0; p < 3; p++)
        rows.push({
          consultantUserId: `U${String(k).padStart(3, '0')}`,
          consultantName: `Consultant ${String(k).padStart(3, '0')}`,
          currency: 'USD',
          projectCode: `P${p}`,
          projectName: `Project ${p}`,
          minutes: 9000 + k,
          amount: BigInt(100_000 + k),
        });
    const bytes = await layOutTablePdf(
      {
        firmName: 'Doe & Partners',
        title: 'Accounts Payable — Summary',
        shortTitle: 'AP summary',
        periods: '1–30 Nov 2026',
        filters: [],
        generated: 'Generated 1 Dec 2026',
      },
      layout.columns,
      [...tableItems(rows.map((row) => layout.line(row)))],
      printableText(),
    );
    const pages = (await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: false })).text;
    expect(pages.length).toBeGreaterThan(5);
    const withoutHeader = pages.flatMap((text, index) => (/\bHours\b/.test(text) ? [] : [`page ${index + 1}`]));
    expect(withoutHeader).toEqual([]);
  });
});
