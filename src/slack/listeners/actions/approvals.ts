import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { approvalsModal, rejectReasonModal } from '../../../../blocks/approval-message.js';
import { ids } from '../../../../blocks/ids.js';
import { problemMessage } from '../../../../blocks/log-confirmation.js';
import { timesheetModal } from '../../../../blocks/timesheet-modal.js';
import { decideTimesheet } from '../../../services/approval-decisions.js';
import { pendingApprovals, timesheetForApprover } from '../../../services/approval-views.js';
import type { ServiceContext } from '../../../services/context.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { sendConfirmation } from '../../confirmations.js';
import { refreshHome } from '../../home.js';
import { type ActionArgs, checkedIds, tooManyMarked } from '../../view-state.js';
import { ackingFirst, tellUser } from '../safe.js';
import { jsonText, rowId, rowIdText } from '../../edge/payload-values.js';
import { redrawView } from '../../view-redraw.js';

/** Approve and Reject carry the approval they decide; View carries the timesheet. */
const approvalId = rowIdText;
const timesheetId = rowIdText;
const approverPage = z.object({ timesheetId: rowId, page: z.number().int().nonnegative() });
const rejectMetadata = z.object({
  approvalIds: z.array(rowId).min(1),
  fromList: z.string().optional(),
});

/** Approve, Reject (with a reason) and View on a manager's DM, and the bulk list of /approvals. */
export function registerApprovalActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.approval.approve,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const decided = await decideTimesheet(ctx, { approvalId: approvalId.parse(action.value), decision: 'approve' });
      // Success shows as the updated message (through the outbox); a refusal is told to this user only.
      if (!decided.ok) await refuse(client, body, decided.error.message, deps);
      await refreshHome(deps, body.user.id);
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.approval.reject,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: rejectReasonModal([approvalId.parse(action.value)], 'this timesheet'),
      });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.approval.view,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const answer = await timesheetForApprover(ctx, timesheetId.parse(action.value));
      if (!answer.ok) return refuse(client, body, answer.error.message, deps);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: timesheetModal(answer.overview, 0, undefined, { forApprover: { timesheetId: answer.timesheetId } }),
      });
    }),
  );

  // Paging through the read-only sheet: every entry is checked again for this approver.
  const turnPage = ackingFirst<ActionArgs<ButtonAction>>(deps.log, async ({ body, action, client }) => {
    if (!body.view) return;
    const where = jsonText(approverPage).parse(action.value ?? '');
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const answer = await timesheetForApprover(ctx, where.timesheetId);
    if (!answer.ok) return refuse(client, body, answer.error.message, deps);
    await client.views.update({
      view_id: body.view.id,
      view: timesheetModal(answer.overview, where.page, undefined, { forApprover: { timesheetId: where.timesheetId } }),
    });
  });
  routes.action<BlockAction<ButtonAction>>(ids.approval.viewPageBack, turnPage);
  routes.action<BlockAction<ButtonAction>>(ids.approval.viewPageOn, turnPage);

  routes.view(ids.approval.rejectModal, async ({ body, ack, client }) => {
    const { approvalIds, fromList } = jsonText(rejectMetadata).parse(body.view.private_metadata ?? '');
    const reason = String(
      body.view.state.values[ids.approval.reason.block]?.[ids.approval.reason.action]?.value ?? '',
    ).trim();
    if (!reason) {
      await ack({
        response_action: 'errors',
        errors: { [ids.approval.reason.block]: 'Say why, so the consultant knows what to fix.' },
      });
      return;
    }
    await ack();
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const problems = await decideAll(ctx, approvalIds, { decision: 'reject', reason });
    if (fromList) await refreshList(deps, client, ctx, fromList, problems);
    else if (problems.length) await tellUser(client, { userId: body.user.id }, problems.join('\n'), deps.log);
    await refreshHome(deps, body.user.id);
  });

  // The list's own buttons read the checkboxes from the view's state.
  routes.action<BlockAction<ButtonAction>>(
    ids.approval.approveMarked,
    ackingFirst(deps.log, async ({ body, client }) => {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const marked = checkedIds(body.view.state?.values);
      const problems = marked.length
        ? await decideAll(ctx, marked, { decision: 'approve' })
        : ['Mark the timesheets to approve first.'];
      await refreshList(deps, client, ctx, body.view.id, problems, marked.length - problems.length);
      await refreshHome(deps, body.user.id);
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.approval.rejectMarked,
    ackingFirst(deps.log, async ({ body, client }) => {
      if (!body.view) return;
      const marked = checkedIds(body.view.state?.values);
      if (marked.length === 0) {
        const ctx = await contextForSlackUser(deps, client, body.user.id);
        await refreshList(deps, client, ctx, body.view.id, ['Mark the timesheets to send back first.']);
        return;
      }
      const tooMany = tooManyMarked(marked.length, 'timesheets');
      if (tooMany)
        return refreshList(deps, client, await contextForSlackUser(deps, client, body.user.id), body.view.id, [
          tooMany,
        ]);
      const modal = rejectReasonModal(marked, `${marked.length} ${marked.length === 1 ? 'timesheet' : 'timesheets'}`);
      modal.private_metadata = JSON.stringify({ approvalIds: marked, fromList: body.view.id });
      await client.views.push({ trigger_id: body.trigger_id, view: modal });
    }),
  );

  // Ticking a box needs no answer; the buttons read the state.
  routes.action(ids.approval.marked, async ({ ack }) => ack());
}

/** Opens /approvals. */
export async function openApprovalsModal(
  client: Parameters<typeof tellUser>[0],
  ctx: ServiceContext,
  triggerId: string,
): Promise<string | undefined> {
  const answer = await pendingApprovals(ctx);
  if (!answer.ok) return answer.error.message;
  const me = ctx.actor.kind === 'user' ? ctx.actor.userId : '';
  await client.views.open({
    trigger_id: triggerId,
    view: approvalsModal(answer.pending.map((p) => ({ ...p, onBehalf: p.approverId !== me }))),
  });
  return undefined;
}

/** Each approval is decided on its own (one transaction each), so one stale row does not block the rest. */
async function decideAll(
  ctx: ServiceContext,
  approvalIds: number[],
  decision: { decision: 'approve' } | { decision: 'reject'; reason: string },
): Promise<string[]> {
  const problems: string[] = [];
  for (const id of approvalIds) {
    const decided = await decideTimesheet(ctx, { approvalId: id, ...decision });
    if (!decided.ok) problems.push(decided.error.message);
  }
  return problems;
}

async function refreshList(
  deps: ServiceDeps,
  client: Parameters<typeof tellUser>[0],
  ctx: ServiceContext,
  viewId: string,
  problems: string[],
  done = 0,
): Promise<void> {
  const answer = await pendingApprovals(ctx);
  if (!answer.ok) return;
  const me = ctx.actor.kind === 'user' ? ctx.actor.userId : '';
  const notice = [done > 0 ? `Approved ${done}.` : '', ...problems].filter(Boolean).join(' ');
  await redrawView(
    client,
    deps.log,
    {
      viewId,
      view: approvalsModal(
        answer.pending.map((p) => ({ ...p, onBehalf: p.approverId !== me })),
        notice || undefined,
      ),
      what: 'approvals list',
    },
    { userId: me || undefined, notice: notice || undefined },
  );
}

async function refuse(
  client: Parameters<typeof tellUser>[0],
  body: BlockAction,
  message: string,
  deps: ServiceDeps,
): Promise<void> {
  const via = body.response_url ? { responseUrl: body.response_url, replace: false } : undefined;
  await sendConfirmation(client, { userId: body.user.id, via }, problemMessage(message), deps.log);
}
