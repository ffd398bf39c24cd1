import { addDays, dateInZone } from '../domain/dates.js';
import { instantAt } from '../domain/zoned-time.js';
import { checkEveryCreditAlert } from '../services/credit-ledger.js';
import { readWorkCalendar } from '../services/period-reminders.js';
import type { DueUnit, Job } from './job.js';

export const CREDIT_CHECK = 'credit-check';

/**
 * Every day at the morning time in the firm's zone, the prepaid alert rules are run again over every
 * prepaid customer: approvals and purchases settle alerts as they happen, and this catches what no
 * transaction did (a forecast that moved with the calendar). Slot: the firm's date, `2026-12-07`.
 */
export const creditCheckJob: Job = {
  name: CREDIT_CHECK,
  description: 'Daily backstop of the low-credit and early alerts of prepaid customers (each crossing told once)',
  settings: ['morning_time'],

  async due(q, ctx, { from, to }) {
    const calendar = await readWorkCalendar(q);
    const units: DueUnit[] = [];
    const last = dateInZone(to, ctx.org.timeZone);
    for (let date = dateInZone(from, ctx.org.timeZone); date <= last; date = addDays(date, 1)) {
      const at = instantAt(date, calendar.morningTime, ctx.org.timeZone);
      if (at > from && at <= to) units.push({ slot: date, dueAt: at });
    }
    return units;
  },

  async run(tx, ctx) {
    const sent = await checkEveryCreditAlert(tx, ctx);
    if (sent.length === 0) return 'no alert was due that had not been sent';
    return `alerts sent: ${sent.map((s) => `${s.customerCode} (${s.kinds.join(', ')})`).join('; ')}`;
  },
};
