import { and, asc, desc, eq, gt, gte, isNull, lt, lte, ne } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { customers, employees, projects, reportingPeriods, timeEntries, timesheets, users } from '../db/schema.js';
import { formatDay } from '../domain/dates.js';
import { fail, type Result } from '../domain/result.js';
import type { PeriodChoice } from '../domain/timesheet-command.js';
import { requestApprovals } from './approval-routing.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { consultantActing, liveTimesheetForUpdate, todayOf } from './entry-rules.js';
import type { Consultant } from './entry-types.js';
import { serviceTransaction } from './transaction.js';

export type TimesheetStatus = 'open' | 'submitted' | 'approved' | 'cancelled';

export type TimesheetEntry = {
  entryId: number;
  projectCode: string;
  projectName: string;
  customerName: string;
  minutes: number;
  beginsAt: string | null;
  endsAt: string | null;
  description: string;
  billable: boolean;
  source: string;
};

export type TimesheetOverview = {
  consultantName: string;
  period: { id: number; startsOn: string; endsOn: string };
  previousPeriodId: number | null;
  nextPeriodId: number | null;
  /** A period without a sheet yet reads as an empty open one. */
  status: TimesheetStatus;
  submittedAt: Date | null;
  submittedByName: string | null;
  /** Entries can be added, edited and deleted only while the sheet is open. */
  editable: boolean;
  days: { date: string; totalMinutes: number; entries: TimesheetEntry[] }[];
  totals: { billableMinutes: number; nonBillableMinutes: number; totalMinutes: number; entryCount: number };
};

/** A period by id (buttons), or as typed: the one containing a date, or the last one that has ended. */
export type PeriodSpec = { periodId?: number; period?: PeriodChoice };

/** A consultant's timesheet for a period (the current one by default), grouped by day. Reading writes nothing. */
export async function timesheetOverview(
  ctx: ServiceContext,
  input: PeriodSpec = {},
): Promise<Result<{ overview: TimesheetOverview }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'viewOwnTimesheet');
    if (!who.ok) return who;
    const period = await choosePeriod(tx, ctx, who.consultant, input);
    if (!period.ok) return period;
    return { ok: true as const, overview: await overviewOf(tx, who.consultant, period.period) };
  });
}

export type SubmittedTimesheet = {
  timesheetId: number;
  period: { startsOn: string; endsOn: string };
  totalMinutes: number;
  entryCount: number;
};

/**
 * Submits the consultant's open timesheet for a period: its entries lock. An empty sheet needs
 * `confirmEmpty`. A sheet already submitted (a double click, a stale button) is left alone and the
 * answer says what state it is in.
 */
export async function submitTimesheet(
  ctx: ServiceContext,
  input: PeriodSpec & { confirmEmpty?: boolean } = {},
): Promise<Result<{ submitted: SubmittedTimesheet }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'submitTimesheet');
    if (!who.ok) return who;
    const chosen = await choosePeriod(tx, ctx, who.consultant, input);
    if (!chosen.ok) return chosen;
    const { period } = chosen;
    const span = `${formatDay(period.startsOn)} – ${formatDay(period.endsOn)}`;

    // The row lock makes a double click wait here, then find the sheet already submitted.
    const sheet = await liveTimesheetForUpdate(tx, who.consultant.employeeId, period.id);
    await ctx.pause?.('submit:sheet-locked');
    if (sheet.status !== 'open') {
      return fail('not_open', `The timesheet for ${span} is already ${sheet.status}; nothing was changed.`);
    }
    const entries = await tx
      .select({ minutes: timeEntries.minutes })
      .from(timeEntries)
      .where(eq(timeEntries.timesheetId, sheet.id));
    if (entries.length === 0 && !input.confirmEmpty) {
      return fail(
        'empty_needs_confirm',
        `The timesheet for ${span} has no time. Confirm that you worked no time this period to submit it empty.`,
      );
    }
    // "No time this period" was confirmed on an older view: time logged since must be seen first.
    if (entries.length > 0 && input.confirmEmpty) {
      return fail(
        'no_longer_empty',
        `The timesheet for ${span} has ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} now. Open it with /timesheet and submit it from there.`,
      );
    }

    const now = ctx.clock.now();
    const [submitted] = await tx
      .update(timesheets)
      .set({
        status: 'submitted',
        submittedAt: now,
        submittedBy: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
        updatedAt: now,
      })
      .where(and(eq(timesheets.id, sheet.id), eq(timesheets.status, 'open')))
      .returning();
    await recordAudit(tx, ctx, {
      action: 'timesheet.submit',
      entity: 'timesheet',
      entityId: sheet.id,
      before: sheet,
      after: submitted,
    });
    const unroutable = await requestApprovals(tx, ctx, sheet.id);
    if (unroutable) return { ok: false as const, error: unroutable };
    return {
      ok: true as const,
      submitted: {
        timesheetId: sheet.id,
        period: { startsOn: period.startsOn, endsOn: period.endsOn },
        totalMinutes: entries.reduce((sum, entry) => sum + entry.minutes, 0),
        entryCount: entries.length,
      },
    };
  });
}

export type HistoryRow = {
  periodId: number;
  startsOn: string;
  endsOn: string;
  status: TimesheetStatus | 'not started';
  totalMinutes: number;
  billableMinutes: number;
};

/** Earlier periods (newest first, up to `limit`) with what became of the consultant's sheet. */
export async function timesheetHistory(
  ctx: ServiceContext,
  input: { limit?: number } = {},
): Promise<Result<{ history: HistoryRow[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'viewOwnTimesheet');
    if (!who.ok) return who;
    const today = todayOf(ctx, who.consultant);
    const periods = await tx
      .select()
      .from(reportingPeriods)
      .where(and(lt(reportingPeriods.endsOn, today), isNull(reportingPeriods.archivedAt)))
      .orderBy(desc(reportingPeriods.startsOn))
      .limit(input.limit ?? 24);
    const history: HistoryRow[] = [];
    for (const period of periods) {
      const sheet = await liveSheet(tx, who.consultant.employeeId, period.id);
      const entries = sheet ? await tx.select().from(timeEntries).where(eq(timeEntries.timesheetId, sheet.id)) : [];
      history.push({
        periodId: period.id,
        startsOn: period.startsOn,
        endsOn: period.endsOn,
        status: sheet?.status ?? 'not started',
        totalMinutes: entries.reduce((sum, e) => sum + e.minutes, 0),
        billableMinutes: entries.filter((e) => e.billable).reduce((sum, e) => sum + e.minutes, 0),
      });
    }
    return { ok: true as const, history };
  });
}

type Period = typeof reportingPeriods.$inferSelect;

/**
 * One particular sheet, read-only, for someone who decides on it (an approver). The caller has
 * checked that they may see it.
 */
export async function sheetOverview(q: Queryable, timesheetId: number): Promise<TimesheetOverview | undefined> {
  const [row] = await q
    .select({ sheet: timesheets, period: reportingPeriods, userId: employees.userId })
    .from(timesheets)
    .innerJoin(reportingPeriods, eq(reportingPeriods.id, timesheets.periodId))
    .innerJoin(employees, eq(employees.id, timesheets.consultantId))
    .where(eq(timesheets.id, timesheetId));
  if (!row?.userId) return undefined;
  const overview = await overviewOf(
    q,
    { employeeId: row.sheet.consultantId, userId: row.userId },
    row.period,
    row.sheet,
  );
  return { ...overview, editable: false, previousPeriodId: null, nextPeriodId: null };
}

/**
 * The asked-for period (by id, by a date in it, or the last one that has ended), else the one
 * holding today, else the latest that has begun.
 */
async function choosePeriod(
  tx: Queryable,
  ctx: ServiceContext,
  consultant: Consultant,
  input: PeriodSpec,
): Promise<{ ok: true; period: Period } | { ok: false; error: { code: string; message: string } }> {
  if (input.periodId !== undefined) {
    const period = await tx.query.reportingPeriods.findFirst({
      where: and(eq(reportingPeriods.id, input.periodId), isNull(reportingPeriods.archivedAt)),
    });
    return period ? { ok: true, period } : fail('no_period', 'That reporting period no longer exists.');
  }
  const today = todayOf(ctx, consultant);
  if (input.period?.kind === 'containing') {
    const { date } = input.period;
    const period = await tx.query.reportingPeriods.findFirst({
      where: and(
        lte(reportingPeriods.startsOn, date),
        gte(reportingPeriods.endsOn, date),
        isNull(reportingPeriods.archivedAt),
      ),
    });
    return period
      ? { ok: true, period }
      : fail('no_period', `No reporting period covers ${formatDay(date)}. \`/timesheet history\` lists the periods.`);
  }
  if (input.period?.kind === 'last') {
    const [last] = await tx
      .select()
      .from(reportingPeriods)
      .where(and(lt(reportingPeriods.endsOn, today), isNull(reportingPeriods.archivedAt)))
      .orderBy(desc(reportingPeriods.startsOn))
      .limit(1);
    return last ? { ok: true, period: last } : fail('no_period', 'No reporting period has ended yet.');
  }
  const [current] = await tx
    .select()
    .from(reportingPeriods)
    .where(and(lte(reportingPeriods.startsOn, today), isNull(reportingPeriods.archivedAt)))
    .orderBy(desc(reportingPeriods.startsOn))
    .limit(1);
  return current
    ? { ok: true, period: current }
    : fail(
        'no_period',
        'No reporting period has started yet. Ask an administrator to add one in /admin > Reporting periods.',
      );
}

async function liveSheet(tx: Queryable, consultantId: number, periodId: number) {
  const [sheet] = await tx
    .select()
    .from(timesheets)
    .where(
      and(
        eq(timesheets.consultantId, consultantId),
        eq(timesheets.periodId, periodId),
        ne(timesheets.status, 'cancelled'),
      ),
    );
  return sheet;
}

async function overviewOf(
  tx: Queryable,
  consultant: Pick<Consultant, 'employeeId' | 'userId'>,
  period: Period,
  chosen?: typeof timesheets.$inferSelect,
): Promise<TimesheetOverview> {
  const sheet = chosen ?? (await liveSheet(tx, consultant.employeeId, period.id));
  const rows = sheet
    ? await tx
        .select({
          entryId: timeEntries.id,
          workDate: timeEntries.workDate,
          projectCode: projects.code,
          projectName: projects.name,
          customerName: customers.name,
          minutes: timeEntries.minutes,
          beginsAt: timeEntries.beginsAt,
          endsAt: timeEntries.endsAt,
          description: timeEntries.description,
          billable: timeEntries.billable,
          source: timeEntries.source,
        })
        .from(timeEntries)
        .innerJoin(projects, eq(projects.id, timeEntries.projectId))
        .innerJoin(customers, eq(customers.id, projects.customerId))
        .where(eq(timeEntries.timesheetId, sheet.id))
        .orderBy(asc(timeEntries.workDate), asc(timeEntries.beginsAt), asc(timeEntries.id))
    : [];
  const days: TimesheetOverview['days'] = [];
  for (const row of rows) {
    let day = days[days.length - 1];
    if (day?.date !== row.workDate) days.push((day = { date: row.workDate, totalMinutes: 0, entries: [] }));
    day.totalMinutes += row.minutes;
    const { workDate: _date, ...entry } = row;
    day.entries.push({
      ...entry,
      beginsAt: row.beginsAt?.slice(0, 5) ?? null,
      endsAt: row.endsAt?.slice(0, 5) ?? null,
    });
  }
  const billableMinutes = rows.filter((r) => r.billable).reduce((sum, r) => sum + r.minutes, 0);
  const totalMinutes = rows.reduce((sum, r) => sum + r.minutes, 0);

  const [previous] = await tx
    .select({ id: reportingPeriods.id })
    .from(reportingPeriods)
    .where(and(lt(reportingPeriods.startsOn, period.startsOn), isNull(reportingPeriods.archivedAt)))
    .orderBy(desc(reportingPeriods.startsOn))
    .limit(1);
  const [next] = await tx
    .select({ id: reportingPeriods.id })
    .from(reportingPeriods)
    .where(and(gt(reportingPeriods.startsOn, period.startsOn), isNull(reportingPeriods.archivedAt)))
    .orderBy(asc(reportingPeriods.startsOn))
    .limit(1);
  const consultantName =
    (await tx.query.users.findFirst({ where: eq(users.id, consultant.userId), columns: { displayName: true } }))
      ?.displayName ?? consultant.userId;
  const submittedByName = sheet?.submittedBy
    ? ((await tx.query.users.findFirst({ where: eq(users.id, sheet.submittedBy), columns: { displayName: true } }))
        ?.displayName ?? sheet.submittedBy)
    : null;
  const status = sheet?.status ?? 'open';
  return {
    consultantName,
    period: { id: period.id, startsOn: period.startsOn, endsOn: period.endsOn },
    previousPeriodId: previous?.id ?? null,
    nextPeriodId: next?.id ?? null,
    status,
    submittedAt: sheet?.submittedAt ?? null,
    submittedByName,
    editable: status === 'open',
    days,
    totals: {
      billableMinutes,
      nonBillableMinutes: totalMinutes - billableMinutes,
      totalMinutes,
      entryCount: rows.length,
    },
  };
}
