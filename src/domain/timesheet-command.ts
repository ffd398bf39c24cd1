import { isIsoDate } from './dates.js';
import { type Failure } from './result.js';

/** Which period: one containing a date (its first day, usually), or the last one that has ended. */
export type PeriodChoice = { kind: 'containing'; date: string } | { kind: 'last' };

export type TimesheetRequest =
  | { kind: 'open'; period?: PeriodChoice }
  | { kind: 'submit'; period?: PeriodChoice }
  | { kind: 'history' }
  | { kind: 'invalid'; error: Failure };

export const TIMESHEET_HELP =
  '`/timesheet` opens this period’s timesheet, `/timesheet 2026-10-01` or `/timesheet last` an earlier one · `/timesheet submit` (with a period too: `/timesheet submit last`) submits it · `/timesheet history` lists earlier periods.';

/** Reads `/timesheet [submit] [YYYY-MM-DD | last]` and `/timesheet history`. */
export function parseTimesheetRequest(text: string): TimesheetRequest {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 1 && words[0] === 'history') return { kind: 'history' };
  const submit = words[0] === 'submit';
  const rest = submit ? words.slice(1) : words;
  if (rest.length > 1) return unknown(text);
  const word = rest[0];
  if (word === undefined) return { kind: submit ? 'submit' : 'open' };
  let period: PeriodChoice;
  if (word === 'last') period = { kind: 'last' };
  else if (/^\d{4}-\d{2}-\d{2}$/.test(word)) {
    if (!isIsoDate(word)) return invalid(`${word} is not a real date. ${TIMESHEET_HELP}`);
    period = { kind: 'containing', date: word };
  } else return unknown(text);
  return { kind: submit ? 'submit' : 'open', period };
}

function unknown(text: string): TimesheetRequest {
  return invalid(`I don't know "/timesheet ${text.trim()}". ${TIMESHEET_HELP}`);
}

function invalid(message: string): TimesheetRequest {
  return { kind: 'invalid', error: { code: 'unknown_subcommand', message } };
}
