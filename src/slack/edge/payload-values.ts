import { z } from 'zod';
import { controlCharacterIn, type TextKind } from '../../domain/control-characters.js';
import { isIsoDate } from '../../domain/dates.js';

/** Row ids are PostgreSQL `serial`s: anything past this would fail in the query, not be refused. */
export const MAX_ROW_ID = 2_147_483_647;

/** Text from Slack without control characters (tab and newline only where the field allows them). */
export const cleanText = (kind: TextKind = 'single-line') =>
  z.string().refine((text) => controlCharacterIn(text, kind) === undefined, 'contains a control character');

/** A Slack user, channel or team id (U…, W…, C…, D…, T…): upper-case letters and digits. */
export const slackId = z.string().regex(/^[A-Z][A-Z0-9]{1,49}$/, 'is not a Slack id');

/** A row id as a number (private_metadata, JSON button values). */
export const rowId = z.number().int().positive().max(MAX_ROW_ID);

/** A row id carried as text (a button value, a select option): digits only, no sign, exponent or spaces. */
export const rowIdText = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'is not a row id')
  .transform(Number)
  .pipe(rowId);

/** Years a date picker may reasonably name; outside them a date is a typo or an attack, not a period. */
const FIRST_YEAR = 1970;
const LAST_YEAR = 2200;

/** A calendar day as Slack's date picker sends it (YYYY-MM-DD), a real date within sane years. */
export const isoDay = z.string().refine((text) => {
  if (!isIsoDate(text)) return false;
  const year = Number(text.slice(0, 4));
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}, 'is not a date');

/** JSON text (a button value, private_metadata) read with `schema`; bad JSON is a parse failure like a bad shape. */
export function jsonText<T extends z.ZodType>(schema: T, whenEmpty = '{}') {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text || whenEmpty) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** A page number carried in a button's value. */
export const pageText = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,5})$/, 'is not a page number')
  .transform(Number);

const withOption = z.object({ selected_option: z.object({ value: z.string() }) });
const withValue = z.object({ value: z.string() });

/** What a menu or overflow chose; an action of that id without a choice cannot be read (throws). */
export function chosenOption(action: unknown): string {
  return withOption.parse(action).selected_option.value;
}

/** A button's value; a click without one cannot be read (throws). */
export function buttonValue(action: unknown): string {
  return withValue.parse(action).value;
}
