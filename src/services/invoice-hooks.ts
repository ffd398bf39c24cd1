/**
 * What else an invoice's kind writes, in the same transaction, when the invoice is issued or an
 * issued one is voided. Hourly invoices need nothing more: their lines hold the entries, and voiding
 * frees them. Top-up invoices are where prepaid credits come from (credit-topups.ts): issuing one
 * writes the purchase of its `minutes` (when the customer has credit on issue), voiding an issued
 * one takes that purchase back, so a credit exists exactly while its invoice does.
 */
import type { Transaction } from '../db/client.js';
import type { InvoiceEvent, InvoiceKind } from '../domain/invoices.js';
import type { ServiceContext } from './context.js';
import { creditIssuedTopup, reverseVoidedTopup } from './credit-topups.js';

export type InvoiceHook = (tx: Transaction, ctx: ServiceContext, invoice: InvoiceEvent) => Promise<void>;

export const INVOICE_KIND_HOOKS: Record<InvoiceKind, { onIssued?: InvoiceHook; onVoided?: InvoiceHook }> = {
  hourly: {},
  topup: {
    onIssued: (tx, ctx, invoice) => creditIssuedTopup(tx, ctx, invoice),
    onVoided: (tx, ctx, invoice) => reverseVoidedTopup(tx, ctx, invoice),
  },
};

export async function runInvoiceHook(
  which: 'onIssued' | 'onVoided',
  tx: Transaction,
  ctx: ServiceContext,
  invoice: InvoiceEvent,
): Promise<void> {
  await INVOICE_KIND_HOOKS[invoice.kind][which]?.(tx, ctx, invoice);
}
