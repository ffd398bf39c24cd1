import { and, asc, desc, eq, gte, isNull, lt, lte, ne, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Queryable } from '../db/client.js';
import { customers, employees, projects, reportingPeriods, timeEntries, timesheets, users } from '../db/schema.js';
import { formatDay } from '../domain/dates.js';
import { fail, type Result } from '../domain/result.js';
import type { PeriodChoice } from '../domain/timesheet-command.js';
import { lockTeamsToRoute, requestApprovals } from './approval-routing.js';
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
  /** Whose sheet it is: its buttons act on this user's time, whomever App Home acts for by then. */
  consultantUserId: string;
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
    return consultantOverview(tx, ctx, who.consultant, input);
  });
}

/**
 * The overview for a consultant whose access the caller has checked: the period with its
 * neighbours and the live sheet in one read, then its entries. (App Home reads the same parts in
 * its one page statement, `readHomePage`.)
 */
async function consultantOverview(
  q: Queryable,
  ctx: ServiceContext,
  consultant: Consultant,
  input: PeriodSpec = {},
): Promise<Result<{ overview: TimesheetOverview }>> {
  const choice = periodChoice(ctx, consultant, input);
  const [found] = await q
    .select({
      period: reportingPeriods,
      previousPeriodId: sql<number | null>`(select p.id from reporting_periods p
        where p.starts_on < ${reportingPeriods.startsOn} and p.archived_at is null order by p.starts_on desc limit 1)`,
      nextPeriodId: sql<number | null>`(select p.id from reporting_periods p
        where p.starts_on > ${reportingPeriods.startsOn} and p.archived_at is null order by p.starts_on limit 1)`,
      sheet: timesheets,
      submittedByName: users.displayName,
    })
    .from(reportingPeriods)
    .leftJoin(
      timesheets,
      and(
        eq(timesheets.periodId, reportingPeriods.id),
        eq(timesheets.consultantId, consultant.employeeId),
        ne(timesheets.status, 'cancelled'),
      ),
    )
    .leftJoin(users, eq(users.id, timesheets.submittedBy))
    .where(choice.where)
    .orderBy(desc(reportingPeriods.startsOn))
    .limit(1);
  if (!found) return fail('no_period', choice.missing);
  const sheet = found.sheet
    ? { ...found.sheet, submittedByName: found.submittedByName ?? found.sheet.submittedBy }
    : undefined;
  const overview = await overviewOf(q, consultant, found.period, sheet);
  return {
    ok: true,
    overview: {
      ...overview,
      previousPeriodId: found.previousPeriodId === null ? null : Number(found.previousPeriodId),
      nextPeriodId: found.nextPeriodId === null ? null : Number(found.nextPeriodId),
    },
  };
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

    await lockTeamsToRoute(tx);
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

/**
 * Earlier periods (newest first, up to `limit`) with what became of the consultant's sheet; `more`
 * when there are older ones still.
 */
export async function timesheetHistory(
  ctx: ServiceContext,
  input: { limit?: number } = {},
): Promise<Result<{ history: HistoryRow[]; more: boolean }>> {
  const limit = input.limit ?? 24;
  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'viewOwnTimesheet');
    if (!who.ok) return who;
    const today = todayOf(ctx, who.consultant);
    const periods = await tx
      .select()
      .from(reportingPeriods)
      .where(and(lt(reportingPeriods.endsOn, today), isNull(reportingPeriods.archivedAt)))
      .orderBy(desc(reportingPeriods.startsOn))
      .limit(limit + 1);
    const history: HistoryRow[] = [];
    for (const period of periods.slice(0, limit)) {
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
    return { ok: true as const, history, more: periods.length > limit };
  });
}

type Period = typeof reportingPeriods.$inferSelect;

/**
 * One particular sheet, read-only, for someone who decides on it (an approver). The caller has
 * checked that they may see it.
 */
export async function sheetOverview(q: Queryable, timesheetId: number): Promise<TimesheetOverview | undefined> {
  const submitter = alias(users, 'submitter');
  const [row] = await q
    .select({
      sheet: timesheets,
      period: reportingPeriods,
      userId: employees.userId,
      name: users.displayName,
      submittedByName: submitter.displayName,
    })
    .from(timesheets)
    .innerJoin(reportingPeriods, eq(reportingPeriods.id, timesheets.periodId))
    .innerJoin(employees, eq(employees.id, timesheets.consultantId))
    .innerJoin(users, eq(users.id, employees.userId))
    .leftJoin(submitter, eq(submitter.id, timesheets.submittedBy))
    .where(eq(timesheets.id, timesheetId));
  if (!row?.userId) return undefined;
  const consultant = { employeeId: row.sheet.consultantId, name: row.name, userId: row.userId };
  const overview = await overviewOf(q, consultant, row.period, {
    ...row.sheet,
    submittedByName: row.submittedByName ?? row.sheet.submittedBy,
  });
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
  const choice = periodChoice(ctx, consultant, input);
  const [period] = await tx
    .select()
    .from(reportingPeriods)
    .where(choice.where)
    .orderBy(desc(reportingPeriods.startsOn))
    .limit(1);
  return period ? { ok: true, period } : fail('no_period', choice.missing);
}

/**
 * The condition choosing the period (the latest by start that meets it) and what to say when none
 * does. Periods never overlap, so the one holding a date is the latest that begins by then, if it
 * has not ended before: one step down the start-date index however many periods there are.
 */
/** Why a consultant's current timesheet cannot be shown before the firm's first period. */
export const NO_PERIOD_STARTED =
  'No reporting period has started yet. Ask an administrator to add one in /admin > Reporting periods.';

function periodChoice(ctx: ServiceContext, consultant: Consultant, input: PeriodSpec): { where: SQL; missing: string } {
  const live = isNull(reportingPeriods.archivedAt);
  if (input.periodId !== undefined) {
    return {
      where: and(eq(reportingPeriods.id, input.periodId), live)!,
      missing: 'That reporting period no longer exists.',
    };
  }
  if (input.period?.kind === 'containing') {
    const { date } = input.period;
    return {
      where: and(lte(reportingPeriods.startsOn, date), gte(reportingPeriods.endsOn, date), live)!,
      missing: `No reporting period covers ${formatDay(date)}. \`/timesheet history\` lists the periods.`,
    };
  }
  const today = todayOf(ctx, consultant);
  if (input.period?.kind === 'last') {
    return { where: and(lt(reportingPeriods.endsOn, today), live)!, missing: 'No reporting period has ended yet.' };
  }
  return {
    where: and(lte(reportingPeriods.startsOn, today), live)!,
    missing: NO_PERIOD_STARTED,
  };
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

/** The sheet as the overview shows it: the live one of the period, with who submitted it by name. */
type ShownSheet = typeof timesheets.$inferSelect & { submittedByName: string | null };

async function overviewOf(
  tx: Queryable,
  consultant: Pick<Consultant, 'employeeId' | 'name' | 'userId'>,
  period: Period,
  sheet: ShownSheet | undefined,
): Promise<Omit<TimesheetOverview, 'previousPeriodId' | 'nextPeriodId'>> {
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
  return overviewFrom(consultant, period, sheet, rows);
}

/** A sheet entry as the overview reads it, its times as the database gives them (09:00:00). */
export type SheetEntryRow = TimesheetEntry & { workDate: string };

/** The overview of a period's sheet from its entries, ordered by day, start and id; App Home reads them with its page. */
export function overviewFrom(
  consultant: Pick<Consultant, 'name' | 'userId'>,
  period: Pick<Period, 'id' | 'startsOn' | 'endsOn'>,
  sheet: Pick<ShownSheet, 'status' | 'submittedAt' | 'submittedByName'> | undefined,
  rows: SheetEntryRow[],
): Omit<TimesheetOverview, 'previousPeriodId' | 'nextPeriodId'> {
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

  const status = sheet?.status ?? 'open';
  return {
    consultantName: consultant.name,
    consultantUserId: consultant.userId,
    period: { id: period.id, startsOn: period.startsOn, endsOn: period.endsOn },
    status,
    submittedAt: sheet?.submittedAt ?? null,
    submittedByName: sheet?.submittedByName ?? null,
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
