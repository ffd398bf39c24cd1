import { addDays, dateInZone } from '../domain/dates.js';
import { instantAt } from '../domain/zoned-time.js';
import { administrators, DEAD_LETTERS, sendDeadLetterDigest } from '../services/dead-letters.js';
import { readWorkCalendar } from '../services/period-reminders.js';
import type { DueUnit, Job } from './job.js';

/**
 * Every morning (the morning time in the administrator's zone) each administrator gets one DM
 * listing the outbox messages that were given up on, if any, with Resend and Dismiss.
 * Slot: `U0ADMIN:2026-12-07` (their local date).
 */
export const deadLettersJob: Job = {
  name: DEAD_LETTERS,
  description: 'Morning digest DM to administrators of Slack messages that could not be delivered',
  settings: ['morning_time'],

  async due(q, ctx, { from, to }) {
    const calendar = await readWorkCalendar(q);
    const units: DueUnit[] = [];
    for (const admin of await administrators(q, ctx)) {
      const last = dateInZone(to, admin.timeZone);
      for (let date = dateInZone(from, admin.timeZone); date <= last; date = addDays(date, 1)) {
        const at = instantAt(date, calendar.morningTime, admin.timeZone);
        if (at > from && at <= to) units.push({ slot: `${admin.userId}:${date}`, dueAt: at });
      }
    }
    return units;
  },

  async run(tx, ctx, unit) {
    const [adminId] = unit.slot.split(':');
    return sendDeadLetterDigest(tx, ctx, {
      adminId: adminId!,
      dedupeKey: `job:${DEAD_LETTERS}:${unit.slot}`,
      ref: `${DEAD_LETTERS}:${unit.slot}`,
    });
  },
};
