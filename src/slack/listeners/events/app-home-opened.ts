import type { BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { ACT_AS_MYSELF } from '../../../../blocks/home.js';
import { ids } from '../../../../blocks/ids.js';
import { setActingAs } from '../../../services/acting-as.js';
import { setAway } from '../../../services/away.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { refreshHome } from '../../home.js';
import { ackingFirst, tellUser } from '../safe.js';
import { buttonValue, chosenOption, slackId } from '../../edge/payload-values.js';

/** The away switch's value: what the manager becomes. */
const awayChoice = z.enum(['away', 'back']);

/**
 * The App Home is rebuilt whenever the user opens it, when a delegate switches whom it acts for,
 * and when a manager marks themself away or back.
 */
export function registerAppHomeOpened(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await refreshHome(deps, event.user);
  });

  routes.action<BlockAction<StaticSelectAction>>(
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

  routes.action<BlockAction<ButtonAction>>(
    ids.home.away,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const away = awayChoice.parse(buttonValue(action)) === 'away';
      // For the user themself, whomever App Home acts for.
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const marked = await setAway(ctx, { away });
      if (!marked.ok) await tellUser(client, { userId: body.user.id }, marked.error.message, deps.log);
      await refreshHome(deps, body.user.id);
    }),
  );
}
