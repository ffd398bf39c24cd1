import { jsonText } from '../../edge/payload-values.js';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { ids } from '../../../../blocks/ids.js';
import { actingForNotice, logConfirmation } from '../../../../blocks/log-confirmation.js';
import { editEntry, logTime } from '../../../services/time-entries.js';
import { contextNamingPrincipal, type ServiceDeps } from '../../actor.js';
import { sendConfirmation } from '../../confirmations.js';
import { errorBlockFor, logModalMetadata, readLogForm } from '../../log-form.js';
import { refreshTimesheetModal } from '../../timesheet-view.js';

const submission = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    id: z.string().min(1),
    private_metadata: z.string(),
    state: z.object({ values: z.unknown() }),
  }),
});

/** Saving the log-time modal: inline errors per field, or close, confirm and refresh what shows the entry. */
export function registerLogTimeSubmission(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.view(ids.logModal.callbackId, async ({ body, ack, client }) => {
    const { user, view } = submission.parse(body);
    const metadata = jsonText(logModalMetadata).parse(view.private_metadata ?? '');
    const read = readLogForm(view.state.values);
    if (!read.ok) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    const forUserId = read.form.forUserId ?? metadata.forUserId ?? user.id;
    const ctx = await contextNamingPrincipal(deps, client, user.id, forUserId !== user.id ? forUserId : undefined);
    const result =
      metadata.entryId !== undefined
        ? await editEntry(ctx, { entryId: metadata.entryId, ...read.form.fields }).then((edited) =>
            edited.ok ? { ok: true as const, entries: [edited.entry] } : edited,
          )
        : await logTime(ctx, {
            ...read.form.fields,
            source: metadata.source === 'shortcut' ? 'shortcut' : 'modal',
            // The view id survives a double submit, so the second one saves nothing.
            requestKey: `view:${view.id}`,
          });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: { [errorBlockFor(result.error.field)]: result.error.message } });
      return;
    }
    await ack();

    const headline =
      metadata.entryId !== undefined ? 'Updated' : result.entries[0]!.repeated ? 'Already saved' : 'Logged';
    await sendConfirmation(
      client,
      { userId: user.id, via: metadata.confirmVia },
      // Acting for the principal chosen in App Home: the reply says so, as /log's does.
      actingForNotice(logConfirmation(result.entries, headline), ctx.actingForName),
      deps.log,
    );
    if (metadata.returnTo) await refreshTimesheetModal(deps, client, ctx, metadata.returnTo);
  });
}
