import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { creditsMessage } from '../../../../blocks/credit-messages.js';
import { problemMessage } from '../../../../blocks/log-confirmation.js';
import { creditsOverview } from '../../../services/credits.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { decodeSlackText } from '../../slack-text.js';
import { answeringErrors } from '../safe.js';

const creditsCommandBody = z.object({
  user_id: z.string().min(1),
  text: z.string().default('').transform(decodeSlackText),
});

/** A customer code, or nothing: "/credits", "/credits globex". */
const USAGE = 'Name one customer by its code, like `/credits GLOBEX`, or nothing for all your prepaid customers.';
const creditsText = z
  .string()
  .trim()
  .refine((text) => text.toLowerCase() !== 'help', { message: USAGE })
  .refine((text) => text === '' || /^[A-Za-z0-9-]{2,20}$/.test(text), { message: USAGE });

/** `/credits [CODE]`: prepaid balance, forecast and recent movements; admins also get the buttons to manage them. */
export function registerCreditsCommand(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.command(
    '/credits',
    answeringErrors(deps.log, async ({ command, ack, client }) => {
      const body = creditsCommandBody.parse(command);
      const text = creditsText.safeParse(body.text);
      if (!text.success)
        return void (await ack({ response_type: 'ephemeral', ...problemMessage(text.error.issues[0]!.message) }));
      const ctx = await contextForSlackUser(deps, client, body.user_id);
      const overview = await creditsOverview(ctx, text.data || undefined);
      await ack({
        response_type: 'ephemeral',
        ...(overview.ok ? creditsMessage(overview) : problemMessage(overview.error.message)),
      });
    }),
  );
}
