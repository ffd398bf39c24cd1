import { and, asc, eq, gte, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { consultants, employees, reportingPeriods, timeEntries, timesheets, users } from '../db/schema.js';
import { addDays } from '../domain/dates.js';
import { type WorkCalendar, workCalendar } from '../domain/working-days.js';
import type { ServiceContext } from './context.js';
import { enqueueMessage } from './outbox.js';
import { readSettings } from './settings.js';

export const PERIOD_REMINDER = 'period-reminder';

/** The DM to a consultant whose sheet is still open when a period ends. */
export type PeriodReminderModel = {
  /** The consultant it reminds (its buttons act on their time); absent in reminders queued before it was kept. */
  userId?: string;
  period: { id: number; startsOn: string; endsOn: string };
  /** The second reminder, the first working morning after the period. */
  last: boolean;
  days: { date: string; minutes: number }[];
  totalMinutes: number;
  entryCount: number;
};

/** The firm's working days, holidays and reminder times. */
export async function readWorkCalendar(q: Queryable): Promise<WorkCalendar> {
  return workCalendar(await readSettings(q));
}

/** Active consultants with a Slack user, each with the zone their day is in. */
export async function remindableConsultants(
  q: Queryable,
  ctx: Pick<ServiceContext, 'org'>,
): Promise<{ userId: string; timeZone: string }[]> {
  const rows = await q
    .select({ userId: users.id, timeZone: users.timeZone })
    .from(consultants)
    .innerJoin(employees, eq(employees.id, consultants.employeeId))
    .innerJoin(users, eq(users.id, employees.userId))
    .where(and(isNull(consultants.archivedAt), isNull(employees.archivedAt), eq(users.active, true)))
    .orderBy(asc(users.id));
  return rows.map((row) => ({ userId: row.userId, timeZone: row.timeZone ?? ctx.org.timeZone }));
}

/** The consultant (employee id) of an active user who is an active consultant, else undefined. */
export async function activeConsultant(q: Queryable, userId: string): Promise<{ employeeId: number } | undefined> {
  const [who] = await q
    .select({ employeeId: consultants.employeeId })
    .from(consultants)
    .innerJoin(employees, eq(employees.id, consultants.employeeId))
    .innerJoin(users, eq(users.id, employees.userId))
    .where(
      and(eq(users.id, userId), eq(users.active, true), isNull(consultants.archivedAt), isNull(employees.archivedAt)),
    );
  return who;
}

/**
 * Periods a reminder may fall due for between the two dates: the first reminder comes on or before
 * a period's end, the last one after it (a month of holidays at most).
 */
export async function periodsEndingAround(q: Queryable, fromDate: string, toDate: string) {
  return q
    .select({ id: reportingPeriods.id, startsOn: reportingPeriods.startsOn, endsOn: reportingPeriods.endsOn })
    .from(reportingPeriods)
    .where(
      and(
        isNull(reportingPeriods.archivedAt),
        gte(reportingPeriods.endsOn, addDays(fromDate, -31)),
        lte(reportingPeriods.startsOn, addDays(toDate, 1)),
      ),
    )
    .orderBy(asc(reportingPeriods.startsOn));
}

/**
 * Queues the period-end reminder to one consultant, unless their sheet for the period is submitted
 * (or decided) or they are no longer an active consultant. Answers what it did, in words.
 */
export async function sendPeriodReminder(
  tx: Queryable,
  ctx: ServiceContext,
  input: { userId: string; periodId: number; last: boolean; dedupeKey: string },
): Promise<string> {
  const who = await activeConsultant(tx, input.userId);
  if (!who) return 'not sent: no longer an active consultant';
  const period = await tx.query.reportingPeriods.findFirst({
    where: and(eq(reportingPeriods.id, input.periodId), isNull(reportingPeriods.archivedAt)),
  });
  if (!period) return 'not sent: the period was deleted';
  const [sheet] = await tx
    .select({ id: timesheets.id, status: timesheets.status })
    .from(timesheets)
    .where(
      and(
        eq(timesheets.consultantId, who.employeeId),
        eq(timesheets.periodId, period.id),
        ne(timesheets.status, 'cancelled'),
      ),
    );
  if (sheet && sheet.status !== 'open') return `not sent: the timesheet is ${sheet.status}`;
  const days = sheet
    ? await tx
        .select({ date: timeEntries.workDate, minutes: sql<number>`sum(${timeEntries.minutes})::int` })
        .from(timeEntries)
        .where(eq(timeEntries.timesheetId, sheet.id))
        .groupBy(timeEntries.workDate)
        .orderBy(asc(timeEntries.workDate))
    : [];
  const [counted] = sheet
    ? await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(timeEntries)
        .where(eq(timeEntries.timesheetId, sheet.id))
    : [{ n: 0 }];
  const model: PeriodReminderModel = {
    userId: input.userId,
    period: { id: period.id, startsOn: period.startsOn, endsOn: period.endsOn },
    last: input.last,
    days: days.map((day) => ({ date: day.date, minutes: Number(day.minutes) })),
    totalMinutes: days.reduce((sum, day) => sum + Number(day.minutes), 0),
    entryCount: Number(counted?.n ?? 0),
  };
  await enqueueMessage(
    tx,
    input.dedupeKey,
    {
      kind: 'post',
      ref: `${PERIOD_REMINDER}:${input.userId}:${period.endsOn}${input.last ? ':last' : ''}`,
      channel: input.userId,
      content: { template: PERIOD_REMINDER, model },
    },
    ctx.clock.now(),
  );
  return `${input.last ? 'last reminder' : 'reminder'} queued (${model.entryCount} entries, ${model.totalMinutes} min)`;
}
