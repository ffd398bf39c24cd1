/**
 * Deciding a draft invoice: issuing it (its number, dates and final PDF) or voiding it. The invoice's
 * kind may write more in the same transaction (invoice-hooks.ts: a top-up's credit), which is why
 * these live above invoices.ts: drafting is used by the credit code those hooks call.
 */
import { eq, sql } from 'drizzle-orm';
import { type Queryable, queryRows, type Transaction } from '../db/client.js';
import { customers, invoiceLines, invoices, users } from '../db/schema.js';
import { addDays, dateInZone } from '../domain/dates.js';
import { formatInvoiceNumber } from '../domain/invoice-numbers.js';
import type { InvoiceEvent, InvoiceKind } from '../domain/invoices.js';
import { fail, type Result } from '../domain/result.js';
import { recordAudit } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { runInvoiceHook } from './invoice-hooks.js';
import { INVOICE_MESSAGE, invoiceMessageModel, invoiceRef, queuePdf } from './invoices.js';
import { OPERATIONS } from './operations.js';
import { enqueueMessage } from './outbox.js';
import { readSettings } from './settings.js';
import { serviceTransaction } from './transaction.js';

/**
 * Issue (confirm dialog on the button): the next number of this year's counter, taken in the same
 * transaction (a rollback gives it back, so numbers have no gaps), issue and due dates, the final
 * PDF in the thread and the message updated in place. A second click finds it issued and says so.
 */
export async function issueInvoice(
  ctx: ServiceContext,
  input: { invoiceId: number },
): Promise<Result<{ number: string; dueOn: string; customerCode: string }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.issueInvoices.right);
    if (!access.ok) return access;
    const [invoice] = await tx.select().from(invoices).where(eq(invoices.id, input.invoiceId)).for('update');
    if (!invoice) return fail('gone', 'That draft was discarded, so there is nothing to issue.');
    if (invoice.status !== 'draft') return fail('not_draft', await alreadyDecided(tx, invoice));
    const [customer] = await tx.select().from(customers).where(eq(customers.id, invoice.customerId));
    const settings = await readSettings(tx);
    const now = ctx.clock.now();
    const issuedOn = dateInZone(now, ctx.org.timeZone);
    const year = Number(issuedOn.slice(0, 4));
    const [counter] = await queryRows<{ sequence: number }>(
      tx,
      sql`insert into invoice_counters (year, last_sequence) values (${year}, 1)
          on conflict (year) do update set last_sequence = invoice_counters.last_sequence + 1
          returning last_sequence as "sequence"`,
    );
    const sequence = Number(counter!.sequence);
    const number = formatInvoiceNumber(settings.invoice_number_format, year, sequence);
    const taken = await tx.select({ id: invoices.id }).from(invoices).where(eq(invoices.number, number));
    if (taken.length)
      return fail(
        'number_taken',
        `The invoice number format gives ${number}, which an earlier invoice already has. An administrator changes the format in /admin > Settings (e.g. add a prefix), then issue again.`,
      );
    const terms = customer!.paymentTermsDays ?? settings.payment_terms_days;
    const dueOn = addDays(issuedOn, terms);
    await tx
      .update(invoices)
      .set({
        status: 'issued',
        year,
        sequence,
        number,
        issuedAt: now,
        issuedBy: access.userId ?? null,
        issuedOn,
        dueOn,
        paymentTermsDays: terms,
        issuedParties: {
          customer: {
            name: customer!.name,
            address: customer!.address,
            taxId: customer!.taxId,
            billingEmail: customer!.billingEmail,
          },
          firm: { name: settings.firm_name, address: settings.firm_address, taxId: settings.firm_tax_id },
        },
        updatedAt: now,
      })
      .where(eq(invoices.id, invoice.id));
    await runInvoiceHook('onIssued', tx, ctx, await invoiceEvent(tx, invoice.id));
    await recordAudit(tx, ctx, {
      action: 'invoice.issue',
      entity: 'invoice',
      entityId: invoice.id,
      before: { status: 'draft' },
      after: { status: 'issued', number, issuedOn, dueOn },
    });
    await queueUpdate(tx, ctx, invoice.id, 'issued');
    if (invoice.channel)
      await queuePdf(tx, ctx, invoice.id, 'issued', invoice.channel, `Invoice ${number}, as issued.`);
    return { ok: true as const, number, dueOn, customerCode: customer!.code };
  });
}

/**
 * Void (a reason is required): a draft is discarded (its time free at once); an issued invoice
 * keeps its number, becomes void, its PDF re-posted marked VOID, and its entries can be drafted again.
 */
export async function voidInvoice(
  ctx: ServiceContext,
  input: { invoiceId: number; reason: string },
): Promise<Result<{ outcome: 'discarded' | 'voided'; number: string | null }>> {
  const reason = input.reason.trim();
  if (!reason) return fail('reason_required', 'Say why the invoice is voided; the reason is kept with it.', 'reason');
  if (reason.length > 500) return fail('too_long', 'Keep the reason to 500 characters.', 'reason');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.voidInvoices.right);
    if (!access.ok) return access;
    const [invoice] = await tx.select().from(invoices).where(eq(invoices.id, input.invoiceId)).for('update');
    if (!invoice) return fail('gone', 'That draft was already discarded.');
    if (invoice.status === 'void') return fail('already_void', await alreadyDecided(tx, invoice));
    const now = ctx.clock.now();
    const voidedBy = access.userId ?? null;
    if (invoice.status === 'draft') {
      // The message keeps what the draft was; the row and its lines go, so its time is free again.
      const model = { ...(await invoiceMessageModel(tx, invoice.id)), status: 'discarded' as const };
      await tx.delete(invoices).where(eq(invoices.id, invoice.id));
      await recordAudit(tx, ctx, {
        action: 'invoice.discard',
        entity: 'invoice',
        entityId: invoice.id,
        before: { status: 'draft', total: invoice.totalCents, currency: invoice.currency },
        after: { reason },
      });
      const update = { ...model, voidedBy: await nameOf(tx, voidedBy), voidReason: reason };
      await enqueueMessage(
        tx,
        `${invoiceRef(invoice.id)}:discarded`,
        { kind: 'update', ref: invoiceRef(invoice.id), content: { template: INVOICE_MESSAGE, model: update } },
        now,
      );
      return { ok: true as const, outcome: 'discarded' as const, number: null };
    }
    await tx
      .update(invoices)
      .set({ status: 'void', voidedAt: now, voidedBy, voidReason: reason, updatedAt: now })
      .where(eq(invoices.id, invoice.id));
    await tx.update(invoiceLines).set({ invoiceVoid: true }).where(eq(invoiceLines.invoiceId, invoice.id));
    await runInvoiceHook('onVoided', tx, ctx, await invoiceEvent(tx, invoice.id));
    await recordAudit(tx, ctx, {
      action: 'invoice.void',
      entity: 'invoice',
      entityId: invoice.id,
      before: { status: 'issued', number: invoice.number },
      after: { status: 'void', reason },
    });
    await queueUpdate(tx, ctx, invoice.id, 'void');
    if (invoice.channel)
      await queuePdf(tx, ctx, invoice.id, 'void', invoice.channel, `Invoice ${invoice.number} is void: ${reason}`);
    return { ok: true as const, outcome: 'voided' as const, number: invoice.number };
  });
}

async function queueUpdate(tx: Transaction, ctx: ServiceContext, invoiceId: number, change: string): Promise<void> {
  const model = await invoiceMessageModel(tx, invoiceId);
  await enqueueMessage(
    tx,
    `${invoiceRef(invoiceId)}:${change}`,
    { kind: 'update', ref: invoiceRef(invoiceId), content: { template: INVOICE_MESSAGE, model } },
    ctx.clock.now(),
  );
}

/** Why a stale Issue or Void click does nothing: who got there first. */
async function alreadyDecided(tx: Queryable, invoice: typeof invoices.$inferSelect): Promise<string> {
  if (invoice.status === 'issued')
    return `Invoice ${invoice.number} was already issued by ${await nameOf(tx, invoice.issuedBy)} on ${invoice.issuedOn}; nothing changed.`;
  return `Invoice ${invoice.number} is already void (${invoice.voidReason}); nothing changed.`;
}

async function nameOf(tx: Queryable, userId: string | null): Promise<string> {
  if (!userId) return 'the system';
  const row = await tx.query.users.findFirst({ where: eq(users.id, userId), columns: { displayName: true } });
  return row?.displayName ?? userId;
}

async function invoiceEvent(tx: Queryable, invoiceId: number): Promise<InvoiceEvent> {
  const [row] = await queryRows<{
    customerId: number;
    kind: InvoiceKind;
    number: string;
    issuedOn: string;
    minutes: string | null;
  }>(
    tx,
    sql`select i.customer_id as "customerId", i.kind as "kind", i.number as "number", i.issued_on::text as "issuedOn",
          (select sum(coalesce(l.rounded_minutes, l.minutes, 0)) from invoice_lines l where l.invoice_id = i.id)::text as "minutes"
        from invoices i where i.id = ${invoiceId}`,
  );
  return {
    invoiceId,
    kind: row!.kind,
    customerId: Number(row!.customerId),
    number: row!.number,
    issuedOn: row!.issuedOn,
    minutes: Number(row!.minutes ?? 0),
  };
}
