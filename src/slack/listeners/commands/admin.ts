import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { adminHomeModal } from '../../../../blocks/admin.js';
import { problemMessage } from '../../../../blocks/log-confirmation.js';
import { adminSections } from '../../../services/security.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { answeringErrors } from '../safe.js';

const adminCommandBody = z.object({ user_id: z.string().min(1), trigger_id: z.string().min(1) });

/** `/admin`: the administration home, showing the sections the user's rights open. */
export function registerAdminCommand(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.command(
    '/admin',
    answeringErrors(deps.log, async ({ command, ack, client }) => {
      const body = adminCommandBody.parse(command);
      const sections = await adminSections(await contextForSlackUser(deps, client, body.user_id));
      if (!sections.periods && !sections.security && !sections.reports) {
        await ack({
          response_type: 'ephemeral',
          ...problemMessage(
            'Administration needs the administration, security, Accounts Receivable or Accounts Payable right. An administrator can give you a role with it in /admin > Users.',
          ),
        });
        return;
      }
      await client.views.open({ trigger_id: body.trigger_id, view: adminHomeModal(sections) });
      await ack();
    }),
  );
}
