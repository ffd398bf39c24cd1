/**
 * Control characters (NUL and the like) have no place in anything a person types: PostgreSQL
 * refuses NUL in text outright, and the others garble messages and exports. Tab and newline are
 * ordinary in free text (descriptions, notes, addresses), so fields that allow several lines let them through.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ANY_CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_BUT_TAB_AND_NEWLINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/;

export type TextKind = 'single-line' | 'multi-line';

/** The first control character in `text` that a field of this kind refuses, as `U+0000`, if any. */
export function controlCharacterIn(text: string, kind: TextKind = 'single-line'): string | undefined {
  const found = (kind === 'multi-line' ? CONTROL_BUT_TAB_AND_NEWLINE : ANY_CONTROL).exec(text);
  return found ? `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/** The sentence that refuses it, naming the field. */
export function controlCharacterMessage(field: string, code: string): string {
  return `${field} contains a control character (${code}) that cannot be saved. Retype it without special characters.`;
}

/** Whether `text` shows nothing: only spaces and invisible format characters (a zero-width space). */
export function showsNothing(text: string): boolean {
  return /^[\s\p{Cf}]*$/u.test(text);
}
