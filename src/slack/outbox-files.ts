/**
 * Renders an outbox upload's file when the dispatcher sends it: an invoice's PDF from the invoice
 * as it stands, marked by the variant it was queued as (DRAFT, issued, VOID).
 */
import type { Database } from '../db/client.js';
import { invoicePdf } from '../reports/invoice-pdf.js';
import { invoiceDocument } from '../services/invoice-documents.js';
import { INVOICE_PDF, type InvoicePdfModel } from '../services/invoices.js';
import type { MessageContent } from '../services/outbox.js';
import type { RenderedFile } from './outbox-dispatcher.js';

export function outboxFileRenderer(db: Database) {
  return async (content: MessageContent): Promise<RenderedFile | undefined> => {
    if (content.template !== INVOICE_PDF) throw new Error(`no file template named ${content.template}`);
    const model = content.model as InvoicePdfModel;
    const doc = await invoiceDocument(db, model.invoiceId);
    // A draft discarded before its PDF went out has nothing left to show.
    if (!doc) return undefined;
    const name = model.variant === 'draft' || !doc.number ? `draft-${doc.invoiceId}` : doc.number;
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-');
    const label = model.variant === 'draft' || !doc.number ? 'DRAFT invoice' : `Invoice ${doc.number}`;
    return {
      bytes: await invoicePdf(doc, model.variant),
      filename: `invoice-${safe}-${doc.customer.code}${model.variant === 'void' ? '-VOID' : ''}.pdf`,
      title: `${label} · ${doc.customer.name}${model.variant === 'void' ? ' (VOID)' : ''}`,
    };
  };
}
