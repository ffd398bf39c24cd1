import type { BlockAction, ButtonAction, ExternalSelectAction, StaticSelectAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { ids } from '../../../../blocks/ids.js';
import { actingForNotice, entryDeletedMessage, problemMessage } from '../../../../blocks/log-confirmation.js';
import { logForOptions, logTimeModal, projectOptions } from '../../../../blocks/log-modal.js';
import { deleteEntries, entryForm } from '../../../services/time-entries.js';
import { actingContextForSlackUser, contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { sendConfirmation } from '../../confirmations.js';
import { refreshHome } from '../../home.js';
import { logModalMetadata } from '../../log-form.js';
import { openLogModal } from '../../log-modal.js';
import { ackingFirst, tellUser } from '../safe.js';
import { chosenOption, isoDay, jsonText, rowIdText, slackId } from '../../edge/payload-values.js';

const entryId = rowIdText;
/** Log time's value: `log` from App Home (today), or the day the missing-time nudge names. */
const logDay = z.union([z.literal('log').transform(() => undefined), isoDay]);
/** Undo takes back everything one request saved: its entries' ids, comma-separated. */
const entryIds = z
  .string()
  .regex(/^\d+(,\d+)*$/)
  .transform((value) => value.split(',').map(Number));

/** Edit and Undo on an entry, wherever it is shown; Log for and project search in the modal. */
export function registerEntryActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.entry.edit,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const ctx = await actingContextForSlackUser(deps, client, body.user.id);
      const refusal = await openLogModal(client, ctx, {
        triggerId: body.trigger_id,
        entryId: entryId.parse(action.value),
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
      const ctx = await actingContextForSlackUser(deps, client, body.user.id);
      const deleted = await deleteEntries(ctx, { entryIds: entryIds.parse(action.value) });
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
