/**
 * The invoice a firm sends: sender and customer blocks, number (or DRAFT) and dates, lines grouped
 * by project with subtotals, the total, payment terms and the rounding note. A draft or void one
 * carries a large watermark so it cannot be mistaken for a live invoice. Laid out by pdfmake with
 * the embedded DejaVu fonts (summary-pdf.ts registers them).
 */
import pdfmake from 'pdfmake';
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { formatHoursDecimal } from '../domain/duration.js';
import { paymentTermsNote, roundingNote } from '../domain/invoices.js';
import { groupedAmount } from '../domain/money.js';
import type { InvoiceDocument, InvoiceLineRow } from '../services/invoice-documents.js';
import { boldTextWidth, printableText } from './fonts.js';
import { breakableWords, oneParagraph } from './pdf-text.js';
import './summary-pdf.js';

const GREY = '#666666';
const RULE = '#d0d0d0';
const ACCENT = '#1f3a5f';
const FONT_SIZE = 8.5;

export type InvoiceVariant = 'draft' | 'issued' | 'void';

let printable: ((text: string) => string) | undefined;

export async function invoicePdf(doc: InvoiceDocument, variant: InvoiceVariant): Promise<Buffer> {
  printable ??= printableText();
  const p = printable;
  const money = (minor: number) => groupedAmount(minor, doc.currency);
  const title = variant === 'draft' || !doc.number ? 'DRAFT' : doc.number;

  const firmLines = [
    {
      text: p(doc.firm.name || 'Your firm name (set it in /admin > Settings)'),
      bold: true,
      fontSize: 14,
      color: ACCENT,
    },
    ...doc.firm.address
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ text: p(line), color: GREY })),
    ...(doc.firm.taxId ? [{ text: `Tax id: ${p(doc.firm.taxId)}`, color: GREY }] : []),
  ];
  const facts: [string, string][] = [
    ['Invoice number', title],
    ['Issue date', variant === 'draft' ? 'on issue' : (doc.issuedOn ?? '')],
    ['Due date', variant === 'draft' ? `${doc.paymentTermsDays} days after issue` : (doc.dueOn ?? '')],
    ['Period', doc.period],
    ['Currency', doc.currency],
  ];
  const customerLines = [
    { text: 'BILL TO', fontSize: 7, bold: true, color: GREY, margin: [0, 0, 0, 2] as [number, number, number, number] },
    { text: p(doc.customer.name), bold: true },
    ...doc.customer.address
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ text: p(line) })),
    ...(doc.customer.taxId ? [{ text: `Tax id: ${p(doc.customer.taxId)}` }] : []),
    ...(doc.customer.billingEmail ? [{ text: p(doc.customer.billingEmail), color: GREY }] : []),
    { text: `Customer ${doc.customer.code}`, color: GREY },
  ];

  const header: TableCell[] = ['Date', 'Consultant', 'Description', 'Hours', 'Rate', 'Amount'].map((text, i) => ({
    text,
    bold: true,
    color: 'white',
    fillColor: ACCENT,
    alignment: i >= 3 ? 'right' : 'left',
  }));
  const groups = byProject(doc.lines);
  // One table per project, its title as the header row: the title never ends a page without its
  // first line (keepWithHeaderRows) and repeats on the next page when the project goes on.
  const tables: TableCell[][][] = groups.map((group) => [
    [{ text: p(group.title), bold: true, colSpan: 6, margin: [0, 4, 0, 0] }, ...blanks(5)],
    ...group.lines.map((line): TableCell[] => [
      { text: line.workDate ?? '' },
      { text: p(breakableWords(line.consultant ?? '')) },
      { text: p(breakableWords(oneParagraph(line.description))) },
      { text: line.roundedMinutes === null ? '' : formatHoursDecimal(line.roundedMinutes), alignment: 'right' },
      { text: line.rate === null ? '' : money(line.rate), alignment: 'right' },
      { text: money(line.amount), alignment: 'right' },
    ]),
    [
      { text: `Subtotal ${p(group.title)}`, colSpan: 3, bold: true, alignment: 'right' },
      ...blanks(2),
      { text: formatHoursDecimal(group.minutes), bold: true, alignment: 'right' },
      { text: '' },
      { text: money(group.amount), bold: true, alignment: 'right' },
    ],
  ]);
  // The figures' columns as wide as their widest figure (in bold, as subtotals print), so none wraps.
  const figureWidth = (figures: string[], least: number) =>
    Math.max(least, ...figures.map((figure) => Math.ceil(boldTextWidth(figure, FONT_SIZE))));
  const widths = [
    52,
    100,
    '*',
    figureWidth(
      groups.map((group) => formatHoursDecimal(group.minutes)),
      34,
    ),
    figureWidth(
      doc.lines.flatMap((line) => (line.rate === null ? [] : [money(line.rate)])),
      50,
    ),
    figureWidth(
      groups.map((group) => money(group.amount)),
      60,
    ),
  ];
  const ruled = {
    hLineColor: () => RULE,
    vLineWidth: () => 0,
    paddingTop: () => 3,
    paddingBottom: () => 3,
  };
  // The column header heads page 1's lines; later pages carry it in their page header, above the
  // project tables (each project's title repeats as its own table's header row).
  const columnHeader = (): Content => ({
    table: { widths, body: [header] },
    layout: { ...ruled, hLineWidth: () => 0 },
  });

  const notes = [
    paymentTermsNote(doc.paymentTermsDays, variant === 'draft' ? null : doc.dueOn),
    roundingNote(doc.roundingMinutes),
    variant === 'void' && doc.voidReason ? `This invoice is void: ${p(doc.voidReason)}` : undefined,
  ].filter((note): note is string => note !== undefined);

  const content: Content[] = [
    {
      columns: [
        { stack: firmLines, width: '*' },
        {
          width: 'auto',
          stack: [
            { text: 'INVOICE', fontSize: 22, bold: true, color: ACCENT, alignment: 'right' },
            { text: title, fontSize: 12, bold: true, alignment: 'right', margin: [0, 2, 0, 0] },
            ...(variant === 'void'
              ? [{ text: 'VOID', fontSize: 12, bold: true, color: '#c0392b', alignment: 'right' as const }]
              : []),
          ],
        },
      ],
    },
    { canvas: [{ type: 'line', x1: 0, y1: 8, x2: 515, y2: 8, lineWidth: 1, lineColor: ACCENT }] },
    {
      margin: [0, 14, 0, 18],
      columns: [
        { stack: customerLines, width: '*' },
        {
          width: 210,
          table: {
            widths: [90, '*'],
            body: facts.map(([label, value]) => [
              { text: label, color: GREY },
              { text: value, bold: label === 'Invoice number', alignment: 'right' },
            ]),
          },
          layout: 'noBorders',
        },
      ],
    },
    columnHeader(),
    ...tables.map((body) => ({
      table: { headerRows: 1, keepWithHeaderRows: 1, dontBreakRows: true, widths, body },
      layout: { ...ruled, hLineWidth: (i: number) => (i === 0 ? 0 : 0.4) },
    })),
    {
      margin: [0, 10, 0, 0],
      columns: [
        { text: '', width: '*' },
        {
          width: 220,
          table: {
            widths: ['*', 'auto'],
            body: [
              [
                { text: `Total ${doc.currency}`, bold: true, fontSize: 11 },
                { text: money(doc.total), bold: true, fontSize: 11, alignment: 'right' },
              ],
            ],
          },
          layout: {
            hLineWidth: (i: number) => (i === 0 ? 1 : 0),
            hLineColor: () => ACCENT,
            vLineWidth: () => 0,
          },
        },
      ],
    },
    { margin: [0, 18, 0, 0], stack: notes.map((note) => ({ text: note, color: GREY, margin: [0, 0, 0, 2] })) },
  ];

  const watermark = variant === 'draft' ? 'DRAFT' : variant === 'void' ? 'VOID' : undefined;
  const definition: TDocumentDefinitions = {
    pageSize: 'A4',
    pageMargins: [40, 56, 40, 48],
    header: (page) => (page > 1 ? { margin: [40, 30, 40, 0], stack: [columnHeader()] } : null),
    info: {
      title: `Invoice ${title} · ${doc.customer.name}`,
      author: doc.firm.name,
      creator: 'ConsulTracker',
    },
    defaultStyle: { font: 'DejaVuSans', fontSize: FONT_SIZE },
    ...(watermark ? { watermark: { text: watermark, color: '#c0392b', opacity: 0.15, bold: true } } : {}),
    footer: (page, pages) => ({
      columns: [
        { text: `${p(doc.firm.name)}${doc.firm.name ? ' · ' : ''}Invoice ${title}`, fontSize: 7, color: GREY },
        { text: `Page ${page} of ${pages}`, fontSize: 7, color: GREY, alignment: 'right' },
      ],
      margin: [40, 16, 40, 0],
    }),
    content,
  };
  return pdfmake.createPdf(definition).getBuffer();
}

type ProjectGroup = { title: string; lines: InvoiceLineRow[]; minutes: number; amount: number };

/** Lines by project in their order; a top-up's line (no project) makes its own group. */
function byProject(lines: InvoiceLineRow[]): ProjectGroup[] {
  const groups: ProjectGroup[] = [];
  for (const line of lines) {
    const title = line.projectCode ? `${line.projectCode} · ${line.projectName ?? ''}` : 'Prepaid time';
    let group = groups.at(-1);
    if (group?.title !== title) groups.push((group = { title, lines: [], minutes: 0, amount: 0 }));
    group.lines.push(line);
    group.minutes += line.roundedMinutes ?? 0;
    group.amount += line.amount;
  }
  return groups;
}

function blanks(count: number): TableCell[] {
  return Array.from({ length: count }, () => ({ text: '' }));
}
