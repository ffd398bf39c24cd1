import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../blocks/log-confirmation.js';
import { escapedWithin, SECTION_TEXT_LIMIT } from '../../blocks/mrkdwn.js';
import type { Logger } from '../logger.js';
import { mrkdwnMessage } from './confirmations.js';
import type { ServiceContext } from '../services/context.js';

/**
 * Redraws an open view with the outcome of what its user did (`notice`, plain text). Slack may
 * refuse the redraw (a rate limit, the view closed, a newer hash); the view then stays as it was,
 * and a notice goes to the user in a DM instead, since the redraw was their only answer.
 */
export async function redrawView(
  client: WebClient,
  log: Logger,
  redraw: { viewId: string; hash?: string | undefined; view: object; what: string },
  told: Told,
): Promise<void> {
  try {
    await client.views.update({
      view_id: redraw.viewId,
      ...(redraw.hash ? { hash: redraw.hash } : {}),
      view: redraw.view as never,
    });
  } catch (error) {
    log.warn(`could not update the ${redraw.what}`, { error });
    await tellNotice(client, log, told);
  }
}

/**
 * What a view would have shown, as a DM to its user when it cannot: `message` if given (the
 * outcome as a message of its own), else the view's `notice` (plain text).
 */
export async function tellNotice(client: WebClient, log: Logger, told: Told): Promise<void> {
  if (!told.userId) return;
  const message =
    told.message ?? (told.notice ? mrkdwnMessage(escapedWithin(told.notice, SECTION_TEXT_LIMIT)) : undefined);
  if (!message) return;
  await client.chat
    .postMessage({ channel: told.userId, ...message })
    .catch((error: unknown) => log.warn('could not tell the user what the view would have shown', { error }));
}

/** Whom a redraw answers, and what to tell them if it cannot be shown. */
export type Told = { userId: string | undefined; notice: string | undefined; message?: SlackMessage };

/** The Slack user a service context acts as, for `redrawView`'s DM. */
export const userOf = (ctx: Pick<ServiceContext, 'actor'>): string | undefined =>
  ctx.actor.kind === 'user' ? ctx.actor.userId : undefined;
