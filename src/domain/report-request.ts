/**
 * What `/report` asks for, read from the command's text:
 * `ar|ap summary|detail [periods…] [customer:CODE…] [project:CODE…] [consultant:@user…]`.
 */
import { isIsoDate } from './dates.js';
import { fail, type Failure } from './result.js';
import { CODE, typedCode } from './codes.js';

export const REPORT_KINDS = ['ar', 'ap'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const REPORT_LEVELS = ['summary', 'detail'] as const;
export type ReportLevel = (typeof REPORT_LEVELS)[number];

/** Periods are named by their first day, or relative to today. */
export type PeriodSelector =
  { kind: 'this' } | { kind: 'last' } | { kind: 'starts'; on: string } | { kind: 'range'; from: string; to: string };

export type ReportRequest = {
  kind: ReportKind;
  level: ReportLevel;
  /** Empty means the default, `last`. */
  periods: PeriodSelector[];
  customerCodes: string[];
  projectCodes: string[];
  /** Slack member ids. */
  consultantUserIds: string[];
};

export const REPORT_USAGE =
  '`/report ar|ap summary|detail [periods] [customer:CODE] [project:CODE] [consultant:@someone]`, e.g. `/report ar detail 2026-11-01 customer:ACME`. Periods: `last` (the default), `this`, a first day like `2026-11-01`, or a range of first days `2026-10-01..2026-11-16`. `/report` alone opens the Reports form.';

const MEMBER_ID = /^[UW][A-Z0-9]{2,}$/;
/** A mention as Slack sends it with escaping on: `<@U01ALICE|alice>` or `<@U01ALICE>`. */
const MENTION = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/;
const RANGE = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;

export function parseReportRequest(text: string): { ok: true; request: ReportRequest } | { ok: false; error: Failure } {
  const tokens = joinSplitFilters(text.trim().split(/\s+/).filter(Boolean));
  let kind: ReportKind | undefined;
  let level: ReportLevel | undefined;
  const request: Omit<ReportRequest, 'kind' | 'level'> = {
    periods: [],
    customerCodes: [],
    projectCodes: [],
    consultantUserIds: [],
  };
  for (const token of tokens) {
    const lower = token.toLowerCase();
    if ((REPORT_KINDS as readonly string[]).includes(lower)) {
      if (kind && kind !== lower) return problem('Ask for one report at a time: `ar` or `ap`.');
      kind = lower as ReportKind;
      continue;
    }
    if ((REPORT_LEVELS as readonly string[]).includes(lower)) {
      if (level && level !== lower) return problem('Ask for one report at a time: `summary` or `detail`.');
      level = lower as ReportLevel;
      continue;
    }
    if (lower === 'this' || lower === 'last') {
      request.periods.push({ kind: lower });
      continue;
    }
    const period = readPeriod(token);
    if (period) {
      if (!period.ok) return period;
      request.periods.push(period.selector);
      continue;
    }
    const filter = /^(customer|project|consultant)s?:(.*)$/i.exec(token);
    if (filter) {
      const failure = readFilter(
        filter[1]!.toLowerCase() as 'customer' | 'project' | 'consultant',
        filter[2]!,
        request,
      );
      if (failure) return { ok: false, error: failure };
      continue;
    }
    return problem(`I did not understand “${token}”. Write ${REPORT_USAGE}`);
  }
  if (!kind)
    return problem(`Say which report: \`ar\` (Accounts Receivable) or \`ap\` (Accounts Payable). ${REPORT_USAGE}`);
  if (!level) return problem(`Say \`summary\` or \`detail\` after \`${kind}\`. ${REPORT_USAGE}`);
  return {
    ok: true,
    request: {
      kind,
      level,
      ...request,
      customerCodes: unique(request.customerCodes),
      projectCodes: unique(request.projectCodes),
      consultantUserIds: unique(request.consultantUserIds),
    },
  };
}

/** `consultant: <@U1>` (a space after the colon) reads like `consultant:<@U1>`. */
function joinSplitFilters(tokens: string[]): string[] {
  const joined: string[] = [];
  for (const token of tokens) {
    const previous = joined.at(-1);
    if (previous !== undefined && /^(customer|project|consultant)s?:$/i.test(previous))
      joined[joined.length - 1] += token;
    else joined.push(token);
  }
  return joined;
}

export function readPeriod(
  token: string,
): { ok: true; selector: PeriodSelector } | { ok: false; error: Failure } | undefined {
  const range = RANGE.exec(token);
  if (range) {
    const [from, to] = [range[1]!, range[2]!];
    if (!isIsoDate(from) || !isIsoDate(to))
      return fail('invalid_date', `“${token}” is not a range of real dates; write it like 2026-10-01..2026-11-16.`);
    if (from > to)
      return fail('period_order', `The range “${token}” starts after it ends; put the earlier date first.`);
    return { ok: true, selector: { kind: 'range', from, to } };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(token)) {
    if (!isIsoDate(token)) return fail('invalid_date', `“${token}” is not a date; write it as YYYY-MM-DD.`);
    return { ok: true, selector: { kind: 'starts', on: token } };
  }
  return undefined;
}

function readFilter(
  what: 'customer' | 'project' | 'consultant',
  value: string,
  into: Omit<ReportRequest, 'kind' | 'level'>,
): Failure | undefined {
  const values = value.split(',').filter(Boolean);
  if (values.length === 0)
    return fail('empty_filter', `Put a value after \`${what}:\`, e.g. \`${example(what)}\`.`).error;
  for (const item of values) {
    if (what === 'consultant') {
      const userId = MENTION.exec(item)?.[1] ?? (MEMBER_ID.test(item) ? item : undefined);
      if (!userId)
        return fail(
          'invalid_consultant',
          `“${item}” is not a person: mention them (\`consultant:@alice\`) or give their Slack member id.`,
        ).error;
      into.consultantUserIds.push(userId);
      continue;
    }
    const code = typedCode(item);
    if (!CODE.test(code))
      return fail(
        'invalid_code',
        `“${item}” is not a ${what} code; codes look like \`${example(what).split(':')[1]}\`.`,
      ).error;
    (what === 'customer' ? into.customerCodes : into.projectCodes).push(code);
  }
  return undefined;
}

function example(what: 'customer' | 'project' | 'consultant'): string {
  return what === 'customer' ? 'customer:ACME' : what === 'project' ? 'project:ACME-WEB' : 'consultant:@alice';
}

function problem(message: string): { ok: false; error: Failure } {
  return fail('invalid_report_request', message);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
