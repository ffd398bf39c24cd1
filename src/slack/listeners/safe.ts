import type { AckFn, AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { problemMessage } from '../../../blocks/log-confirmation.js';
import type { Logger } from '../../logger.js';

export const OUR_FAULT = 'Something went wrong on our side and nothing was saved. Please try again in a minute.';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * Runs a command listener so that a bug or an outage still answers the user (and is logged)
 * instead of leaving Slack to report a timeout.
 */
export function answeringErrors(log: Logger, listener: (args: CommandArgs) => Promise<void>) {
  return async (args: CommandArgs) => {
    let acked = false;
    const ack: AckFn<string | Parameters<CommandArgs['ack']>[0]> = async (response) => {
      acked = true;
      await args.ack(response as Parameters<CommandArgs['ack']>[0]);
    };
    try {
      await listener({ ...args, ack: ack as CommandArgs['ack'] });
    } catch (error) {
      log.error('command failed', { command: args.command.command, userId: args.command.user_id, error });
      if (!acked) await args.ack({ response_type: 'ephemeral', ...problemMessage(OUR_FAULT) });
    }
  };
}
