import { addDays, dateInZone } from '../domain/dates.js';
import { isWorkingDay, previousWorkingDay } from '../domain/working-days.js';
import { instantAt } from '../domain/zoned-time.js';
import {
  daysWithTime,
  MISSING_TIME_NUDGE,
  missingTimeNudgeOn,
  sendMissingTimeNudge,
} from '../services/missing-time-nudges.js';
import { readWorkCalendar, remindableConsultants } from '../services/period-reminders.js';
import type { DueUnit, Job } from './job.js';

/**
 * Off by default (setting `missing_time_nudge`). When on, an active consultant who logged nothing
 * on a working day gets one DM with Log time at the morning time (default 09:00, their own zone)
 * of the next working day. Slot: `U01ALICE:2026-12-04` (the day without time).
 */
export const missingTimeNudgeJob: Job = {
  name: MISSING_TIME_NUDGE,
  description: 'Morning DM with Log time to consultants who logged nothing on the last working day (off by default)',
  settings: ['missing_time_nudge', 'working_days', 'holidays', 'morning_time'],

  async due(q, ctx, { from, to }) {
    if (!(await missingTimeNudgeOn(q))) return [];
    const calendar = await readWorkCalendar(q);
    const candidates: { userId: string; date: string; dueAt: Date }[] = [];
    for (const person of await remindableConsultants(q, ctx)) {
      const last = dateInZone(to, person.timeZone);
      for (let morning = dateInZone(from, person.timeZone); morning <= last; morning = addDays(morning, 1)) {
        if (!isWorkingDay(calendar, morning)) continue;
        const missed = previousWorkingDay(calendar, morning);
        const at = instantAt(morning, calendar.morningTime, person.timeZone);
        if (missed && at > from && at <= to) candidates.push({ userId: person.userId, date: missed, dueAt: at });
      }
    }
    const logged = await daysWithTime(q, candidates);
    return candidates
      .filter((day) => !logged.has(`${day.userId}:${day.date}`))
      .map((day): DueUnit => ({ slot: `${day.userId}:${day.date}`, dueAt: day.dueAt }));
  },

  async run(tx, ctx, unit) {
    const [userId, date] = unit.slot.split(':');
    return sendMissingTimeNudge(tx, ctx, {
      userId: userId!,
      date: date!,
      dedupeKey: `job:${MISSING_TIME_NUDGE}:${unit.slot}`,
    });
  },
};
