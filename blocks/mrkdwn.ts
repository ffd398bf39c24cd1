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
