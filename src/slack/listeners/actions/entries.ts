import type { BlockAction, ButtonAction, ExternalSelectAction, StaticSelectAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { ids } from '../../../../blocks/ids.js';
import { actingForNotice, entryDeletedMessage, problemMessage } from '../../../../blocks/log-confirmation.js';
import { logForOptions, logTimeModal, projectOptions } from '../../../../blocks/log-modal.js';
import { deleteEntries, entryForm } from '../../../services/time-entries.js';
import { actingContextForSlackUser, contextForSlackUser, contextForOwner, type ServiceDeps } from '../../actor.js';
import { sendConfirmation } from '../../confirmations.js';
import { refreshHome } from '../../home.js';
import { logModalMetadata } from '../../log-form.js';
import { openLogModal } from '../../log-modal.js';
import { ackingFirst, tellUser } from '../safe.js';
import { chosenOption, isoDay, jsonText, rowId, rowIdText, slackId } from '../../edge/payload-values.js';

/**
 * Edit's value: the entry's id; for a principal's entry a delegate logged, `{"id":…,"for":"U…"}`
 * (Edit then acts for them, wherever App Home's switch stands).
 */
const editValue = z.union([
  rowIdText.transform((id) => ({ id, for: undefined })),
  jsonText(z.object({ id: rowId, for: slackId })),
]);
/** Log time's value: `log` from App Home (today), or the day the missing-time nudge names. */
const logDay = z.union([z.literal('log').transform(() => undefined), isoDay]);
/** Undo takes back everything one request saved: its entries' ids, comma-separated, or with `for` as Edit's. */
const undoValue = z.union([
  z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .transform((value) => ({ ids: value.split(',').map(Number), for: undefined })),
  jsonText(z.object({ ids: z.array(rowId).min(1), for: slackId })),
]);

/** Edit and Undo on an entry, wherever it is shown; Log for and project search in the modal. */
export function registerEntryActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.entry.edit,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const value = editValue.parse(action.value);
      const ctx = await contextForOwner(deps, client, body.user.id, value.for);
      const refusal = await openLogModal(client, ctx, {
        triggerId: body.trigger_id,
        entryId: value.id,
        // From a message, the saved edit replaces that message's confirmation.
        metadata: {
          source: 'modal',
          ...(body.response_url ? { confirmVia: { responseUrl: body.response_url, replace: true } } : {}),
        },
      });
      if (refusal) {
        const via = body.response_url ? { responseUrl: body.response_url, replace: false } : undefined;
        await sendConfirmation(client, { userId: body.user.id, via }, problemMessage(refusal.message), deps.log);
      }
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.home.logTime,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const date = logDay.parse(action.value);
      const ctx = await actingContextForSlackUser(deps, client, body.user.id);
      const refusal = await openLogModal(client, ctx, {
        triggerId: body.trigger_id,
        metadata: { source: 'modal' },
        ...(date ? { date } : {}),
      });
      if (refusal) await tellUser(client, { userId: body.user.id }, refusal.message, deps.log);
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.entry.undo,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const value = undoValue.parse(action.value);
      const ctx = await contextForOwner(deps, client, body.user.id, value.for);
      const deleted = await deleteEntries(ctx, { entryIds: value.ids });
      const message = deleted.ok ? entryDeletedMessage(deleted.deleted) : problemMessage(deleted.error.message);
      const via = body.response_url ? { responseUrl: body.response_url, replace: deleted.ok } : undefined;
      await sendConfirmation(
        client,
        { userId: body.user.id, via },
        actingForNotice(message, ctx.actingForName),
        deps.log,
      );
      if (deleted.ok) await refreshHome(deps, body.user.id);
    }),
  );

  // Choosing whom to log for reloads the modal with that person's projects.
  routes.action<BlockAction<StaticSelectAction | ExternalSelectAction>>(
    ids.logModal.logFor.action,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const view = body.view;
      if (!view) return;
      const metadata = jsonText(logModalMetadata).parse(view.private_metadata ?? '');
      const forUserId = slackId.parse(chosenOption(action));
      const ctx = await contextForSlackUser(
        deps,
        client,
        body.user.id,
        forUserId !== body.user.id ? forUserId : undefined,
      );
      const answer = await entryForm(ctx);
      if (!answer.ok) {
        await tellUser(client, { userId: body.user.id }, answer.error.message, deps.log);
        return;
      }
      const { form } = answer;
      await client.views.update({
        view_id: view.id,
        hash: view.hash,
        view: logTimeModal({
          projects: form.projects,
          logFor: form.logFor,
          forUserId: form.forUserId,
          prepaid: form.prepaid,
          values: { date: form.today, billable: true },
          metadata: { ...metadata, forUserId: form.forUserId },
        }),
      });
    }),
  );

  // More people to log for than a menu holds: Slack asks for the ones matching what the user types.
  routes.options(ids.logModal.logFor.action, async ({ body, ack, client }) => {
    const answer = await entryForm(await contextForSlackUser(deps, client, body.user.id));
    await ack({ options: answer.ok ? logForOptions(answer.form.logFor, body.value ?? '') : [] });
  });

  // More projects than a menu holds: Slack asks for the ones matching what the user types.
  routes.options(ids.logModal.project.action, async ({ body, ack, client }) => {
    const metadata = jsonText(logModalMetadata).safeParse(body.view?.private_metadata ?? '');
    const forUserId = metadata.success ? metadata.data.forUserId : undefined;
    const ctx = await contextForSlackUser(
      deps,
      client,
      body.user.id,
      forUserId && forUserId !== body.user.id ? forUserId : undefined,
    );
    const answer = await entryForm(ctx);
    await ack({ options: answer.ok ? projectOptions(answer.form.projects, body.value ?? '') : [] });
  });
}
