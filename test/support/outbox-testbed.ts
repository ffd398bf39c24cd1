import { LogLevel, WebClient } from '@slack/web-api';
import type { MessageContent } from '../../src/services/outbox.js';
import type { FakeSlack } from './fake-slack.js';

/**
 * A Web API client on the fake Slack as the outbox tests want it: no retries of its own and
 * rate limits handed back (the dispatcher decides), `timeout` ms before a call counts as unanswered.
 */
export function testSlackClient(fake: FakeSlack, timeout: number): WebClient {
  return new WebClient('xoxb-test', {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout,
    logLevel: LogLevel.ERROR,
  });
}

/** The outbox tests' one template: the model is the text. */
export function renderAsText(content: MessageContent) {
  const text = String(content.model);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
