import { addDays, dateInZone } from '../domain/dates.js';
import { isWorkingDay } from '../domain/working-days.js';
import { instantAt } from '../domain/zoned-time.js';
import { APPROVAL_NUDGE, sendApprovalNudge, waitingApprovers } from '../services/approval-nudges.js';
import { readWorkCalendar } from '../services/period-reminders.js';
import type { DueUnit, Job } from './job.js';

/**
 * Each working morning (the morning time, default 09:00, in the approver's zone) an approver with
 * decisions waiting over 24 hours gets one digest DM. Slot: `U02BOB:2026-12-07` (their local date).
 */
export const approvalNudgeJob: Job = {
  name: APPROVAL_NUDGE,
  description: 'Morning digest DM to approvers with timesheets waiting over 24 hours',
  settings: ['working_days', 'holidays', 'morning_time'],

  async due(q, ctx, { from, to }) {
    const calendar = await readWorkCalendar(q);
    const units: DueUnit[] = [];
    for (const approver of await waitingApprovers(q, ctx)) {
      const last = dateInZone(to, approver.timeZone);
      for (let date = dateInZone(from, approver.timeZone); date <= last; date = addDays(date, 1)) {
        if (!isWorkingDay(calendar, date)) continue;
        const at = instantAt(date, calendar.morningTime, approver.timeZone);
        if (at > from && at <= to) units.push({ slot: `${approver.userId}:${date}`, dueAt: at });
      }
    }
    return units;
  },

  async run(tx, ctx, unit) {
    const [approverId] = unit.slot.split(':');
    return sendApprovalNudge(tx, ctx, {
      approverId: approverId!,
      // Waiting is counted to the morning it was due, so a late catch-up says what 09:00 would have.
      at: unit.dueAt,
      dedupeKey: `job:${APPROVAL_NUDGE}:${unit.slot}`,
      ref: `${APPROVAL_NUDGE}:${unit.slot}`,
    });
  },
};
