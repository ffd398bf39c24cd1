import { Temporal } from 'temporal-polyfill';

/**
 * Wall-clock times on calendar days in a time zone, turned into real elapsed time: a range across
 * a daylight-saving change counts the minutes that passed (01:00–04:00 is 2 hours on the spring
 * night, 4 on the autumn one). A wall time that does not exist or happens twice takes the earlier
 * reading, as clocks do (Temporal's "compatible").
 */

/** Minutes from `begins` on `date` until `ends` ("24:00" is the next midnight) on the same day, in `timeZone`. */
export function elapsedMinutes(date: string, begins: string, ends: string, timeZone: string): number {
  return minutesBetween(instantOf(date, begins, timeZone), instantOf(date, ends, timeZone));
}

/**
 * A stretch of real time cut at each local midnight: the minutes that fall on each calendar day in
 * `timeZone`, in order, rounded so that they add up to `totalMinutes` (days with none left out).
 */
export function minutesPerDay(
  start: Date,
  totalMinutes: number,
  timeZone: string,
): { date: string; minutes: number }[] {
  const begin = Temporal.Instant.fromEpochMilliseconds(start.getTime()).toZonedDateTimeISO(timeZone);
  const days: { date: string; minutes: number }[] = [];
  let day = begin.toPlainDate();
  let counted = 0;
  while (counted < totalMinutes) {
    const nextMidnight = day.add({ days: 1 }).toZonedDateTime({ timeZone });
    const upTo = Math.min(
      totalMinutes,
      Math.round(nextMidnight.epochMilliseconds / 60_000 - begin.epochMilliseconds / 60_000),
    );
    if (upTo > counted) days.push({ date: day.toString(), minutes: upTo - counted });
    counted = Math.max(counted, upTo);
    day = day.add({ days: 1 });
  }
  return days;
}

function instantOf(date: string, clock: string, timeZone: string): Temporal.ZonedDateTime {
  const plainDate = Temporal.PlainDate.from(date);
  if (clock.startsWith('24:')) return plainDate.add({ days: 1 }).toZonedDateTime({ timeZone });
  return plainDate.toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from(clock) });
}

function minutesBetween(from: Temporal.ZonedDateTime, to: Temporal.ZonedDateTime): number {
  return Math.round(from.until(to, { largestUnit: 'minutes' }).total('minutes'));
}

/**
 * The instant a wall clock in `timeZone` shows `clock` (HH:MM) on `date`. A time skipped by a
 * daylight-saving change reads as the same length later (02:30 -> 03:30), a repeated one as its
 * first occurrence (Temporal's "compatible"), so every day has exactly one answer.
 */
export function instantAt(date: string, clock: string, timeZone: string): Date {
  return new Date(instantOf(date, clock, timeZone).epochMilliseconds);
}
