/**
 * Where prepaid credit meets invoices: the automatic top-up drafted when a customer's balance
 * crosses below its threshold, and the `topup` invoice hooks that write the purchase when the
 * invoice is issued (credit on issue) and take it back when an issued one is voided. All of it runs
 * inside the transaction that crossed, issued or voided, with the customer's row locked.
 */
import { and, eq, sql } from 'drizzle-orm';
import { type Queryable, queryRows, type Transaction } from '../db/client.js';
import { creditLedger, customers, invoices } from '../db/schema.js';
import type { ServiceContext } from './context.js';
import { actorUser, ledgerToday, lockPrepaidCustomers } from './credit-ledger.js';
import { afterMovement } from './credits.js';
import type { InvoiceEvent } from './invoice-hooks.js';
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

/** `topup.onIssued`: with credit on issue, the invoice's hours and price become a purchase dated the issue day. */
export async function creditIssuedTopup(tx: Transaction, ctx: ServiceContext, event: InvoiceEvent): Promise<void> {
  const [customerId] = await lockPrepaidCustomers(tx, [event.customerId]);
  if (customerId === undefined) return;
  const [customer] = await tx.select().from(customers).where(eq(customers.id, customerId));
  if (!customer!.creditOnIssue) return;
  const [invoice] = await tx.select().from(invoices).where(eq(invoices.id, event.invoiceId));
  const [row] = await tx
    .insert(creditLedger)
    .values({
      customerId,
      minutes: event.minutes,
      kind: 'purchase',
      occurredOn: event.issuedOn,
      priceCents: invoice!.totalCents,
      note: `Invoice ${event.number}`,
      invoiceId: event.invoiceId,
      actorId: actorUser(ctx),
      createdAt: ctx.clock.now(),
    })
    .onConflictDoNothing()
    .returning();
  if (row) await afterMovement(tx, ctx, customer!, row, 'credit.purchase');
}

/**
 * `topup.onVoided`: an issued top-up that was credited is taken back by an adjustment of the same
 * hours with the reason "Invoice N voided: <why>", so the log shows both and the balance is as if
 * it was never bought. One never credited (credit on issue off) changes nothing.
 */
export async function reverseVoidedTopup(tx: Transaction, ctx: ServiceContext, event: InvoiceEvent): Promise<void> {
  const [customerId] = await lockPrepaidCustomers(tx, [event.customerId]);
  if (customerId === undefined) return;
  const [purchase] = await tx
    .select()
    .from(creditLedger)
    .where(and(eq(creditLedger.invoiceId, event.invoiceId), eq(creditLedger.kind, 'purchase')));
  if (!purchase) return;
  const [invoice] = await tx.select().from(invoices).where(eq(invoices.id, event.invoiceId));
  const [customer] = await tx.select().from(customers).where(eq(customers.id, customerId));
  const [row] = await tx
    .insert(creditLedger)
    .values({
      customerId,
      minutes: -purchase.minutes,
      kind: 'adjustment',
      occurredOn: ledgerToday(ctx),
      note: `Invoice ${event.number} voided: ${invoice!.voidReason}`,
      invoiceId: event.invoiceId,
      actorId: actorUser(ctx),
      createdAt: ctx.clock.now(),
    })
    .onConflictDoNothing()
    .returning();
  if (row) await afterMovement(tx, ctx, customer!, row, 'credit.adjust');
}
