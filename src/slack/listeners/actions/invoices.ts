import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { ids } from '../../../../blocks/ids.js';
import { voidReasonModal } from '../../../../blocks/invoice-messages.js';
import { problemMessage } from '../../../../blocks/log-confirmation.js';
import { repostInvoicePdf } from '../../../services/invoices.js';
import { issueInvoice, voidInvoice } from '../../../services/invoice-decisions.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { sendConfirmation } from '../../confirmations.js';
import { jsonText } from '../../edge/payload-values.js';
import { ackingFirst, tellUser } from '../safe.js';

/** Every button carries the invoice it acts on; the service checks the clicker's right and the invoice's state. */
const invoiceId = z.coerce.number().int().positive();
const voidMetadata = z.object({ invoiceId: z.number().int().positive() });

/** Issue (after Slack's confirm dialog), Void (with a reason) and the list's PDF button. */
export function registerInvoiceActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.invoice.issue,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const issued = await issueInvoice(ctx, { invoiceId: invoiceId.parse(action.value) });
      // Success shows as the message updated in place (through the outbox); a refusal is told to the clicker only.
      if (!issued.ok) await refuse(deps, client, body, issued.error.message);
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.invoice.void,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      await client.views.open({ trigger_id: body.trigger_id, view: voidReasonModal(invoiceId.parse(action.value)) });
    }),
  );

  routes.view(ids.invoice.voidModal, async ({ body, ack, client }) => {
    const meta = jsonText(voidMetadata).parse(body.view.private_metadata ?? '');
    const reason = String(body.view.state.values[ids.invoice.reason.block]?.[ids.invoice.reason.action]?.value ?? '');
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const voided = await voidInvoice(ctx, { invoiceId: meta.invoiceId, reason });
    if (!voided.ok && voided.error.field === 'reason')
      return void (await ack({
        response_action: 'errors',
        errors: { [ids.invoice.reason.block]: voided.error.message },
      }));
    await ack();
    if (!voided.ok) await tellUser(client, { userId: body.user.id }, voided.error.message, deps.log);
  });

  routes.action<BlockAction<ButtonAction>>(
    ids.invoice.repost,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const sent = await repostInvoicePdf(ctx, { invoiceId: invoiceId.parse(action.value) });
      if (!sent.ok) await refuse(deps, client, body, sent.error.message);
    }),
  );
}

async function refuse(deps: ServiceDeps, client: Parameters<typeof tellUser>[0], body: BlockAction, message: string) {
  const via = body.response_url ? { responseUrl: body.response_url, replace: false } : undefined;
  await sendConfirmation(client, { userId: body.user.id, via }, problemMessage(message), deps.log);
}
