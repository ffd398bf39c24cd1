import { addDays, addMonths, endOfMonth, isIsoDate } from './dates.js';
import { type Failure } from './result.js';

export type PeriodRange = { startsOn: string; endsOn: string };
export const PERIOD_CADENCES = ['weekly', 'semi-monthly', 'monthly'] as const;
export type PeriodCadence = (typeof PERIOD_CADENCES)[number];

const MAX_GENERATED = 520;

/**
 * Cuts [from, to] into consecutive periods. Weekly periods are 7 days from `from`; semi-monthly
 * ones end on the 15th and on the month's last day; monthly ones on the month's last day
 * (when `from` is not the 1st, periods run from that day to the day before it a month later).
 * The last period ends on `to` at the latest.
 */
export function generatePeriods(
  cadence: PeriodCadence,
  from: string,
  to: string,
): { ok: true; periods: PeriodRange[] } | { ok: false; error: Failure } {
  if (!isIsoDate(from) || !isIsoDate(to)) {
    return { ok: false, error: { code: 'invalid_date', message: 'Dates must be real dates written as YYYY-MM-DD.' } };
  }
  if (from > to) {
    return {
      ok: false,
      error: { code: 'period_order', message: `The series starts (${from}) after it ends (${to}).` },
    };
  }
  const periods: PeriodRange[] = [];
  let startsOn = from;
  while (startsOn <= to) {
    const natural = naturalEnd(cadence, startsOn, from);
    const endsOn = natural < to ? natural : to;
    periods.push({ startsOn, endsOn });
    if (periods.length > MAX_GENERATED) {
      return {
        ok: false,
        error: {
          code: 'too_many_periods',
          message: `That series has more than ${MAX_GENERATED} periods; use a shorter range.`,
        },
      };
    }
    startsOn = addDays(endsOn, 1);
  }
  return { ok: true, periods };
}

function naturalEnd(cadence: PeriodCadence, startsOn: string, seriesStart: string): string {
  switch (cadence) {
    case 'weekly':
      return addDays(startsOn, 6);
    case 'semi-monthly': {
      const day = Number(startsOn.slice(8, 10));
      return day <= 15 ? `${startsOn.slice(0, 8)}15` : endOfMonth(startsOn);
    }
    case 'monthly': {
      if (seriesStart.endsWith('-01')) return endOfMonth(startsOn);
      return addDays(addMonths(startsOn, 1), -1);
    }
  }
}

export function periodsOverlap(a: PeriodRange, b: PeriodRange): boolean {
  return a.startsOn <= b.endsOn && b.startsOn <= a.endsOn;
}
