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
