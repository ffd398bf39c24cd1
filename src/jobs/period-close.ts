import { closingPeriods, PERIOD_CLOSE, postPeriodClose } from '../services/period-close.js';
import type { Job } from './job.js';

/**
 * Once per period, when its last sheet is decided or `close_after_days` after it ended, the close
 * goes to FINANCE_CHANNEL (src/services/period-close.ts). Slot: the period's last day, `2026-11-30`,
 * whichever of the two made it due, so a period closes once.
 */
export const periodCloseJob: Job = {
  name: PERIOD_CLOSE,
  description: 'Posts each period’s close to FINANCE_CHANNEL: checklist, invoice drafts, AR and AP summaries',
  settings: ['close_after_days', 'morning_time'],

  async due(q, ctx, window) {
    return (await closingPeriods(q, ctx, window)).map((period) => ({ slot: period.endsOn, dueAt: period.dueAt }));
  },

  async run(tx, ctx, unit) {
    return postPeriodClose(tx, ctx, {
      endsOn: unit.slot,
      dedupeKey: `job:${PERIOD_CLOSE}:${unit.slot}`,
      ref: `${PERIOD_CLOSE}:${unit.slot}`,
    });
  },
};
