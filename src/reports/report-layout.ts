/**
 * How each report's rows become table lines (PDF) and records (CSV), and the walk that puts
 * section headings and subtotals between them. Every subtotal and total is the sum of the line
 * amounts printed above it.
 */
import { formatAmount, groupedAmount } from '../domain/money.js';
import { formatHoursDecimal } from '../domain/duration.js';
import type { ReportKind, ReportLevel } from '../domain/report-request.js';
import type { ApDetailRow, ApSummaryRow, ArDetailRow, ArSummaryRow } from '../services/reports.js';

export type ReportRow = ArSummaryRow | ApSummaryRow | ArDetailRow | ApDetailRow;

export type Column = { header: string; width: number | '*'; align: 'left' | 'right' };

/** One table line, with the section (customer or consultant) and group (project, detail only) it belongs to. */
export type Line = {
  section: { key: string; title: string };
  group: { key: string; title: string } | undefined;
  cells: string[];
  minutes: number;
  amount: bigint;
  currency: string;
};

export type ReportLayout = {
  columns: Column[];
  line(row: ReportRow): Line;
  csvHeader: string[];
  csvRecord(row: ReportRow): string[];
};

const hours = (minutes: number) => formatHoursDecimal(minutes);

const AR_SUMMARY: ReportLayout = {
  columns: [
    { header: 'Project', width: '*', align: 'left' },
    { header: 'Hours', width: 60, align: 'right' },
    { header: 'Amount', width: 90, align: 'right' },
  ],
  line: (row) => {
    const r = row as ArSummaryRow;
    return {
      section: { key: r.customerCode, title: `${r.customerCode} · ${r.customerName} (${r.currency})` },
      group: undefined,
      cells: [`${r.projectCode} · ${r.projectName}`, hours(r.minutes), groupedAmount(r.amount, r.currency)],
      minutes: r.minutes,
      amount: r.amount,
      currency: r.currency,
    };
  },
  csvHeader: [
    'customer_code',
    'customer_name',
    'project_code',
    'project_name',
    'minutes',
    'hours',
    'amount',
    'currency',
  ],
  csvRecord: (row) => {
    const r = row as ArSummaryRow;
    return [
      r.customerCode,
      r.customerName,
      r.projectCode,
      r.projectName,
      String(r.minutes),
      hours(r.minutes),
      formatAmount(r.amount, r.currency),
      r.currency,
    ];
  },
};

const AP_SUMMARY: ReportLayout = {
  columns: AR_SUMMARY.columns,
  line: (row) => {
    const r = row as ApSummaryRow;
    return {
      section: { key: `${r.consultantName}\u0000${r.consultantUserId}`, title: consultantTitle(r) },
      group: undefined,
      cells: [`${r.projectCode} · ${r.projectName}`, hours(r.minutes), groupedAmount(r.amount, r.currency)],
      minutes: r.minutes,
      amount: r.amount,
      currency: r.currency,
    };
  },
  csvHeader: [
    'consultant_id',
    'consultant_name',
    'project_code',
    'project_name',
    'minutes',
    'hours',
    'amount',
    'currency',
  ],
  csvRecord: (row) => {
    const r = row as ApSummaryRow;
    return [
      r.consultantUserId,
      r.consultantName,
      r.projectCode,
      r.projectName,
      String(r.minutes),
      hours(r.minutes),
      formatAmount(r.amount, r.currency),
      r.currency,
    ];
  },
};

const AR_DETAIL: ReportLayout = {
  columns: [
    { header: 'Date', width: 54, align: 'left' },
    { header: 'Consultant', width: 88, align: 'left' },
    { header: 'Description', width: '*', align: 'left' },
    { header: 'Hours', width: 36, align: 'right' },
    { header: 'Rate', width: 56, align: 'right' },
    { header: 'Amount', width: 66, align: 'right' },
  ],
  line: (row) => {
    const r = row as ArDetailRow;
    return {
      section: { key: r.customerCode, title: `${r.customerCode} · ${r.customerName} (${r.currency})` },
      group: { key: r.projectCode, title: `${r.projectCode} · ${r.projectName}` },
      cells: [
        r.workDate,
        r.consultantName,
        r.description,
        hours(r.minutes),
        groupedAmount(r.rate, r.currency),
        groupedAmount(r.amount, r.currency),
      ],
      minutes: r.minutes,
      amount: BigInt(r.amount),
      currency: r.currency,
    };
  },
  csvHeader: [
    'entry_id',
    'date',
    'customer_code',
    'customer_name',
    'project_code',
    'project_name',
    'consultant_id',
    'consultant_name',
    'description',
    'minutes',
    'hours',
    'rate',
    'amount',
    'currency',
    'invoice_number',
  ],
  csvRecord: (row) => {
    const r = row as ArDetailRow;
    return [
      String(r.entryId),
      r.workDate,
      r.customerCode,
      r.customerName,
      r.projectCode,
      r.projectName,
      r.consultantUserId,
      r.consultantName,
      r.description,
      String(r.minutes),
      hours(r.minutes),
      formatAmount(r.rate, r.currency),
      formatAmount(r.amount, r.currency),
      r.currency,
      r.invoiceNumber ?? '',
    ];
  },
};

const AP_DETAIL: ReportLayout = {
  columns: [
    { header: 'Date', width: 54, align: 'left' },
    { header: 'Customer', width: 58, align: 'left' },
    { header: 'Description', width: '*', align: 'left' },
    { header: 'Billable', width: 38, align: 'left' },
    { header: 'Hours', width: 36, align: 'right' },
    { header: 'Rate', width: 56, align: 'right' },
    { header: 'Amount', width: 66, align: 'right' },
  ],
  line: (row) => {
    const r = row as ApDetailRow;
    return {
      section: { key: `${r.consultantName}\u0000${r.consultantUserId}`, title: consultantTitle(r) },
      group: { key: r.projectCode, title: `${r.projectCode} · ${r.projectName}` },
      cells: [
        r.workDate,
        r.customerCode,
        r.description,
        r.billable ? 'yes' : 'no',
        hours(r.minutes),
        groupedAmount(r.rate, r.currency),
        groupedAmount(r.amount, r.currency),
      ],
      minutes: r.minutes,
      amount: BigInt(r.amount),
      currency: r.currency,
    };
  },
  csvHeader: [
    'entry_id',
    'date',
    'consultant_id',
    'consultant_name',
    'customer_code',
    'project_code',
    'project_name',
    'description',
    'billable',
    'minutes',
    'hours',
    'rate',
    'amount',
    'currency',
  ],
  csvRecord: (row) => {
    const r = row as ApDetailRow;
    return [
      String(r.entryId),
      r.workDate,
      r.consultantUserId,
      r.consultantName,
      r.customerCode,
      r.projectCode,
      r.projectName,
      r.description,
      r.billable ? 'true' : 'false',
      String(r.minutes),
      hours(r.minutes),
      formatAmount(r.rate, r.currency),
      formatAmount(r.amount, r.currency),
      r.currency,
    ];
  },
};

function consultantTitle(r: { consultantName: string; consultantUserId: string; currency: string }): string {
  return `${r.consultantName}${r.consultantUserId ? ` (${r.consultantUserId})` : ''} · ${r.currency}`;
}

export function reportLayout(kind: ReportKind, level: ReportLevel): ReportLayout {
  if (kind === 'ar') return level === 'summary' ? AR_SUMMARY : AR_DETAIL;
  return level === 'summary' ? AP_SUMMARY : AP_DETAIL;
}

/** What the table shows, in order: headings, lines and the totals after them. */
export type TableItem =
  | { type: 'section'; title: string }
  | { type: 'group'; title: string }
  | { type: 'line'; cells: string[] }
  | { type: 'total'; level: 'group' | 'section' | 'grand'; label: string; hours: string; amount: string };

type Sum = { minutes: number; amount: bigint };

/**
 * Walks the lines (already in report order) and yields the table: a heading when a section or
 * group starts, and when it ends a total that sums the lines printed in it; at the end one grand
 * total per currency, never adding amounts of different currencies.
 */
export function* tableItems(lines: Iterable<Line>): Generator<TableItem> {
  let section: { key: string; title: string; currency: string; sum: Sum } | undefined;
  let group: { key: string; title: string; sum: Sum } | undefined;
  const grand = new Map<string, Sum>();
  const total = (level: 'group' | 'section' | 'grand', label: string, sum: Sum, currency: string): TableItem => ({
    type: 'total',
    level,
    label,
    hours: formatHoursDecimal(sum.minutes),
    amount: `${currency} ${groupedAmount(sum.amount, currency)}`,
  });
  function* closeGroup(): Generator<TableItem> {
    if (group && section) yield total('group', `Subtotal ${group.title}`, group.sum, section.currency);
    group = undefined;
  }
  function* closeSection(): Generator<TableItem> {
    yield* closeGroup();
    if (section) yield total('section', `Total ${section.title}`, section.sum, section.currency);
    section = undefined;
  }
  for (const line of lines) {
    if (section?.key !== line.section.key) {
      yield* closeSection();
      section = { ...line.section, currency: line.currency, sum: { minutes: 0, amount: 0n } };
      yield { type: 'section', title: line.section.title };
    }
    if (line.group && group?.key !== line.group.key) {
      yield* closeGroup();
      group = { ...line.group, sum: { minutes: 0, amount: 0n } };
      yield { type: 'group', title: line.group.title };
    }
    yield { type: 'line', cells: line.cells };
    for (const sum of [group?.sum, section.sum, grandFor(grand, line.currency)]) {
      if (!sum) continue;
      sum.minutes += line.minutes;
      sum.amount += line.amount;
    }
  }
  yield* closeSection();
  const currencies = [...grand.keys()].sort();
  for (const currency of currencies)
    yield total(
      'grand',
      currencies.length > 1 ? `Grand total in ${currency}` : 'Grand total',
      grand.get(currency)!,
      currency,
    );
}

function grandFor(grand: Map<string, Sum>, currency: string): Sum {
  let sum = grand.get(currency);
  if (!sum) grand.set(currency, (sum = { minutes: 0, amount: 0n }));
  return sum;
}
