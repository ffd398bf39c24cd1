import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import {
  actingForNotice,
  logConfirmation,
  problemMessage,
  type SlackMessage,
} from '../../../../blocks/log-confirmation.js';
import { timerDecisionMessage, timerUnsavableMessage, timerStartedMessage } from '../../../../blocks/timer-messages.js';
import { parseLogRequest } from '../../../domain/log-command.js';
import { LONG_TIMER_MINUTES, startTimer, stopTimer } from '../../../services/timers.js';
import { type ActingContext, actingContextForSlackUser, logTimeForSlackUser, type ServiceDeps } from '../../actor.js';
import { refreshHome } from '../../home.js';
import { openLogModal } from '../../log-modal.js';
import { edgeOf } from '../../edge/edge-receiver.js';
import { decodeSlackText } from '../../slack-text.js';
import { answeringErrors } from '../safe.js';

const logCommandBody = z.object({
  user_id: z.string().min(1),
  response_url: z.string().url(),
  text: z.string().default('').transform(decodeSlackText),
  trigger_id: z.string().min(1),
});

/**
 * `/log` with text logs at once (or starts/stops a timer) and answers in the ack, ephemerally;
 * `/log` alone opens the log-time modal.
 */
/** What `/log` shows while a slow database holds its entry; the confirmation replaces it. */
export const SAVING = 'Saving…';

export function registerLogCommand(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.command(
    '/log',
    answeringErrors(deps.log, async ({ command, ack, client, context }) => {
      const body = logCommandBody.parse(command);
      const request = parseLogRequest(body.text);
      if (request.kind === 'invalid') {
        await ack({ response_type: 'ephemeral', ...problemMessage(request.error.message) });
        return;
      }
      // Past the ack deadline the edge acks "Saving…" and this ack replaces it through response_url.
      edgeOf(context)?.answer.sayWhileWorking({ response_type: 'ephemeral', text: SAVING });
      const acting = () => actingContextForSlackUser(deps, client, body.user_id);
      const within = async <T>(work: (ctx: ActingContext) => Promise<T>, answer: (result: T) => SlackMessage) => {
        const ctx = await acting();
        const result = await work(ctx);
        await ack({ response_type: 'ephemeral', ...actingForNotice(answer(result), ctx.actingForName) });
        return result;
      };

      if (request.kind === 'open-modal') {
        const ctx = await acting();
        const reply = (message: SlackMessage) => actingForNotice(message, ctx.actingForName);
        // The trigger id expires 3 s after the command: open first, then ack.
        const refusal = await openLogModal(client, ctx, {
          triggerId: body.trigger_id,
          metadata: { confirmVia: { responseUrl: body.response_url, replace: false }, source: 'modal' },
        });
        await ack(refusal ? { response_type: 'ephemeral', ...reply(problemMessage(refusal.message)) } : undefined);
        return;
      }

      if (request.kind === 'start-timer') {
        const started = await within(
          (ctx) => startTimer(ctx, request),
          (started) =>
            started.ok ? timerStartedMessage(started.timer, started.stopped) : problemMessage(started.error.message),
        );
        if (started?.ok) await refreshHome(deps, body.user_id);
        return;
      }

      if (request.kind === 'stop-timer') {
        const stopped = await within(
          (ctx) => stopTimer(ctx, request.description ? { description: request.description } : {}),
          (stopped) =>
            !stopped.ok
              ? problemMessage(stopped.error.message)
              : stopped.outcome.kind === 'needs-confirmation'
                ? timerDecisionMessage(stopped.outcome.timer, LONG_TIMER_MINUTES)
                : stopped.outcome.kind === 'unsavable'
                  ? timerUnsavableMessage(stopped.outcome.timer, stopped.outcome.reason)
                  : logConfirmation(stopped.outcome.entries),
        );
        if (stopped?.ok && stopped.outcome.kind !== 'needs-confirmation') await refreshHome(deps, body.user_id);
        return;
      }

      const { command: entry } = request;
      // The entry's statement queues the App Home refresh.
      const { ctx, result } = await logTimeForSlackUser(deps, client, body.user_id, {
        projectCode: entry.projectCode,
        ...(entry.date ? { date: entry.date } : {}),
        ...(entry.beginsAt && entry.endsAt ? { beginsAt: entry.beginsAt, endsAt: entry.endsAt } : {}),
        minutes: entry.minutes,
        description: entry.description,
        billable: entry.billable,
        source: entry.meeting ? 'meeting' : 'command',
        requestKey: `command:${body.trigger_id}`,
      });
      const answer = result.ok ? logConfirmation(result.entries) : problemMessage(result.error.message);
      await ack({ response_type: 'ephemeral', ...actingForNotice(answer, ctx.actingForName) });
    }),
  );
}
