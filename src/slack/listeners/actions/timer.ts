import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { ids } from '../../../../blocks/ids.js';
import { actingForNotice, logConfirmation, problemMessage } from '../../../../blocks/log-confirmation.js';
import {
  timerDecisionMessage,
  timerUnsavableMessage,
  timerDiscardedMessage,
} from '../../../../blocks/timer-messages.js';
import { discardTimer, type KeepChoice, LONG_TIMER_MINUTES, stopTimer } from '../../../services/timers.js';
import { actingContextForSlackUser, type ServiceDeps } from '../../actor.js';
import { sendConfirmation } from '../../confirmations.js';
import { refreshHome } from '../../home.js';
import { ackingFirst } from '../safe.js';

/** Stop (App Home or the start message) and the three answers to a long timer. */
export function registerTimerActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  const stop = (keep: KeepChoice | undefined) =>
    ackingFirst<Parameters<Parameters<typeof routes.action<BlockAction<ButtonAction>>>[1]>[0]>(
      deps.log,
      async ({ body, client }) => {
        const ctx = await actingContextForSlackUser(deps, client, body.user.id);
        const stopped = await stopTimer(ctx, keep ? { keep } : {});
        const message = !stopped.ok
          ? problemMessage(stopped.error.message)
          : stopped.outcome.kind === 'needs-confirmation'
            ? timerDecisionMessage(stopped.outcome.timer, LONG_TIMER_MINUTES)
            : stopped.outcome.kind === 'unsavable'
              ? timerUnsavableMessage(stopped.outcome.timer, stopped.outcome.reason)
              : logConfirmation(stopped.outcome.entries);
        const via = body.response_url ? { responseUrl: body.response_url, replace: true } : undefined;
        await sendConfirmation(
          client,
          { userId: body.user.id, via },
          actingForNotice(message, ctx.actingForName),
          deps.log,
        );
        await refreshHome(deps, body.user.id);
      },
    );

  routes.action<BlockAction<ButtonAction>>(ids.timer.stop, stop(undefined));
  routes.action<BlockAction<ButtonAction>>(ids.timer.saveElapsed, stop('elapsed'));
  routes.action<BlockAction<ButtonAction>>(ids.timer.saveTenHours, stop('ten-hours'));
  routes.action<BlockAction<ButtonAction>>(
    ids.timer.discard,
    ackingFirst(deps.log, async ({ body, client }) => {
      const ctx = await actingContextForSlackUser(deps, client, body.user.id);
      const discarded = await discardTimer(ctx);
      const message = discarded.ok
        ? timerDiscardedMessage(discarded.discarded)
        : problemMessage(discarded.error.message);
      const via = body.response_url ? { responseUrl: body.response_url, replace: true } : undefined;
      await sendConfirmation(
        client,
        { userId: body.user.id, via },
        actingForNotice(message, ctx.actingForName),
        deps.log,
      );
      await refreshHome(deps, body.user.id);
    }),
  );
}
