/**
 * Invoices from approved time: drafted per hourly customer (each entry on at most one live
 * invoice, held by its `invoice_lines` row), issued with the next number of the year's counter in
 * the same transaction, voided with a reason (an issued one keeps its number and frees its time).
 * Each invoice has one Slack message (`invoice:<id>`) in the finance channel, posted, updated and
 * given its PDFs in its thread through the outbox.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { type Queryable, queryRows, sqlList, type Transaction } from '../db/client.js';
import { customers, invoiceLines, invoices, reportingPeriods } from '../db/schema.js';
import { dateInZone } from '../domain/dates.js';
import { formatMinutes } from '../domain/duration.js';
import { invoiceLine, type InvoiceKind, type InvoiceStatus } from '../domain/invoices.js';
import { formatMoney, MAX_PRICE_MINOR } from '../domain/money.js';
import { describePeriods, selectPeriods, type ReportPeriod } from '../domain/report-periods.js';
import type { PeriodSelector } from '../domain/report-request.js';
import { fail, type Result } from '../domain/result.js';
import { recordAudit } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS } from './operations.js';
import { enqueueMessage } from './outbox.js';
import { resolveCodes } from './reports.js';
import { serviceTransaction } from './transaction.js';

/** Outbox templates: the invoice's message, and its PDF (rendered when sent). */
export const INVOICE_MESSAGE = 'invoice';
export const INVOICE_PDF = 'invoice-pdf';

export type InvoiceMessageModel = {
  invoiceId: number;
  status: InvoiceStatus | 'discarded';
  kind: InvoiceKind;
  number: string | null;
  customerCode: string;
  customerName: string;
  period: string;
  /** Billed (rounded) minutes. */
  minutes: number;
  total: string;
  draftedBy: string | null;
  issuedBy: string | null;
  issuedOn: string | null;
  dueOn: string | null;
  voidedBy: string | null;
  voidReason: string | null;
};

export type InvoicePdfModel = { invoiceId: number; variant: 'draft' | 'issued' | 'void' };

export const invoiceRef = (invoiceId: number) => `invoice:${invoiceId}`;

export type DraftedInvoice = { invoiceId: number; customerCode: string; minutes: number; total: string; lines: number };
export type SkippedCustomer = { customerCode: string; reason: string };

/**
 * `/invoice draft`: one draft per hourly customer with approved, billable time in the periods that
 * is on no live invoice. Each draft's message goes to `channel` (the finance channel), else the asker's DM.
 */
export async function draftInvoices(
  ctx: ServiceContext,
  input: { periods: PeriodSelector[]; customerCodes: string[]; channel: string | undefined },
): Promise<
  Result<{ drafted: DraftedInvoice[]; skipped: SkippedCustomer[]; periods: string; earlier: LeftUninvoiced[] }>
> {
  return serviceTransaction(ctx.db, async (tx) => {
    const done = await draftInvoicesIn(tx, ctx, input);
    if (!done.ok) return done;
    return { ...done, earlier: await uninvoicedBefore(tx, done.startsOn, done.customerIds) };
  });
}

/** How many periods before the drafted ones are looked at for approved time left off every invoice. */
const EARLIER_PERIODS_LOOKED_AT = 12;

/** Approved time of an earlier period on no live invoice: approved late, after that period was drafted. */
export type LeftUninvoiced = { startsOn: string; endsOn: string; minutes: number; customerCodes: string[] };

/**
 * Approved, billable time of hourly customers (of `customerIds`, or all) on no live invoice, in
 * the periods just before `startsOn`: a sheet approved after its period was drafted waits there
 * until someone names that period. Bounded to the last EARLIER_PERIODS_LOOKED_AT periods, so the
 * look does not grow with the firm's history.
 */
async function uninvoicedBefore(tx: Queryable, startsOn: string, customerIds: number[]): Promise<LeftUninvoiced[]> {
  const earlier = await tx
    .select({ id: reportingPeriods.id, startsOn: reportingPeriods.startsOn, endsOn: reportingPeriods.endsOn })
    .from(reportingPeriods)
    .where(sql`${reportingPeriods.startsOn} < ${startsOn}`)
    .orderBy(desc(reportingPeriods.startsOn))
    .limit(EARLIER_PERIODS_LOOKED_AT);
  if (earlier.length === 0) return [];
  const only = customerIds.length ? sql`and c.id in (${sqlList(customerIds)})` : sql``;
  const rows = await queryRows<{ period_id: number; minutes: number; codes: string[] }>(
    tx,
    sql`select t.period_id, sum(te.minutes)::int as minutes, array_agg(distinct c.code order by c.code) as codes
        ${uninvoicedScope(earlier.map((p) => p.id))} and c.billing_mode = 'hourly' ${only}
        group by t.period_id`,
  );
  return earlier
    .flatMap((period) => {
      const row = rows.find((r) => Number(r.period_id) === period.id);
      return row
        ? [{ startsOn: period.startsOn, endsOn: period.endsOn, minutes: Number(row.minutes), customerCodes: row.codes }]
        : [];
    })
    .reverse();
}

/**
 * `draftInvoices` inside the caller's transaction (the period close drafts in the transaction that
 * records it done). A refusal writes nothing: every check comes before the first write.
 */
export async function draftInvoicesIn(
  tx: Transaction,
  ctx: ServiceContext,
  input: { periods: PeriodSelector[]; customerCodes: string[]; channel: string | undefined },
): Promise<
  Result<{
    drafted: DraftedInvoice[];
    skipped: SkippedCustomer[];
    periods: string;
    /** The first day drafted, and the customers asked for (none: all). */
    startsOn: string;
    customerIds: number[];
  }>
> {
  const access = await authorize(tx, ctx, OPERATIONS.draftInvoices.right);
  if (!access.ok) return access;
  const periods = await choosePeriods(tx, ctx, input.periods);
  if (!periods.ok) return periods;
  const chosen = await resolveCodes(tx, 'customer', input.customerCodes);
  if (!chosen.ok) return chosen;
  const periodIds = periods.periods.map((p) => p.id);
  const customerIds = chosen.rows.map((c) => c.id);

  // Drafting for a customer is serialised by its row, so two drafts never reach for the same entry.
  const candidates = await uninvoicedCustomers(tx, periodIds, customerIds);
  const hourly = candidates.filter((c) => c.billingMode === 'hourly').map((c) => c.id);
  if (hourly.length)
    await tx.execute(sql`select id from customers where id in (${sqlList(hourly)}) order by id for update`);
  await ctx.pause?.('draft:customers-locked');

  const skipped: SkippedCustomer[] = candidates
    .filter((c) => c.billingMode === 'prepaid')
    .map((c) => ({ customerCode: c.code, reason: 'prepaid: its time draws on credits' }));
  const drafted: DraftedInvoice[] = [];
  const span = { startsOn: periods.periods[0]!.startsOn, endsOn: periods.periods.at(-1)!.endsOn };
  const channel = input.channel ?? access.userId;
  for (const customerId of hourly) {
    const result = await draftOne(tx, ctx, {
      customerId,
      periodIds,
      span,
      label: describePeriods(periods.periods),
      channel,
      draftedBy: access.userId,
    });
    if ('skipped' in result) skipped.push(result.skipped);
    else drafted.push(result.drafted);
  }
  for (const code of input.customerCodes)
    if (!candidates.some((c) => c.code === code))
      skipped.push({ customerCode: code, reason: 'no approved billable time left to invoice' });
  return {
    ok: true as const,
    drafted,
    skipped,
    periods: describePeriods(periods.periods),
    startsOn: span.startsOn,
    customerIds,
  };
}

async function choosePeriods(
  tx: Queryable,
  ctx: ServiceContext,
  selectors: PeriodSelector[],
): Promise<{ ok: true; periods: ReportPeriod[] } | { ok: false; error: { code: string; message: string } }> {
  const rows = await tx
    .select({ id: reportingPeriods.id, startsOn: reportingPeriods.startsOn, endsOn: reportingPeriods.endsOn })
    .from(reportingPeriods)
    .orderBy(reportingPeriods.startsOn);
  return selectPeriods(selectors, rows, dateInZone(ctx.clock.now(), ctx.org.timeZone));
}

/** Approved, billable entries in the periods on no live invoice. */
function uninvoicedScope(periodIds: number[]) {
  return sql`from time_entries te
    join timesheets t on t.id = te.timesheet_id
    join projects p on p.id = te.project_id
    join customers c on c.id = p.customer_id
    where t.status = 'approved' and te.billable and t.period_id in (${sqlList(periodIds)})
      and not exists (select 1 from invoice_lines il where il.time_entry_id = te.id and not il.invoice_void)`;
}

async function uninvoicedCustomers(tx: Queryable, periodIds: number[], customerIds: number[]) {
  const only = customerIds.length ? sql`and c.id in (${sqlList(customerIds)})` : sql``;
  const rows = await queryRows<{ id: number; code: string; billingMode: 'hourly' | 'prepaid' }>(
    tx,
    sql`select distinct c.id as "id", c.code as "code", c.billing_mode as "billingMode"
        ${uninvoicedScope(periodIds)} ${only} order by c.code`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

async function draftOne(
  tx: Transaction,
  ctx: ServiceContext,
  input: {
    customerId: number;
    periodIds: number[];
    span: { startsOn: string; endsOn: string };
    /** The periods in words: periods not back to back are named each, not as their span. */
    label: string;
    channel: string | undefined;
    draftedBy: string | undefined;
  },
): Promise<{ drafted: DraftedInvoice } | { skipped: SkippedCustomer }> {
  const [customer] = await tx.select().from(customers).where(eq(customers.id, input.customerId));
  const entries = await queryRows<{ id: number; minutes: number; rate: number | null; description: string }>(
    tx,
    sql`select te.id as "id", te.minutes as "minutes", te.price_rate_cents as "rate", te.description as "description"
        ${uninvoicedScope(input.periodIds)} and c.id = ${input.customerId}
        order by p.code, te.work_date, te.id`,
  );
  if (entries.length === 0)
    return { skipped: { customerCode: customer!.code, reason: 'no approved billable time left to invoice' } };
  const unpriced = entries.find((e) => e.rate === null);
  if (unpriced)
    return {
      skipped: {
        customerCode: customer!.code,
        reason: `time entry ${unpriced.id} is approved without a frozen price rate; ask an administrator to look at it`,
      },
    };
  const increment = customer!.invoiceRoundingMinutes;
  const lines = entries.map((e) => {
    const { rounded, amount } = invoiceLine(Number(e.minutes), increment, Number(e.rate));
    return {
      timeEntryId: Number(e.id),
      description: e.description,
      minutes: Number(e.minutes),
      roundedMinutes: rounded,
      rateCents: Number(e.rate),
      amountCents: amount,
    };
  });
  const total = lines.reduce((sum, l) => sum + l.amountCents, 0);
  const minutes = lines.reduce((sum, l) => sum + l.roundedMinutes, 0);
  const now = ctx.clock.now();
  const [invoice] = await tx
    .insert(invoices)
    .values({
      customerId: customer!.id,
      kind: 'hourly',
      periodId: input.periodIds.length === 1 ? input.periodIds[0]! : null,
      periodStartsOn: input.span.startsOn,
      periodEndsOn: input.span.endsOn,
      periodLabel: input.label,
      currency: customer!.currency,
      totalCents: total,
      roundingMinutes: increment,
      createdBy: input.draftedBy ?? null,
      channel: input.channel ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await tx.insert(invoiceLines).values(lines.map((l) => ({ ...l, invoiceId: invoice!.id, createdAt: now })));
  await recordAudit(tx, ctx, {
    action: 'invoice.draft',
    entity: 'invoice',
    entityId: invoice!.id,
    after: { customer: customer!.code, lines: lines.length, minutes, total, currency: customer!.currency },
  });
  await announceDraft(tx, ctx, invoice!.id);
  return {
    drafted: {
      invoiceId: invoice!.id,
      customerCode: customer!.code,
      minutes,
      total: formatMoney(total, customer!.currency),
      lines: lines.length,
    },
  };
}

/** Queues the draft's message and its DRAFT PDF in the message's thread. */
async function announceDraft(tx: Transaction, ctx: ServiceContext, invoiceId: number): Promise<void> {
  const model = await invoiceMessageModel(tx, invoiceId);
  const [row] = await tx.select({ channel: invoices.channel }).from(invoices).where(eq(invoices.id, invoiceId));
  if (!row?.channel) return;
  const ref = invoiceRef(invoiceId);
  const now = ctx.clock.now();
  await enqueueMessage(
    tx,
    `${ref}:post`,
    { kind: 'post', ref, channel: row.channel, content: { template: INVOICE_MESSAGE, model } },
    now,
  );
  await queuePdf(tx, ctx, invoiceId, 'draft', row.channel, 'The draft, for checking before it is issued.');
}

export async function queuePdf(
  tx: Transaction,
  ctx: ServiceContext,
  invoiceId: number,
  variant: InvoicePdfModel['variant'],
  channel: string,
  comment: string,
): Promise<void> {
  const model: InvoicePdfModel = { invoiceId, variant };
  await enqueueMessage(
    tx,
    `${invoiceRef(invoiceId)}:pdf:${variant}`,
    {
      kind: 'upload',
      ref: invoiceRef(invoiceId),
      channel,
      inThread: true,
      file: { template: INVOICE_PDF, model },
      comment,
    },
    ctx.clock.now(),
  );
}

/** What the invoice's Slack message shows, as it stands. */
export async function invoiceMessageModel(tx: Queryable, invoiceId: number): Promise<InvoiceMessageModel> {
  const [row] = await queryRows<Record<string, string | number | null>>(
    tx,
    sql`select i.id as "invoiceId", i.status as "status", i.kind as "kind", i.number as "number",
          c.code as "customerCode", coalesce(i.issued_parties #>> '{customer,name}', c.name) as "customerName",
          i.currency as "currency", i.total_cents::text as "total",
          i.period_starts_on::text as "startsOn", i.period_ends_on::text as "endsOn", i.period_label as "periodLabel",
          i.issued_on::text as "issuedOn", i.due_on::text as "dueOn", i.void_reason as "voidReason",
          (select display_name from users u where u.id = i.created_by) as "draftedBy",
          (select display_name from users u where u.id = i.issued_by) as "issuedBy",
          (select display_name from users u where u.id = i.voided_by) as "voidedBy",
          (select sum(coalesce(l.rounded_minutes, l.minutes, 0)) from invoice_lines l where l.invoice_id = i.id)::text as "minutes"
        from invoices i join customers c on c.id = i.customer_id where i.id = ${invoiceId}`,
  );
  const r = row!;
  const text = textOrNull;
  return {
    invoiceId,
    status: r.status as InvoiceStatus,
    kind: r.kind as InvoiceKind,
    number: text(r.number),
    customerCode: String(r.customerCode),
    customerName: String(r.customerName),
    period: periodLabel(text(r.startsOn), text(r.endsOn), text(r.periodLabel)),
    minutes: Number(r.minutes ?? 0),
    total: formatMoney(Number(r.total), String(r.currency)),
    draftedBy: text(r.draftedBy),
    issuedBy: text(r.issuedBy),
    issuedOn: text(r.issuedOn),
    dueOn: text(r.dueOn),
    voidedBy: text(r.voidedBy),
    voidReason: text(r.voidReason),
  };
}

/** A raw SQL value as text, keeping null. */
export const textOrNull = (value: string | number | null | undefined) => (value == null ? null : String(value));

/** The days an invoice covers in words: the periods it was drafted from, else (a top-up, an older invoice) its span. */
export function periodLabel(startsOn: string | null, endsOn: string | null, drafted: string | null = null): string {
  if (drafted) return drafted;
  return startsOn && endsOn ? describePeriods([{ startsOn, endsOn }]) : '';
}

export type InvoiceListRow = {
  invoiceId: number;
  number: string | null;
  status: InvoiceStatus;
  kind: InvoiceKind;
  customerCode: string;
  period: string;
  total: string;
  minutes: number;
  issuedOn: string | null;
  dueOn: string | null;
  /** Whether its message (with Issue and Void) was posted: a top-up drafted with no channel to go to was not. */
  posted: boolean;
};

export const INVOICE_LIST_LIMIT = 40;

/** `/invoice list [status] [customer:CODE]`: newest first, at most INVOICE_LIST_LIMIT, with how many matched. */
export async function listInvoices(
  ctx: ServiceContext,
  input: { status: InvoiceStatus | undefined; customerCodes: string[] },
): Promise<Result<{ rows: InvoiceListRow[]; matched: number }>> {
  return ctx.db.transaction(async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.listInvoices.right);
    if (!access.ok) return access;
    const chosen = await resolveCodes(tx, 'customer', input.customerCodes);
    if (!chosen.ok) return chosen;
    const where = and(
      input.status ? eq(invoices.status, input.status) : undefined,
      chosen.rows.length
        ? inArray(
            invoices.customerId,
            chosen.rows.map((c) => c.id),
          )
        : undefined,
    );
    const [counted] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(invoices)
      .where(where);
    const rows = await tx
      .select({
        invoiceId: invoices.id,
        number: invoices.number,
        status: invoices.status,
        kind: invoices.kind,
        customerCode: customers.code,
        startsOn: invoices.periodStartsOn,
        endsOn: invoices.periodEndsOn,
        periodLabel: invoices.periodLabel,
        totalCents: invoices.totalCents,
        currency: invoices.currency,
        issuedOn: invoices.issuedOn,
        dueOn: invoices.dueOn,
        channel: invoices.channel,
        minutes: sql<string>`(select coalesce(sum(coalesce(l.rounded_minutes, l.minutes, 0)), 0)::text from invoice_lines l where l.invoice_id = ${invoices.id})`,
      })
      .from(invoices)
      .innerJoin(customers, eq(customers.id, invoices.customerId))
      .where(where)
      .orderBy(desc(invoices.id))
      .limit(INVOICE_LIST_LIMIT);
    return {
      ok: true as const,
      matched: Number(counted?.n ?? 0),
      rows: rows.map((r) => ({
        invoiceId: r.invoiceId,
        number: r.number,
        status: r.status,
        kind: r.kind,
        customerCode: r.customerCode,
        period: periodLabel(r.startsOn, r.endsOn, r.periodLabel),
        total: formatMoney(r.totalCents, r.currency),
        minutes: Number(r.minutes),
        issuedOn: r.issuedOn,
        dueOn: r.dueOn,
        posted: r.channel !== null,
      })),
    };
  });
}

/**
 * The list's button: the invoice's current PDF, sent to the asker's DM. A draft never posted (a
 * top-up drafted with neither FINANCE_CHANNEL nor an alert channel) is posted there instead, with
 * its Issue and Void buttons and its DRAFT PDF, so someone can act on it.
 */
export async function repostInvoicePdf(
  ctx: ServiceContext,
  input: { invoiceId: number },
): Promise<Result<{ number: string | null }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.listInvoices.right);
    if (!access.ok) return access;
    const [invoice] = await tx.select().from(invoices).where(eq(invoices.id, input.invoiceId)).for('update');
    if (!invoice) return fail('gone', 'That draft was discarded, so it has no PDF any more.');
    const asker = access.userId;
    if (!asker) return fail('no_asker', 'Only a person can be sent an invoice PDF.');
    if (!invoice.channel && invoice.status === 'draft') {
      await tx.update(invoices).set({ channel: asker }).where(eq(invoices.id, invoice.id));
      await announceDraft(tx, ctx, invoice.id);
      return { ok: true as const, number: null };
    }
    const now = ctx.clock.now();
    const label = invoice.number ? `Invoice ${invoice.number}` : `Draft invoice ${invoice.id}`;
    const model: InvoicePdfModel = { invoiceId: invoice.id, variant: invoice.status };
    await enqueueMessage(
      tx,
      `${invoiceRef(invoice.id)}:repost:${asker}:${now.getTime()}`,
      {
        kind: 'upload',
        ref: `${invoiceRef(invoice.id)}:repost`,
        channel: asker,
        inThread: false,
        file: { template: INVOICE_PDF, model },
        comment: `${label} (${invoice.status}), as you asked.`,
      },
      now,
    );
    return { ok: true as const, number: invoice.number };
  });
}

/**
 * A top-up invoice for prepaid credits: one line of `minutes` at `priceMinor` (the package price),
 * drafted inside the caller's transaction (a low-credit alert, an admin's purchase) and posted like
 * any draft. Issuing it runs the `topup` hooks (invoice-hooks.ts), where the purchase is written.
 */
export async function draftTopupInvoice(
  tx: Transaction,
  ctx: ServiceContext,
  input: {
    customerId: number;
    minutes: number;
    priceMinor: number;
    channel: string | undefined;
    /** Drafted by a low-credit crossing: the message says "Drafted automatically", not the approver's name. */
    automatic?: boolean;
  },
): Promise<Result<{ invoiceId: number }>> {
  const [customer] = await tx.select().from(customers).where(eq(customers.id, input.customerId));
  if (!customer) return fail('no_customer', 'That customer no longer exists.');
  if (!Number.isSafeInteger(input.minutes) || input.minutes <= 0)
    return fail('invalid_minutes', 'A top-up is a positive number of minutes.');
  if (!Number.isSafeInteger(input.priceMinor) || input.priceMinor < 0 || input.priceMinor > MAX_PRICE_MINOR)
    return fail('invalid_price', `A top-up price is between 0 and ${formatMoney(MAX_PRICE_MINOR, customer.currency)}.`);
  const now = ctx.clock.now();
  const today = dateInZone(now, ctx.org.timeZone);
  const createdBy = ctx.actor.kind === 'user' && !input.automatic ? (ctx.actor.actingFor ?? ctx.actor.userId) : null;
  const [invoice] = await tx
    .insert(invoices)
    .values({
      customerId: customer.id,
      kind: 'topup',
      periodStartsOn: today,
      periodEndsOn: today,
      currency: customer.currency,
      totalCents: input.priceMinor,
      createdBy,
      channel: input.channel ?? createdBy,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await tx.insert(invoiceLines).values({
    invoiceId: invoice!.id,
    description: `Prepaid time: ${formatMinutes(input.minutes)}`,
    minutes: input.minutes,
    roundedMinutes: input.minutes,
    amountCents: input.priceMinor,
    createdAt: now,
  });
  await recordAudit(tx, ctx, {
    action: 'invoice.draft',
    entity: 'invoice',
    entityId: invoice!.id,
    after: { customer: customer.code, kind: 'topup', minutes: input.minutes, total: input.priceMinor },
  });
  await announceDraft(tx, ctx, invoice!.id);
  return { ok: true, invoiceId: invoice!.id };
}

/** The live invoice (draft or issued) holding any of a sheet's entries, to name in a refusal. */
export async function liveInvoiceOfTimesheet(
  tx: Queryable,
  timesheetId: number,
): Promise<{ label: string; customerCode: string } | undefined> {
  const [row] = await queryRows<{ id: number; number: string | null; status: string; code: string }>(
    tx,
    sql`select i.id as "id", i.number as "number", i.status as "status", c.code as "code"
        from invoice_lines l join invoices i on i.id = l.invoice_id join customers c on c.id = i.customer_id
        join time_entries te on te.id = l.time_entry_id
        where te.timesheet_id = ${timesheetId} and not l.invoice_void
        order by i.id limit 1`,
  );
  if (!row) return undefined;
  return {
    label: row.number ? `invoice ${row.number}` : `the draft invoice ${Number(row.id)}`,
    customerCode: row.code,
  };
}
