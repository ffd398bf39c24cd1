import type { App } from '@slack/bolt';
import { z } from 'zod';
import {
  actingForNotice,
  logConfirmation,
  problemMessage,
  type SlackMessage,
} from '../../../../blocks/log-confirmation.js';
import { timerDecisionMessage, timerStartedMessage } from '../../../../blocks/timer-messages.js';
import { parseLogRequest } from '../../../domain/log-command.js';
import { logTime } from '../../../services/time-entries.js';
import { LONG_TIMER_MINUTES, startTimer, stopTimer } from '../../../services/timers.js';
import { actingContextForSlackUser, type ServiceDeps } from '../../actor.js';
import { refreshHome } from '../../home.js';
import { openLogModal } from '../../log-modal.js';
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
export function registerLogCommand(app: App, deps: ServiceDeps): void {
  app.command(
    '/log',
    answeringErrors(deps.log, async ({ command, ack, client }) => {
      const body = logCommandBody.parse(command);
      const request = parseLogRequest(body.text);
      if (request.kind === 'invalid') {
        await ack({ response_type: 'ephemeral', ...problemMessage(request.error.message) });
        return;
      }
      const ctx = await actingContextForSlackUser(deps, client, body.user_id);
      const reply = (message: SlackMessage) => actingForNotice(message, ctx.actingForName);

      if (request.kind === 'open-modal') {
        // The trigger id expires 3 s after the command: open first, then ack.
        const refusal = await openLogModal(client, ctx, {
          triggerId: body.trigger_id,
          metadata: { confirmVia: { responseUrl: body.response_url, replace: false }, source: 'modal' },
        });
        await ack(refusal ? { response_type: 'ephemeral', ...reply(problemMessage(refusal.message)) } : undefined);
        return;
      }

      if (request.kind === 'start-timer') {
        const started = await startTimer(ctx, request);
        await ack({
          response_type: 'ephemeral',
          ...reply(
            started.ok ? timerStartedMessage(started.timer, started.stopped) : problemMessage(started.error.message),
          ),
        });
        if (started.ok) await refreshHome(deps, body.user_id);
        return;
      }

      if (request.kind === 'stop-timer') {
        const stopped = await stopTimer(ctx, request.description ? { description: request.description } : {});
        if (!stopped.ok) await ack({ response_type: 'ephemeral', ...reply(problemMessage(stopped.error.message)) });
        else if (stopped.outcome.kind === 'needs-confirmation') {
          await ack({
            response_type: 'ephemeral',
            ...reply(timerDecisionMessage(stopped.outcome.timer, LONG_TIMER_MINUTES)),
          });
        } else {
          await ack({ response_type: 'ephemeral', ...reply(logConfirmation(stopped.outcome.entries)) });
          await refreshHome(deps, body.user_id);
        }
        return;
      }

      const { command: entry } = request;
      const result = await logTime(ctx, {
        projectCode: entry.projectCode,
        ...(entry.date ? { date: entry.date } : {}),
        ...(entry.beginsAt && entry.endsAt ? { beginsAt: entry.beginsAt, endsAt: entry.endsAt } : {}),
        minutes: entry.minutes,
        description: entry.description,
        billable: entry.billable,
        source: entry.meeting ? 'meeting' : 'command',
        requestKey: `command:${body.trigger_id}`,
      });
      await ack({
        response_type: 'ephemeral',
        ...reply(result.ok ? logConfirmation(result.entries) : problemMessage(result.error.message)),
      });
      if (result.ok && !result.entries[0]!.repeated) await refreshHome(deps, body.user_id);
    }),
  );
}
