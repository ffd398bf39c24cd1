import type { KnownBlock } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import type { SavedEntry } from '../src/services/time-entries.js';
import { ids } from './ids.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

/** A saved entry as the service reports it. */
export type LoggedEntryView = SavedEntry;

export type SlackMessage = { text: string; blocks: KnownBlock[] };

/** The answer to a saved entry: what was saved, where and when, with Edit and Undo. */
export function logConfirmation(
  entry: LoggedEntryView,
  headline: 'Logged' | 'Updated' | 'Already saved' = entry.repeated ? 'Already saved' : 'Logged',
): SlackMessage {
  const duration = formatMinutes(entry.minutes);
  const day = formatDay(entry.workDate);
  const icon = entry.source === 'meeting' ? ':calendar:' : ':white_check_mark:';
  const times = entry.beginsAt && entry.endsAt ? ` (${entry.beginsAt}–${entry.endsAt})` : '';
  const forWhom = entry.actingForName ? ` for ${escapeMrkdwn(entry.actingForName)}` : '';
  const details = [day + times, entry.billable ? 'billable' : 'non-billable'];
  if (entry.source === 'meeting') details.push('meeting');
  if (entry.prepaid) details.push(prepaidLine(entry.customerName, entry.prepaid));
  return {
    text: escapeMrkdwn(`${headline} ${duration} on ${entry.projectCode} for ${day}: ${entry.description}`),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${icon} ${headline} *${duration}*${forWhom} on *${escapeMrkdwn(entry.projectCode)}* ${escapeMrkdwn(truncate(entry.projectName, 80))} (${escapeMrkdwn(truncate(entry.customerName, 80))})\n>${escapeMrkdwn(entry.description)}`,
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: details.join(' · ') }] },
      {
        type: 'actions',
        block_id: 'entry_actions',
        elements: [
          {
            type: 'button',
            action_id: ids.entry.edit,
            text: { type: 'plain_text', text: 'Edit' },
            value: String(entry.entryId),
          },
          {
            type: 'button',
            action_id: ids.entry.undo,
            text: { type: 'plain_text', text: 'Undo' },
            value: String(entry.entryId),
          },
        ],
      },
    ],
  };
}

/** "Globex: 38h 30m of prepaid time left (2h pending approval)" */
export function prepaidLine(
  customerName: string,
  prepaid: { remainingMinutes: number; pendingMinutes: number },
): string {
  const left =
    prepaid.remainingMinutes < 0
      ? `${formatMinutes(-prepaid.remainingMinutes)} over the prepaid credit`
      : `${formatMinutes(prepaid.remainingMinutes)} of prepaid time left`;
  const pending = prepaid.pendingMinutes > 0 ? ` (${formatMinutes(prepaid.pendingMinutes)} pending approval)` : '';
  return `${escapeMrkdwn(customerName)}: ${left}${pending}`;
}

/** What Undo or Delete leaves in place of the confirmation. */
export function entryDeletedMessage(deleted: {
  projectCode: string;
  workDate: string;
  minutes: number;
  description: string;
}): SlackMessage {
  const text = `Deleted ${formatMinutes(deleted.minutes)} on ${deleted.projectCode} for ${formatDay(deleted.workDate)}: ${deleted.description}`;
  return {
    text: escapeMrkdwn(text),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:wastebasket: ~${escapeMrkdwn(text)}~` } }],
  };
}

/** The answer when something was wrong: what, and how to fix it (plain text, escaped here). */
export function problemMessage(message: string): SlackMessage {
  const safe = escapeMrkdwn(message);
  return { text: safe, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${safe}` } }] };
}
