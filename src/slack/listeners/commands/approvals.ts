import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { problemMessage } from '../../../../blocks/log-confirmation.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { openApprovalsModal } from '../actions/approvals.js';
import { answeringErrors } from '../safe.js';

const approvalsCommandBody = z.object({ user_id: z.string().min(1), trigger_id: z.string().min(1) });

/** `/approvals`: the timesheets waiting for my decision (and my principals'), to decide in bulk. */
export function registerApprovalsCommand(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.command(
    '/approvals',
    answeringErrors(deps.log, async ({ command, ack, client }) => {
      const body = approvalsCommandBody.parse(command);
      const ctx = await contextForSlackUser(deps, client, body.user_id);
      const refusal = await openApprovalsModal(client, ctx, body.trigger_id);
      await ack(refusal ? { response_type: 'ephemeral', ...problemMessage(refusal) } : undefined);
    }),
  );
}
