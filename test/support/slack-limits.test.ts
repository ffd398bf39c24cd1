import { describe, expect, it } from 'vitest';
import { slackLimitViolations } from './slack-limits.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('Slack limit checker', () => {
  it('accepts a view that fits', () => {
    expect(
      slackLimitViolations('modal', {
        type: 'modal',
        title: { type: 'plain_text', text: 'Log time' },
        blocks: [section('ok')],
      }),
    ).toEqual([]);
  });

  it('names every limit a view breaks', () => {
    const problems = slackLimitViolations('modal', {
      type: 'modal',
      title: { type: 'plain_text', text: 'A title that is far too long for Slack' },
      private_metadata: 'x'.repeat(3001),
      blocks: [
        ...Array.from({ length: 100 }, () => section('x')),
        section('y'.repeat(3001)),
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'z'.repeat(76) } }],
        },
        {
          type: 'section',
          text: section('s').text,
          accessory: {
            type: 'static_select',
            action_id: 'p',
            options: Array.from({ length: 101 }, (_, i) => ({
              text: { type: 'plain_text', text: `${i}` },
              value: `${i}`,
            })),
          },
        },
      ],
    });
    expect(problems).toEqual([
      '103 blocks, limit 100 for a modal',
      'title: 38 characters, limit 24',
      'private_metadata: 3001 characters, limit 3000',
      'blocks[100] (section).text: 3001 characters, limit 3000',
      'blocks[101] (actions).elements[0].text: 76 characters, limit 75',
      'blocks[102] (section).accessory: 101 options, limit 100',
    ]);
  });

  it('holds messages to 50 blocks', () => {
    expect(
      slackLimitViolations('message', { text: 't', blocks: Array.from({ length: 51 }, () => section('x')) }),
    ).toEqual(['51 blocks, limit 50 for a message']);
  });
});
