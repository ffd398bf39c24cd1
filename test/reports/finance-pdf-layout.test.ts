/**
 * What finance reads on paper: every figure of a row prints on that row, a page never ends with a
 * heading whose lines are on the next page, and every page carries the column header.
 */
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { amountForMinutes } from '../../src/domain/money.js';
import { printableText } from '../../src/reports/fonts.js';
import { invoicePdf } from '../../src/reports/invoice-pdf.js';
import { reportLayout, tableItems } from '../../src/reports/report-layout.js';
import { layOutTablePdf } from '../../src/reports/summary-pdf.js';
import type { InvoiceDocument, InvoiceLineRow } from '../../src/services/invoice-documents.js';
import type { ApSummaryRow } from '../../src/services/reports.js';

type TextItem = { str: string; width: number; transform: number[] };

async function pageItems(bytes: Buffer): Promise<TextItem[][]> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const pages: TextItem[][] = [];
  for (let n = 1; n <= pdf.numPages; n++)
    pages.push(((await (await pdf.getPage(n)).getTextContent()).items as TextItem[]).filter((i) => i.str.trim()));
  return pages;
}

/** A month of one large engagement: 130 days of 8 hours at 1,000.00 an hour on one project. */
function largeInvoice(): InvoiceDocument {
  const lines: InvoiceLineRow[] = Array.from({ length: 130 }, (_, i) => ({
    entryId: i + 1,
    workDate: '2026-11-02',
    projectCode: 'ACME-WEB',
    projectName: 'Web',
    consultant: `Consultant ${i % 7}`,
    description: 'Implementation',
    minutes: 480,
    roundedMinutes: 480,
    rate: 100_000,
    amount: amountForMinutes(480, 100_000),
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

describe('an invoice with a large project', () => {
  it('prints the subtotal hours (1040.00) and amount (1,040,000.00) whole, on the subtotal line', async () => {
    const pages = await pageItems(await invoicePdf(largeInvoice(), 'issued'));
    const last = pages.at(-1)!;
    const label = last.find((item) => item.str.startsWith('Subtotal ACME-WEB'))!;
    expect(label).toBeDefined();
    const sameLine = last
      .filter((item) => Math.abs(item.transform[5]! - label.transform[5]!) < 1)
      .map((item) => item.str.trim());
    // Columns of a fixed 34 and 60 pt wrapped them: "1040.0" / "0", "1,040,000.0" / "0".
    expect(sameLine).toContain('1040.00');
    expect(sameLine).toContain('1,040,000.00');
  });
});

describe('an invoice over two pages', () => {
  it('never ends page 1 with a project heading whose lines are all on page 2', async () => {
    // 32 lines of ACME-WEB fill page 1 to its last row; ACME-APP's heading lands there, its lines on page 2.
    const doc = largeInvoice();
    doc.lines = [
      ...Array.from({ length: 32 }, (_, i) => ({
        ...doc.lines[i]!,
        minutes: 60,
        roundedMinutes: 60,
        rate: 10000,
        amount: 10000,
      })),
      ...Array.from({ length: 5 }, (_, i) => ({
        ...doc.lines[i]!,
        entryId: 100 + i,
        projectCode: 'ACME-APP',
        projectName: 'Mobile app',
        minutes: 60,
        roundedMinutes: 60,
        rate: 10000,
        amount: 10000,
      })),
    ];
    doc.total = doc.lines.reduce((sum, line) => sum + line.amount, 0);
    const pdf = await getDocumentProxy(new Uint8Array(await invoicePdf(doc, 'issued')));
    const pages = (await extractText(pdf, { mergePages: false })).text;
    expect(pages).toHaveLength(2);
    const firstPageTable = pages[0]!.replace(/Doe & Partners · Invoice 2026-0001.*$/s, '').trim();
    expect(firstPageTable).not.toMatch(/ACME-APP · Mobile app$/);
  });
});

/** The text of each page of an AP summary of 120 consultants with three projects each. */
async function apSummaryPages(): Promise<string[]> {
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
  const pdf = await layOutTablePdf(
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
  return (await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: false })).text;
}

describe('an AP summary over several pages', () => {
  it('never ends a page with a consultant heading whose project lines are on the next page', async () => {
    const pages = await apSummaryPages();
    expect(pages.length).toBeGreaterThan(5);
    const orphaned: string[] = [];
    pages.forEach((text, index) => {
      // The page's last consultant heading (not its "Total …" line) must have a project line after it on the same page.
      const headings = [...text.matchAll(/(?<!Total )(Consultant \d{3} \(U\d{3}\) · USD)/g)];
      const last = headings.at(-1);
      if (!last) return;
      const after = text.slice(last.index + last[0].length);
      if (!/P\d · Project \d/.test(after)) orphaned.push(`page ${index + 1} ends with "${last[1]}"`);
    });
    expect(orphaned).toEqual([]);
  });

  it('repeats the column header (Project, Hours, Amount) on every page', async () => {
    const pages = await apSummaryPages();
    expect(pages.filter((text) => !/^Project Hours Amount$/m.test(text)).length).toBe(0);
  });
});

describe('an invoice over several pages', () => {
  it('repeats the column header on every page that carries lines', async () => {
    const pdf = await getDocumentProxy(new Uint8Array(await invoicePdf(largeInvoice(), 'issued')));
    const pages = (await extractText(pdf, { mergePages: false })).text;
    expect(pages.length).toBeGreaterThan(2);
    const withoutHeader = pages.flatMap((text, index) =>
      text.includes('Implementation') && !text.includes('Date Consultant Description Hours Rate Amount')
        ? [`page ${index + 1}`]
        : [],
    );
    expect(withoutHeader).toEqual([]);
  });
});
