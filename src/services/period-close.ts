/**
 * The period close: once every sheet of a period is decided, or some days after it ended, finance
 * gets one post in FINANCE_CHANNEL with what still waits for whom, the invoice drafts of hourly
 * customers, and the AR and AP summaries (PDF and CSV) in its thread. Everything is queued in the
 * outbox in the caller's transaction; the files are rendered when the dispatcher sends them.
 */
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows, type Transaction } from '../db/client.js';
import { addDays } from '../domain/dates.js';
import type { ReportKind } from '../domain/report-request.js';
import { workCalendar } from '../domain/working-days.js';
import { instantAt } from '../domain/zoned-time.js';
import type { ServiceContext } from './context.js';
import { type DraftedInvoice, draftInvoicesIn, type SkippedCustomer } from './invoices.js';
import { enqueueMessage } from './outbox.js';
import { prepareReportIn, type ReportSpec, summaryQuery } from './reports.js';
import { readSettings } from './settings.js';

export const PERIOD_CLOSE = 'period-close';
/** An outbox upload's file template: one report file (the PDF or the CSV) of a prepared spec. */
export const REPORT_FILE = 'report-file';

export type ReportFileModel = { spec: ReportSpec; format: 'pdf' | 'csv' };

/** Why a close went out: every sheet decided, or the days after the period's end ran out. */
export type CloseReason = 'decided' | 'deadline';

/** The finance post of a closed period. */
export type PeriodCloseModel = {
  period: { startsOn: string; endsOn: string };
  reason: CloseReason;
  sheets: { approved: number; submitted: number; open: number };
  /** Active consultants without a submitted or approved sheet for the period. */
  notSubmitted: string[];
  /** Submitted sheets and the approvers they wait for. */
  waiting: { consultantName: string; approvers: string[] }[];
  invoices: { drafted: DraftedInvoice[]; skipped: SkippedCustomer[] } | { refused: string };
  /** Which summaries follow in the thread; a report without approved time is named here instead. */
  reports: { kind: ReportKind; attached: boolean }[];
};

/** A period whose close falls due, with when and why. */
export type ClosingPeriod = { id: number; startsOn: string; endsOn: string; dueAt: Date };

/**
 * Periods whose close falls due in (from, to]: when the last of its sheets was decided (not before
 * the period has ended), else at the morning time `close_after_days` days after its last day. A
 * period without sheets waits for that deadline.
 */
export async function closingPeriods(
  q: Queryable,
  ctx: Pick<ServiceContext, 'org'>,
  window: { from: Date; to: Date },
): Promise<ClosingPeriod[]> {
  const settings = await readSettings(q);
  const { morningTime: morning } = workCalendar(settings);
  const afterDays = settings.close_after_days;
  const fromDate = window.from.toISOString().slice(0, 10);
  const toDate = window.to.toISOString().slice(0, 10);
  const rows = await queryRows<{
    id: number;
    starts_on: string;
    ends_on: string;
    sheets: number;
    undecided: number;
    last_decided: Date | string | null;
  }>(
    q,
    sql`select p.id, p.starts_on::text as starts_on, p.ends_on::text as ends_on,
               count(t.id) filter (where t.status <> 'cancelled')::int as sheets,
               count(t.id) filter (where t.status in ('open', 'submitted'))::int as undecided,
               max(t.decided_at) as last_decided
          from reporting_periods p
          left join timesheets t on t.period_id = p.id
         where p.archived_at is null
           and p.ends_on >= ${addDays(fromDate, -afterDays - 2)}::date and p.ends_on <= ${toDate}::date
         group by p.id, p.starts_on, p.ends_on
         order by p.starts_on`,
  );
  const due: ClosingPeriod[] = [];
  for (const row of rows) {
    const ended = instantAt(addDays(row.ends_on, 1), '00:00', ctx.org.timeZone);
    const later = (a: Date, b: Date) => (a > b ? a : b);
    const deadline = later(ended, instantAt(addDays(row.ends_on, afterDays), morning, ctx.org.timeZone));
    const decided = Number(row.sheets) > 0 && Number(row.undecided) === 0;
    const decidedAt = decided && row.last_decided ? later(ended, new Date(row.last_decided)) : ended;
    // Decided by a change after the last decision (an undecided sheet deleted, say) whose time is
    // already behind this window: due now rather than never; its slot keeps it to once.
    const decidedDue = decidedAt > window.from || deadline <= window.from ? decidedAt : window.to;
    const dueAt = decided && decidedAt < deadline ? decidedDue : deadline;
    if (dueAt > window.from && dueAt <= window.to)
      due.push({ id: Number(row.id), startsOn: row.starts_on, endsOn: row.ends_on, dueAt });
  }
  return due;
}

/**
 * Queues the close of one period to FINANCE_CHANNEL: drafts the hourly customers' invoices (as the
 * system, their messages going to the same channel), the checklist post, and the AR and AP
 * summaries as uploads in its thread. Answers what it did, in words; without FINANCE_CHANNEL it
 * does nothing and says so.
 */
export async function postPeriodClose(
  tx: Transaction,
  ctx: ServiceContext,
  input: { endsOn: string; dedupeKey: string; ref: string },
): Promise<string> {
  const channel = ctx.org.financeChannel;
  if (!channel) return 'not posted: FINANCE_CHANNEL is not set, so the period close has nowhere to go';
  const [period] = await queryRows<{ id: number; starts_on: string; ends_on: string }>(
    tx,
    sql`select id, starts_on::text as starts_on, ends_on::text as ends_on from reporting_periods
         where ends_on = ${input.endsOn}::date and archived_at is null`,
  );
  if (!period) return 'not posted: the period was deleted';
  const periodId = Number(period.id);
  const selector = { kind: 'starts' as const, on: period.starts_on };

  const drafted = await draftInvoicesIn(tx, ctx, { periods: [selector], customerCodes: [], channel });
  const now = ctx.clock.now();
  const reports: PeriodCloseModel['reports'] = [];
  for (const kind of ['ar', 'ap'] as const) {
    const prepared = await prepareReportIn(tx, ctx, {
      kind,
      level: 'summary',
      periods: [selector],
      customerCodes: [],
      projectCodes: [],
      consultantUserIds: [],
    });
    if (!prepared.ok) throw new Error(`the ${kind} summary could not be prepared: ${prepared.error.message}`);
    const spec: ReportSpec = { ...prepared.spec, askedBy: { userId: 'system', name: 'the period close' } };
    const attached = (await queryRows(tx, summaryQuery(spec))).length > 0;
    reports.push({ kind, attached });
    if (!attached) continue;
    for (const format of ['pdf', 'csv'] as const) {
      const file: ReportFileModel = { spec, format };
      await enqueueMessage(
        tx,
        `${input.dedupeKey}:${kind}.${format}`,
        {
          kind: 'upload',
          ref: input.ref,
          channel,
          inThread: true,
          file: { template: REPORT_FILE, model: file },
          comment: `${kind === 'ar' ? 'Accounts Receivable' : 'Accounts Payable'} summary (${format.toUpperCase()})`,
        },
        now,
      );
    }
  }

  const sheets = await sheetCounts(tx, periodId);
  const model: PeriodCloseModel = {
    period: { startsOn: period.starts_on, endsOn: period.ends_on },
    reason: sheets.approved > 0 && sheets.open + sheets.submitted === 0 ? 'decided' : 'deadline',
    sheets,
    notSubmitted: await notSubmitted(tx, periodId),
    waiting: await waitingSheets(tx, periodId),
    invoices: drafted.ok ? { drafted: drafted.drafted, skipped: drafted.skipped } : { refused: drafted.error.message },
    reports,
  };
  await enqueueMessage(
    tx,
    input.dedupeKey,
    { kind: 'post', ref: input.ref, channel, content: { template: PERIOD_CLOSE, model } },
    now,
  );
  const count = drafted.ok ? drafted.drafted.length : 0;
  const invoices = `${count} invoice ${count === 1 ? 'draft' : 'drafts'}`;
  return `posted to ${channel}: ${invoices}, ${model.notSubmitted.length} not submitted, ${model.waiting.length} waiting for a decision`;
}

async function sheetCounts(tx: Queryable, periodId: number): Promise<PeriodCloseModel['sheets']> {
  const [row] = await queryRows<{ approved: number; submitted: number; open: number }>(
    tx,
    sql`select count(*) filter (where status = 'approved')::int as approved,
               count(*) filter (where status = 'submitted')::int as submitted,
               count(*) filter (where status = 'open')::int as open
          from timesheets where period_id = ${periodId}`,
  );
  return { approved: Number(row?.approved ?? 0), submitted: Number(row?.submitted ?? 0), open: Number(row?.open ?? 0) };
}

async function notSubmitted(tx: Queryable, periodId: number): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    tx,
    sql`select e.name from consultants c
          join employees e on e.id = c.employee_id
          join users u on u.id = e.user_id
         where c.archived_at is null and e.archived_at is null and u.active
           and not exists (select 1 from timesheets t where t.consultant_id = c.employee_id
                             and t.period_id = ${periodId} and t.status in ('submitted', 'approved'))
         order by e.name, e.id`,
  );
  return rows.map((row) => row.name);
}

async function waitingSheets(tx: Queryable, periodId: number): Promise<PeriodCloseModel['waiting']> {
  const rows = await queryRows<{ sheet: number; consultant: string; approver: string }>(
    tx,
    sql`select t.id as sheet, e.name as consultant, coalesce(u.display_name, a.approver_id) as approver
          from timesheets t
          join employees e on e.id = t.consultant_id
          join approvals a on a.timesheet_id = t.id and a.status = 'pending'
          left join users u on u.id = a.approver_id
         where t.period_id = ${periodId} and t.status = 'submitted'
         order by e.name, t.id, approver`,
  );
  const bySheet = new Map<number, PeriodCloseModel['waiting'][number]>();
  for (const row of rows) {
    const sheet = bySheet.get(Number(row.sheet));
    if (sheet) sheet.approvers.push(row.approver);
    else bySheet.set(Number(row.sheet), { consultantName: row.consultant, approvers: [row.approver] });
  }
  return [...bySheet.values()];
}
