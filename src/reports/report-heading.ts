import { describePeriods } from '../domain/report-periods.js';
import type { ReportSpec } from '../services/reports.js';

/** What the top of a report says: who it is for, what it covers, its filters and who asked. */
export type ReportHeading = {
  firmName: string;
  title: string;
  /** "AR detail", for running headers and messages. */
  shortTitle: string;
  periods: string;
  filters: string[];
  generated: string;
};

const TITLES = {
  ar: 'Accounts Receivable',
  ap: 'Accounts Payable',
} as const;

export function reportHeading(spec: ReportSpec): ReportHeading {
  return {
    firmName: spec.firmName,
    title: `${TITLES[spec.kind]} — ${spec.level === 'summary' ? 'Summary' : 'Detail'}`,
    shortTitle: reportName(spec),
    periods: describePeriods(spec.periods),
    filters: filterLines(spec),
    generated: `Generated ${formatInstant(new Date(spec.asOf), spec.timeZone)} (${spec.timeZone}) by ${spec.askedBy.name}`,
  };
}

/** "AR detail" */
export function reportName(spec: Pick<ReportSpec, 'kind' | 'level'>): string {
  return `${spec.kind.toUpperCase()} ${spec.level}`;
}

/** The filters in words; a report without any says what it includes. */
export function filterLines(spec: Pick<ReportSpec, 'kind' | 'customers' | 'projects' | 'consultants'>): string[] {
  const lines: string[] = [];
  if (spec.customers.length) lines.push(`Customers: ${spec.customers.map((c) => `${c.code} (${c.name})`).join(', ')}`);
  if (spec.projects.length) lines.push(`Projects: ${spec.projects.map((p) => `${p.code} (${p.name})`).join(', ')}`);
  if (spec.consultants.length) lines.push(`Consultants: ${spec.consultants.map((c) => c.name).join(', ')}`);
  const what = spec.kind === 'ar' ? 'Approved billable time' : 'Approved time, billable or not';
  if (lines.length === 0) return [`${what} of all customers, projects and consultants`];
  return [`${what} matching all of:`, ...lines];
}

/** "24 Nov 2026 13:05" in the firm's time zone. */
export function formatInstant(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.day} ${parts.month} ${parts.year} ${parts.hour}:${parts.minute}`;
}
