import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ids } from '../../../../blocks/ids.js';
import { actingForNotice, logConfirmation, problemMessage } from '../../../../blocks/log-confirmation.js';
import { timerDecisionMessage, timerDiscardedMessage } from '../../../../blocks/timer-messages.js';
import { discardTimer, type KeepChoice, LONG_TIMER_MINUTES, stopTimer } from '../../../services/timers.js';
import { actingContextForSlackUser, type ServiceDeps } from '../../actor.js';
import { sendConfirmation } from '../../confirmations.js';
import { refreshHome } from '../../home.js';
import { ackingFirst } from '../safe.js';

/** Stop (App Home or the start message) and the three answers to a long timer. */
export function registerTimerActions(app: App, deps: ServiceDeps): void {
  const stop = (keep: KeepChoice | undefined) =>
    ackingFirst<Parameters<Parameters<typeof app.action<BlockAction<ButtonAction>>>[1]>[0]>(
      deps.log,
      async ({ body, client }) => {
        const ctx = await actingContextForSlackUser(deps, client, body.user.id);
        const stopped = await stopTimer(ctx, keep ? { keep } : {});
        const message = !stopped.ok
          ? problemMessage(stopped.error.message)
          : stopped.outcome.kind === 'needs-confirmation'
            ? timerDecisionMessage(stopped.outcome.timer, LONG_TIMER_MINUTES)
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

  app.action<BlockAction<ButtonAction>>(ids.timer.stop, stop(undefined));
  app.action<BlockAction<ButtonAction>>(ids.timer.saveElapsed, stop('elapsed'));
  app.action<BlockAction<ButtonAction>>(ids.timer.saveTenHours, stop('ten-hours'));
  app.action<BlockAction<ButtonAction>>(
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
