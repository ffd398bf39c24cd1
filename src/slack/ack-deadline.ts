import type { RespondArguments } from '@slack/bolt';
import { problemMessage, type SlackMessage } from '../../blocks/log-confirmation.js';
import type { Logger } from '../logger.js';
import { OUR_FAULT } from './listeners/safe.js';

/** What the user sees while a slow request finishes; the answer replaces it. */
export const SAVING = 'Saving…';

export type DeadlineAnswer<T> = {
  deadlineMs: number;
  /** The work, already started. */
  work: Promise<T>;
  /** How the result reads to the user. */
  answer: (result: T) => SlackMessage;
  ack: (message: RespondArguments) => Promise<void>;
  respond: (message: RespondArguments) => Promise<unknown>;
  log: Logger;
};

/**
 * Answers a command in its ack when its work is done within the deadline. Otherwise it acks
 * "Saving…" at once (Slack shows a timeout after 3 s, and people then type the same entry again)
 * and replaces that with the answer through response_url when the work is done, or with "nothing
 * was saved" if it failed. Resolves with the result, or undefined when the work failed after the
 * "Saving…" ack (already logged and told).
 */
export async function answerWithinDeadline<T>(options: DeadlineAnswer<T>): Promise<T | undefined> {
  const { work, answer, ack, respond, log } = options;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), options.deadlineMs);
  });
  const first = await Promise.race([work.then((result) => ({ result })), late]).finally(() => clearTimeout(timer));
  if (first !== 'late') {
    await ack({ response_type: 'ephemeral', ...answer(first.result) });
    return first.result;
  }

  await ack({ response_type: 'ephemeral', text: SAVING });
  let result: T;
  try {
    result = await work;
  } catch (error) {
    log.error('command failed after its "Saving…" ack', { error });
    await respond({ response_type: 'ephemeral', replace_original: true, ...problemMessage(OUR_FAULT) }).catch(
      (failure: unknown) => log.warn('could not tell the user the command failed', { error: failure }),
    );
    return undefined;
  }
  await respond({ response_type: 'ephemeral', replace_original: true, ...answer(result) }).catch((error: unknown) =>
    log.warn('could not send a late answer to response_url', { error }),
  );
  return result;
}
