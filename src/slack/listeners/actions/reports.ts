import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { ids } from '../../../../blocks/ids.js';
import { type Choice, matchingOptions } from '../../../../blocks/record-select.js';
import {
  periodChoice,
  reportConsultantChoice,
  reportCustomerChoice,
  reportProjectChoice,
  reportStartedModal,
} from '../../../../blocks/reports-modal.js';
import { describePeriods } from '../../../domain/report-periods.js';
import { REPORT_KINDS, REPORT_LEVELS, type ReportRequest } from '../../../domain/report-request.js';
import { reportName } from '../../../reports/report-heading.js';
import { prepareReport, reportFormChoices, type ReportFormChoices } from '../../../services/reports.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { deliverReport, type Reporting } from '../../report-delivery.js';
import { openReportsModal } from '../../reports-modal.js';
import { ackingFirst, tellUser } from '../safe.js';

const r = ids.reports;
const picked = (action: string) =>
  z.object({ [action]: z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }) }).optional();
const reportForm = z.object({
  [r.kind.block]: z.object({
    [r.kind.action]: z.object({ selected_option: z.object({ value: z.enum(REPORT_KINDS) }).nullish() }),
  }),
  [r.level.block]: z.object({
    [r.level.action]: z.object({ selected_option: z.object({ value: z.enum(REPORT_LEVELS) }).nullish() }),
  }),
  [r.periods.block]: picked(r.periods.action),
  [r.customers.block]: picked(r.customers.action),
  [r.projects.block]: picked(r.projects.action),
  [r.consultants.block]: picked(r.consultants.action),
  [r.channel.block]: z
    .object({ [r.channel.action]: z.object({ selected_conversation: z.string().nullish() }) })
    .optional(),
});

/** Which form block a refusal from prepareReport belongs under. */
const FIELD_BLOCKS: Record<string, string> = {
  customer: r.customers.block,
  project: r.projects.block,
  consultant: r.consultants.block,
};

/** The Reports form: opened from /admin or App Home, searched as the user types, submitted to build a report. */
export function registerReportActions(routes: ListenerRoutes, deps: ServiceDeps, reporting: Reporting): void {
  routes.action<BlockAction<ButtonAction>>(
    r.open,
    ackingFirst(deps.log, async ({ body, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const refusal = await openReportsModal(client, ctx, reporting, {
        triggerId: body.trigger_id,
        push: body.view?.type === 'modal',
      });
      if (refusal) await tellUser(client, { userId: body.user.id }, refusal.message, deps.log);
    }),
  );

  // Past 100 periods, customers, projects or consultants the menus ask for what the user types.
  for (const [id, choicesOf] of [
    [r.periods, (c) => [...c.periods].reverse().map(periodChoice)],
    [r.customers, (c) => c.customers.map(reportCustomerChoice)],
    [r.projects, (c) => c.projects.map(reportProjectChoice)],
    [r.consultants, (c) => c.consultants.map(reportConsultantChoice)],
  ] satisfies [{ action: string }, (choices: ReportFormChoices) => Choice[]][]) {
    routes.options(id.action, async ({ body, ack, client }) => {
      const listed = await reportFormChoices(await contextForSlackUser(deps, client, body.user.id));
      await ack({ options: listed.ok ? matchingOptions(choicesOf(listed.choices), body.value ?? '') : [] });
    });
  }

  routes.view(r.modal, async ({ body, ack, client }) => {
    const form = reportForm.safeParse(body.view.state.values);
    if (!form.success) {
      return void (await ack({
        response_action: 'errors',
        errors: { [r.kind.block]: 'Choose a report and a level.' },
      }));
    }
    const values = form.data;
    const kind = values[r.kind.block][r.kind.action].selected_option?.value;
    const level = values[r.level.block][r.level.action].selected_option?.value;
    if (!kind) return void (await ack({ response_action: 'errors', errors: { [r.kind.block]: 'Choose a report.' } }));
    if (!level) return void (await ack({ response_action: 'errors', errors: { [r.level.block]: 'Choose a level.' } }));
    const chosen = (block: string, action: string) =>
      (values as Record<string, Record<string, { selected_options?: { value: string }[] | null }> | undefined>)[
        block
      ]?.[action]?.selected_options?.map((o) => o.value) ?? [];
    const request: ReportRequest = {
      kind,
      level,
      periods: chosen(r.periods.block, r.periods.action).map((on) => ({ kind: 'starts', on })),
      customerCodes: chosen(r.customers.block, r.customers.action),
      projectCodes: chosen(r.projects.block, r.projects.action),
      consultantUserIds: chosen(r.consultants.block, r.consultants.action),
    };
    const channelId = values[r.channel.block]?.[r.channel.action]?.selected_conversation ?? undefined;

    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const prepared = await prepareReport(ctx, request);
    if (!prepared.ok) {
      // The form has no periods menu when there are no periods: that answer goes on the report kind.
      const onKind = prepared.error.code === 'forbidden' || prepared.error.code === 'no_periods';
      const block = FIELD_BLOCKS[prepared.error.field ?? ''] ?? (onKind ? r.kind.block : r.periods.block);
      return void (await ack({ response_action: 'errors', errors: { [block]: prepared.error.message } }));
    }
    const { spec } = prepared;
    await ack({
      response_action: 'update',
      view: reportStartedModal(
        `Building the ${reportName(spec)} for ${describePeriods(spec.periods)}. It will be posted in ${channelId ? 'the channel you chose' : 'a direct message to you'}.`,
      ),
    });
    await deliverReport(ctx, client, reporting, spec, {
      channelId,
      tell: async (text) => void (await client.chat.postMessage({ channel: body.user.id, text })),
    });
  });
}
