/**
 * Renders an outbox upload's file when the dispatcher sends it: an invoice's PDF from the invoice
 * as it stands, marked by the variant it was queued as (DRAFT, issued, VOID); or one file of a
 * prepared report (the period close's summaries), read as of the instant its spec names.
 */
import { invoicePdf } from '../reports/invoice-pdf.js';
import type { ReportRenderer } from '../reports/render-pool.js';
import { buildReportFiles } from '../reports/report-files.js';
import type { ServiceContext } from '../services/context.js';
import { invoiceDocument } from '../services/invoice-documents.js';
import { INVOICE_PDF, type InvoicePdfModel } from '../services/invoices.js';
import type { MessageContent } from '../services/outbox.js';
import { REPORT_FILE, type ReportFileModel } from '../services/period-close.js';
import type { RenderedFile } from './outbox-dispatcher.js';

export function outboxFileRenderer(options: {
  /** A system context: its db reads the documents. */
  ctx: ServiceContext;
  reports: { renderer: ReportRenderer; pdfRowLimit: number };
}) {
  const { ctx, reports } = options;
  return async (content: MessageContent): Promise<RenderedFile | undefined> => {
    if (content.template === REPORT_FILE) return reportFile(content.model as ReportFileModel);
    if (content.template !== INVOICE_PDF) throw new Error(`no file template named ${content.template}`);
    const model = content.model as InvoicePdfModel;
    const doc = await invoiceDocument(ctx.db, model.invoiceId);
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

  /** Builds the report (its PDF and CSV come from one render) and keeps the file asked for. */
  async function reportFile(model: ReportFileModel): Promise<RenderedFile | undefined> {
    const built = await buildReportFiles(ctx, model.spec, reports.renderer, { pdfRowLimit: reports.pdfRowLimit });
    // Busy render threads are an outage like any other: the dispatcher retries later.
    if (!built.ok && built.error.code === 'busy') throw new Error(built.error.message);
    if (!built.ok) return undefined;
    return built.files.find((file) => file.filename.endsWith(`.${model.format}`));
  }
}
