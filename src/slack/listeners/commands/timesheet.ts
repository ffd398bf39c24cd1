import type { App } from '@slack/bolt';
import { z } from 'zod';
import { problemMessage } from '../../../../blocks/log-confirmation.js';
import { timesheetHistoryMessage } from '../../../../blocks/timesheet-history.js';
import {
  confirmEmptySubmitMessage,
  TIMESHEET_HELP,
  timesheetSubmittedMessage,
} from '../../../../blocks/timesheet-messages.js';
import { formatDay } from '../../../domain/dates.js';
import { submitTimesheet, timesheetHistory, timesheetOverview } from '../../../services/timesheets.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { publishHome } from '../../home.js';
import { openTimesheetModal } from '../../timesheet-view.js';
import { answeringErrors } from '../safe.js';

const timesheetCommandBody = z.object({
  user_id: z.string().min(1),
  text: z.string().default(''),
  trigger_id: z.string().min(1),
});

/** `/timesheet` opens the current period; `submit` submits it; `history` lists earlier periods. */
export function registerTimesheetCommand(app: App, deps: ServiceDeps): void {
  app.command(
    '/timesheet',
    answeringErrors(deps.log, async ({ command, ack, client }) => {
      const body = timesheetCommandBody.parse(command);
      const sub = body.text.trim().toLowerCase();
      const ctx = await contextForSlackUser(deps, client, body.user_id);

      if (sub === '') {
        const refusal = await openTimesheetModal(client, ctx, body.trigger_id);
        await ack(refusal ? { response_type: 'ephemeral', ...problemMessage(refusal.message) } : undefined);
        return;
      }
      if (sub === 'submit') {
        const sheet = await timesheetOverview(ctx);
        if (!sheet.ok) {
          await ack({ response_type: 'ephemeral', ...problemMessage(sheet.error.message) });
          return;
        }
        const { overview } = sheet;
        if (overview.status === 'open' && overview.totals.entryCount === 0) {
          const question = `Your timesheet for ${formatDay(overview.period.startsOn)} – ${formatDay(overview.period.endsOn)} has no time. Submit it empty?`;
          await ack({
            response_type: 'ephemeral',
            ...confirmEmptySubmitMessage(overview.period.id, overview.period, question),
          });
          return;
        }
        const submitted = await submitTimesheet(ctx, { periodId: overview.period.id });
        await ack({
          response_type: 'ephemeral',
          ...(submitted.ok ? timesheetSubmittedMessage(submitted.submitted) : problemMessage(submitted.error.message)),
        });
        if (submitted.ok) await publishHome(deps, client, body.user_id);
        return;
      }
      if (sub === 'history') {
        const history = await timesheetHistory(ctx);
        await ack({
          response_type: 'ephemeral',
          ...(history.ok ? timesheetHistoryMessage(history.history) : problemMessage(history.error.message)),
        });
        return;
      }
      await ack({
        response_type: 'ephemeral',
        ...problemMessage(`I don't know "/timesheet ${body.text.trim()}". ${TIMESHEET_HELP}`),
      });
    }),
  );
}
