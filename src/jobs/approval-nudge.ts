import { addDays, dateInZone } from '../domain/dates.js';
import { isWorkingDay } from '../domain/working-days.js';
import { instantAt } from '../domain/zoned-time.js';
import { APPROVAL_NUDGE, digestRecipients, sendApprovalNudge } from '../services/approval-nudges.js';
import { readWorkCalendar } from '../services/period-reminders.js';
import type { DueUnit, Job } from './job.js';

/**
 * Each working morning (the morning time, default 09:00, in the reader's zone) an approver with
 * decisions waiting over 24 hours gets one digest DM; for a manager marked away, their delegates get
 * those sheets in theirs instead. Slot: `U02BOB:2026-12-07` (the reader and their local date).
 */
export const approvalNudgeJob: Job = {
  name: APPROVAL_NUDGE,
  description:
    'Morning digest DM to approvers with timesheets waiting over 24 hours (to their delegates while they are away)',
  settings: ['working_days', 'holidays', 'morning_time'],

  async due(q, ctx, { from, to }) {
    const calendar = await readWorkCalendar(q);
    const units: DueUnit[] = [];
    for (const reader of await digestRecipients(q, ctx)) {
      const last = dateInZone(to, reader.timeZone);
      for (let date = dateInZone(from, reader.timeZone); date <= last; date = addDays(date, 1)) {
        if (!isWorkingDay(calendar, date)) continue;
        const at = instantAt(date, calendar.morningTime, reader.timeZone);
        if (at > from && at <= to) units.push({ slot: `${reader.userId}:${date}`, dueAt: at });
      }
    }
    return units;
  },

  async run(tx, ctx, unit) {
    const [recipientId] = unit.slot.split(':');
    return sendApprovalNudge(tx, ctx, {
      recipientId: recipientId!,
      // Waiting is counted to the morning it was due, so a late catch-up says what 09:00 would have.
      at: unit.dueAt,
      dedupeKey: `job:${APPROVAL_NUDGE}:${unit.slot}`,
      ref: `${APPROVAL_NUDGE}:${unit.slot}`,
    });
  },
};
