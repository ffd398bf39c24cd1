import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../blocks/log-confirmation.js';
import { SECTION_TEXT_LIMIT } from '../../blocks/mrkdwn.js';
import type { Logger } from '../logger.js';

/** Where a confirmation goes: through a response_url (new or replacing), else by DM. */
export type ConfirmationTarget = { userId: string; via?: { responseUrl: string; replace: boolean } | undefined };

const RESPONSE_URL_TIMEOUT_MS = 5_000;

/**
 * A line of mrkdwn as a message of its own, for `sendConfirmation`: in a section while one holds
 * it, else as the message's text alone (Slack shows up to 40,000 characters of that).
 */
export function mrkdwnMessage(text: string): Confirmation {
  return text.length <= SECTION_TEXT_LIMIT
    ? { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }
    : { text };
}

/** What a confirmation says: a message with blocks, or text alone. */
export type Confirmation = SlackMessage | { text: string };

/**
 * How a command answers after its ack: through its response_url (a new message, not replacing the
 * ack), with a DM when that does not answer.
 */
export function laterAnswers(
  client: WebClient,
  command: { user_id: string; response_url?: string | undefined },
  log: Logger,
): (message: Confirmation) => Promise<void> {
  const via = command.response_url ? { responseUrl: command.response_url, replace: false } : undefined;
  return (message) => sendConfirmation(client, { userId: command.user_id, via }, message, log);
}

/**
 * Tells the user what was saved. The change is already committed, so a failure here is logged,
 * not reported as a failed save. A response_url that refuses it, or does not answer in time or at
 * all, is followed by a DM: a rare DM more than needed beats a user left looking at the message
 * from before (an undone entry still showing "Logged 1h").
 */
export async function sendConfirmation(
  client: WebClient,
  target: ConfirmationTarget,
  message: Confirmation,
  log: Logger,
): Promise<void> {
  if (target.via && (await postedToResponseUrl(target.via, message, log))) return;
  try {
    // A DM to the user (the channel id may be the user id): works wherever the request came from.
    await client.chat.postMessage({ channel: target.userId, ...message });
  } catch (error) {
    log.warn('could not send a confirmation', { userId: target.userId, error });
  }
}

async function postedToResponseUrl(
  via: NonNullable<ConfirmationTarget['via']>,
  message: Confirmation,
  log: Logger,
): Promise<boolean> {
  try {
    const response = await fetch(via.responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: via.replace, ...message }),
      signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
    });
    if (response.ok) return true;
    log.warn('response_url refused the confirmation; sending it as a DM', { status: response.status });
  } catch (error) {
    log.warn('response_url did not take the confirmation; sending it as a DM', { error });
  }
  return false;
}
