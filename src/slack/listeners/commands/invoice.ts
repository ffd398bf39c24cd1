import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { draftReply, invoiceListMessage } from '../../../../blocks/invoice-messages.js';
import { problemMessage } from '../../../../blocks/log-confirmation.js';
import { laterAnswers, mrkdwnMessage } from '../../confirmations.js';
import { parseInvoiceCommand } from '../../../domain/invoices.js';
import { invoiceCsvFiles } from '../../../reports/invoice-csv.js';
import { invoiceExport } from '../../../services/invoice-documents.js';
import { draftInvoices, listInvoices } from '../../../services/invoices.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { deliverFiles, type Reporting } from '../../report-delivery.js';
import { decodeSlackText } from '../../slack-text.js';
import { answeringErrors } from '../safe.js';

const invoiceCommandBody = z.object({
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  response_url: z.string().optional(),
  text: z.string().default('').transform(decodeSlackText),
});

/**
 * `/invoice draft|list|export …`. Drafting acks first and answers when the drafts are saved (their
 * messages and PDFs follow through the outbox); the export uploads its CSVs where it was typed.
 */
export function registerInvoiceCommand(routes: ListenerRoutes, deps: ServiceDeps, reporting: Reporting): void {
  routes.command(
    '/invoice',
    answeringErrors(deps.log, async ({ command, ack, client }) => {
      const body = invoiceCommandBody.parse(command);
      const parsed = parseInvoiceCommand(body.text);
      if (!parsed.ok) return void (await ack({ response_type: 'ephemeral', ...problemMessage(parsed.error.message) }));
      const ctx = await contextForSlackUser(deps, client, body.user_id);
      // With a DM when the response_url does not answer: drafts saved are never left unsaid.
      const tell = laterAnswers(client, body, deps.log);
      const { command: invoice } = parsed;

      if (invoice.action === 'list') {
        const listed = await listInvoices(ctx, invoice);
        if (!listed.ok)
          return void (await ack({ response_type: 'ephemeral', ...problemMessage(listed.error.message) }));
        return void (await ack({ response_type: 'ephemeral', ...invoiceListMessage(listed.rows, listed.matched) }));
      }

      if (invoice.action === 'draft') {
        await ack({ response_type: 'ephemeral', text: 'Drafting invoices from approved time…' });
        const drafted = await draftInvoices(ctx, { ...invoice, channel: reporting.financeChannel });
        if (!drafted.ok) return tell(problemMessage(drafted.error.message));
        return tell(draftReply(drafted.periods, drafted.drafted, drafted.skipped, drafted.earlier));
      }

      const prepared = await invoiceExport(ctx, invoice);
      if (!prepared.ok)
        return void (await ack({ response_type: 'ephemeral', ...problemMessage(prepared.error.message) }));
      const data = prepared.export;
      await ack({
        response_type: 'ephemeral',
        text: `Exporting ${data.invoices} issued invoices for ${data.periods}…`,
      });
      await deliverFiles(
        ctx,
        client,
        { what: `the invoice export for ${data.periods}`, askerId: data.askedBy },
        { channelId: body.channel_id, tell: (text) => tell(mrkdwnMessage(text)) },
        () =>
          Promise.resolve({
            ok: true as const,
            files: invoiceCsvFiles(data),
            comment: `*Issued invoices* for ${data.periods} (${data.invoices}), for Xero, QuickBooks and your own records, asked for by <@${data.askedBy}>`,
          }),
      );
    }),
  );
}
