import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { ids } from '../../../../blocks/ids.js';
import { dismissUndeliveredMessages, retryUndelivered } from '../../../services/undelivered.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { refreshHome } from '../../home.js';
import { ackingFirst, tellUser } from '../safe.js';

/** Resend and Dismiss carry the outbox message's id; the service re-checks the admin right. */
const messageId = z.coerce.number().int().positive();

/** An administrator's Resend and Dismiss on App Home's list of undelivered Slack messages. */
export function registerUndeliveredActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.home.resendMessage,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const resent = await retryUndelivered(ctx, [messageId.parse(action.value)]);
      if (!resent.ok) await tellUser(client, { userId: body.user.id }, resent.error.message, deps.log);
      else if (resent.skipped.length > 0) {
        const why = 'That message is no longer dead (it was resent or dismissed already), so nothing changed.';
        await tellUser(client, { userId: body.user.id }, why, deps.log);
      }
      await refreshHome(deps, body.user.id);
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.home.dismissMessage,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const dismissed = await dismissUndeliveredMessages(ctx, [messageId.parse(action.value)]);
      if (!dismissed.ok) await tellUser(client, { userId: body.user.id }, dismissed.error.message, deps.log);
      await refreshHome(deps, body.user.id);
    }),
  );
}
