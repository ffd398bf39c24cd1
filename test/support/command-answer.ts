import type { FakeSlack } from './fake-slack.js';

/**
 * A command's answer as its user finally sees it: the ack's text, or, when the app acked
 * "Still working…" / "Saving…" because its ack deadline passed on a busy machine, the reply it
 * sent through the command's response_url instead.
 */
export async function commandAnswer(fake: FakeSlack, response: { text: string }, responseUrl: string): Promise<string> {
  if (!/Still working|Saving/.test(response.text)) return response.text;
  const path = new URL(responseUrl).pathname;
  const answer = await fake.waitFor(
    'response_url',
    (call) => new URL(String(call.args.url), 'http://fake-slack').pathname === path,
    120_000,
  );
  return JSON.stringify(answer.args);
}
