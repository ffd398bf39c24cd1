import { addDays, addMonths, isIsoDate, lastDayOfMonth } from './dates.js';
import { type Failure } from './result.js';

export type PeriodRange = { startsOn: string; endsOn: string };
export const PERIOD_CADENCES = ['weekly', 'semi-monthly', 'monthly'] as const;
export type PeriodCadence = (typeof PERIOD_CADENCES)[number];

const MAX_GENERATED = 520;

/**
 * Cuts [from, to] into consecutive periods, each starting on a date computed from the series
 * start (never from the previous period, so a short month does not shift the rest). Weekly: every
 * 7 days. Monthly: the start's day of every month, on the month's last day when it is shorter (from
 * Jan 31: Jan 31 – Feb 27, Feb 28 – Mar 30, Mar 31 – Apr 29, …). Semi-monthly: two anchors 15 days
 * apart (from the 1st: the 1st and the 16th; from Jan 31: the 16th and the 31st, or the last day).
 * Each period ends the day before the next begins; the last ends on `to` at the latest.
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
  for (let index = 0; ; index++) {
    const startsOn = index === 0 ? from : nthStart(cadence, from, index);
    if (startsOn === undefined || startsOn > to) break;
    const next = nthStart(cadence, from, index + 1);
    const natural = next === undefined ? to : addDays(next, -1);
    periods.push({ startsOn, endsOn: natural < to ? natural : to });
    if (periods.length > MAX_GENERATED) {
      return {
        ok: false,
        error: {
          code: 'too_many_periods',
          message: `That series has more than ${MAX_GENERATED} periods; use a shorter range.`,
        },
      };
    }
  }
  return { ok: true, periods };
}

/** The first day of the series' `index`th period, from its start alone; undefined past the year 9999. */
function nthStart(cadence: PeriodCadence, seriesStart: string, index: number): string | undefined {
  const withinYear9999 = (iso: string) => (isIsoDate(iso) ? iso : undefined);
  switch (cadence) {
    case 'weekly':
      return withinYear9999(addDays(seriesStart, 7 * index));
    case 'monthly': {
      const month = withinYear9999(addMonths(seriesStart, index));
      return month && onDay(month, Number(seriesStart.slice(8, 10)));
    }
    case 'semi-monthly': {
      const day = Number(seriesStart.slice(8, 10));
      const anchors = day <= 15 ? [day, day + 15] : [day - 15, day];
      // The series start is the first anchor it meets: the later one for a start after the 15th.
      const offset = index + (day <= 15 ? 0 : 1);
      const month = withinYear9999(addMonths(`${seriesStart.slice(0, 8)}01`, Math.floor(offset / 2)));
      return month && onDay(month, anchors[offset % 2]!);
    }
  }
}

/** The given day of that date's month, or the month's last day when it has fewer days. */
function onDay(iso: string, day: number): string {
  return `${iso.slice(0, 8)}${String(Math.min(day, lastDayOfMonth(iso))).padStart(2, '0')}`;
}

export function periodsOverlap(a: PeriodRange, b: PeriodRange): boolean {
  return a.startsOn <= b.endsOn && b.startsOn <= a.endsOn;
}
