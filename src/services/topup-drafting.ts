/**
 * The automatic top-up: drafted when a customer's balance crosses below its threshold, inside the
 * transaction that crossed (credit-ledger.ts), once while an earlier top-up is still open.
 */
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows, type Transaction } from '../db/client.js';
import type { customers } from '../db/schema.js';
import type { ServiceContext } from './context.js';
import { draftTopupInvoice } from './invoices.js';

type CustomerRow = typeof customers.$inferSelect;

/**
 * A top-up invoice still on its way to becoming credit: a draft, or an issued one with no purchase
 * recorded since it was issued (credit on issue writes it at once; with that off, the administrator's
 * Add credits when the money arrives). A void or discarded one is closed.
 */
export async function openTopupInvoice(q: Queryable, customerId: number): Promise<number | undefined> {
  const [row] = await queryRows<{ id: number }>(
    q,
    sql`select i.id from invoices i
         where i.customer_id = ${customerId} and i.kind = 'topup'
           and (i.status = 'draft'
                or (i.status = 'issued' and not exists (
                      select 1 from credit_ledger l
                       where l.customer_id = i.customer_id and l.kind = 'purchase'
                         and (l.invoice_id = i.id or l.created_at > i.issued_at))))
         order by i.id limit 1`,
  );
  return row ? Number(row.id) : undefined;
}

/**
 * Called when the low-credit alert fires (the crossing, seen by exactly one transaction): with
 * automatic top-up on and no top-up open, drafts one for the package and posts it to finance.
 */
export async function draftAutomaticTopup(
  tx: Transaction,
  ctx: ServiceContext,
  customer: CustomerRow,
): Promise<number | undefined> {
  if (!customer.autoInvoice || customer.topupMinutes === null || customer.topupPriceCents === null) return undefined;
  if ((await openTopupInvoice(tx, customer.id)) !== undefined) return undefined;
  const drafted = await draftTopupInvoice(tx, ctx, {
    customerId: customer.id,
    minutes: customer.topupMinutes,
    priceMinor: customer.topupPriceCents,
    channel: ctx.org.financeChannel ?? customer.alertChannel ?? undefined,
    automatic: true,
  });
  // The settings form keeps the package valid, so a refusal here is a bug, not a user's mistake.
  if (!drafted.ok) throw new Error(`automatic top-up for ${customer.code}: ${drafted.error.message}`);
  await ctx.pause?.('credit:topup-drafted');
  return drafted.invoiceId;
}
