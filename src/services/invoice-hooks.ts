/**
 * What else an invoice's kind writes, in the same transaction, when the invoice is issued or an
 * issued one is voided. Hourly invoices need nothing more: their lines hold the entries, and voiding
 * frees them. Top-up invoices are where prepaid credits come from: the credits code adds `onIssued`
 * (write the purchase of `minutes`) and `onVoided` (its reversal) to `topup` below, so a credit
 * exists exactly while its invoice does.
 */
import type { Transaction } from '../db/client.js';
import type { ServiceContext } from './context.js';

export type InvoiceKind = 'hourly' | 'topup';

/** The invoice as it stands after the change. */
export type InvoiceEvent = {
  invoiceId: number;
  kind: InvoiceKind;
  customerId: number;
  number: string;
  /** The issue day (org time zone), the day a purchase counts from. */
  issuedOn: string;
  /** Minutes on the invoice's lines (a top-up: the package's minutes). */
  minutes: number;
};

export type InvoiceHook = (tx: Transaction, ctx: ServiceContext, invoice: InvoiceEvent) => Promise<void>;

export const INVOICE_KIND_HOOKS: Record<InvoiceKind, { onIssued?: InvoiceHook; onVoided?: InvoiceHook }> = {
  hourly: {},
  topup: {},
};

export async function runInvoiceHook(
  which: 'onIssued' | 'onVoided',
  tx: Transaction,
  ctx: ServiceContext,
  invoice: InvoiceEvent,
): Promise<void> {
  await INVOICE_KIND_HOOKS[invoice.kind][which]?.(tx, ctx, invoice);
}
