/**
 * Accounts Receivable and Accounts Payable: which approved time a report covers, its summary
 * (aggregated in SQL) and its detail (streamed in keyset pages). Reading runs after Slack has
 * been answered, outside any request transaction.
 */
import { asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { type Queryable, queryRows, sqlList } from '../db/client.js';
import { consultants, customers, employees, projects, reportingPeriods, users } from '../db/schema.js';
import { dateInZone } from '../domain/dates.js';
import { selectPeriods, type ReportPeriod } from '../domain/report-periods.js';
import type { ReportKind, ReportLevel, ReportRequest } from '../domain/report-request.js';
import { fail, type Failure, type Result } from '../domain/result.js';
import { closestMatches } from '../domain/suggestions.js';
import { authorize, authorizeAny } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS, rightsFor } from './operations.js';
import { readSettings } from './settings.js';

/** A checked request: everything the report needs to read its rows and print its heading. */
export type ReportSpec = {
  kind: ReportKind;
  level: ReportLevel;
  periods: ReportPeriod[];
  customers: { id: number; code: string; name: string }[];
  projects: { id: number; code: string; name: string }[];
  consultants: { employeeId: number; userId: string; name: string }[];
  /** Time approved after this instant is left out, so every page of the detail reads the same set. */
  asOf: string;
  askedBy: { userId: string; name: string };
  firmName: string;
  /** AP amounts are in the firm currency. */
  firmCurrency: string;
  timeZone: string;
};

export type ArSummaryRow = {
  customerCode: string;
  customerName: string;
  currency: string;
  projectCode: string;
  projectName: string;
  minutes: number;
  amount: bigint;
};
export type ApSummaryRow = {
  consultantUserId: string;
  consultantName: string;
  currency: string;
  projectCode: string;
  projectName: string;
  minutes: number;
  amount: bigint;
};
export type ArDetailRow = {
  entryId: number;
  workDate: string;
  customerCode: string;
  customerName: string;
  currency: string;
  projectCode: string;
  projectName: string;
  consultantUserId: string;
  consultantName: string;
  description: string;
  minutes: number;
  rate: number;
  amount: number;
  invoiceNumber: string | null;
};
export type ApDetailRow = {
  entryId: number;
  workDate: string;
  consultantUserId: string;
  consultantName: string;
  customerCode: string;
  projectCode: string;
  projectName: string;
  description: string;
  billable: boolean;
  currency: string;
  minutes: number;
  rate: number;
  amount: number;
};

/** An approved entry that cannot be priced: the report stops rather than print a wrong total. */
export class ReportDataError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
    this.name = 'ReportDataError';
  }
}

/**
 * Checks a request: the right for its kind, its periods and filters (unknown codes get
 * suggestions). A few short reads; the report itself is read later.
 */
export async function prepareReport(
  ctx: ServiceContext,
  request: ReportRequest,
): Promise<Result<{ spec: ReportSpec }>> {
  return ctx.db.transaction((tx) => prepareReportIn(tx, ctx, request));
}

/** `prepareReport` inside the caller's transaction (the period close prepares its reports in its own). */
export async function prepareReportIn(
  tx: Queryable,
  ctx: ServiceContext,
  request: ReportRequest,
): Promise<Result<{ spec: ReportSpec }>> {
  const access = await authorize(tx, ctx, reportOperation(request.kind).right);
  if (!access.ok) return access;
  const now = ctx.clock.now();
  const periodRows = await tx
    .select({ id: reportingPeriods.id, startsOn: reportingPeriods.startsOn, endsOn: reportingPeriods.endsOn })
    .from(reportingPeriods)
    .orderBy(asc(reportingPeriods.startsOn));
  const periods = selectPeriods(request.periods, periodRows, dateInZone(now, ctx.org.timeZone));
  if (!periods.ok) return periods;

  const customerRows = await resolveCodes(tx, 'customer', request.customerCodes);
  if (!customerRows.ok) return customerRows;
  const projectRows = await resolveCodes(tx, 'project', request.projectCodes);
  if (!projectRows.ok) return projectRows;
  const consultantRows = await resolveConsultants(tx, request.consultantUserIds);
  if (!consultantRows.ok) return consultantRows;

  const askerId = access.userId ?? 'system';
  const asker = await tx.query.users.findFirst({ where: eq(users.id, askerId), columns: { displayName: true } });
  const settings = await readSettings(tx);
  return {
    ok: true as const,
    spec: {
      kind: request.kind,
      level: request.level,
      periods: periods.periods,
      customers: customerRows.rows,
      projects: projectRows.rows,
      consultants: consultantRows.rows,
      asOf: now.toISOString(),
      askedBy: { userId: askerId, name: asker?.displayName ?? askerId },
      firmName: settings.firm_name,
      firmCurrency: ctx.org.currency,
      timeZone: ctx.org.timeZone,
    },
  };
}

export function reportOperation(kind: ReportKind) {
  return kind === 'ar' ? OPERATIONS.reportReceivable : OPERATIONS.reportPayable;
}

export type ReportFormChoices = {
  kinds: ReportKind[];
  periods: ReportPeriod[];
  customers: { code: string; name: string }[];
  projects: { code: string; name: string }[];
  consultants: { userId: string; name: string }[];
};

/** What the Reports form offers: the kinds the user may run, and every period, customer, project and consultant. */
export async function reportFormChoices(ctx: ServiceContext): Promise<Result<{ choices: ReportFormChoices }>> {
  return ctx.db.transaction(async (tx) => {
    const alternative = await authorizeAny(tx, ctx, rightsFor('openReports'));
    if (!alternative.ok && alternative.error.code === 'forbidden' && ctx.actor.kind === 'user' && !ctx.actor.actingFor)
      return fail(
        'forbidden',
        'Reports need the Accounts Receivable or the Accounts Payable reports right. An administrator can give you a role with one in /admin > Users.',
      );
    if (!alternative.ok) return alternative;
    const rights = alternative.rights;
    const kinds = (['ar', 'ap'] as const).filter(
      (kind) => ctx.actor.kind === 'system' || rights.has(reportOperation(kind).right),
    );
    const periods = await tx
      .select({ id: reportingPeriods.id, startsOn: reportingPeriods.startsOn, endsOn: reportingPeriods.endsOn })
      .from(reportingPeriods)
      .orderBy(asc(reportingPeriods.startsOn));
    const customerRows = await tx
      .select({ code: customers.code, name: customers.name })
      .from(customers)
      .orderBy(asc(customers.code));
    const projectRows = await tx
      .select({ code: projects.code, name: projects.name })
      .from(projects)
      .orderBy(asc(projects.code));
    const consultantRows = await tx
      .select({ userId: employees.userId, name: employees.name })
      .from(consultants)
      .innerJoin(employees, eq(employees.id, consultants.employeeId))
      .orderBy(asc(employees.name));
    return {
      ok: true as const,
      choices: {
        kinds,
        periods,
        customers: customerRows,
        projects: projectRows,
        consultants: consultantRows.flatMap((c) => (c.userId ? [{ userId: c.userId, name: c.name }] : [])),
      },
    };
  });
}

export async function resolveCodes(
  tx: Queryable,
  what: 'customer' | 'project',
  codes: string[],
): Promise<{ ok: true; rows: { id: number; code: string; name: string }[] } | { ok: false; error: Failure }> {
  if (codes.length === 0) return { ok: true, rows: [] };
  const table = what === 'customer' ? customers : projects;
  // Archived customers and projects stay reportable: their history is in the reports.
  const rows = await tx
    .select({ id: table.id, code: table.code, name: table.name })
    .from(table)
    .where(inArray(table.code, codes));
  const missing = codes.find((code) => !rows.some((row) => row.code === code));
  if (missing) {
    const all = (await tx.select({ code: table.code }).from(table)).map((row) => row.code);
    const suggestions = closestMatches(missing, all);
    const hint = suggestions.length ? ` Did you mean ${suggestions.map((c) => `\`${c}\``).join(', ')}?` : '';
    return fail(`unknown_${what}`, `There is no ${what} \`${missing}\`.${hint}`, what);
  }
  return { ok: true, rows: codes.map((code) => rows.find((row) => row.code === code)!) };
}

async function resolveConsultants(
  tx: Queryable,
  userIds: string[],
): Promise<{ ok: true; rows: { employeeId: number; userId: string; name: string }[] } | { ok: false; error: Failure }> {
  if (userIds.length === 0) return { ok: true, rows: [] };
  const rows = await tx
    .select({ employeeId: employees.id, userId: employees.userId, name: employees.name })
    .from(consultants)
    .innerJoin(employees, eq(employees.id, consultants.employeeId))
    .where(inArray(employees.userId, userIds));
  const missing = userIds.find((id) => !rows.some((row) => row.userId === id));
  if (missing) {
    // A form's error text shows no mentions: the person is named as ConsulTracker knows them.
    const [known] = await tx.select({ name: users.displayName }).from(users).where(eq(users.id, missing));
    return fail(
      'unknown_consultant',
      `${known?.name ?? 'One of the people chosen'} is not a consultant, so no time of theirs is in any report. Pick someone set up in /admin > Employees.`,
      'consultant',
    );
  }
  return {
    ok: true,
    rows: userIds.map((id) => {
      const row = rows.find((r) => r.userId === id)!;
      return { employeeId: row.employeeId, userId: id, name: row.name };
    }),
  };
}

/** Line amount = round_half_up(minutes * rate / 60) in integers, as `amountForMinutes` computes it. */
export function lineAmountSql(minutes: SQL, rate: SQL): SQL {
  return sql`(((${minutes})::bigint * (${rate}) + 30) / 60)`;
}

/** The approved time a report covers: its periods and filters, approved no later than `asOf`. */
function scope(spec: ReportSpec): SQL {
  const conditions: SQL[] = [
    sql`t.status = 'approved'`,
    sql`(t.decided_at is null or t.decided_at <= ${spec.asOf}::timestamptz)`,
    sql`t.period_id in (${sqlList(spec.periods.map((p) => p.id))})`,
  ];
  if (spec.kind === 'ar') conditions.push(sql`te.billable`);
  if (spec.customers.length) conditions.push(sql`c.id in (${sqlList(spec.customers.map((c) => c.id))})`);
  if (spec.projects.length) conditions.push(sql`p.id in (${sqlList(spec.projects.map((p) => p.id))})`);
  if (spec.consultants.length)
    conditions.push(sql`t.consultant_id in (${sqlList(spec.consultants.map((c) => c.employeeId))})`);
  return sql`from time_entries te
    join timesheets t on t.id = te.timesheet_id
    join projects p on p.id = te.project_id
    join customers c on c.id = p.customer_id
    join employees e on e.id = t.consultant_id
    where ${sql.join(conditions, sql` and `)}`;
}

/** The frozen rate the report prices with: price for AR, cost for AP. */
function rateColumn(kind: ReportKind): SQL {
  return kind === 'ar' ? sql`te.price_rate_cents` : sql`te.cost_rate_cents`;
}

/** The summary query, also what the benchmark types into psql. */
export function summaryQuery(spec: ReportSpec): SQL {
  const rate = rateColumn(spec.kind);
  const amount = lineAmountSql(sql`te.minutes`, rate);
  const unpriced = sql`count(*) filter (where ${rate} is null) as "unpriced", min(te.id) filter (where ${rate} is null) as "firstUnpriced"`;
  return spec.kind === 'ar'
    ? sql`select c.code as "customerCode", c.name as "customerName", c.currency as "currency",
          p.code as "projectCode", p.name as "projectName",
          sum(te.minutes)::text as "minutes", sum(${amount})::text as "amount", ${unpriced}
        ${scope(spec)}
        group by c.code, c.name, c.currency, p.code, p.name
        order by c.code, p.code`
    : sql`select coalesce(e.user_id, '') as "consultantUserId", e.name as "consultantName", e.id as "employeeId",
          p.code as "projectCode", p.name as "projectName",
          sum(te.minutes)::text as "minutes", sum(${amount})::text as "amount", ${unpriced}
        ${scope(spec)}
        group by e.id, e.name, e.user_id, p.code, p.name
        order by e.name, e.id, p.code`;
}

/** Per customer and project (AR) or per consultant and project (AP): minutes and the sum of line amounts. */
export async function reportSummary(ctx: ServiceContext, spec: ReportSpec): Promise<ArSummaryRow[] | ApSummaryRow[]> {
  type Raw = Record<string, string | number | null> & { minutes: string; amount: string; unpriced: string | number };
  const rows = await queryRows<Raw>(ctx.db, summaryQuery(spec));
  const unpriced = rows.find((row) => Number(row.unpriced) > 0);
  if (unpriced) throw unpricedEntry(spec.kind, Number(unpriced.firstUnpriced));
  if (spec.kind === 'ar')
    return rows.map((row) => ({
      customerCode: String(row.customerCode),
      customerName: String(row.customerName),
      currency: String(row.currency),
      projectCode: String(row.projectCode),
      projectName: String(row.projectName),
      minutes: Number(row.minutes),
      amount: BigInt(row.amount),
    }));
  return rows.map((row) => ({
    consultantUserId: String(row.consultantUserId),
    consultantName: String(row.consultantName),
    currency: spec.firmCurrency,
    projectCode: String(row.projectCode),
    projectName: String(row.projectName),
    minutes: Number(row.minutes),
    amount: BigInt(row.amount),
  }));
}

/** The detail's groups that have entries (AR: projects; AP: consultant and project pairs), in report order. */
export type DetailPlan = { rows: number; groups: { projectId: number; employeeId: number | null; rows: number }[] };

/**
 * Counts the detail's entries per group in one aggregate query: the total (for the PDF row limit
 * and "nothing matches") and the groups the pages then read one batch at a time.
 */
export async function planDetail(ctx: ServiceContext, spec: ReportSpec): Promise<DetailPlan> {
  const groups = await queryRows<{ projectId: number; employeeId: number | null; rows: string | number }>(
    ctx.db,
    spec.kind === 'ar'
      ? sql`select p.id as "projectId", null::int as "employeeId", count(*)::text as "rows" ${scope(spec)}
          group by c.code, p.code, p.id order by c.code, p.code`
      : sql`select p.id as "projectId", e.id as "employeeId", count(*)::text as "rows" ${scope(spec)}
          group by e.name, e.id, p.code, p.id order by e.name, e.id, p.code`,
  );
  const planned = groups.map((g) => ({
    projectId: Number(g.projectId),
    employeeId: g.employeeId === null ? null : Number(g.employeeId),
    rows: Number(g.rows),
  }));
  return { rows: planned.reduce((sum, g) => sum + g.rows, 0), groups: planned };
}

export const DETAIL_PAGE_ROWS = 2000;

/**
 * The detail's entries in report order, about a page at a time, each page its own short query:
 * small groups are read together (their rows picked by project, through its index, and only those
 * sorted); a group larger than a page is read in keyset pages by date and id. No transaction stays
 * open while the report renders, no query sorts the whole report, and no page holds all of it.
 */
export async function* reportDetailPages(
  ctx: ServiceContext,
  spec: ReportSpec,
  plan: DetailPlan,
  pageRows = DETAIL_PAGE_ROWS,
): AsyncGenerator<ArDetailRow[] | ApDetailRow[]> {
  const read = async (query: SQL) =>
    (await queryRows<Record<string, unknown>>(ctx.db, query)).map((row) => detailRow(spec, row)) as
      ArDetailRow[] | ApDetailRow[];
  let batch: DetailPlan['groups'] = [];
  let batchRows = 0;
  const flush = async () => {
    const groups = batch;
    batch = [];
    batchRows = 0;
    return read(sql`${detailSelect(spec)} ${scope(spec)} and ${inGroups(groups)} order by ${detailOrder(spec)}`);
  };
  for (const group of plan.groups) {
    if (group.rows <= pageRows) {
      if (batchRows + group.rows > pageRows) yield await flush();
      batch.push(group);
      batchRows += group.rows;
      continue;
    }
    if (batch.length) yield await flush();
    let after: { workDate: string; entryId: number } | undefined;
    for (;;) {
      const keyset = after ? sql`and (te.work_date, te.id) > (${after.workDate}::date, ${after.entryId}::int)` : sql``;
      const page = await read(
        sql`${detailSelect(spec)} ${scope(spec)} and ${inGroups([group])} ${keyset} order by te.work_date, te.id limit ${pageRows}`,
      );
      if (page.length) yield page;
      if (page.length < pageRows) break;
      const last = page.at(-1)!;
      after = { workDate: last.workDate, entryId: last.entryId };
    }
  }
  if (batch.length) yield await flush();
}

function inGroups(groups: DetailPlan['groups']): SQL {
  const projectIds = sqlList([...new Set(groups.map((g) => g.projectId))]);
  if (groups.every((g) => g.employeeId === null)) return sql`te.project_id in (${projectIds})`;
  const pairs = sql.join(
    groups.map((g) => sql`(${g.employeeId}::int, ${g.projectId}::int)`),
    sql`, `,
  );
  return sql`te.project_id in (${projectIds}) and (t.consultant_id, te.project_id) in (${pairs})`;
}

function detailOrder(spec: ReportSpec): SQL {
  return spec.kind === 'ar' ? sql`c.code, p.code, te.work_date, te.id` : sql`e.name, e.id, p.code, te.work_date, te.id`;
}

function detailSelect(spec: ReportSpec): SQL {
  const rate = rateColumn(spec.kind);
  const amount = sql`${lineAmountSql(sql`te.minutes`, rate)}::text as "amount"`;
  // The number of the issued invoice holding the entry, through the partial unique index of live lines.
  return spec.kind === 'ar'
    ? sql`select te.id as "entryId", te.work_date::text as "workDate",
        c.code as "customerCode", c.name as "customerName", c.currency as "currency",
        p.code as "projectCode", p.name as "projectName",
        coalesce(e.user_id, '') as "consultantUserId", e.name as "consultantName",
        te.description as "description", te.minutes as "minutes", ${rate} as "rate", ${amount},
        (select i.number from invoice_lines il join invoices i on i.id = il.invoice_id
          where il.time_entry_id = te.id and not il.invoice_void and i.status = 'issued') as "invoiceNumber"`
    : sql`select te.id as "entryId", te.work_date::text as "workDate",
        coalesce(e.user_id, '') as "consultantUserId", e.name as "consultantName",
        c.code as "customerCode", p.code as "projectCode", p.name as "projectName",
        te.description as "description", te.billable as "billable", te.minutes as "minutes", ${rate} as "rate", ${amount}`;
}

function detailRow(spec: ReportSpec, row: Record<string, unknown>): ArDetailRow | ApDetailRow {
  if (row.rate === null) throw unpricedEntry(spec.kind, Number(row.entryId));
  const common = {
    entryId: Number(row.entryId),
    workDate: String(row.workDate),
    consultantUserId: String(row.consultantUserId),
    consultantName: String(row.consultantName),
    customerCode: String(row.customerCode),
    projectCode: String(row.projectCode),
    projectName: String(row.projectName),
    description: String(row.description),
    minutes: Number(row.minutes),
    rate: Number(row.rate),
    amount: Number(row.amount),
  };
  return spec.kind === 'ar'
    ? {
        ...common,
        customerName: String(row.customerName),
        currency: String(row.currency),
        invoiceNumber: typeof row.invoiceNumber === 'string' ? row.invoiceNumber : null,
      }
    : { ...common, billable: Boolean(row.billable), currency: spec.firmCurrency };
}

function unpricedEntry(kind: ReportKind, entryId: number): ReportDataError {
  const rate = kind === 'ar' ? 'price' : 'cost';
  return new ReportDataError({
    code: 'unpriced_entry',
    message: `Time entry ${entryId} is approved but has no frozen ${rate} rate, so the report cannot add up and nothing was posted. Ask an administrator to look at that entry.`,
  });
}
