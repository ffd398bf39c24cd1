import type {
  AllMiddlewareArgs,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import type { ServiceContext } from '../../services/context.js';
import { answerFailure, edgeOf, tellUser as tellSlackUser } from '../edge/edge-receiver.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
type ActionArgs = SlackActionMiddlewareArgs & AllMiddlewareArgs;
type ShortcutArgs = SlackShortcutMiddlewareArgs & AllMiddlewareArgs;

/**
 * Runs a command listener so that bad input, a bug or an outage still answers the user (and is
 * logged once: input at warn, our faults at error) instead of leaving Slack to report a timeout.
 * The edge (src/slack/edge) has already checked the command's envelope.
 */
export function answeringErrors(log: Logger, listener: (args: CommandArgs) => Promise<void>) {
  return async (args: CommandArgs) => {
    try {
      await listener(args);
    } catch (error) {
      await answerFailure(edgeOf(args.context), args.client, log, error, { command: args.command.command });
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
      await answerFailure(edgeOf(args.context), args.client, log, error, { type: args.body.type });
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
  await tellSlackUser(client, where.userId, message, log);
}

/**
 * Tells the person acting why a service refused a view redraw (they lost the right, the record is
 * gone), in a DM: the view is left as it was, so the click must not just do nothing.
 */
export async function tellRefused(
  client: WebClient,
  ctx: Pick<ServiceContext, 'actor'>,
  message: string,
  log: Logger,
): Promise<void> {
  if (ctx.actor.kind === 'user') await tellUser(client, { userId: ctx.actor.userId }, message, log);
}
