import type { App, BlockAction, StaticSelectAction } from '@slack/bolt';
import { ACT_AS_MYSELF } from '../../../../blocks/home.js';
import { ids } from '../../../../blocks/ids.js';
import { setActingAs } from '../../../services/acting-as.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { refreshHome } from '../../home.js';
import { ackingFirst, tellUser } from '../safe.js';
import { chosenOption, slackId } from '../../edge/payload-values.js';

/** The App Home is rebuilt whenever the user opens it, and when a delegate switches whom it acts for. */
export function registerAppHomeOpened(app: App, deps: ServiceDeps): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await refreshHome(deps, event.user);
  });

  app.action<BlockAction<StaticSelectAction>>(
    ids.home.actAs,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const chosen = chosenOption(action);
      const principalId = chosen === ACT_AS_MYSELF ? null : slackId.parse(chosen);
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const switched = await setActingAs(ctx, { principalId });
      if (!switched.ok) await tellUser(client, { userId: body.user.id }, switched.error.message, deps.log);
      await refreshHome(deps, body.user.id);
    }),
  );
}
