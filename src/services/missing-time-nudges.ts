import { and, eq, gte, inArray, isNull, lte, ne } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { employees, reportingPeriods, timeEntries, timesheets } from '../db/schema.js';
import type { ServiceContext } from './context.js';
import { enqueueMessage } from './outbox.js';
import { activeConsultant } from './period-reminders.js';
import { readSettings } from './settings.js';

export const MISSING_TIME_NUDGE = 'missing-time-nudge';

/** The DM to a consultant who logged nothing on a working day: the day, and Log time for it. */
export type MissingTimeNudgeModel = { date: string };

/** Whether an administrator has switched the nudge on (`/admin` > Settings); it is off by default. */
export async function missingTimeNudgeOn(q: Queryable): Promise<boolean> {
  return (await readSettings(q)).missing_time_nudge === 'on';
}

/**
 * Of these consultants' days, the ones with any time logged (an entry on any of their sheets,
 * whatever its status), as `user:date`.
 */
export async function daysWithTime(q: Queryable, days: { userId: string; date: string }[]): Promise<Set<string>> {
  if (days.length === 0) return new Set();
  const dates = days.map((day) => day.date).sort();
  const rows = await q
    .selectDistinct({ userId: employees.userId, date: timeEntries.workDate })
    .from(timeEntries)
    .innerJoin(timesheets, eq(timesheets.id, timeEntries.timesheetId))
    .innerJoin(employees, eq(employees.id, timesheets.consultantId))
    .where(
      and(
        inArray(employees.userId, [...new Set(days.map((day) => day.userId))]),
        gte(timeEntries.workDate, dates[0]!),
        lte(timeEntries.workDate, dates[dates.length - 1]!),
      ),
    );
  return new Set(rows.map((row) => `${row.userId}:${row.date}`));
}

/**
 * Queues the missing-time nudge to one consultant for one day, unless the nudge was switched off,
 * they are no longer an active consultant, time was logged that day meanwhile, or nothing can be
 * logged on it (no reporting period holds it, or its timesheet is already submitted or decided).
 * Answers what it did, in words.
 */
export async function sendMissingTimeNudge(
  tx: Queryable,
  ctx: ServiceContext,
  input: { userId: string; date: string; dedupeKey: string },
): Promise<string> {
  if (!(await missingTimeNudgeOn(tx))) return 'not sent: the missing-time nudge is off';
  const who = await activeConsultant(tx, input.userId);
  if (!who) return 'not sent: no longer an active consultant';
  if ((await daysWithTime(tx, [input])).size > 0) return 'not sent: time is logged for that day';
  const [period] = await tx
    .select({ id: reportingPeriods.id })
    .from(reportingPeriods)
    .where(
      and(
        lte(reportingPeriods.startsOn, input.date),
        gte(reportingPeriods.endsOn, input.date),
        isNull(reportingPeriods.archivedAt),
      ),
    );
  if (!period) return 'not sent: no reporting period holds that day';
  const [sheet] = await tx
    .select({ status: timesheets.status })
    .from(timesheets)
    .where(
      and(
        eq(timesheets.consultantId, who.employeeId),
        eq(timesheets.periodId, period.id),
        ne(timesheets.status, 'cancelled'),
      ),
    );
  if (sheet && sheet.status !== 'open') return `not sent: the timesheet for that day is ${sheet.status}`;
  const model: MissingTimeNudgeModel = { date: input.date };
  await enqueueMessage(
    tx,
    input.dedupeKey,
    {
      kind: 'post',
      ref: `${MISSING_TIME_NUDGE}:${input.userId}:${input.date}`,
      channel: input.userId,
      content: { template: MISSING_TIME_NUDGE, model },
    },
    ctx.clock.now(),
  );
  return 'nudge queued';
}
