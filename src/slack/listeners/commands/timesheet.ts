import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { actingForNotice, problemMessage, type SlackMessage } from '../../../../blocks/log-confirmation.js';
import { timesheetHistoryMessage } from '../../../../blocks/timesheet-history.js';
import { confirmEmptySubmitMessage, timesheetSubmittedMessage } from '../../../../blocks/timesheet-messages.js';
import { formatDay } from '../../../domain/dates.js';
import { parseTimesheetRequest } from '../../../domain/timesheet-command.js';
import { submitTimesheet, timesheetHistory, timesheetOverview } from '../../../services/timesheets.js';
import { actingContextForSlackUser, type ServiceDeps } from '../../actor.js';
import { refreshHome } from '../../home.js';
import { openTimesheetModal } from '../../timesheet-view.js';
import { decodeSlackText } from '../../slack-text.js';
import { answeringErrors } from '../safe.js';

const timesheetCommandBody = z.object({
  user_id: z.string().min(1),
  text: z.string().default('').transform(decodeSlackText),
  trigger_id: z.string().min(1),
});

/**
 * `/timesheet [PERIOD]` opens a period (this one by default; `2026-10-01` names one by a day in
 * it, `last` the last one that has ended); `submit [PERIOD]` submits it; `history` lists earlier periods.
 */
export function registerTimesheetCommand(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.command(
    '/timesheet',
    answeringErrors(deps.log, async ({ command, ack, client }) => {
      const body = timesheetCommandBody.parse(command);
      const request = parseTimesheetRequest(body.text);
      if (request.kind === 'invalid') {
        await ack({ response_type: 'ephemeral', ...problemMessage(request.error.message) });
        return;
      }
      const ctx = await actingContextForSlackUser(deps, client, body.user_id);
      const reply = (message: SlackMessage) => actingForNotice(message, ctx.actingForName);

      if (request.kind === 'open') {
        const refusal = await openTimesheetModal(
          client,
          ctx,
          body.trigger_id,
          request.period ? { period: request.period } : {},
        );
        await ack(refusal ? { response_type: 'ephemeral', ...reply(problemMessage(refusal.message)) } : undefined);
        return;
      }
      if (request.kind === 'submit') {
        const sheet = await timesheetOverview(ctx, request.period ? { period: request.period } : {});
        if (!sheet.ok) {
          await ack({ response_type: 'ephemeral', ...reply(problemMessage(sheet.error.message)) });
          return;
        }
        const { overview } = sheet;
        if (overview.status === 'open' && overview.totals.entryCount === 0) {
          const question = `Your timesheet for ${formatDay(overview.period.startsOn)} – ${formatDay(overview.period.endsOn)} has no time. Submit it empty?`;
          await ack({
            response_type: 'ephemeral',
            ...reply(
              confirmEmptySubmitMessage(overview.period.id, overview.period, overview.consultantUserId, question),
            ),
          });
          return;
        }
        const submitted = await submitTimesheet(ctx, { periodId: overview.period.id });
        await ack({
          response_type: 'ephemeral',
          ...reply(
            submitted.ok ? timesheetSubmittedMessage(submitted.submitted) : problemMessage(submitted.error.message),
          ),
        });
        if (submitted.ok) await refreshHome(deps, body.user_id);
        return;
      }
      const history = await timesheetHistory(ctx);
      await ack({
        response_type: 'ephemeral',
        ...reply(
          history.ok ? timesheetHistoryMessage(history.history, history.more) : problemMessage(history.error.message),
        ),
      });
    }),
  );
}
