/**
 * Escapes user text for Slack mrkdwn: `&`, `<` and `>` are control characters there, so
 * `<!channel>` in a description must reach Slack as text, not as a mention.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Shortens text to `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** User text escaped for mrkdwn and cut so the escaped text fits in `max` characters (escaping lengthens it). */
export function escapedWithin(text: string, max: number): string {
  let cut = text;
  let escaped = escapeMrkdwn(cut);
  while (escaped.length > max) {
    cut = truncate(cut, cut.length - Math.max(1, Math.ceil((escaped.length - max) / 5)));
    escaped = escapeMrkdwn(cut);
  }
  return escaped;
}

/** The most characters a section's text may have. */
export const SECTION_TEXT_LIMIT = 3000;

/**
 * Pieces of mrkdwn (escaped already) joined by `separator` within `max` characters: whole pieces
 * only, never one cut mid-word, mid-escape or mid-mention; the pieces left out are counted in a last
 * one, `more(n)`, so a reader knows something is not shown.
 */
export function joinWithin(
  pieces: readonly string[],
  separator: string,
  max: number,
  more: (left: number) => string,
): string {
  const whole = pieces.join(separator);
  if (whole.length <= max) return whole;
  let text = '';
  for (const [index, piece] of pieces.entries()) {
    const next = index === 0 ? piece : `${text}${separator}${piece}`;
    const left = pieces.length - index - 1;
    if (next.length + (left > 0 ? separator.length + more(left).length : 0) > max) {
      const rest = more(pieces.length - index);
      return index === 0 ? rest : `${text}${separator}${rest}`;
    }
    text = next;
  }
  return text;
}

/**
 * How long a confirmation's list of the records archived instead of deleted may be: the rest of its
 * section (the counts and what else goes) fits in what is left of 3,000 characters.
 */
export const ARCHIVED_LIST_LIMIT = 2000;

/** Whole lines of mrkdwn (escaped already) that fit one section; those left out are counted in a last line. */
export function linesWithin(lines: readonly string[], more: (left: number) => string): string {
  return joinWithin(lines, '\n', SECTION_TEXT_LIMIT, more);
}

/** Names (user text) as an escaped list within `max` characters: "Acme, Globex, and 4 more". */
export function namesWithin(names: readonly string[], max: number): string {
  return joinWithin(names.map(escapeMrkdwn), ', ', max, (left) => `and ${left} more`);
}

/** Lines as mrkdwn section blocks of at most `perSection` lines each: one section holds 3,000 characters. */
export function lineSections(
  lines: string[],
  perSection: number,
): { type: 'section'; text: { type: 'mrkdwn'; text: string } }[] {
  const sections: { type: 'section'; text: { type: 'mrkdwn'; text: string } }[] = [];
  for (let i = 0; i < lines.length; i += perSection)
    sections.push({ type: 'section', text: { type: 'mrkdwn', text: lines.slice(i, i + perSection).join('\n') } });
  return sections;
}

/** A labelled piece of someone's free text (an address, notes) as its own section, cut to fit. */
export function freeTextSection(
  label: string,
  text: string,
): { type: 'section'; text: { type: 'mrkdwn'; text: string } } {
  return { type: 'section', text: { type: 'mrkdwn', text: `*${label}*\n${escapedWithin(text, 2900)}` } };
}

/**
 * A day in mrkdwn that Slack shows in each reader's own time zone (`<!date^…>`), with `fallback`
 * where it cannot (notifications): an instant's day differs from one zone to the next.
 */
export function readersDay(instant: Date, fallback: string): string {
  return `<!date^${Math.floor(instant.getTime() / 1000)}^{date_short}|${fallback}>`;
}
