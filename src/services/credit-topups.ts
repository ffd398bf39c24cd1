/**
 * The `topup` invoice hooks: they write the purchase when a top-up invoice is issued (credit on
 * issue) and take it back when an issued one is voided, inside the transaction that issued or
 * voided it, with the customer's row locked. The draft itself comes from topup-drafting.ts.
 */
import { and, eq } from 'drizzle-orm';
import type { Transaction } from '../db/client.js';
import { creditLedger, customers, invoices } from '../db/schema.js';
import type { ServiceContext } from './context.js';
import { actorUser, ledgerToday, lockPrepaidCustomers } from './credit-ledger.js';
import { afterMovement } from './credits.js';
import type { InvoiceEvent } from '../domain/invoices.js';

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
