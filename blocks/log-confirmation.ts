import type { KnownBlock } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

export type LoggedEntryView = {
  entryId: number;
  projectCode: string;
  projectName: string;
  customerName: string;
  workDate: string;
  minutes: number;
  description: string;
  billable: boolean;
  repeated: boolean;
};

export type SlackMessage = { text: string; blocks: KnownBlock[] };

/** The ephemeral answer to a saved `/log`: what was saved, where and when. */
export function logConfirmation(entry: LoggedEntryView): SlackMessage {
  const duration = formatMinutes(entry.minutes);
  const day = formatDay(entry.workDate);
  const billing = entry.billable ? 'billable' : 'non-billable';
  const headline = entry.repeated ? 'Already saved' : 'Logged';
  const text = `${headline} ${duration} on ${entry.projectCode} for ${day}: ${entry.description}`;
  return {
    text: escapeMrkdwn(text),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:white_check_mark: ${headline} *${duration}* on *${escapeMrkdwn(entry.projectCode)}* ${escapeMrkdwn(truncate(entry.projectName, 80))} (${escapeMrkdwn(truncate(entry.customerName, 80))})\n>${escapeMrkdwn(entry.description)}`,
        },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `${day} · ${billing}` }],
      },
    ],
  };
}

/** The ephemeral answer when something was wrong: what, and how to fix it (plain text, escaped here). */
export function problemMessage(message: string): SlackMessage {
  const safe = escapeMrkdwn(message);
  return { text: safe, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${safe}` } }] };
}
