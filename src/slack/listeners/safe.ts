import type {
  AckFn,
  AllMiddlewareArgs,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { problemMessage } from '../../../blocks/log-confirmation.js';
import type { Logger } from '../../logger.js';

export const OUR_FAULT = 'Something went wrong on our side and nothing was saved. Please try again in a minute.';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
type ActionArgs = SlackActionMiddlewareArgs & AllMiddlewareArgs;
type ShortcutArgs = SlackShortcutMiddlewareArgs & AllMiddlewareArgs;

/**
 * Runs a command listener so that a bug or an outage still answers the user (and is logged)
 * instead of leaving Slack to report a timeout.
 */
export function answeringErrors(log: Logger, listener: (args: CommandArgs) => Promise<void>) {
  return async (args: CommandArgs) => {
    let acked = false;
    const ack: AckFn<string | Parameters<CommandArgs['ack']>[0]> = async (response) => {
      acked = true;
      await args.ack(response);
    };
    try {
      await listener({ ...args, ack });
    } catch (error) {
      log.error('command failed', { command: args.command.command, userId: args.command.user_id, error });
      if (acked) await tellUser(args.client, { userId: args.command.user_id }, OUR_FAULT, log);
      else await args.ack({ response_type: 'ephemeral', ...problemMessage(OUR_FAULT) });
    }
  };
}

/**
 * Acks a button or shortcut at once (Slack wants it within 3 s), then runs it; a failure is
 * logged and the user told, rather than the click silently doing nothing.
 */
export function ackingFirst<Args extends ActionArgs | ShortcutArgs>(
  log: Logger,
  listener: (args: Args) => Promise<void>,
) {
  return async (args: Args) => {
    await args.ack();
    try {
      await listener(args);
    } catch (error) {
      const userId = args.body.user.id;
      log.error('interaction failed', { type: args.body.type, userId, error });
      await tellUser(args.client, { userId }, OUR_FAULT, log);
    }
  };
}

/** A DM to the user: it reaches them wherever they clicked, even in a channel the app is not in. */
export async function tellUser(
  client: WebClient,
  where: { userId: string },
  message: string,
  log: Logger,
): Promise<void> {
  try {
    await client.chat.postMessage({ channel: where.userId, ...problemMessage(message) });
  } catch (error) {
    log.warn('could not tell the user about a problem', { userId: where.userId, error });
  }
}
