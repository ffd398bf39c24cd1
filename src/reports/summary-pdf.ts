/** Summary reports (a few lines per customer or consultant) laid out by pdfmake. */
import pdfmake from 'pdfmake';
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { FONT_FILES } from './fonts.js';
import type { ReportHeading } from './report-heading.js';
import type { Column, TableItem } from './report-layout.js';
import { breakableWords } from './pdf-text.js';

pdfmake.setFonts({ DejaVuSans: { normal: FONT_FILES.regular, bold: FONT_FILES.bold } });
// Documents are built from our own data: no images or fonts are fetched from anywhere else.
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy((path) => path === FONT_FILES.regular || path === FONT_FILES.bold);

const GREY = '#555555';

export async function layOutTablePdf(
  heading: ReportHeading,
  columns: Column[],
  items: TableItem[],
  printable: (text: string) => string,
): Promise<Buffer> {
  const span = columns.length;
  const hoursColumn = columns.findIndex((c) => c.header === 'Hours');
  const widths = columns.map((c) => c.width);
  const row = (item: TableItem): TableCell[] => {
    if (item.type === 'section' || item.type === 'group')
      return [
        {
          text: printable(item.title),
          bold: true,
          colSpan: span,
          fontSize: item.type === 'section' ? 9 : 8,
          margin: [0, item.type === 'section' ? 6 : 2, 0, 0],
        },
        ...blanks(span - 1),
      ];
    if (item.type === 'line')
      return item.cells.map((cell, i) => ({ text: printable(breakableWords(cell)), alignment: columns[i]!.align }));
    return [
      { text: printable(item.label), bold: true, colSpan: hoursColumn },
      ...blanks(hoursColumn - 1),
      { text: item.hours, bold: true, alignment: 'right' },
      { text: item.amount, bold: true, alignment: 'right', colSpan: span - hoursColumn - 1 },
      ...blanks(span - hoursColumn - 2),
    ];
  };
  // One table per section, its heading as the header row: the heading never ends a page without
  // its first line (keepWithHeaderRows) and repeats on the next page when the section goes on.
  const sections: TableCell[][][] = [];
  const grandTotals: TableCell[][] = [];
  for (const item of items) {
    if (item.type === 'section') sections.push([]);
    (item.type === 'total' && item.level === 'grand' ? grandTotals : sections.at(-1)!).push(row(item));
  }
  const rule = { hLineColor: () => '#cccccc', vLineWidth: () => 0 };
  // The column header heads page 1's table; later pages carry it in their page header, above the
  // section tables (each section's heading repeats as its own table's header row).
  const columnHeader = (): Content => ({
    table: { widths, body: [columns.map((c) => ({ text: c.header, bold: true, alignment: c.align }))] },
    layout: { hLineWidth: (i: number) => (i === 1 ? 0.8 : 0), vLineWidth: () => 0 },
  });
  const content: Content[] = [
    ...(heading.firmName ? [{ text: printable(heading.firmName), bold: true, fontSize: 14 }] : []),
    { text: printable(heading.title), bold: true, fontSize: 12, margin: [0, 2, 0, 0] },
    { text: printable(heading.periods), fontSize: 10, margin: [0, 2, 0, 4] },
    ...heading.filters.map((line) => ({ text: printable(line) })),
    { text: printable(heading.generated), color: GREY, margin: [0, 1, 0, 10] },
    columnHeader(),
    ...sections.map((body) => ({
      table: { headerRows: 1, keepWithHeaderRows: 1, dontBreakRows: true, widths, body },
      layout: { ...rule, hLineWidth: (i: number) => (i === 0 ? 0 : 0.3) },
    })),
    ...(grandTotals.length
      ? [
          {
            table: { dontBreakRows: true, widths, body: grandTotals },
            layout: { ...rule, hLineWidth: (i: number) => (i === 0 ? 0 : 0.3) },
          },
        ]
      : []),
  ];
  const definition: TDocumentDefinitions = {
    pageSize: 'A4',
    pageMargins: [40, 58, 40, 40],
    info: { title: `${heading.title} · ${heading.periods}`, author: heading.firmName, creator: 'ConsulTracker' },
    defaultStyle: { font: 'DejaVuSans', fontSize: 8 },
    header: (page) =>
      page > 1
        ? {
            margin: [40, 22, 40, 0],
            stack: [
              {
                text: `${heading.firmName ? `${printable(heading.firmName)} · ` : ''}${printable(heading.title)} · ${printable(heading.periods)}`,
                fontSize: 7,
                color: GREY,
                margin: [0, 0, 0, 2],
              },
              columnHeader(),
            ],
          }
        : null,
    footer: (page, pages) => ({
      columns: [
        { text: printable(heading.generated), fontSize: 7, color: GREY },
        { text: `Page ${page} of ${pages}`, fontSize: 7, color: GREY, alignment: 'right' },
      ],
      margin: [40, 12, 40, 0],
    }),
    content,
  };
  return pdfmake.createPdf(definition).getBuffer();
}

function blanks(count: number): TableCell[] {
  return Array.from({ length: Math.max(0, count) }, () => ({ text: '' }));
}
