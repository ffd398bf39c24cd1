/** Which reporting periods a report covers, and how they read in its title. */
import { addDays } from './dates.js';
import type { PeriodRange } from './periods.js';
import type { PeriodSelector } from './report-request.js';
import { fail, type Failure } from './result.js';

export type ReportPeriod = PeriodRange & { id: number };

/**
 * Resolves selectors against the firm's periods (sorted by first day) on `today`: `this` is the
 * period holding today, `last` the one before it (or the latest that has ended, when today is in
 * none), a date is the period starting that day, a range every period starting within it.
 * No selectors means `last`.
 */
export function selectPeriods(
  selectors: PeriodSelector[],
  periods: ReportPeriod[],
  today: string,
): { ok: true; periods: ReportPeriod[] } | { ok: false; error: Failure } {
  if (periods.length === 0)
    return fail(
      'no_periods',
      'There are no reporting periods yet. An administrator adds them in /admin > Reporting periods.',
    );
  const chosen = new Map<number, ReportPeriod>();
  for (const selector of selectors.length ? selectors : [{ kind: 'last' } as const]) {
    const found = resolve(selector, periods, today);
    if (!found.ok) return found;
    for (const period of found.periods) chosen.set(period.id, period);
  }
  return { ok: true, periods: [...chosen.values()].sort((a, b) => a.startsOn.localeCompare(b.startsOn)) };
}

function resolve(
  selector: PeriodSelector,
  periods: ReportPeriod[],
  today: string,
): { ok: true; periods: ReportPeriod[] } | { ok: false; error: Failure } {
  const current = periods.findIndex((p) => p.startsOn <= today && today <= p.endsOn);
  switch (selector.kind) {
    case 'this':
      return current >= 0
        ? { ok: true, periods: [periods[current]!] }
        : fail('no_current_period', `No reporting period holds today (${today}). ${startsHint(periods)}`);
    case 'last': {
      const previous = current >= 0 ? periods[current - 1] : periods.filter((p) => p.endsOn < today).at(-1);
      return previous
        ? { ok: true, periods: [previous] }
        : fail('no_last_period', `There is no reporting period before today’s. ${startsHint(periods)}`);
    }
    case 'starts': {
      const period = periods.find((p) => p.startsOn === selector.on);
      return period
        ? { ok: true, periods: [period] }
        : fail('unknown_period', `No reporting period starts on ${selector.on}. ${startsHint(periods, selector.on)}`);
    }
    case 'range': {
      const within = periods.filter((p) => selector.from <= p.startsOn && p.startsOn <= selector.to);
      return within.length
        ? { ok: true, periods: within }
        : fail(
            'unknown_period',
            `No reporting period starts between ${selector.from} and ${selector.to}. ${startsHint(periods, selector.from)}`,
          );
    }
  }
}

/** The first days nearest to `near` (or the latest ones), so the user can pick a real one. */
function startsHint(periods: ReportPeriod[], near?: string): string {
  const starts = periods.map((p) => p.startsOn);
  const nearest = near
    ? [...starts]
        .sort((a, b) => distance(a, near) - distance(b, near) || a.localeCompare(b))
        .slice(0, 3)
        .sort()
    : starts.slice(-3);
  return `Periods start on ${nearest.join(', ')}${starts.length > nearest.length ? ', …' : ''}.`;
}

function distance(a: string, b: string): number {
  return Math.abs(Date.parse(a) - Date.parse(b));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "1–15 Nov 2026"; back-to-back periods read as one span, others are listed: "1–15 Nov 2026, 1–31 Dec 2026". */
export function describePeriods(periods: PeriodRange[]): string {
  const spans: PeriodRange[] = [];
  for (const period of [...periods].sort((a, b) => a.startsOn.localeCompare(b.startsOn))) {
    const last = spans.at(-1);
    if (last && addDays(last.endsOn, 1) === period.startsOn) last.endsOn = period.endsOn;
    else spans.push({ ...period });
  }
  return spans.map((span) => describeSpan(span.startsOn, span.endsOn)).join(', ');
}

function describeSpan(from: string, to: string): string {
  const [fy, fm, fd] = parts(from);
  const [ty, tm, td] = parts(to);
  if (from === to) return `${fd} ${MONTHS[fm]} ${fy}`;
  if (fy === ty && fm === tm) return `${fd}–${td} ${MONTHS[tm]} ${ty}`;
  if (fy === ty) return `${fd} ${MONTHS[fm]} – ${td} ${MONTHS[tm]} ${ty}`;
  return `${fd} ${MONTHS[fm]} ${fy} – ${td} ${MONTHS[tm]} ${ty}`;
}

function parts(iso: string): [number, number, number] {
  return [Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))];
}
