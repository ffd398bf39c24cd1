/**
 * Slack sends `&`, `<` and `>` in typed text as HTML entities. We store what the user typed and
 * escape again on the way out (blocks/mrkdwn.ts).
 */
export function decodeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
