import { dateInZone } from '../domain/dates.js';
import { lastWorkingDay, nextWorkingDay } from '../domain/working-days.js';
import { instantAt } from '../domain/zoned-time.js';
import {
  PERIOD_REMINDER,
  periodsEndingAround,
  readWorkCalendar,
  remindableConsultants,
  sendPeriodReminder,
} from '../services/period-reminders.js';
import type { DueUnit, Job } from './job.js';

/**
 * Each consultant whose sheet is still open gets a DM at the reminder time (default 16:00, their
 * own zone) on the period's last working day, and a last one at the morning time of the first
 * working day after it. Slots: `U01ALICE:2026-11-30` and `U01ALICE:2026-11-30:last`.
 */
export const periodReminderJob: Job = {
  name: PERIOD_REMINDER,
  description: 'DMs consultants whose timesheet is still open at the end of a period (and the next working morning)',
  settings: ['working_days', 'holidays', 'reminder_time', 'morning_time'],

  async due(q, ctx, { from, to }) {
    const calendar = await readWorkCalendar(q);
    const periods = await periodsEndingAround(q, dateInZone(from, 'UTC'), dateInZone(to, 'UTC'));
    if (periods.length === 0) return [];
    const units: DueUnit[] = [];
    const within = (instant: Date) => instant > from && instant <= to;
    for (const person of await remindableConsultants(q, ctx)) {
      for (const period of periods) {
        const morning = nextWorkingDay(calendar, period.endsOn);
        const lastAt = morning ? instantAt(morning, calendar.morningTime, person.timeZone) : undefined;
        const lastDue = lastAt !== undefined && within(lastAt);
        const lastDay = lastWorkingDay(calendar, period.startsOn, period.endsOn);
        // The first one says today is the period's last working day: caught up later than that
        // day (the app was down), it is no longer true, and the last one goes in the morning.
        if (lastDay && !lastDue && dateInZone(to, person.timeZone) === lastDay) {
          const at = instantAt(lastDay, calendar.reminderTime, person.timeZone);
          if (within(at)) units.push({ slot: `${person.userId}:${period.endsOn}`, dueAt: at });
        }
        if (lastDue) units.push({ slot: `${person.userId}:${period.endsOn}:last`, dueAt: lastAt });
      }
    }
    return units;
  },

  async run(tx, ctx, unit) {
    const [userId, endsOn, last] = unit.slot.split(':');
    const period = await tx.query.reportingPeriods.findFirst({
      where: (p, { and, eq, isNull }) => and(eq(p.endsOn, endsOn!), isNull(p.archivedAt)),
    });
    if (!period) return 'not sent: the period was deleted';
    return sendPeriodReminder(tx, ctx, {
      userId: userId!,
      periodId: period.id,
      last: last === 'last',
      dedupeKey: `job:${PERIOD_REMINDER}:${unit.slot}`,
    });
  },
};
