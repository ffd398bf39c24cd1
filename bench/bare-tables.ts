/**
 * The references for the report PDF benchmark: the same detail rows as one plain table, laid out
 * by pdfmake, and drawn by hand with pdfkit (row height from the wrapped description, header
 * repeated per page, "Page N of M"), with the same embedded fonts. Run as a child process so each
 * has its own peak memory:  npx tsx bench/bare-tables.ts pdfmake|pdfkit rows.json
 */
import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import pdfmake from 'pdfmake';
import { FONT_FILES } from '../src/reports/fonts.js';

export type BareRow = [
  date: string,
  consultant: string,
  description: string,
  hours: string,
  rate: string,
  amount: string,
];

const HEADER: BareRow = ['Date', 'Consultant', 'Description', 'Hours', 'Rate', 'Amount'];
const WIDTHS = [54, 88, 215, 36, 56, 66];

export async function barePdfmake(rows: BareRow[]): Promise<Buffer> {
  pdfmake.setFonts({ DejaVuSans: { normal: FONT_FILES.regular, bold: FONT_FILES.bold } });
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy(() => true);
  return pdfmake
    .createPdf({
      pageSize: 'A4',
      pageMargins: [40, 40, 40, 40],
      defaultStyle: { font: 'DejaVuSans', fontSize: 8 },
      footer: (page, pages) => ({ text: `Page ${page} of ${pages}`, alignment: 'right', margin: [40, 12, 40, 0] }),
      content: [{ table: { headerRows: 1, widths: WIDTHS, body: [HEADER, ...rows] } }],
    })
    .getBuffer();
}

export async function barePdfkit(rows: BareRow[]): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 40, left: 40, right: 40, bottom: 10 },
    font: FONT_FILES.regular,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const heights = rows.map((row) => doc.heightOfString(row[2], { width: WIDTHS[2]! - 4 }) + 4);
  const bottom = doc.page.height - 56;
  const pages: number[][] = [[]];
  let y = 52;
  heights.forEach((height, i) => {
    if (y + height > bottom) {
      pages.push([]);
      y = 52;
    }
    pages.at(-1)!.push(i);
    y += height;
  });
  const drawRow = (cells: readonly string[], top: number) => {
    let x = 40;
    cells.forEach((cell, i) => {
      doc.text(cell, x + 2, top + 2, { width: WIDTHS[i]! - 4, align: i >= 3 ? 'right' : 'left', lineBreak: i === 2 });
      x += WIDTHS[i]!;
    });
  };
  pages.forEach((indexes, page) => {
    if (page > 0) doc.addPage();
    doc.font(FONT_FILES.bold).fontSize(8);
    drawRow(HEADER, 40);
    doc.font(FONT_FILES.regular);
    let top = 52;
    for (const i of indexes) {
      drawRow(rows[i]!, top);
      top += heights[i]!;
      doc.moveTo(40, top).lineTo(555, top).lineWidth(0.3).stroke();
    }
    doc.text(`Page ${page + 1} of ${pages.length}`, 40, doc.page.height - 48, { lineBreak: false });
  });
  doc.end();
  return done;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [kind, file] = process.argv.slice(2) as ['pdfmake' | 'pdfkit', string];
  const rows = JSON.parse(readFileSync(file, 'utf8')) as BareRow[];
  const started = performance.now();
  const pdf = await (kind === 'pdfmake' ? barePdfmake(rows) : barePdfkit(rows));
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ ms, bytes: pdf.length, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}
