import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { problemMessage } from '../../../../blocks/log-confirmation.js';
import { describePeriods } from '../../../domain/report-periods.js';
import { parseReportRequest } from '../../../domain/report-request.js';
import { reportName } from '../../../reports/report-heading.js';
import { prepareReport } from '../../../services/reports.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { deliverReport, type Reporting } from '../../report-delivery.js';
import { openReportsModal } from '../../reports-modal.js';
import { decodeSlackText } from '../../slack-text.js';
import { answeringErrors } from '../safe.js';
import { laterAnswers, mrkdwnMessage } from '../../confirmations.js';

const reportCommandBody = z.object({
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  response_url: z.string().optional(),
  trigger_id: z.string().min(1),
  text: z.string().default('').transform(decodeSlackText),
});

/**
 * `/report ar|ap summary|detail …` checks the request, acks with what it is building, then builds
 * the files (rows read in pages, PDF on a render thread) and posts them where it was typed.
 * `/report` alone opens the Reports form.
 */
export function registerReportCommand(routes: ListenerRoutes, deps: ServiceDeps, reporting: Reporting): void {
  routes.command(
    '/report',
    answeringErrors(deps.log, async ({ command, ack, client }) => {
      const body = reportCommandBody.parse(command);
      const ctx = await contextForSlackUser(deps, client, body.user_id);
      if (body.text.trim() === '') {
        const refusal = await openReportsModal(client, ctx, reporting, { triggerId: body.trigger_id });
        await ack(refusal ? { response_type: 'ephemeral', ...problemMessage(refusal.message) } : undefined);
        return;
      }
      const parsed = parseReportRequest(body.text);
      if (!parsed.ok) return void (await ack({ response_type: 'ephemeral', ...problemMessage(parsed.error.message) }));
      const prepared = await prepareReport(ctx, parsed.request);
      if (!prepared.ok)
        return void (await ack({ response_type: 'ephemeral', ...problemMessage(prepared.error.message) }));
      const { spec } = prepared;
      await ack({
        response_type: 'ephemeral',
        text: `Building the ${reportName(spec)} for ${describePeriods(spec.periods)}…`,
      });
      await deliverReport(ctx, client, reporting, spec, {
        channelId: body.channel_id,
        // Through the response_url, with a DM when it does not answer.
        tell: (text) => laterAnswers(client, body, deps.log)(mrkdwnMessage(text)),
      });
    }),
  );
}
