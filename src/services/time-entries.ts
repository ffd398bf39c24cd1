import { and, eq, gte, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Queryable, Transaction } from '../db/client.js';
import {
  consultants,
  customers,
  employees,
  projectConsultants,
  projects,
  reportingPeriods,
  timeEntries,
  timesheets,
  users,
} from '../db/schema.js';
import { dateInZone, formatDay, isIsoDate } from '../domain/dates.js';
import { formatMinutes, MINUTES_PER_DAY } from '../domain/duration.js';
import { type DateSpec, resolveDateSpec } from '../domain/log-command.js';
import { fail, type Result } from '../domain/result.js';
import { closestMatches } from '../domain/suggestions.js';
import { recordAudit } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';

export const MAX_DESCRIPTION_LENGTH = 500;

export type LogTimeInput = {
  projectCode: string;
  /** Defaults to today in the consultant's time zone. */
  date?: DateSpec;
  minutes: number;
  /** "HH:MM", both or neither; the entry may not overlap another timed entry that day. */
  beginsAt?: string;
  endsAt?: string;
  description: string;
  billable: boolean;
  source: 'command' | 'modal' | 'timer' | 'shortcut' | 'meeting';
  /** Identifies the Slack request, so a retried request saves nothing twice. */
  requestKey?: string;
};

export type SavedEntry = {
  entryId: number;
  projectCode: string;
  projectName: string;
  customerName: string;
  workDate: string;
  minutes: number;
  description: string;
  billable: boolean;
  /** True when this request had already saved the entry (a retry); nothing new was written. */
  repeated: boolean;
};

/** Saves one time entry in the consultant's open timesheet for the period holding its date. */
export async function logTime(ctx: ServiceContext, input: LogTimeInput): Promise<Result<{ entry: SavedEntry }>> {
  const description = input.description.trim();
  if (description === '') {
    return fail('description_required', 'Add a description of the work, e.g. `/log 2h ACME-WEB design review`.', 'description');
  }
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    return fail('description_too_long', `The description has ${description.length} characters; keep it to ${MAX_DESCRIPTION_LENGTH}.`, 'description');
  }
  if (!Number.isInteger(input.minutes) || input.minutes <= 0) {
    return fail('invalid_duration', 'The duration must be more than zero, e.g. `2h`, `1h30m` or `45m`.', 'minutes');
  }
  if (input.minutes > MINUTES_PER_DAY) {
    return fail('duration_too_long', `One entry can be at most 24h; ${formatMinutes(input.minutes)} is more.`, 'minutes');
  }
  if (input.date?.kind === 'iso' && !isIsoDate(input.date.date)) {
    return fail('invalid_date', `"${input.date.date}" is not a date; write it as YYYY-MM-DD.`, 'date');
  }
  if ((input.beginsAt === undefined) !== (input.endsAt === undefined)) {
    return fail('times_paired', 'Give both a begin and an end time, or neither.', 'minutes');
  }

  return ctx.db.transaction(async (tx) => {
    const access = await authorize(tx, ctx, 'entry');
    if (!access.ok) return access;
    const userId = access.userId;
    if (userId === undefined) return fail('not_a_user', 'Time can only be logged for a Slack user.');

    if (input.requestKey) {
      const earlier = await findEntryByRequestKey(tx, input.requestKey);
      if (earlier) return { ok: true as const, entry: { ...earlier, repeated: true } };
    }

    const consultant = await consultantOf(tx, userId);
    if (!consultant) {
      return fail('not_a_consultant', 'You are not set up as a consultant yet. Ask an administrator to add you in /admin > Employees.');
    }

    const project = await tx.query.projects.findFirst({
      where: and(eq(projects.code, input.projectCode.toUpperCase()), isNull(projects.archivedAt)),
    });
    const assignment =
      project &&
      (await tx.query.projectConsultants.findFirst({
        where: and(eq(projectConsultants.projectId, project.id), eq(projectConsultants.consultantId, consultant.employeeId)),
      }));
    if (!project || !assignment || !project.active) {
      const codes = await assignedProjectCodes(tx, consultant.employeeId);
      const suggestions = closestMatches(input.projectCode, codes);
      const hint = suggestions.length ? ` Did you mean ${suggestions.map((code) => `\`${code}\``).join(', ')}?` : '';
      const problem = !project
        ? `There is no project \`${input.projectCode.toUpperCase()}\`.`
        : !project.active
          ? `Project \`${project.code}\` is closed for time entry.`
          : `You are not assigned to project \`${project.code}\`.`;
      return fail(project ? 'project_not_allowed' : 'unknown_project', problem + hint, 'project');
    }

    const timeZone = (await tx.query.users.findFirst({ where: eq(users.id, userId) }))?.timeZone ?? ctx.org.timeZone;
    const today = dateInZone(ctx.clock.now(), timeZone);
    const workDate = input.date ? resolveDateSpec(input.date, today) : today;
    if (workDate > today) {
      return fail('future_date', `${formatDay(workDate)} is in the future; time can be logged up to today (${formatDay(today)}).`, 'date');
    }

    const period = await tx.query.reportingPeriods.findFirst({
      where: and(lte(reportingPeriods.startsOn, workDate), gte(reportingPeriods.endsOn, workDate), isNull(reportingPeriods.archivedAt)),
    });
    if (!period) {
      return fail('no_period', `No reporting period covers ${formatDay(workDate)}. Ask an administrator to add one in /admin > Reporting periods.`, 'date');
    }

    const sheet = await liveTimesheetForUpdate(tx, consultant.employeeId, period.id);
    if (sheet.status !== 'open') {
      return fail(
        'timesheet_locked',
        `Your timesheet for ${formatDay(period.startsOn)} – ${formatDay(period.endsOn)} is ${sheet.status}, so it cannot take new time.`,
        'date',
      );
    }

    const loggedThatDay = await minutesLoggedOn(tx, consultant.employeeId, workDate);
    if (loggedThatDay + input.minutes > MINUTES_PER_DAY) {
      return fail(
        'day_full',
        `You already have ${formatMinutes(loggedThatDay)} on ${formatDay(workDate)}; adding ${formatMinutes(input.minutes)} would pass 24h.`,
        'minutes',
      );
    }

    if (input.beginsAt !== undefined && input.endsAt !== undefined) {
      const clash = await overlappingEntry(tx, consultant.employeeId, workDate, input.beginsAt, input.endsAt);
      if (clash) {
        return fail(
          'overlap',
          `${input.beginsAt}–${input.endsAt} overlaps your entry ${clash.beginsAt.slice(0, 5)}–${clash.endsAt.slice(0, 5)} on ${formatDay(workDate)}.`,
          'minutes',
        );
      }
    }

    const [saved] = await tx
      .insert(timeEntries)
      .values({
        timesheetId: sheet.id,
        projectId: project.id,
        workDate,
        beginsAt: input.beginsAt ?? null,
        endsAt: input.endsAt ?? null,
        minutes: input.minutes,
        description,
        billable: input.billable,
        source: input.source,
        createdBy: ctx.actor.kind === 'user' ? ctx.actor.userId : userId,
        actingFor: ctx.actor.kind === 'user' ? (ctx.actor.actingFor ?? null) : null,
        requestKey: input.requestKey ?? null,
      })
      // A concurrent retry of the same request may have inserted first: then report its entry.
      .onConflictDoNothing({ target: timeEntries.requestKey })
      .returning();
    if (!saved) {
      const earlier = await findEntryByRequestKey(tx, input.requestKey!);
      return { ok: true as const, entry: { ...earlier!, repeated: true } };
    }
    await recordAudit(tx, ctx, { action: 'time_entry.create', entity: 'time_entry', entityId: saved.id, after: saved });

    const customer = await tx.query.customers.findFirst({ where: eq(customers.id, project.customerId) });
    return {
      ok: true as const,
      entry: {
        entryId: saved.id,
        projectCode: project.code,
        projectName: project.name,
        customerName: customer?.name ?? '',
        workDate,
        minutes: input.minutes,
        description,
        billable: input.billable,
        repeated: false,
      },
    };
  });
}

async function consultantOf(tx: Queryable, userId: string) {
  const [row] = await tx
    .select({ employeeId: consultants.employeeId })
    .from(consultants)
    .innerJoin(employees, eq(employees.id, consultants.employeeId))
    .where(and(eq(employees.userId, userId), isNull(employees.archivedAt), isNull(consultants.archivedAt)));
  return row;
}

async function assignedProjectCodes(tx: Queryable, consultantId: number): Promise<string[]> {
  const rows = await tx
    .select({ code: projects.code })
    .from(projectConsultants)
    .innerJoin(projects, eq(projects.id, projectConsultants.projectId))
    .where(and(eq(projectConsultants.consultantId, consultantId), eq(projects.active, true), isNull(projects.archivedAt)));
  return rows.map((row) => row.code);
}

/**
 * The consultant's live (not cancelled) timesheet for the period, created open on first use,
 * and locked so concurrent entries on the same sheet are checked one after another.
 */
export async function liveTimesheetForUpdate(tx: Transaction, consultantId: number, periodId: number) {
  await tx
    .insert(timesheets)
    .values({ consultantId, periodId })
    .onConflictDoNothing({
      target: [timesheets.consultantId, timesheets.periodId],
      where: sql`${timesheets.status} <> 'cancelled'`,
    });
  const [sheet] = await tx
    .select()
    .from(timesheets)
    .where(and(eq(timesheets.consultantId, consultantId), eq(timesheets.periodId, periodId), ne(timesheets.status, 'cancelled')))
    .for('update');
  if (!sheet) throw new Error(`timesheet for consultant ${consultantId} and period ${periodId} vanished`);
  return sheet;
}

async function minutesLoggedOn(tx: Queryable, consultantId: number, workDate: string): Promise<number> {
  const [row] = await tx
    .select({ total: sql<number>`coalesce(sum(${timeEntries.minutes}), 0)::int` })
    .from(timeEntries)
    .innerJoin(timesheets, eq(timesheets.id, timeEntries.timesheetId))
    .where(and(eq(timesheets.consultantId, consultantId), eq(timeEntries.workDate, workDate), ne(timesheets.status, 'cancelled')));
  return Number(row?.total ?? 0);
}

async function overlappingEntry(tx: Queryable, consultantId: number, workDate: string, beginsAt: string, endsAt: string) {
  const [row] = await tx
    .select({ beginsAt: sql<string>`${timeEntries.beginsAt}::text`, endsAt: sql<string>`${timeEntries.endsAt}::text` })
    .from(timeEntries)
    .innerJoin(timesheets, eq(timesheets.id, timeEntries.timesheetId))
    .where(
      and(
        eq(timesheets.consultantId, consultantId),
        eq(timeEntries.workDate, workDate),
        ne(timesheets.status, 'cancelled'),
        sql`${timeEntries.beginsAt} < ${endsAt}::time and ${timeEntries.endsAt} > ${beginsAt}::time`,
      ),
    )
    .limit(1);
  return row;
}

async function findEntryByRequestKey(tx: Queryable, requestKey: string): Promise<Omit<SavedEntry, 'repeated'> | undefined> {
  const [row] = await tx
    .select({
      entryId: timeEntries.id,
      projectCode: projects.code,
      projectName: projects.name,
      customerName: customers.name,
      workDate: timeEntries.workDate,
      minutes: timeEntries.minutes,
      description: timeEntries.description,
      billable: timeEntries.billable,
    })
    .from(timeEntries)
    .innerJoin(projects, eq(projects.id, timeEntries.projectId))
    .innerJoin(customers, eq(customers.id, projects.customerId))
    .where(eq(timeEntries.requestKey, requestKey));
  return row;
}
