/**
 * What an invoice's PDF and the accounting exports print: the invoice with its firm and customer,
 * and its lines with the entry's date, project and consultant. Read outside any request, when the
 * outbox renders a PDF or an export is built.
 */
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
import type { IssuedParties } from '../db/schema.js';
import type { InvoiceStatus } from '../domain/invoices.js';
import { fail, type Result } from '../domain/result.js';
import type { PeriodSelector } from '../domain/report-request.js';
import { describePeriods, selectPeriods } from '../domain/report-periods.js';
import { dateInZone } from '../domain/dates.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import type { InvoiceKind } from '../domain/invoices.js';
import { periodLabel, textOrNull } from './invoices.js';
import { OPERATIONS } from './operations.js';
import { readSettings } from './settings.js';

export type InvoiceLineRow = {
  entryId: number | null;
  workDate: string | null;
  projectCode: string | null;
  projectName: string | null;
  consultant: string | null;
  description: string;
  minutes: number | null;
  roundedMinutes: number | null;
  rate: number | null;
  amount: number;
};

export type InvoiceDocument = {
  invoiceId: number;
  kind: InvoiceKind;
  status: InvoiceStatus;
  number: string | null;
  currency: string;
  total: number;
  period: string;
  issuedOn: string | null;
  dueOn: string | null;
  /** The terms it was issued with; for a draft, the terms it would get today. */
  paymentTermsDays: number;
  roundingMinutes: number;
  voidReason: string | null;
  firm: { name: string; address: string; taxId: string };
  customer: { code: string; name: string; address: string; taxId: string; billingEmail: string };
  lines: InvoiceLineRow[];
};

const LINE_COLUMNS = sql`te.id as "entryId", te.work_date::text as "workDate", p.code as "projectCode",
  p.name as "projectName", e.name as "consultant", l.description as "description", l.minutes as "minutes",
  l.rounded_minutes as "roundedMinutes", l.rate_cents as "rate", l.amount_cents::text as "amount"`;
const LINE_JOINS = sql`left join time_entries te on te.id = l.time_entry_id
  left join timesheets t on t.id = te.timesheet_id
  left join employees e on e.id = t.consultant_id
  left join projects p on p.id = te.project_id`;
/** Lines grouped by project (top-up lines, without one, first), then by date. */
const LINE_ORDER = sql`p.code nulls first, te.work_date, te.id, l.id`;

export async function invoiceDocument(db: Queryable, invoiceId: number): Promise<InvoiceDocument | undefined> {
  const [head] = await queryRows<Record<string, string | number | null> & { parties: IssuedParties | null }>(
    db,
    sql`select i.id as "invoiceId", i.kind as "kind", i.status as "status", i.number as "number", i.currency as "currency",
          i.total_cents::text as "total", i.period_starts_on::text as "startsOn", i.period_ends_on::text as "endsOn",
          i.period_label as "periodLabel", i.issued_parties as "parties",
          i.issued_on::text as "issuedOn", i.due_on::text as "dueOn", i.payment_terms_days as "terms",
          i.rounding_minutes as "rounding", i.void_reason as "voidReason",
          c.code as "code", c.name as "name", c.address as "address", c.tax_id as "taxId",
          c.billing_email as "billingEmail", c.payment_terms_days as "customerTerms"
        from invoices i join customers c on c.id = i.customer_id where i.id = ${invoiceId}`,
  );
  if (!head) return undefined;
  const settings = await readSettings(db);
  const lines = await queryRows<Record<string, string | number | null>>(
    db,
    sql`select ${LINE_COLUMNS} from invoice_lines l ${LINE_JOINS} where l.invoice_id = ${invoiceId} order by ${LINE_ORDER}`,
  );
  const text = textOrNull;
  return {
    invoiceId,
    kind: head.kind as InvoiceKind,
    status: head.status as InvoiceStatus,
    number: text(head.number),
    currency: String(head.currency),
    total: Number(head.total),
    period: periodLabel(text(head.startsOn), text(head.endsOn), text(head.periodLabel)),
    issuedOn: text(head.issuedOn),
    dueOn: text(head.dueOn),
    paymentTermsDays: Number(head.terms ?? head.customerTerms ?? settings.payment_terms_days),
    roundingMinutes: Number(head.rounding),
    voidReason: text(head.voidReason),
    // An issued (or voided) invoice prints the parties it was issued with; a draft, today's.
    firm: head.parties?.firm ?? {
      name: settings.firm_name,
      address: settings.firm_address,
      taxId: settings.firm_tax_id,
    },
    customer: {
      code: String(head.code),
      ...(head.parties?.customer ?? {
        name: String(head.name),
        address: String(head.address),
        taxId: String(head.taxId),
        billingEmail: String(head.billingEmail),
      }),
    },
    lines: lines.map(lineRow),
  };
}

function lineRow(row: Record<string, string | number | null>): InvoiceLineRow {
  const num = (value: string | number | null | undefined) => (value == null ? null : Number(value));
  const text = textOrNull;
  return {
    entryId: num(row.entryId),
    workDate: text(row.workDate),
    projectCode: text(row.projectCode),
    projectName: text(row.projectName),
    consultant: text(row.consultant),
    description: String(row.description),
    minutes: num(row.minutes),
    roundedMinutes: num(row.roundedMinutes),
    rate: num(row.rate),
    amount: Number(row.amount),
  };
}

/** One line of an issued invoice, with what each accounting layout needs about its invoice. */
export type InvoiceExportRow = InvoiceLineRow & {
  number: string;
  status: InvoiceStatus;
  kind: InvoiceKind;
  customerCode: string;
  customerName: string;
  billingEmail: string;
  address: string;
  issuedOn: string;
  dueOn: string;
  paymentTermsDays: number;
  period: string;
  currency: string;
  invoiceTotal: number;
};

export type InvoiceExport = {
  rows: InvoiceExportRow[];
  invoices: number;
  periods: string;
  firstDay: string;
  lastDay: string;
  accountCode: string;
  taxType: string;
  askedBy: string;
};

/**
 * `/invoice export [periods]`: every line of the invoices issued on a day of those periods (the
 * accounting date), void ones left out, in number order.
 */
export async function invoiceExport(
  ctx: ServiceContext,
  input: { periods: PeriodSelector[] },
): Promise<Result<{ export: InvoiceExport }>> {
  return ctx.db.transaction(async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.exportInvoices.right);
    if (!access.ok) return access;
    const periodRows = await tx.query.reportingPeriods.findMany({
      columns: { id: true, startsOn: true, endsOn: true },
      orderBy: (p, { asc }) => [asc(p.startsOn)],
    });
    const chosen = selectPeriods(input.periods, periodRows, dateInZone(ctx.clock.now(), ctx.org.timeZone));
    if (!chosen.ok) return chosen;
    const days = sql.join(
      chosen.periods.map((p) => sql`(i.issued_on between ${p.startsOn}::date and ${p.endsOn}::date)`),
      sql` or `,
    );
    const rows = await queryRows<Record<string, string | number | null>>(
      tx,
      sql`select ${LINE_COLUMNS}, i.number as "number", i.status as "status", i.kind as "kind",
            c.code as "customerCode", coalesce(i.issued_parties #>> '{customer,name}', c.name) as "customerName",
            coalesce(i.issued_parties #>> '{customer,billingEmail}', c.billing_email) as "billingEmail",
            coalesce(i.issued_parties #>> '{customer,address}', c.address) as "address",
            i.issued_on::text as "issuedOn", i.due_on::text as "dueOn", i.payment_terms_days as "terms",
            i.period_starts_on::text as "startsOn", i.period_ends_on::text as "endsOn", i.period_label as "periodLabel",
            i.currency as "currency", i.total_cents::text as "invoiceTotal"
          from invoices i join customers c on c.id = i.customer_id
          join invoice_lines l on l.invoice_id = i.id ${LINE_JOINS}
          where i.status = 'issued' and (${days})
          order by i.year, i.sequence, ${LINE_ORDER}`,
    );
    if (rows.length === 0)
      return fail(
        'nothing_issued',
        `No invoice was issued in ${describePeriods(chosen.periods)}, so there is nothing to export. Issue drafts with their Issue button, or name other periods.`,
      );
    const settings = await readSettings(tx);
    const exported = rows.map((row) => ({
      ...lineRow(row),
      number: String(row.number),
      status: row.status as InvoiceStatus,
      kind: row.kind as InvoiceKind,
      customerCode: String(row.customerCode),
      customerName: String(row.customerName),
      billingEmail: String(row.billingEmail),
      address: String(row.address),
      issuedOn: String(row.issuedOn),
      dueOn: String(row.dueOn),
      paymentTermsDays: Number(row.terms),
      period: periodLabel(textOrNull(row.startsOn), textOrNull(row.endsOn), textOrNull(row.periodLabel)),
      currency: String(row.currency),
      invoiceTotal: Number(row.invoiceTotal),
    }));
    return {
      ok: true as const,
      export: {
        rows: exported,
        invoices: new Set(exported.map((r) => r.number)).size,
        periods: describePeriods(chosen.periods),
        firstDay: chosen.periods[0]!.startsOn,
        lastDay: chosen.periods.at(-1)!.endsOn,
        accountCode: settings.invoice_account_code,
        taxType: settings.invoice_tax_type,
        askedBy: access.userId ?? 'system',
      },
    };
  });
}
