/**
 * User text in the PDFs: every row prints whole and on the page, whatever a description holds (a
 * pasted link, a checklist of a hundred lines), and a name the font cannot draw prints as U+FFFD.
 */
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { drawTablePdf } from '../../src/reports/detail-pdf.js';
import { printableText } from '../../src/reports/fonts.js';
import { invoicePdf } from '../../src/reports/invoice-pdf.js';
import { breakableWords, oneParagraph } from '../../src/reports/pdf-text.js';
import { buildPrepaidLogFiles } from '../../src/reports/prepaid-log-files.js';
import { reportLayout, tableItems } from '../../src/reports/report-layout.js';
import type { InvoiceDocument, InvoiceLineRow } from '../../src/services/invoice-documents.js';
import type { ArDetailRow } from '../../src/services/reports.js';

async function pages(bytes: Buffer): Promise<string[]> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  return (await extractText(pdf, { mergePages: false })).text;
}

/** A pasted checklist: 100 lines, 499 characters (the log form takes 500, on several lines). */
const CHECKLIST = Array.from({ length: 100 }, () => '- ok').join('\n');
/** A link of a real length, without a space to break at. */
const DOC_LINK = 'https://docs.google.com/document/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit';

function invoice(lines: Partial<InvoiceLineRow>[]): InvoiceDocument {
  const full = lines.map((line, i) => ({
    entryId: i + 1,
    workDate: `2026-11-0${i + 1}`,
    projectCode: 'ACME-WEB',
    projectName: 'Web',
    consultant: 'Alice',
    description: 'Design review',
    minutes: 60,
    roundedMinutes: 60,
    rate: 10000,
    amount: 10000,
    ...line,
  }));
  return {
    invoiceId: 1,
    kind: 'hourly',
    status: 'issued',
    number: '2026-0001',
    currency: 'USD',
    total: full.reduce((sum, line) => sum + line.amount, 0),
    period: '1–30 Nov 2026',
    issuedOn: '2026-12-01',
    dueOn: '2026-12-31',
    paymentTermsDays: 30,
    roundingMinutes: 0,
    voidReason: null,
    firm: { name: 'Doe & Partners', address: '', taxId: '' },
    customer: { code: 'ACME', name: 'Acme', address: '', taxId: '', billingEmail: '' },
    lines: full,
  };
}

describe('an invoice', () => {
  it('prints a line whose description is a checklist of a hundred lines, and the lines add up to the total', async () => {
    const text = (
      await pages(await invoicePdf(invoice([{ description: CHECKLIST }, { description: 'After' }]), 'issued'))
    ).join('\n');
    expect(text).toContain('2026-11-01 Alice - ok · - ok');
    expect(text).toContain('2026-11-02 Alice After');
    expect(text).toContain('Subtotal ACME-WEB · Web 2.00 200.00');
  });

  it('keeps every amount inside the page when a description holds a long link', async () => {
    const pdf = await getDocumentProxy(
      new Uint8Array(await invoicePdf(invoice([{ description: `Review ${DOC_LINK}` }]), 'issued')),
    );
    const items = (await (await pdf.getPage(1)).getTextContent()).items as {
      str: string;
      width: number;
      transform: number[];
    }[];
    const rightEdge = 595.28 - 40;
    const outside = items
      .filter((item) => item.str.trim() && item.transform[4]! + item.width > rightEdge + 0.5)
      .map((item) => `${item.str} ends at ${Math.round(item.transform[4]! + item.width)}`);
    expect(outside).toEqual([]);
    const text = (await extractText(pdf, { mergePages: true })).text;
    expect(text).toContain('Amount');
    expect(text).toContain('100.00');
  });
});

describe('a detail report', () => {
  it('keeps a row with a description of a hundred lines on one page, and "Page N of M" counts the pages there are', async () => {
    const layout = reportLayout('ar', 'detail');
    const row = (entryId: number, description: string) =>
      layout.line({
        entryId,
        workDate: '2026-11-03',
        customerCode: 'ACME',
        customerName: 'Acme',
        projectCode: 'ACME-WEB',
        projectName: 'Web',
        consultantUserId: 'UALICE',
        consultantName: 'Alice',
        description,
        minutes: 60,
        rate: 10000,
        amount: 10000,
        currency: 'USD',
        invoiceNumber: null,
      } satisfies ArDetailRow);
    const pdf = await drawTablePdf(
      {
        firmName: 'Doe & Partners',
        title: 'Accounts Receivable — Detail',
        shortTitle: 'AR detail',
        periods: '1–30 Nov 2026',
        filters: [],
        generated: 'Generated 1 Dec 2026',
      },
      layout.columns,
      [...tableItems([row(1, CHECKLIST), row(2, 'AFTER THE CHECKLIST')])],
      printableText(),
    );
    const text = await pages(pdf);
    expect(text).toHaveLength(1);
    expect(text[0]).toContain('Page 1 of 1');
    expect(text[0]).toContain('AFTER THE CHECKLIST');
  });
});

describe('a prepaid log', () => {
  it('prints a customer name the font cannot draw as U+FFFD in its title, not as empty boxes', async () => {
    const files = await buildPrepaidLogFiles(
      {
        customer: { code: 'TOKYO', name: '株式会社サクラ', currency: 'JPY' },
        from: '2026-11-01',
        to: '2026-11-30',
        openingMinutes: 600,
        movements: [],
        closingMinutes: 600,
        firmName: 'Doe & Partners',
        askedBy: { userId: 'UADMIN', name: 'Ann Admin' },
        asOf: new Date('2026-12-01T09:00:00Z'),
      },
      'UTC',
    );
    const [text] = await pages(files.find((file) => file.filename.endsWith('.pdf'))!.bytes);
    expect(text).toContain('Prepaid log — \uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD (TOKYO)');
  });
});

describe('text made to fit a cell', () => {
  it('joins lines with " · " without one at either end', () => {
    expect(oneParagraph('\n first\r\n\n second \n')).toBe('first · second');
  });

  it('breaks a long run between whole characters only, a letter kept with its accent', () => {
    const accented = 'e\u0301'.repeat(30);
    const pieces = breakableWords(`see ${accented}`).split('\u200B');
    expect(
      pieces.map((piece) => [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(piece)].length),
    ).toEqual([28, 6]);
    expect(pieces.every((piece) => !piece.startsWith('\u0301'))).toBe(true);
    expect(breakableWords('short words stay as they are')).toBe('short words stay as they are');
  });
});
