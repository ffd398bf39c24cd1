/**
 * The firm's calendar for scheduled reminders: which weekdays are worked, which dates are firm
 * holidays, and the local times reminders go out. Admins type them as settings; an empty setting
 * means the default.
 */
import { z } from 'zod';
import { addDays, isIsoDate, weekday } from './dates.js';

/** Index = `weekday()` (0 = Sunday). */
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
/** Monday first, as people list them. */
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0];

export type WorkCalendar = {
  /** `weekday()` numbers (0 = Sunday) that are worked. */
  workingDays: ReadonlySet<number>;
  holidays: ReadonlySet<string>;
  /** HH:MM, local to each person. */
  reminderTime: string;
  morningTime: string;
};

export const DEFAULT_CALENDAR = { workingDays: 'Mon-Fri', reminderTime: '16:00', morningTime: '09:00' } as const;

function dayNumber(token: string): number | undefined {
  const index = DAY_NAMES.findIndex((name) => token.toLowerCase().startsWith(name.toLowerCase()));
  const full = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][index];
  return index >= 0 && full!.startsWith(token.toLowerCase()) ? index : undefined;
}

/** "Mon-Fri", "mon, tue, thu", "Monday Wednesday" -> weekday numbers; a message for anything else. */
export function parseWorkingDays(text: string): { ok: true; days: Set<number> } | { ok: false; message: string } {
  const days = new Set<number>();
  for (const token of text.split(/[\s,]+/).filter(Boolean)) {
    const [from, to, extra] = token.split('-');
    const first = dayNumber(from!);
    const last = to === undefined ? first : dayNumber(to);
    if (first === undefined || last === undefined || extra !== undefined) {
      return { ok: false, message: `has "${token}", which is not a day or a range of days like Mon-Fri` };
    }
    const start = WEEK_ORDER.indexOf(first);
    const end = WEEK_ORDER.indexOf(last);
    if (end < start) return { ok: false, message: `has "${token}"; write a range Monday first, like Mon-Fri` };
    for (let i = start; i <= end; i++) days.add(WEEK_ORDER[i]!);
  }
  return { ok: true, days };
}

/** The settings as typed are checked here and stored tidied ("Mon,Tue,Wed"). */
export const workingDaysSetting = z
  .string()
  .trim()
  .max(100, 'must be at most 100 characters')
  .transform((text, check) => {
    if (text === '') return '';
    const parsed = parseWorkingDays(text);
    if (!parsed.ok) {
      check.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }
    if (parsed.days.size === 0) {
      check.addIssue({ code: 'custom', message: 'needs at least one day' });
      return z.NEVER;
    }
    return WEEK_ORDER.filter((day) => parsed.days.has(day))
      .map((day) => DAY_NAMES[day])
      .join(',');
  });

export const holidaysSetting = z
  .string()
  // What Slack's text input holds, so the settings form can show every holiday saved (about 270 dates).
  .max(3000, 'must be at most 3000 characters; remove holidays of years gone by')
  .transform((text, check) => {
    const dates = text.split(/[\s,]+/).filter(Boolean);
    const wrong = dates.find((date) => !isIsoDate(date));
    if (wrong) {
      check.addIssue({ code: 'custom', message: `has "${wrong}", which is not a date; write YYYY-MM-DD` });
      return z.NEVER;
    }
    return [...new Set(dates)].sort().join('\n');
  });

export const timeOfDaySetting = z
  .string()
  .trim()
  .transform((text, check) => {
    if (text === '') return '';
    const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
    if (!match) {
      check.addIssue({ code: 'custom', message: `must be a time of day like 16:00, not "${text}"` });
      return z.NEVER;
    }
    return `${match[1]!.padStart(2, '0')}:${match[2]}`;
  });

/** The calendar from stored settings (already checked when saved), defaults for empty ones. */
export function workCalendar(settings: {
  working_days: string;
  holidays: string;
  reminder_time: string;
  morning_time: string;
}): WorkCalendar {
  const days = parseWorkingDays(settings.working_days || DEFAULT_CALENDAR.workingDays);
  return {
    workingDays: days.ok && days.days.size ? days.days : new Set([1, 2, 3, 4, 5]),
    holidays: new Set(settings.holidays.split(/\s+/).filter(Boolean)),
    reminderTime: settings.reminder_time || DEFAULT_CALENDAR.reminderTime,
    morningTime: settings.morning_time || DEFAULT_CALENDAR.morningTime,
  };
}

export function isWorkingDay(calendar: WorkCalendar, date: string): boolean {
  return calendar.workingDays.has(weekday(date)) && !calendar.holidays.has(date);
}

/** The last working day from `startsOn` to `endsOn`, or undefined when none is worked. */
export function lastWorkingDay(calendar: WorkCalendar, startsOn: string, endsOn: string): string | undefined {
  for (let date = endsOn; date >= startsOn; date = addDays(date, -1)) if (isWorkingDay(calendar, date)) return date;
  return undefined;
}

/** The first working day after `date` (within a year; a calendar with none answers undefined). */
export function nextWorkingDay(calendar: WorkCalendar, date: string): string | undefined {
  for (let next = addDays(date, 1), i = 0; i < 366; next = addDays(next, 1), i++) {
    if (isWorkingDay(calendar, next)) return next;
  }
  return undefined;
}

/** The last working day before `date` (within a year; a calendar with none answers undefined). */
export function previousWorkingDay(calendar: WorkCalendar, date: string): string | undefined {
  for (let before = addDays(date, -1), i = 0; i < 366; before = addDays(before, -1), i++) {
    if (isWorkingDay(calendar, before)) return before;
  }
  return undefined;
}
