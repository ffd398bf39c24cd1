import { controlCharacterIn, controlCharacterMessage, showsNothing } from './control-characters.js';
import { addDays, isIsoDate, weekday } from './dates.js';
import { MINUTES_PER_DAY, parseDuration } from './duration.js';
import { type Failure } from './result.js';

/**
 * The `/log` text grammar:
 *   /log [meeting] [nb|non-billable] <duration | begin-end> [date] <PROJECT> [date] [flags] <description>
 *   /log start [flags] <PROJECT> [flags] [description]
 *   /log stop [new description]
 *   /log                                       (opens the modal)
 * Duration: 2h, 2h30m, 2h 30m, 2.5h, 2,5h, 150m, 1:30, 90min. Range: 9:00-11:30, 9am-11:30am,
 * 13:15-14, 11-1pm (a bare begin takes the end's am/pm unless that puts it after the end),
 * 22:00-0:00 (an end at midnight closes the day), 22:00-01:30 or 11pm-1:30am (an afternoon or
 * evening begin and a morning end, 12 hours at most, run past midnight: saved as one entry per
 * day; the date is the day it begins).
 * Date: today, yesterday, a weekday (mon, friday = the latest such day not after today), 2026-11-20;
 * 20/11 and 11/20 are refused as ambiguous. Flags: meeting, nb / non-billable.
 * Date and flags may stand anywhere before the description; the first other word after the
 * project code starts the description, and so does a second duration, range or date there
 * ("2h ACME-WEB 10-12 people" is described as "10-12 people").
 */
export type DateSpec =
  { kind: 'iso'; date: string } | { kind: 'days-ago'; days: number } | { kind: 'weekday'; day: number };

export type LogCommand = {
  /** For a range, the wall-clock length; the service counts real elapsed minutes in the user's zone. */
  minutes: number;
  /** "HH:MM" when a time range was given; an end before the begin is on the next day. */
  beginsAt?: string;
  endsAt?: string;
  projectCode: string;
  date?: DateSpec;
  billable: boolean;
  meeting: boolean;
  description: string;
};

export type ParsedLog = { ok: true; command: LogCommand } | { ok: false; error: Failure };

export const LOG_USAGE = 'Try `/log 2h30m ACME-WEB design review` or `/log 9:00-11:30 ACME-WEB 2026-11-20 workshop`.';

// A Map, not an object literal: `"constructor" in {}` is true, and "constructor" is a fine word.
const WEEKDAYS = new Map(
  Object.entries({
    sun: 0,
    sunday: 0,
    mon: 1,
    monday: 1,
    tue: 2,
    tues: 2,
    tuesday: 2,
    wed: 3,
    wednesday: 3,
    thu: 4,
    thur: 4,
    thurs: 4,
    thursday: 4,
    fri: 5,
    friday: 5,
    sat: 6,
    saturday: 6,
  }),
);
const PROJECT_CODE = /^[A-Za-z0-9][A-Za-z0-9-]{1,19}$/;
const AMBIGUOUS_DATE = /^\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?$/;
const RANGE = /^(\d{1,2}(?::\d{2})?(?:am|pm)?)-(\d{1,2}(?::\d{2})?(?:am|pm)?)$/;
const CLOCK_TIME = /^(\d{1,2})(?::(\d{2}))?(am|pm)?$/;
/** The service's limit too; refusing here saves the user a round trip with the rest unsaved. */
export const MAX_DESCRIPTION_LENGTH = 500;

type Token =
  | { kind: 'duration'; minutes: number }
  | { kind: 'range'; begins: string; ends: string; minutes: number }
  /** Shaped like a time range but not one; only an error where a duration may stand. */
  | { kind: 'bad-range'; error: Failure }
  | { kind: 'date'; spec: DateSpec }
  | { kind: 'flag'; flag: 'meeting' | 'non-billable' }
  | { kind: 'error'; error: Failure }
  | { kind: 'word' };

function failure(code: string, message: string, field?: string): { ok: false; error: Failure } {
  return { ok: false, error: field ? { code, message, field } : { code, message } };
}

function invalid(code: string, message: string, field: string): LogRequest {
  return { kind: 'invalid', error: { code, message, field } };
}

function descriptionTooLong(description: string): Failure | undefined {
  if (description.length <= MAX_DESCRIPTION_LENGTH) return undefined;
  return {
    code: 'description_too_long',
    message: `The description has ${description.length} characters; keep it to ${MAX_DESCRIPTION_LENGTH}.`,
    field: 'description',
  };
}

/** Everything `/log` can be asked: the modal, an entry, or the timer. */
export type LogRequest =
  | { kind: 'open-modal' }
  | { kind: 'log'; command: LogCommand }
  | { kind: 'start-timer'; projectCode: string; description: string; billable: boolean; meeting: boolean }
  /** Text after `stop` replaces the description given at start. */
  | { kind: 'stop-timer'; description?: string }
  | { kind: 'invalid'; error: Failure };

export const TIMER_USAGE = 'Start a timer with `/log start ACME-WEB standup` and stop it with `/log stop`.';

/**
 * Reads `/log` text: nothing opens the modal; a first word `start` or `stop` is the timer
 * (only the first word decides, so a description may say "stop"); anything else is an entry.
 */
export function parseLogRequest(text: string): LogRequest {
  const control = controlCharacterIn(text, 'multi-line');
  if (control) return invalid('control_character', controlCharacterMessage('The text after /log', control), 'text');
  const words = text.trim().split(/\s+/).filter(Boolean);
  const first = words[0]?.toLowerCase();
  if (first === undefined) return { kind: 'open-modal' };
  if (first === 'stop') {
    const description = words.slice(1).join(' ');
    const tooLong = descriptionTooLong(description);
    if (tooLong) return { kind: 'invalid', error: tooLong };
    return description ? { kind: 'stop-timer', description } : { kind: 'stop-timer' };
  }
  if (first === 'start') return parseTimerStart(words.slice(1));
  const parsed = parseLogCommand(text);
  return parsed.ok ? { kind: 'log', command: parsed.command } : { kind: 'invalid', error: parsed.error };
}

/**
 * `start [flags] PROJECT [flags] [description]`: flags may stand on either side of the code, as in
 * an entry. A timer runs from now for as long as it runs, so a duration or a date is refused
 * rather than read as a project code.
 */
function parseTimerStart(words: string[]): LogRequest {
  let billable = true;
  let meeting = false;
  let projectCode: string | undefined;
  let index = 0;
  for (; index < words.length; index++) {
    const word = words[index]!;
    const token = classify(word);
    if (token.kind === 'flag') {
      if (token.flag === 'meeting') meeting = true;
      else billable = false;
      continue;
    }
    if (projectCode !== undefined) break; // the description starts here
    if (token.kind === 'duration' || token.kind === 'range' || token.kind === 'bad-range') {
      return invalid(
        'timer_duration',
        `A timer measures the time itself, so it takes no duration ("${word}"). To log time already spent, write \`/log ${word} ACME-WEB what you did\`. ${TIMER_USAGE}`,
        'minutes',
      );
    }
    if (token.kind === 'date' || token.kind === 'error') {
      return invalid(
        'timer_date',
        `A timer runs from now, so it takes no date ("${word}"). To log another day, write \`/log 2h ACME-WEB ${word} what you did\`. ${TIMER_USAGE}`,
        'date',
      );
    }
    if (!PROJECT_CODE.test(word)) {
      return invalid(
        'invalid_project',
        `"${word}" is not a project code (letters, digits and dashes, like ACME-WEB). ${TIMER_USAGE}`,
        'project',
      );
    }
    projectCode = word.toUpperCase();
  }
  if (projectCode === undefined) return invalid('project_missing', `Which project? ${TIMER_USAGE}`, 'project');
  const description = words.slice(index).join(' ');
  const tooLong = descriptionTooLong(description);
  if (tooLong) return { kind: 'invalid', error: tooLong };
  return { kind: 'start-timer', projectCode, description, billable, meeting };
}

/** Parses `/log` text. Never throws; every refusal says what was wrong and how to write it. */
export function parseLogCommand(text: string): ParsedLog {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return failure('empty', `Tell me what to log. ${LOG_USAGE}`);

  let amount: Extract<Token, { kind: 'duration' | 'range' }> | undefined;
  let amountIndex = -1;
  let date: DateSpec | undefined;
  let billable = true;
  let meeting = false;
  let projectCode: string | undefined;
  let index = 0;

  for (; index < words.length; index++) {
    const word = words[index]!;
    const token = classify(word);
    // "2.5" where the duration should be is hours without their unit, not a date to ask about
    // ("25.12 2h ACME-WEB" is a date: a duration follows it).
    if (
      token.kind === 'error' &&
      amount === undefined &&
      /^\d{1,2}[.,]\d{1,2}$/.test(word) &&
      !words.slice(index + 1).some((later) => ['duration', 'range'].includes(classify(later).kind))
    )
      return failure(
        'duration_unit',
        `"${word}" needs its unit: write ${word}h for hours, or e.g. 2h30m or 45m. ${LOG_USAGE}`,
        'minutes',
      );
    if (token.kind === 'error') return { ok: false, error: token.error };
    if (token.kind === 'bad-range') {
      if (projectCode !== undefined) break; // "2h ACME-WEB 12-10 people": no duration can stand here
      return { ok: false, error: token.error };
    }
    if (token.kind === 'word') {
      if (projectCode !== undefined) break; // the description starts here
      if (amount === undefined) {
        return failure(
          'duration_first',
          `"${word}" is not a duration. Start with how long you worked, e.g. 2h, 1h30m or 9:00-11:30. ${LOG_USAGE}`,
          'minutes',
        );
      }
      if (!PROJECT_CODE.test(word))
        return failure(
          'invalid_project',
          `"${word}" is not a project code (letters, digits and dashes, like ACME-WEB).`,
          'project',
        );
      projectCode = word.toUpperCase();
      continue;
    }
    if (token.kind === 'duration' || token.kind === 'range') {
      if (projectCode !== undefined) break; // "2h ACME-WEB 3h of ..." — a number in the description
      if (amount !== undefined) {
        // "2h 30m", as replies write durations, is one duration in two words.
        const joined =
          amountIndex === index - 1 && amount.kind === 'duration'
            ? parseDuration(`${words[amountIndex]} ${word}`)
            : undefined;
        if (joined === undefined)
          return failure('two_durations', `Give one duration or one time range, not both ("${word}").`, 'minutes');
        amount = { kind: 'duration', minutes: joined };
        continue;
      }
      amount = token;
      amountIndex = index;
      continue;
    }
    if (token.kind === 'date') {
      if (date !== undefined) {
        if (projectCode !== undefined) break;
        return failure('two_dates', `Give one date, not two ("${word}").`, 'date');
      }
      date = token.spec;
      continue;
    }
    if (token.flag === 'meeting') meeting = true;
    else billable = false;
  }

  if (amount === undefined) return failure('duration_missing', `How long did you work? ${LOG_USAGE}`, 'minutes');
  if (amount.minutes === 0)
    return failure('invalid_duration', 'The duration must be more than zero, e.g. `2h`, `1h30m` or `45m`.', 'minutes');
  if (amount.minutes > MINUTES_PER_DAY)
    return failure('duration_too_long', 'One entry can be at most 24h; split longer work over its days.', 'minutes');
  if (projectCode === undefined)
    return failure('project_missing', `Which project? Put its code after the duration. ${LOG_USAGE}`, 'project');
  const description = words.slice(index).join(' ');
  if (showsNothing(description))
    return failure(
      'description_required',
      `Add a description of the work after the project code. ${LOG_USAGE}`,
      'description',
    );
  const tooLong = descriptionTooLong(description);
  if (tooLong) return { ok: false, error: tooLong };

  const command: LogCommand = { minutes: amount.minutes, projectCode, billable, meeting, description };
  if (amount.kind === 'range') {
    command.beginsAt = amount.begins;
    command.endsAt = amount.ends;
  }
  if (date) command.date = date;
  return { ok: true, command };
}

function classify(word: string): Token {
  const lower = word.toLowerCase();
  if (lower === 'meeting') return { kind: 'flag', flag: 'meeting' };
  if (lower === 'nb' || lower === 'non-billable' || lower === 'nonbillable')
    return { kind: 'flag', flag: 'non-billable' };
  if (lower === 'today') return { kind: 'date', spec: { kind: 'days-ago', days: 0 } };
  if (lower === 'yesterday') return { kind: 'date', spec: { kind: 'days-ago', days: 1 } };
  const day = WEEKDAYS.get(lower);
  if (day !== undefined) return { kind: 'date', spec: { kind: 'weekday', day } };
  if (/^\d{4}-\d{2}-\d{2}$/.test(lower)) {
    return isIsoDate(lower)
      ? { kind: 'date', spec: { kind: 'iso', date: lower } }
      : { kind: 'error', error: { code: 'invalid_date', message: `${word} is not a real date.`, field: 'date' } };
  }
  if (AMBIGUOUS_DATE.test(lower)) {
    return {
      kind: 'error',
      error: {
        code: 'ambiguous_date',
        message: `"${word}" could be day/month or month/day. Write the date as YYYY-MM-DD, e.g. 2026-11-20.`,
        field: 'date',
      },
    };
  }
  const range = RANGE.exec(lower);
  if (range) return rangeToken(word, range[1]!, range[2]!);
  const minutes = parseDuration(lower);
  if (minutes !== undefined) return { kind: 'duration', minutes };
  return { kind: 'word' };
}

function rangeToken(word: string, beginText: string, endText: string): Token {
  const span = rangeMinutes(beginText, endText);
  if (span === undefined) {
    return {
      kind: 'bad-range',
      error: { code: 'invalid_time', message: `"${word}" is not a time range like 9:00-11:30.`, field: 'minutes' },
    };
  }
  const [begins, ends] = span;
  const crossesMidnight = ends <= begins && begins >= NOON && ends < NOON && MINUTES_PER_DAY - begins + ends <= NOON;
  if (ends <= begins && !crossesMidnight) {
    return {
      kind: 'bad-range',
      error: {
        code: 'range_order',
        message: `In "${word}" the end is not after the begin. Write 24-hour times (9:00-17:00) or add am/pm (9am-5pm); a range of up to 12 hours may run past midnight (22:00-01:30).`,
        field: 'minutes',
      },
    };
  }
  // An evening begin and a morning end run past midnight.
  const minutes = ends > begins ? ends - begins : MINUTES_PER_DAY - begins + ends;
  return { kind: 'range', begins: formatClock(begins), ends: formatClock(ends), minutes };
}

const NOON = 12 * 60;

type Suffix = 'am' | 'pm' | undefined;

/**
 * Begin and end, in minutes after midnight, of "9:00-11:30", "9am-5pm", "9-11am", "11-1pm",
 * "9am-5". When only one side says am/pm the other takes the same, unless that would put the
 * end at or before the begin and the other half of the day would not ("11-1pm" is 11am to 1pm,
 * "9am-5" is 9am to 5pm). An end of midnight (0:00, 12am) after a later begin is the day's end,
 * but not when the begin only borrowed its am/pm: "9-12am" is too likely a slip for noon to guess.
 */
function rangeMinutes(beginText: string, endText: string): [number, number] | undefined {
  const begin = CLOCK_TIME.exec(beginText);
  const end = CLOCK_TIME.exec(endText);
  if (!begin || !end) return undefined;
  const beginSuffix = begin[3] as Suffix;
  const endSuffix = end[3] as Suffix;

  let ends = clockMinutes(end, endSuffix);
  let begins = clockMinutes(begin, beginSuffix);
  const beginBorrows = beginSuffix === undefined && endSuffix !== undefined;
  if (beginBorrows && ends !== undefined) {
    begins = clockMinutes(begin, endSuffix) ?? begins;
    if (begins !== undefined && begins >= ends && endSuffix === 'pm') begins = clockMinutes(begin, 'am') ?? begins;
  } else if (beginSuffix !== undefined && endSuffix === undefined && begins !== undefined) {
    ends = clockMinutes(end, beginSuffix) ?? ends;
    if (ends !== undefined && ends <= begins && beginSuffix === 'am') ends = clockMinutes(end, 'pm') ?? ends;
  }
  if (begins === undefined || ends === undefined) return undefined;
  if (ends === 0 && begins > 0 && !beginBorrows) ends = MINUTES_PER_DAY;
  return [begins, ends];
}

/** Minutes after midnight for a matched "9", "9:30", "24:00" (no suffix) or "9am", "11:30pm". */
function clockMinutes(match: RegExpExecArray, suffix: Suffix): number | undefined {
  let hours = Number(match[1]);
  const minutes = Number(match[2] ?? 0);
  if (minutes > 59) return undefined;
  if (suffix) {
    if (hours < 1 || hours > 12) return undefined;
    hours = (hours % 12) + (suffix === 'pm' ? 12 : 0);
  } else if (hours > 24 || (hours === 24 && minutes > 0)) {
    return undefined;
  }
  return hours * 60 + minutes;
}

function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The calendar date a spec names, given today's date in the user's time zone. */
export function resolveDateSpec(spec: DateSpec, today: string): string {
  switch (spec.kind) {
    case 'iso':
      return spec.date;
    case 'days-ago':
      return addDays(today, -spec.days);
    case 'weekday': {
      const back = (weekday(today) - spec.day + 7) % 7;
      return addDays(today, -back);
    }
  }
}
