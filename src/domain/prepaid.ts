import { parseDuration } from './duration.js';

/**
 * Prepaid credit is counted in whole minutes. One purchase, adjustment, threshold or top-up package
 * is at most this many hours: far beyond any real package, and well inside the integer columns.
 */
export const MAX_CREDIT_HOURS = 100_000;
export const MAX_CREDIT_MINUTES = MAX_CREDIT_HOURS * 60;

/** The burn rate looks back this many days: "approved billable hours over the last 28 days". */
export const FORECAST_WINDOW_DAYS = 28;
/** An early alert fires when the forecast leaves fewer days than this. */
export const EARLY_ALERT_DAYS = 7;

export type CreditForecast =
  | { kind: 'no_recent_use' }
  | { kind: 'ran_out' }
  /** Whole days at the recent burn rate, rounded down: "runs out in about N days". */
  | { kind: 'runs_out'; days: number };

/**
 * Days left at the burn rate of the window: remaining / (used / 28), in integers (rounded down),
 * so the forecast never promises a day the credit does not cover.
 */
export function creditForecast(remainingMinutes: number, usedInWindowMinutes: number): CreditForecast {
  if (remainingMinutes <= 0) return { kind: 'ran_out' };
  if (usedInWindowMinutes <= 0) return { kind: 'no_recent_use' };
  return { kind: 'runs_out', days: Math.floor((remainingMinutes * FORECAST_WINDOW_DAYS) / usedInWindowMinutes) };
}

export function forecastWords(forecast: CreditForecast): string {
  switch (forecast.kind) {
    case 'no_recent_use':
      return 'no recent use';
    case 'ran_out':
      return 'the credit is used up';
    case 'runs_out':
      return forecast.days === 0
        ? 'runs out in less than a day'
        : `runs out in about ${forecast.days} ${forecast.days === 1 ? 'day' : 'days'}`;
  }
}

export type CreditAlertKind = 'low_credit' | 'forecast';

/**
 * Which alerts a balance calls for, given the ones already live (sent and not re-armed). Firing
 * needs no live alert of that kind, so a crossing is told once; re-arming happens only on a
 * purchase, adjustment or reversal (`lifting`) that puts the balance back above the line.
 */
export function creditAlertChanges(input: {
  remainingMinutes: number;
  thresholdMinutes: number | null;
  forecast: CreditForecast;
  /** Deducted over the forecast's window: credit used up by that use is news; a customer that never had any is not. */
  usedInWindowMinutes: number;
  live: readonly CreditAlertKind[];
  lifting: boolean;
}): { fire: CreditAlertKind[]; rearm: CreditAlertKind[] } {
  const below = input.thresholdMinutes !== null && input.remainingMinutes < input.thresholdMinutes;
  // Used up or overrun by recent use is sooner than any forecast: told even where no threshold catches it (none, or 0).
  const soon =
    (input.forecast.kind === 'ran_out' && input.usedInWindowMinutes > 0) ||
    (input.forecast.kind === 'runs_out' && input.forecast.days < EARLY_ALERT_DAYS);
  const fire: CreditAlertKind[] = [];
  const rearm: CreditAlertKind[] = [];
  const live = new Set(input.live);
  if (input.lifting) {
    if (!below && live.delete('low_credit')) rearm.push('low_credit');
    if (!soon && live.delete('forecast')) rearm.push('forecast');
  }
  if (below && !live.has('low_credit')) fire.push('low_credit');
  else if (!below && soon && !live.has('forecast')) fire.push('forecast');
  return { fire, rearm };
}

/**
 * Reads credit hours as people write them: "40", "40h", "12.5", "12,5h", "2h30m"; with `signed`,
 * a leading "+" or "-" (an adjustment). Answers whole minutes, or a message saying what to write.
 */
export function parseCreditHours(
  text: string,
  options: { signed: boolean },
): { ok: true; minutes: number } | { ok: false; message: string } {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const sign = options.signed && /^[+-]/.test(trimmed) ? (trimmed.startsWith('-') ? -1 : 1) : 1;
  const body = options.signed ? trimmed.replace(/^[+-]\s*/, '') : trimmed;
  const example = options.signed ? '"-3h", "+1.5" or "2h 30m"' : '"40", "12.5h" or "2h 30m"';
  let minutes: number | undefined;
  const decimal = /^(\d{1,6})(?:[.,](\d{1,2}))?\s*h?$/i.exec(body);
  if (decimal) {
    const hundredths = Number(decimal[1]) * 100 + Number((decimal[2] ?? '').padEnd(2, '0') || '0');
    if ((hundredths * 60) % 100 !== 0)
      return { ok: false, message: `${text.trim()} is not a whole number of minutes: write ${example}.` };
    minutes = (hundredths * 60) / 100;
  } else minutes = parseDuration(body);
  if (minutes === undefined)
    return { ok: false, message: `"${text.trim()}" is not a number of hours: write ${example}.` };
  if (minutes === 0) return { ok: false, message: 'Give a number of hours other than zero.' };
  if (minutes > MAX_CREDIT_MINUTES)
    return { ok: false, message: `At most ${MAX_CREDIT_HOURS.toLocaleString('en-US')} hours at a time.` };
  return { ok: true, minutes: sign * minutes };
}
