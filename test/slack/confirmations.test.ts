/** A confirmation of a line of mrkdwn fits what Slack takes, however long the line. */
import { describe, expect, it } from 'vitest';
import { mrkdwnMessage } from '../../src/slack/confirmations.js';
import { slackLimitViolations } from '../support/slack-limits.js';

describe('mrkdwnMessage', () => {
  it('is a section while one holds the text, and the text alone past 3,000 characters', () => {
    expect(mrkdwnMessage('Posted the AR summary in <#C0FIN>.')).toEqual({
      text: 'Posted the AR summary in <#C0FIN>.',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Posted the AR summary in <#C0FIN>.' } }],
    });
    const long = `No approved time matches the AR summary for ${'Mon 1 Jan 2024 – Fri 5 Jan 2024, '.repeat(120)}`;
    expect(mrkdwnMessage(long)).toEqual({ text: long });
    expect(slackLimitViolations('message', mrkdwnMessage(long) as never)).toEqual([]);
  });
});
