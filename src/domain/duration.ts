/** Durations are whole minutes. */

export const MINUTES_PER_DAY = 24 * 60;

// "2h30", "2h30m", and "2h 30m" as formatMinutes writes it (a space only before a unit-ful minutes part).
const HOURS_THEN_MINUTES = /^(\d{1,3})h(?:([0-5]?\d)(?:m|mins?)?|\s+([0-5]?\d)(?:m|mins?))?$/;
const MINUTES_ONLY = /^(\d{1,4})(?:m|min|mins)$/;
const DECIMAL_HOURS = /^(\d{1,3})[.,](\d{1,2})h$/;
const CLOCK = /^(\d{1,3}):([0-5]\d)$/;

/**
 * Reads a duration token: `2h`, `2h30m`, `2h30`, `2h 30m`, `2.5h`, `2,5h`, `150m`, `90min`, `1:30`.
 * Returns minutes, or undefined when the token is not a duration.
 * A bare number ("90") is not a duration: it is too easy to mean hours or minutes.
 */
export function parseDuration(token: string): number | undefined {
  const text = token.trim().toLowerCase();

  const decimal = DECIMAL_HOURS.exec(text);
  if (decimal) {
    const hours = Number(decimal[1]);
    const fraction = decimal[2]!;
    const scale = 10 ** fraction.length;
    // fraction * 60 / scale, rounded half up, in integers
    return hours * 60 + Math.floor((Number(fraction) * 120 + scale) / (2 * scale));
  }
  const clock = CLOCK.exec(text);
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]);
  const hoursThenMinutes = HOURS_THEN_MINUTES.exec(text);
  if (hoursThenMinutes)
    return Number(hoursThenMinutes[1]) * 60 + Number(hoursThenMinutes[2] ?? hoursThenMinutes[3] ?? 0);
  const minutesOnly = MINUTES_ONLY.exec(text);
  if (minutesOnly) return Number(minutesOnly[1]);
  return undefined;
}

/** 150 -> "2h 30m", 45 -> "45m", 120 -> "2h" */
export function formatMinutes(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest}m`;
  return rest === 0 ? `${hours}h` : `${hours}h ${rest}m`;
}

/** 150 -> "2.50" (hours with two decimals, rounded half up, for reports) */
export function formatHoursDecimal(minutes: number): string {
  const hundredths = Math.floor((minutes * 100 * 2 + 60) / 120);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}
