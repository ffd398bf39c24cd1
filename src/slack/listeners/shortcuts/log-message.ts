import type { MessageShortcut } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { ids } from '../../../../blocks/ids.js';
import { actingContextForSlackUser, type ServiceDeps } from '../../actor.js';
import { openLogModal } from '../../log-modal.js';
import { problemMessage } from '../../../../blocks/log-confirmation.js';
import { sendConfirmation } from '../../confirmations.js';
import { ackingFirst } from '../safe.js';

/**
 * A message shortcut always names its message and where to answer; a global shortcut under this
 * callback id (or one without its message) is not Slack's and cannot be read.
 */
const messageShortcut = z.object({
  type: z.literal('message_action'),
  message: z.object({ text: z.string().optional() }),
  response_url: z.string(),
});

/** "Log time for this message": the log-time modal with the message as the description. */
export function registerLogMessageShortcut(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.shortcut<MessageShortcut>(
    ids.shortcut.logMessage,
    ackingFirst(deps.log, async ({ shortcut, client }) => {
      const { message, response_url } = messageShortcut.parse(shortcut);
      const ctx = await actingContextForSlackUser(deps, client, shortcut.user.id);
      const confirmVia = { responseUrl: response_url, replace: false };
      const refusal = await openLogModal(client, ctx, {
        triggerId: shortcut.trigger_id,
        description: message.text ?? '',
        metadata: { source: 'shortcut', confirmVia },
      });
      if (refusal)
        await sendConfirmation(
          client,
          { userId: shortcut.user.id, via: confirmVia },
          problemMessage(refusal.message),
          deps.log,
        );
    }),
  );
}
