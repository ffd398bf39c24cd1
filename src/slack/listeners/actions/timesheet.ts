import type { BlockAction, ButtonAction, OverflowAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { ids } from '../../../../blocks/ids.js';
import { actingForNotice, problemMessage } from '../../../../blocks/log-confirmation.js';
import { deleteEntryModal } from '../../../../blocks/timesheet-modal.js';
import { timesheetSubmittedMessage } from '../../../../blocks/timesheet-messages.js';
import { deleteEntries, entryForm } from '../../../services/time-entries.js';
import { submitTimesheet } from '../../../services/timesheets.js';
import { actingContextForSlackUser, contextForOwner, type ServiceDeps } from '../../actor.js';
import { sendConfirmation } from '../../confirmations.js';
import { refreshHome } from '../../home.js';
import { openLogModal } from '../../log-modal.js';
import { openTimesheetModal, refreshTimesheetModal } from '../../timesheet-view.js';
import type { ActionArgs } from '../../view-state.js';
import { ackingFirst, tellUser } from '../safe.js';
import { chosenOption, jsonText, rowId, rowIdText, slackId } from '../../edge/payload-values.js';

const position = z.object({ periodId: rowId, page: z.number().int().nonnegative() });
/** `for`: whose sheet the button showed (absent on buttons sent before it was kept). */
const submitValue = z.object({ periodId: rowId, empty: z.boolean(), for: slackId.optional() });
/** A period id, or (a reminder's button) the period with whose sheet it is. */
const openValue = z.union([
  rowIdText.transform((periodId) => ({ periodId, for: undefined })),
  jsonText(z.object({ periodId: rowId, for: slackId })),
]);

const menuChoice = z
  .string()
  .regex(/^(edit|delete):[1-9][0-9]{0,9}$/)
  .transform((value) => {
    const [verb, id] = value.split(':');
    return { verb: verb as 'edit' | 'delete', entryId: rowIdText.parse(id) };
  });
const deleteMetadata = z.object({
  entryId: rowId,
  returnTo: position.extend({ viewId: z.string() }),
});

/** Moving through periods and pages, submitting, and editing or deleting entries from the timesheet. */
export function registerTimesheetActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  const move = ackingFirst<ActionArgs<ButtonAction>>(deps.log, async ({ body, action, client }) => {
    if (!body.view) return;
    const ctx = await actingContextForSlackUser(deps, client, body.user.id);
    const where = jsonText(position).parse(action.value ?? '');
    await refreshTimesheetModal(deps, client, ctx, { viewId: body.view.id, hash: body.view.hash, ...where });
  });
  for (const actionId of [ids.timesheet.previous, ids.timesheet.next, ids.timesheet.pageBack, ids.timesheet.pageOn]) {
    routes.action<BlockAction<ButtonAction>>(actionId, move);
  }

  routes.action<BlockAction<ButtonAction>>(
    ids.timesheet.open,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const opened = action.value ? openValue.parse(action.value) : undefined;
      const ctx = await contextForOwner(deps, client, body.user.id, opened?.for);
      const periodId = opened?.periodId;
      const refusal = await openTimesheetModal(
        client,
        ctx,
        body.trigger_id,
        periodId !== undefined ? { periodId } : {},
      );
      if (refusal) await tellUser(client, { userId: body.user.id }, refusal.message, deps.log);
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.timesheet.submit,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const { periodId, empty, for: owner } = jsonText(submitValue).parse(action.value ?? '');
      const ctx = await contextForOwner(deps, client, body.user.id, owner);
      // The button says what the user saw; the service still checks the sheet as it is now.
      const submitted = await submitTimesheet(ctx, { periodId, confirmEmpty: empty });
      if (body.view?.type === 'modal') {
        const notice = submitted.ok ? undefined : submitted.error.message;
        const changed = submitted.ok
          ? actingForNotice(timesheetSubmittedMessage(submitted.submitted), ctx.actingForName)
          : undefined;
        await refreshTimesheetModal(deps, client, ctx, { viewId: body.view.id, periodId, page: 0 }, notice, changed);
      } else {
        const message = actingForNotice(
          submitted.ok ? timesheetSubmittedMessage(submitted.submitted) : problemMessage(submitted.error.message),
          ctx.actingForName,
        );
        const via = body.response_url ? { responseUrl: body.response_url, replace: true } : undefined;
        await sendConfirmation(client, { userId: body.user.id, via }, message, deps.log);
      }
      await refreshHome(deps, body.user.id);
    }),
  );

  routes.action<BlockAction<OverflowAction>>(
    ids.timesheet.entryMenu,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const view = body.view;
      if (!view) return;
      const ctx = await actingContextForSlackUser(deps, client, body.user.id);
      const where = jsonText(position).parse(view.private_metadata ?? '');
      const choice = menuChoice.parse(chosenOption(action));
      if (choice.verb === 'edit') {
        const refusal = await openLogModal(client, ctx, {
          triggerId: body.trigger_id,
          entryId: choice.entryId,
          push: true,
          metadata: { source: 'modal', returnTo: { viewId: view.id, ...where } },
        });
        if (refusal) await refreshTimesheetModal(deps, client, ctx, { viewId: view.id, ...where }, refusal.message);
        return;
      }
      const form = await entryForm(ctx, { entryId: choice.entryId });
      if (!form.ok || !form.form.entry) {
        await refreshTimesheetModal(
          deps,
          client,
          ctx,
          { viewId: view.id, ...where },
          form.ok ? 'That entry no longer exists.' : form.error.message,
        );
        return;
      }
      await client.views.push({
        trigger_id: body.trigger_id,
        view: deleteEntryModal(form.form.entry, { viewId: view.id, ...where }),
      });
    }),
  );

  routes.view(ids.timesheet.deleteConfirm, async ({ body, ack, client }) => {
    await ack();
    const { entryId, returnTo } = jsonText(deleteMetadata).parse(body.view.private_metadata ?? '');
    const ctx = await actingContextForSlackUser(deps, client, body.user.id);
    const deleted = await deleteEntries(ctx, { entryIds: [entryId] });
    await refreshTimesheetModal(deps, client, ctx, returnTo, deleted.ok ? undefined : deleted.error.message);
    if (deleted.ok) await refreshHome(deps, body.user.id);
  });
}
