import type { WebClient } from '@slack/web-api';
import { type LogModalMetadata, logTimeModal } from '../../blocks/log-modal.js';
import type { Failure } from '../domain/result.js';
import type { ServiceContext } from '../services/context.js';
import { entryForm } from '../services/time-entries.js';
import { decodeSlackText } from './slack-text.js';

export type OpenLogModal = {
  triggerId: string;
  metadata: Omit<LogModalMetadata, 'entryId'>;
  entryId?: number;
  /** The day a new entry is for (else today in the consultant's zone). */
  date?: string;
  /** Prefilled description (the message text for the shortcut). */
  description?: string;
  /** Stack on top of the modal the user is in (Edit from the timesheet) instead of opening a new one. */
  push?: boolean;
};

/** Opens the log-time modal (new, or prefilled to edit an entry); a refusal comes back as a Failure. */
export async function openLogModal(
  client: WebClient,
  ctx: ServiceContext,
  options: OpenLogModal,
): Promise<Failure | undefined> {
  const answer = await entryForm(ctx, options.entryId !== undefined ? { entryId: options.entryId } : {});
  if (!answer.ok) return answer.error;
  const { form } = answer;
  if (form.projects.length === 0) {
    return {
      code: 'no_projects',
      message:
        'You are not assigned to any active project yet. Ask an administrator to add you to one in /admin > Projects.',
    };
  }
  const entry = form.entry;
  const view = logTimeModal({
    projects: form.projects,
    logFor: form.logFor,
    forUserId: form.forUserId,
    prepaid: form.prepaid,
    values: entry
      ? {
          projectCode: entry.projectCode,
          date: entry.workDate,
          beginsAt: entry.beginsAt,
          endsAt: entry.endsAt,
          minutes: entry.minutes,
          description: entry.description,
          billable: entry.billable,
        }
      : {
          date: options.date ?? form.today,
          billable: true,
          ...(options.description ? { description: shortcutDescription(options.description) } : {}),
        },
    metadata: {
      ...options.metadata,
      forUserId: form.forUserId,
      ...(options.entryId !== undefined ? { entryId: options.entryId } : {}),
    },
  });
  if (options.push) await client.views.push({ trigger_id: options.triggerId, view });
  else await client.views.open({ trigger_id: options.triggerId, view });
  return undefined;
}

/**
 * A Slack message as a description: entities decoded, mentions and links made readable, one line,
 * at most 500 characters (the entry limit).
 */
export function shortcutDescription(messageText: string): string {
  const readable = decodeSlackText(
    messageText
      .replace(/<([^<>|]+)\|([^<>]+)>/g, '$2')
      .replace(/<[@#!]([^<>]+)>/g, '@$1')
      .replace(/<([^<>]+)>/g, '$1'),
  )
    .replace(/\s+/g, ' ')
    .trim();
  return readable.length <= 500 ? readable : `${readable.slice(0, 499)}…`;
}
