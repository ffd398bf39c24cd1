/**
 * The prepaid log a firm can send its customer as it is: opening balance, every movement in date
 * order with the running balance, closing balance; as a PDF (the detail table drawn with pdfkit)
 * and a CSV. One customer's log is small, so it is drawn where it is asked for.
 */
import { stringify } from 'csv-stringify/sync';
import { formatDay } from '../domain/dates.js';
import { formatHoursDecimal } from '../domain/duration.js';
import { formatAmount } from '../domain/money.js';
import { describePeriods } from '../domain/report-periods.js';
import type { CreditMovement, PrepaidLog } from '../services/credits.js';
import { drawTablePdf } from './detail-pdf.js';
import { printableText } from './fonts.js';
import type { ReportFile } from './report-files.js';
import { formatInstant, type ReportHeading } from './report-heading.js';
import type { Column, TableItem } from './report-layout.js';

export const PREPAID_LOG_CSV_HEADER = [
  'date',
  'kind',
  'entry_id',
  'consultant_id',
  'consultant_name',
  'project_code',
  'description',
  'minutes',
  'balance_minutes',
  'note',
];

const COLUMNS: Column[] = [
  { header: 'Date', width: 62, align: 'left' },
  { header: 'Movement', width: 58, align: 'left' },
  { header: 'Consultant', width: 80, align: 'left' },
  { header: 'Project', width: 62, align: 'left' },
  { header: 'Description', width: '*', align: 'left' },
  { header: 'Hours', width: 45, align: 'right' },
  { header: 'Balance', width: 50, align: 'right' },
];

/**
 * Text cells only: one starting with =, +, - or @ gets a leading ' so a spreadsheet does not run
 * it. Numbers are left alone, since a deduction's minutes are negative (csv-stringify's
 * escape_formulas would quote them too).
 */
const formulaSafe = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** Signed hours with two decimals: "-1.50". */
const signedHours = (minutes: number) => `${minutes < 0 ? '-' : ''}${formatHoursDecimal(Math.abs(minutes))}`;

const KIND_WORDS: Record<CreditMovement['kind'], string> = {
  purchase: 'Purchase',
  deduction: 'Deduction',
  adjustment: 'Adjustment',
  reversal: 'Reversal',
};

function description(m: CreditMovement, currency: string): string {
  if (m.entry) return `${formatDay(m.entry.workDate)}: ${m.entry.description}${m.note ? ` · ${m.note}` : ''}`;
  if (m.kind === 'purchase' && m.priceCents !== null)
    return `${formatAmount(m.priceCents, currency)} ${currency}${m.note ? ` · ${m.note}` : ''}`;
  return m.note;
}

export function prepaidLogStem(log: Pick<PrepaidLog, 'customer' | 'from' | 'to'>): string {
  return `prepaid-log-${log.customer.code}-${log.from}${log.to === log.from ? '' : `-to-${log.to}`}`;
}

export async function buildPrepaidLogFiles(log: PrepaidLog, timeZone: string): Promise<ReportFile[]> {
  const { customer } = log;
  const period = describePeriods([{ startsOn: log.from, endsOn: log.to }]);
  const heading: ReportHeading = {
    firmName: log.firmName,
    title: `Prepaid log — ${customer.name} (${customer.code})`,
    shortTitle: 'Prepaid log',
    periods: period,
    filters: [
      `Opening balance ${signedHours(log.openingMinutes)} h · closing balance ${signedHours(log.closingMinutes)} h`,
    ],
    generated: `Generated ${formatInstant(log.asOf, timeZone)} (${timeZone}) by ${log.askedBy.name}`,
  };
  const items: TableItem[] = [
    {
      type: 'total',
      level: 'section',
      label: `Opening balance on ${formatDay(log.from)}`,
      hours: '',
      amount: signedHours(log.openingMinutes),
    },
    ...log.movements.map((m): TableItem => ({
      type: 'line',
      cells: [
        formatDay(m.occurredOn),
        KIND_WORDS[m.kind],
        m.entry?.consultantName ?? '',
        m.entry?.projectCode ?? '',
        description(m, customer.currency),
        signedHours(m.minutes),
        signedHours(m.balanceMinutes),
      ],
    })),
    {
      type: 'total',
      level: 'grand',
      label: `Closing balance on ${formatDay(log.to)}`,
      hours: signedHours(log.movements.reduce((sum, m) => sum + m.minutes, 0)),
      amount: signedHours(log.closingMinutes),
    },
  ];
  const pdf = await drawTablePdf(heading, COLUMNS, items, printableText());
  const records = [
    [log.from, 'opening_balance', '', '', '', '', '', '', String(log.openingMinutes), ''],
    ...log.movements.map((m) => [
      m.occurredOn,
      m.kind,
      m.entry ? String(m.entry.id) : '',
      m.entry?.consultantId ?? '',
      formulaSafe(m.entry?.consultantName ?? ''),
      m.entry?.projectCode ?? '',
      formulaSafe(
        m.entry?.description ??
          (m.kind === 'purchase' && m.priceCents !== null
            ? `price ${formatAmount(m.priceCents, customer.currency)} ${customer.currency}`
            : ''),
      ),
      String(m.minutes),
      String(m.balanceMinutes),
      formulaSafe(m.note),
    ]),
    [log.to, 'closing_balance', '', '', '', '', '', '', String(log.closingMinutes), ''],
  ];
  const csv = Buffer.from(
    stringify(records, {
      bom: true,
      header: true,
      columns: PREPAID_LOG_CSV_HEADER,
      record_delimiter: 'windows',
    }),
  );
  const stem = prepaidLogStem(log);
  const title = `${heading.title} · ${period}`;
  return [
    { filename: `${stem}.pdf`, title, bytes: pdf },
    { filename: `${stem}.csv`, title: `${title} (CSV)`, bytes: csv },
  ];
}
