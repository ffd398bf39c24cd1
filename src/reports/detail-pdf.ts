/**
 * Draws a long report table with pdfkit directly: measured 3x faster than pdfmake's table on
 * 20,000 rows here (bench/README.md, "Report PDFs"). Two passes: the first measures every row and
 * cuts pages, so "Page N of M" is known before anything is drawn; the second draws page by page,
 * and pdfkit writes out each page when the next one starts, so memory stays flat.
 */
import PDFDocument from 'pdfkit';
import { FONT_FILES } from './fonts.js';
import type { ReportHeading } from './report-heading.js';
import type { Column, TableItem } from './report-layout.js';
import { oneParagraph } from './pdf-text.js';

const PAGE = { width: 595.28, height: 841.89, margin: 40 };
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const BOTTOM = PAGE.height - PAGE.margin - 16;
const FONT_SIZE = 8;
const PAD = 2;
const GREY = '#555555';
const RULE = '#cccccc';

type Placed = { item: TableItem | { type: 'continued'; title: string }; y: number; height: number };

export async function drawTablePdf(
  heading: ReportHeading,
  columns: Column[],
  items: TableItem[],
  printable: (text: string) => string,
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    // The footer sits below the table's bottom edge; pdfkit would start a new page for text past its margin.
    margins: { top: PAGE.margin, left: PAGE.margin, right: PAGE.margin, bottom: 10 },
    // Fonts are selected by file path: pdfkit caches them by that key, and parses each file once.
    font: FONT_FILES.regular,
    info: { Title: `${heading.title} · ${heading.periods}`, Author: heading.firmName, Creator: 'ConsulTracker' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const widths = columnWidths(columns);
  const starts = widths.map((_, i) => PAGE.margin + widths.slice(0, i).reduce((a, b) => a + b, 0));
  const wrapColumn = columns.findIndex((c) => c.width === '*');
  const hoursColumn = columns.findIndex((c) => c.header === 'Hours');
  // Made printable in place: a copy of 20,000 rows would double the memory the table takes.
  for (const item of items) {
    if (item.type === 'line') item.cells = item.cells.map((cell) => printable(oneParagraph(cell)));
    else if (item.type === 'total') item.label = printable(item.label);
    else item.title = printable(item.title);
  }
  const text = items;
  const headingLines = headingBlock(heading, printable);

  // Pass 1: measure and cut pages.
  const heightOf = (item: Placed['item']): number => {
    switch (item.type) {
      case 'section':
        return 18;
      case 'group':
      case 'continued':
        return 13;
      case 'total':
        return item.level === 'grand' ? 16 : 13;
      case 'line': {
        doc.font(FONT_FILES.regular).fontSize(FONT_SIZE);
        const wrapped = doc.heightOfString(item.cells[wrapColumn] ?? '', { width: widths[wrapColumn]! - 2 * PAD });
        return Math.max(FONT_SIZE + 2, wrapped) + 2 * PAD;
      }
    }
  };
  const headingHeight = measureHeading(doc, headingLines);
  const pages: Placed[][] = [[]];
  let y = PAGE.margin + headingHeight + tableHeaderHeight();
  let section: string | undefined;
  for (const [index, item] of text.entries()) {
    if (item.type === 'section') section = item.title;
    const height = heightOf(item);
    // A heading keeps the headings under it and their first line with it.
    let needed = height;
    for (let next = index + 1; isHeading(item) && next < text.length; next++) {
      needed += heightOf(text[next]!);
      if (!isHeading(text[next]!)) break;
    }
    if (y + needed > BOTTOM && pages.at(-1)!.length > 0) {
      pages.push([]);
      y = PAGE.margin + runningHeaderHeight() + tableHeaderHeight();
      if (item.type !== 'section' && section !== undefined) {
        const continued = { type: 'continued' as const, title: `${section} (continued)` };
        pages.at(-1)!.push({ item: continued, y, height: heightOf(continued) });
        y += heightOf(continued);
      }
    }
    pages.at(-1)!.push({ item, y, height });
    y += height;
  }

  // Pass 2: draw.
  for (const [pageIndex, placed] of pages.entries()) {
    if (pageIndex > 0) doc.addPage();
    let top = PAGE.margin;
    if (pageIndex === 0) top = drawHeading(doc, headingLines);
    else {
      doc.font(FONT_FILES.regular).fontSize(7).fillColor(GREY);
      doc.text(
        `${heading.firmName ? `${printable(heading.firmName)} · ` : ''}${printable(heading.title)} · ${printable(heading.periods)}`,
        PAGE.margin,
        top,
        {
          width: CONTENT_WIDTH,
          lineBreak: false,
        },
      );
      top += runningHeaderHeight();
    }
    drawTableHeader(doc, columns, widths, starts, top);
    for (const { item, y: rowTop, height } of placed)
      drawItem(doc, item, rowTop, height, { widths, starts, columns, wrapColumn, hoursColumn });
    doc.font(FONT_FILES.regular).fontSize(7).fillColor(GREY);
    doc.text(printable(heading.generated), PAGE.margin, PAGE.height - PAGE.margin - 8, {
      width: CONTENT_WIDTH / 2 + 80,
      lineBreak: false,
    });
    doc.text(
      `Page ${pageIndex + 1} of ${pages.length}`,
      PAGE.margin + CONTENT_WIDTH / 2,
      PAGE.height - PAGE.margin - 8,
      {
        width: CONTENT_WIDTH / 2,
        align: 'right',
        lineBreak: false,
      },
    );
  }
  doc.end();
  return finished;
}

function isHeading(item: Placed['item']): boolean {
  return item.type === 'section' || item.type === 'group';
}

function columnWidths(columns: Column[]): number[] {
  const fixed = columns.reduce((sum, c) => sum + (c.width === '*' ? 0 : c.width), 0);
  return columns.map((c) => (c.width === '*' ? CONTENT_WIDTH - fixed : c.width));
}

const tableHeaderHeight = () => FONT_SIZE + 2 + 2 * PAD + 2;
const runningHeaderHeight = () => 14;

type HeadingLine = { text: string; font: 'regular' | 'bold'; size: number; color: string; gapAfter: number };

function headingBlock(heading: ReportHeading, printable: (text: string) => string): HeadingLine[] {
  const lines: HeadingLine[] = [];
  if (heading.firmName)
    lines.push({ text: printable(heading.firmName), font: 'bold', size: 14, color: 'black', gapAfter: 2 });
  lines.push({ text: printable(heading.title), font: 'bold', size: 12, color: 'black', gapAfter: 2 });
  lines.push({ text: printable(heading.periods), font: 'regular', size: 10, color: 'black', gapAfter: 4 });
  for (const filter of heading.filters)
    lines.push({ text: printable(filter), font: 'regular', size: 8, color: 'black', gapAfter: 1 });
  lines.push({ text: printable(heading.generated), font: 'regular', size: 8, color: GREY, gapAfter: 10 });
  return lines;
}

function measureHeading(doc: PDFKit.PDFDocument, lines: HeadingLine[]): number {
  return lines.reduce((height, line) => {
    doc.font(FONT_FILES[line.font]).fontSize(line.size);
    return height + doc.heightOfString(line.text, { width: CONTENT_WIDTH }) + line.gapAfter;
  }, 0);
}

function drawHeading(doc: PDFKit.PDFDocument, lines: HeadingLine[]): number {
  let y = PAGE.margin;
  for (const line of lines) {
    doc.font(FONT_FILES[line.font]).fontSize(line.size).fillColor(line.color);
    doc.text(line.text, PAGE.margin, y, { width: CONTENT_WIDTH });
    y += doc.heightOfString(line.text, { width: CONTENT_WIDTH }) + line.gapAfter;
  }
  return y;
}

function drawTableHeader(
  doc: PDFKit.PDFDocument,
  columns: Column[],
  widths: number[],
  starts: number[],
  y: number,
): void {
  doc.font(FONT_FILES.bold).fontSize(FONT_SIZE).fillColor('black');
  columns.forEach((column, i) =>
    column.align === 'right'
      ? drawRight(doc, column.header, starts[i]! + widths[i]! - PAD, y + PAD)
      : doc.text(column.header, starts[i]! + PAD, y + PAD, { lineBreak: false }),
  );
  const bottom = y + tableHeaderHeight() - 1;
  doc
    .moveTo(PAGE.margin, bottom)
    .lineTo(PAGE.margin + CONTENT_WIDTH, bottom)
    .lineWidth(0.8)
    .strokeColor('black')
    .stroke();
}

function drawItem(
  doc: PDFKit.PDFDocument,
  item: Placed['item'],
  y: number,
  height: number,
  table: { widths: number[]; starts: number[]; columns: Column[]; wrapColumn: number; hoursColumn: number },
): void {
  const { widths, starts, columns, wrapColumn, hoursColumn } = table;
  switch (item.type) {
    case 'section':
      doc.font(FONT_FILES.bold).fontSize(9).fillColor('black');
      doc.text(fitted(doc, item.title, CONTENT_WIDTH), PAGE.margin, y + 6, { lineBreak: false });
      return;
    case 'group':
      doc.font(FONT_FILES.bold).fontSize(FONT_SIZE).fillColor('black');
      doc.text(fitted(doc, item.title, CONTENT_WIDTH - 6), PAGE.margin + 6, y + 3, { lineBreak: false });
      return;
    case 'continued':
      doc.font(FONT_FILES.regular).fontSize(FONT_SIZE).fillColor(GREY);
      doc.text(fitted(doc, item.title, CONTENT_WIDTH), PAGE.margin, y + 3, { lineBreak: false });
      return;
    case 'line':
      doc.font(FONT_FILES.regular).fontSize(FONT_SIZE).fillColor('black');
      item.cells.forEach((cell, i) => {
        const width = widths[i]! - 2 * PAD;
        if (i === wrapColumn) doc.text(cell, starts[i]! + PAD, y + PAD, { width });
        else if (columns[i]!.align === 'right') drawRight(doc, cell, starts[i]! + widths[i]! - PAD, y + PAD);
        else doc.text(fitted(doc, cell, width), starts[i]! + PAD, y + PAD, { lineBreak: false });
      });
      doc
        .moveTo(PAGE.margin, y + height)
        .lineTo(PAGE.margin + CONTENT_WIDTH, y + height)
        .lineWidth(0.3)
        .strokeColor(RULE)
        .stroke();
      return;
    case 'total': {
      doc.font(FONT_FILES.bold).fontSize(FONT_SIZE).fillColor('black');
      const top = y + (item.level === 'grand' ? 5 : PAD);
      if (item.level === 'grand')
        doc
          .moveTo(PAGE.margin, y + 2)
          .lineTo(PAGE.margin + CONTENT_WIDTH, y + 2)
          .lineWidth(0.8)
          .strokeColor('black')
          .stroke();
      // Totals can outgrow the line columns: the label gives up room to the hours on its left.
      const hoursRight = starts[hoursColumn]! + widths[hoursColumn]! - PAD;
      const labelWidth = hoursRight - doc.widthOfString(item.hours) - 8 - PAGE.margin - PAD;
      doc.text(fitted(doc, item.label, labelWidth), PAGE.margin + PAD, top, { lineBreak: false });
      drawRight(doc, item.hours, hoursRight, top);
      drawRight(doc, item.amount, PAGE.margin + CONTENT_WIDTH - PAD, top);
      return;
    }
  }
}

/** Numbers end at `right` and are never wrapped or cut. */
function drawRight(doc: PDFKit.PDFDocument, text: string, right: number, y: number): void {
  doc.text(text, right - doc.widthOfString(text), y, { lineBreak: false });
}

/** Text cut with an ellipsis to fit one line of `width`. */
function fitted(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (doc.widthOfString(`${text.slice(0, middle)}…`) <= width) low = middle;
    else high = middle - 1;
  }
  return `${text.slice(0, low)}…`;
}
