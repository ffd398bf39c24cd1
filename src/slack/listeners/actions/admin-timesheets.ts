import type {
  BlockAction,
  ButtonAction,
  ExternalSelectAction,
  StaticSelectAction,
  UsersSelectAction,
} from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import {
  type AdminSheetView,
  adminSheetModal,
  adminTimesheetsModal,
  filterOptions,
  HELD_SHOWN,
  moreHeld,
  type SheetFilter,
  type SheetsBack,
  sheetsDecisionModal,
} from '../../../../blocks/admin-timesheets.js';
import { ids } from '../../../../blocks/ids.js';
import { ADMIN_DECIDABLE, adminDecide } from '../../../services/approval-decisions.js';
import {
  adminTimesheet,
  adminTimesheets,
  approvedRemovalPreview,
  timesheetFilterChoices,
} from '../../../services/approval-views.js';
import type { ServiceContext } from '../../../services/context.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { type ActionArgs, checkedIds, tooManyMarked } from '../../view-state.js';
import { ackingFirst, tellRefused, tellUser } from '../safe.js';
import { chosenOption, isoDay, jsonText, rowId, rowIdText, slackId } from '../../edge/payload-values.js';
import { redrawView, userOf } from '../../view-redraw.js';

const code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/);
const FILTER_VALUES = { consultantUserId: slackId, periodStartsOn: isoDay, projectCode: code, customerCode: code };
const sheetFilter: z.ZodType<SheetFilter> = z.object({
  consultantUserId: FILTER_VALUES.consultantUserId.optional(),
  periodStartsOn: FILTER_VALUES.periodStartsOn.optional(),
  projectCode: FILTER_VALUES.projectCode.optional(),
  customerCode: FILTER_VALUES.customerCode.optional(),
});
const sheetsBack: z.ZodType<SheetsBack> = z.object({
  filter: sheetFilter,
  timesheetId: rowId.optional(),
});
const decisionMeta = z.object({
  decision: z.enum(['reject', 'delete']),
  timesheetIds: z.array(rowId).min(1),
  parentViewId: z.string(),
  back: sheetsBack,
});
const sheetPageMeta = z.object({ timesheetId: rowId, filter: sheetFilter });
const timesheetIdValue = rowIdText;

/** /admin > Timesheets: filter, mark or open one, and approve, send back or delete as an administrator. */
export function registerAdminTimesheetActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.admin.openTimesheets,
    ackingFirst(deps.log, async function openTimesheets({ body, client }) {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const listed = await adminTimesheets(ctx);
      if (!listed.ok) return tellUser(client, { userId: body.user.id }, listed.error.message, deps.log);
      await client.views.push({
        trigger_id: body.trigger_id,
        view: adminTimesheetsModal(listed.sheets, listed.choices, {}, undefined, listed.more),
      });
    }),
  );

  const refilter = async (
    args: ActionArgs<UsersSelectAction> | ActionArgs<StaticSelectAction | ExternalSelectAction>,
    key: keyof SheetFilter,
    value: string | undefined,
  ) => {
    const { body, client } = args;
    if (!body.view) return;
    const filter = { ...jsonText(sheetFilter).parse(body.view.private_metadata ?? '') };
    // A chosen value is checked like the metadata's: a Slack id, a period's first day, a code.
    if (value && value !== '-') filter[key] = FILTER_VALUES[key].parse(value);
    else delete filter[key];
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    await show(deps, client, ctx, body.view.id, { filter });
  };
  routes.action<BlockAction<UsersSelectAction>>(
    ids.admin.filterConsultant,
    ackingFirst<ActionArgs<UsersSelectAction>>(deps.log, (args) =>
      refilter(args, 'consultantUserId', args.action.selected_user),
    ),
  );
  for (const [actionId, key, kind] of [
    [ids.admin.filterPeriod, 'periodStartsOn', 'period'],
    [ids.admin.filterProject, 'projectCode', 'project'],
    [ids.admin.filterCustomer, 'customerCode', 'customer'],
  ] as const) {
    routes.action<BlockAction<StaticSelectAction | ExternalSelectAction>>(
      actionId,
      ackingFirst<ActionArgs<StaticSelectAction | ExternalSelectAction>>(deps.log, (args) =>
        refilter(args, key, args.action.selected_option?.value),
      ),
    );
    // More choices than a menu holds: Slack asks for the ones matching what the administrator types.
    routes.options(actionId, async function timesheetFilterSearch({ body, ack, client }) {
      const found = await timesheetFilterChoices(
        await contextForSlackUser(deps, client, body.user.id),
        kind,
        body.value ?? '',
      );
      await ack({ options: found.ok ? filterOptions(kind, found.values) : [] });
    });
  }
  routes.action(ids.admin.markedSheets, async ({ ack }) => ack());

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.approveSheets,
    ackingFirst(deps.log, async function approveSheets({ body, client }) {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const filter = jsonText(sheetFilter).parse(body.view.private_metadata ?? '');
      const marked = checkedIds(body.view.state?.values);
      const notice = marked.length
        ? await decideEach(ctx, marked, { decision: 'approve' }, 'Approved')
        : 'Mark the timesheets to approve first.';
      await show(deps, client, ctx, body.view.id, { filter }, notice);
    }),
  );

  for (const [actionId, decision] of [
    [ids.admin.rejectSheets, 'reject'],
    [ids.admin.deleteSheets, 'delete'],
  ] as const) {
    routes.action<BlockAction<ButtonAction>>(
      actionId,
      ackingFirst(deps.log, async function confirmMarkedSheets({ body, client }) {
        if (!body.view) return;
        const ctx = await contextForSlackUser(deps, client, body.user.id);
        const filter = jsonText(sheetFilter).parse(body.view.private_metadata ?? '');
        const marked = new Set(checkedIds(body.view.state?.values));
        if (marked.size === 0)
          return show(deps, client, ctx, body.view.id, { filter }, `Mark the timesheets to ${decision} first.`);
        const listed = await adminTimesheets(ctx, filter);
        if (!listed.ok) return tellUser(client, { userId: body.user.id }, listed.error.message, deps.log);
        await askToDecide(
          deps,
          client,
          ctx,
          { triggerId: body.trigger_id, viewId: body.view.id },
          decision,
          listed.sheets.filter((s) => marked.has(s.timesheetId)),
          { filter },
        );
      }),
    );
  }

  routes.view(ids.admin.sheetsDecision, async function submitSheetsDecision({ body, ack, client }) {
    const meta = jsonText(decisionMeta).parse(body.view.private_metadata ?? '');
    const reason = String(
      body.view.state.values[ids.approval.reason.block]?.[ids.approval.reason.action]?.value ?? '',
    ).trim();
    if (meta.decision === 'reject' && !reason) {
      await ack({
        response_action: 'errors',
        errors: { [ids.approval.reason.block]: 'Say why, so each consultant knows what to fix.' },
      });
      return;
    }
    await ack();
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const notice =
      meta.decision === 'reject'
        ? await decideEach(ctx, meta.timesheetIds, { decision: 'reject', reason }, 'Sent back')
        : await decideEach(ctx, meta.timesheetIds, { decision: 'delete' }, 'Deleted');
    await show(deps, client, ctx, meta.parentViewId, meta.back, notice);
  });

  routes.action<BlockAction<StaticSelectAction>>(
    ids.admin.openSheet,
    ackingFirst(deps.log, async function openSheet({ body, action, client }) {
      if (!body.view) return;
      const filter = jsonText(sheetFilter).parse(body.view.private_metadata ?? '');
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      await show(deps, client, ctx, body.view.id, {
        filter,
        timesheetId: timesheetIdValue.parse(chosenOption(action)),
      });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.backToSheets,
    ackingFirst(deps.log, async function backToSheets({ body, client }) {
      if (!body.view) return;
      const page = jsonText(sheetPageMeta).parse(body.view.private_metadata ?? '');
      await show(deps, client, await contextForSlackUser(deps, client, body.user.id), body.view.id, {
        filter: page.filter,
      });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.sheetApprove,
    ackingFirst(deps.log, async function sheetApprove({ body, client }) {
      if (!body.view) return;
      const page = jsonText(sheetPageMeta).parse(body.view.private_metadata ?? '');
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const notice = await decideEach(ctx, [page.timesheetId], { decision: 'approve' }, 'Approved');
      await show(deps, client, ctx, body.view.id, page, notice);
    }),
  );

  for (const [actionId, decision] of [
    [ids.admin.sheetReject, 'reject'],
    [ids.admin.sheetDelete, 'delete'],
  ] as const) {
    routes.action<BlockAction<ButtonAction>>(
      actionId,
      ackingFirst(deps.log, async function confirmSheetDecision({ body, client }) {
        if (!body.view) return;
        const page = jsonText(sheetPageMeta).parse(body.view.private_metadata ?? '');
        const ctx = await contextForSlackUser(deps, client, body.user.id);
        const found = await adminTimesheet(ctx, page.timesheetId);
        if (!found.ok) return show(deps, client, ctx, body.view.id, { filter: page.filter }, found.error.message);
        const { overview } = found;
        const sheet: AdminSheetView = {
          timesheetId: page.timesheetId,
          consultantName: overview.consultantName,
          period: overview.period,
          status: overview.status,
          totalMinutes: overview.totals.totalMinutes,
          entryCount: overview.totals.entryCount,
        };
        await askToDecide(
          deps,
          client,
          ctx,
          { triggerId: body.trigger_id, viewId: body.view.id },
          decision,
          [sheet],
          page,
        );
      }),
    );
  }
}

/** Pushes the dialog for the sheets the decision applies to, or says why there are none. */
async function askToDecide(
  deps: ServiceDeps,
  client: WebClient,
  ctx: ServiceContext,
  at: { triggerId: string; viewId: string },
  decision: 'reject' | 'delete',
  marked: AdminSheetView[],
  back: SheetsBack,
): Promise<void> {
  const decidable = marked.filter((s) => ADMIN_DECIDABLE[decision].includes(s.status));
  const previewed = await approvedRemovalPreview(
    ctx,
    decidable.filter((s) => s.status === 'approved').map((s) => s.timesheetId),
  );
  if (!previewed.ok) return show(deps, client, ctx, at.viewId, back, previewed.error.message);
  const { preview } = previewed;
  const held = preview.invoiced.map((i) => ({
    consultantName: marked.find((s) => s.timesheetId === i.timesheetId)?.consultantName ?? '',
    label: i.label,
    customerCode: i.customerCode,
  }));
  const acting = decidable.filter((s) => s.status !== 'approved' || preview.removable.includes(s.timesheetId));
  const tooMany = tooManyMarked(acting.length, 'timesheets');
  if (tooMany) return show(deps, client, ctx, at.viewId, back, tooMany);
  if (acting.length === 0) {
    const why = held.length
      ? [
          ...held
            .slice(0, HELD_SHOWN)
            .map(
              (h) =>
                `${h.consultantName}'s approved timesheet has time on ${h.label} (${h.customerCode}): void that invoice first.`,
            ),
          ...(held.length > HELD_SHOWN ? [moreHeld(held.length - HELD_SHOWN)] : []),
        ].join(' ')
      : decision === 'delete'
        ? 'Cancelled timesheets are kept as the record of a rejection; there is nothing to delete.'
        : 'Only submitted and approved timesheets can be sent back.';
    return show(
      deps,
      client,
      ctx,
      at.viewId,
      back,
      marked.length ? why : 'Those timesheets no longer match the filter; look at the list again.',
    );
  }
  await client.views.push({
    trigger_id: at.triggerId,
    view: sheetsDecisionModal(decision, acting, marked.length - decidable.length, at.viewId, back, {
      removable: preview.removable,
      creditBack: preview.creditBack,
      held,
    }),
  });
}

/** One transaction per sheet: a sheet that cannot be changed does not hold back the others. */
async function decideEach(
  ctx: ServiceContext,
  sheetIds: number[],
  decision: { decision: 'approve' } | { decision: 'reject'; reason: string } | { decision: 'delete' },
  done: string,
): Promise<string> {
  const problems: string[] = [];
  let count = 0;
  for (const timesheetId of sheetIds) {
    const result = await adminDecide(ctx, { timesheetId, ...decision });
    if (result.ok) count++;
    else problems.push(result.error.message);
  }
  return [`${done} ${count} of ${sheetIds.length}.`, ...new Set(problems)].join(' ');
}

/** Redraws the list (with its filter) or, given a sheet, that sheet's page; a sheet that is gone shows the list. */
async function show(
  deps: ServiceDeps,
  client: WebClient,
  ctx: ServiceContext,
  viewId: string,
  at: SheetsBack,
  notice?: string,
): Promise<void> {
  const found = at.timesheetId === undefined ? undefined : await adminTimesheet(ctx, at.timesheetId);
  let view: ModalView;
  if (found?.ok) view = adminSheetModal(found.overview, found.timesheetId, at.filter, notice);
  else {
    const listed = await adminTimesheets(ctx, at.filter);
    if (!listed.ok) return tellRefused(client, ctx, listed.error.message, deps.log);
    view = adminTimesheetsModal(
      listed.sheets,
      listed.choices,
      at.filter,
      notice ?? (found?.ok === false ? found.error.message : undefined),
      listed.more,
    );
  }
  await redrawView(client, deps.log, { viewId, view, what: 'timesheets view' }, { userId: userOf(ctx), notice });
}
