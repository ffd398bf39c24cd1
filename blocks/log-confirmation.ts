import type { Button, KnownBlock } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import type { SavedEntry } from '../src/services/time-entries.js';
import { ids } from './ids.js';
import { escapedWithin, escapeMrkdwn, SECTION_TEXT_LIMIT, truncate } from './mrkdwn.js';

/** A saved entry as the service reports it. */
export type LoggedEntryView = SavedEntry;

export type SlackMessage = { text: string; blocks: KnownBlock[] };

/**
 * The answer to saved time: what was saved, where and when, with Edit and Undo (after an edit, Edit
 * alone). Time past midnight is saved as one entry per day, and the answer lists each; Undo takes them all back.
 */
export function logConfirmation(
  entries: LoggedEntryView[],
  headline: 'Logged' | 'Updated' | 'Already saved' = entries[0]?.repeated ? 'Already saved' : 'Logged',
): SlackMessage {
  const entry = entries[0]!;
  const total = formatMinutes(entries.reduce((sum, e) => sum + e.minutes, 0));
  const icon = entry.source === 'meeting' ? ':calendar:' : ':white_check_mark:';
  const forWhom = entry.actingForName ? ` for ${escapeMrkdwn(entry.actingForName)}` : '';
  const when = (e: LoggedEntryView) =>
    formatDay(e.workDate) + (e.beginsAt && e.endsAt ? ` (${e.beginsAt}–${e.endsAt})` : '');
  const details = [entries.length === 1 ? when(entry) : '', entry.billable ? 'billable' : 'non-billable'];
  if (entry.source === 'meeting') details.push('meeting');
  const prepaid = entries.at(-1)!.prepaid;
  if (prepaid) details.push(prepaidLine(entry.customerName, prepaid));
  // A delegate's entry for a principal names them: Edit and Undo act for them, wherever App Home's switch stands.
  const edit = (e: LoggedEntryView): Button => ({
    type: 'button',
    action_id: ids.entry.edit,
    text: { type: 'plain_text', text: 'Edit' },
    value: e.actingFor ? JSON.stringify({ id: e.entryId, for: e.actingFor }) : String(e.entryId),
  });
  const entryIds = entries.map((e) => e.entryId);
  const undo: Button = {
    type: 'button',
    action_id: ids.entry.undo,
    text: { type: 'plain_text', text: 'Undo' },
    value: entry.actingFor ? JSON.stringify({ ids: entryIds, for: entry.actingFor }) : entryIds.join(','),
  };
  // Past midnight: one line per day's entry, each with its own Edit (a block's action ids are unique).
  const perDay: KnownBlock[] =
    entries.length > 1
      ? [
          {
            type: 'context',
            elements: [{ type: 'mrkdwn', text: 'Past midnight, so saved as one entry per day:' }],
          },
          ...entries.map((e): KnownBlock => ({
            type: 'section',
            text: { type: 'mrkdwn', text: `${when(e)} · *${formatMinutes(e.minutes)}*` },
            accessory: edit(e),
          })),
        ]
      : [];
  return {
    text: escapeMrkdwn(
      `${headline} ${total} on ${entry.projectCode}${entry.actingForName ? ` for ${entry.actingForName}` : ''} for ${entries.map((e) => formatDay(e.workDate)).join(' and ')}: ${entry.description}`,
    ),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${icon} ${headline} *${total}*${forWhom} on *${escapeMrkdwn(entry.projectCode)}* ${escapeMrkdwn(truncate(entry.projectName, 80))} (${escapeMrkdwn(truncate(entry.customerName, 80))})\n>${escapeMrkdwn(entry.description)}`,
        },
      },
      ...perDay,
      { type: 'context', elements: [{ type: 'mrkdwn', text: details.filter(Boolean).join(' · ') }] },
      {
        type: 'actions',
        block_id: 'entry_actions',
        // After an edit there is nothing to undo but the change itself, which Undo (a delete) would not give back.
        elements: headline === 'Updated' ? [edit(entry)] : entries.length > 1 ? [undo] : [edit(entry), undo],
      },
    ],
  };
}

/** "Globex: 38h 30m of prepaid time left (2h pending approval)"; past the credit, the overrun in red words. */
export function prepaidLine(
  customerName: string,
  prepaid: { remainingMinutes: number; pendingMinutes: number },
): string {
  const left =
    prepaid.remainingMinutes < 0
      ? `:red_circle: *${formatMinutes(-prepaid.remainingMinutes)} over the prepaid credit*`
      : `${formatMinutes(prepaid.remainingMinutes)} of prepaid time left`;
  const pending = prepaid.pendingMinutes > 0 ? ` (${formatMinutes(prepaid.pendingMinutes)} pending approval)` : '';
  return `${escapeMrkdwn(customerName)}: ${left}${pending}`;
}

/** What Undo or Delete leaves in place of the confirmation. */
export function entryDeletedMessage(
  deleted: { projectCode: string; workDate: string; minutes: number; description: string }[],
): SlackMessage {
  const first = deleted[0]!;
  const minutes = deleted.reduce((sum, d) => sum + d.minutes, 0);
  const text = `Deleted ${formatMinutes(minutes)} on ${first.projectCode} for ${deleted.map((d) => formatDay(d.workDate)).join(' and ')}: ${first.description}`;
  return {
    text: escapeMrkdwn(text),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:wastebasket: ~${escapeMrkdwn(text)}~` } }],
  };
}

/** The answer when something was wrong: what, and how to fix it (plain text, escaped here). */
export function problemMessage(message: string): SlackMessage {
  // A refusal may quote what the user typed: cut to fit Slack's 3,000 characters of a section.
  const safe = escapedWithin(message, SECTION_TEXT_LIMIT - ':warning: '.length);
  return { text: safe, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${safe}` } }] };
}

/** A reply made while acting for a principal (the App Home switch) says for whom, and how to stop. */
export function actingForNotice(message: SlackMessage, principalName: string | null): SlackMessage {
  if (!principalName) return message;
  return {
    text: message.text,
    blocks: [
      ...message.blocks,
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `:busts_in_silhouette: Acting for *${escapeMrkdwn(principalName)}* · switch back in App Home`,
          },
        ],
      },
    ],
  };
}
