import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { type Queryable, queryRows, sqlList } from '../db/client.js';
import { timesheets, users } from '../db/schema.js';
import { fail, type Result } from '../domain/result.js';
import { principalsOf } from './approval-people.js';
import { authorize, rightsSql } from './authorization.js';
import type { ServiceContext } from './context.js';
import { liveInvoiceOfTimesheet } from './invoices.js';
import { OPERATIONS } from './operations.js';
import { sheetOverview, type TimesheetOverview } from './timesheets.js';
import { serviceTransaction } from './transaction.js';

// What approvers and administrators read: the decisions waiting for someone (App Home, /approvals),
// the administrators' list of sheets, and one sheet with its entries.

export type PendingApproval = {
  /** What Approve and Reject on this row decide. */
  approvalId: number;
  timesheetId: number;
  consultantName: string;
  period: { startsOn: string; endsOn: string };
  totalMinutes: number;
  approverId: string;
  approverName: string;
};

/**
 * Decisions waiting for this user, and (as a delegate) for their principals': one row per approval,
 * so someone who is both an approver and a delegate of another sees, and decides, each on its own.
 * Their own timesheet is never among them, except the self-approval of the firm's only administrator.
 */
export async function pendingApprovals(ctx: ServiceContext): Promise<Result<{ pending: PendingApproval[] }>> {
  if (ctx.actor.kind !== 'user') return fail('not_a_user', 'Only a person has approvals.');
  const actor = ctx.actor;
  return serviceTransaction(ctx.db, async (tx) => ({
    ok: true as const,
    pending: await approvalsWaitingFor(tx, actor.userId, await principalsOf(tx, actor.userId)),
  }));
}

/**
 * The approval `a` is still its approver's to make: they are active and hold the right its route
 * needs (`approval`, or `admin` standing in for a project without a manager) and, on a manager's
 * route, still manage one of its projects. Deciding checks the same (`decideTimesheet`).
 */
const approverMayDecide = sql`(case a.route when 'manager' then 'approval' else 'admin' end) = any(${rightsSql(sql`a.approver_id`)})
  and (a.route <> 'manager' or exists (
        select 1 from project_managers pm
          join managers m on m.employee_id = pm.manager_id and m.archived_at is null
          join employees e on e.id = m.employee_id and e.archived_at is null
         where e.user_id = a.approver_id and pm.project_id = any(a.project_ids)))`;

/**
 * The decisions waiting for `userId` and for the principals given (theirs, as read by the caller:
 * App Home reads them with the user's access).
 */
export async function approvalsWaitingFor(
  q: Queryable,
  userId: string,
  principalIds: readonly string[],
): Promise<PendingApproval[]> {
  const approvers = [userId, ...principalIds];
  const rows = await queryRows<{
    approval_id: number;
    timesheet_id: number;
    approver_id: string;
    approver_name: string;
    starts_on: string;
    ends_on: string;
    consultant_name: string;
    total: number;
  }>(
    q,
    sql`select a.id as approval_id, a.timesheet_id, a.approver_id, u.display_name as approver_name,
               p.starts_on::text as starts_on, p.ends_on::text as ends_on, e.name as consultant_name,
               coalesce((select sum(minutes) from time_entries te where te.timesheet_id = t.id), 0)::int as total
          from approvals a
          join timesheets t on t.id = a.timesheet_id and t.status = 'submitted'
          join employees e on e.id = t.consultant_id
          join reporting_periods p on p.id = t.period_id
          join users u on u.id = a.approver_id
         where a.status = 'pending' and a.approver_id in (${sqlList(approvers)}) and ${approverMayDecide}
           and exists (select 1 from users me where me.id = ${userId} and me.active)
           and (e.user_id is distinct from ${userId} or (a.approver_id = ${userId} and a.route = 'admin_fallback'))
         order by p.starts_on, a.timesheet_id, a.id`,
  );
  return rows.map((row) => ({
    approvalId: Number(row.approval_id),
    timesheetId: Number(row.timesheet_id),
    consultantName: row.consultant_name,
    period: { startsOn: row.starts_on, endsOn: row.ends_on },
    totalMinutes: Number(row.total),
    approverId: row.approver_id,
    approverName: row.approver_name,
  }));
}

export type AdminSheetRow = {
  timesheetId: number;
  consultantName: string;
  period: { startsOn: string; endsOn: string };
  status: 'open' | 'submitted' | 'approved' | 'cancelled';
  totalMinutes: number;
  entryCount: number;
};

/** What a filter of the administrators' timesheets list chooses among. */
export type TimesheetFilterKind = 'period' | 'project' | 'customer';

/** Slack's most options in a menu. */
const MENU_OPTIONS = 100;

/**
 * For a filter of more choices than a menu holds: the periods (their first day), project codes or
 * customer codes containing what the administrator typed, as many as a menu holds.
 */
export async function timesheetFilterChoices(
  ctx: ServiceContext,
  kind: TimesheetFilterKind,
  typed: string,
): Promise<Result<{ values: string[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageTimesheets.right);
    if (!access.ok) return access;
    return { ok: true as const, values: await filterValues(tx, kind, typed, MENU_OPTIONS) };
  });
}

async function filterValues(tx: Queryable, kind: TimesheetFilterKind, typed: string, limit: number): Promise<string[]> {
  const containing = `%${typed.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const query =
    kind === 'period'
      ? // As the menu shows it ("Sun 1 Nov 2026") or as a date (2026-11-01).
        sql`select starts_on::text as v from reporting_periods
             where starts_on::text ilike ${containing} or to_char(starts_on, 'Dy FMDD Mon YYYY') ilike ${containing}
             order by starts_on desc limit ${limit}`
      : kind === 'project'
        ? sql`select code as v from projects
               where archived_at is null and code ilike ${containing} order by code limit ${limit}`
        : sql`select code as v from customers
               where archived_at is null and code ilike ${containing} order by code limit ${limit}`;
  return (await queryRows<{ v: string }>(tx, query)).map((row) => row.v);
}

/** Sheets listed at most: each can be marked, and opened from a menu of as many (Slack's 100 options). */
export const ADMIN_SHEETS_SHOWN = 100;

/** Sheets for administrators, filtered by consultant (user id), project or customer code, and period (its first day). */
export async function adminTimesheets(
  ctx: ServiceContext,
  filter: { consultantUserId?: string; projectCode?: string; customerCode?: string; periodStartsOn?: string } = {},
): Promise<
  Result<{
    sheets: AdminSheetRow[];
    /** More sheets match than ADMIN_SHEETS_SHOWN, the newest shown. */
    more: boolean;
    choices: { periods: string[]; projects: string[]; customers: string[] };
  }>
> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageTimesheets.right);
    if (!access.ok) return access;
    const rows = await queryRows<{
      id: number;
      name: string;
      starts_on: string;
      ends_on: string;
      status: AdminSheetRow['status'];
      total: number;
      entries: number;
    }>(
      tx,
      sql`select t.id, e.name, p.starts_on::text as starts_on, p.ends_on::text as ends_on, t.status,
                 coalesce((select sum(te.minutes) from time_entries te where te.timesheet_id = t.id), 0)::int as total,
                 (select count(*) from time_entries te where te.timesheet_id = t.id)::int as entries
            from timesheets t
            join employees e on e.id = t.consultant_id
            join reporting_periods p on p.id = t.period_id
           where t.deleted_at is null
             and (${filter.consultantUserId ?? null}::text is null or e.user_id = ${filter.consultantUserId ?? null})
             and (${filter.periodStartsOn ?? null}::date is null or p.starts_on = ${filter.periodStartsOn ?? null}::date)
             and (${filter.projectCode ?? null}::text is null or exists (select 1 from time_entries te join projects pr on pr.id = te.project_id where te.timesheet_id = t.id and pr.code = ${filter.projectCode ?? null}))
             and (${filter.customerCode ?? null}::text is null or exists (select 1 from time_entries te join projects pr on pr.id = te.project_id join customers c on c.id = pr.customer_id where te.timesheet_id = t.id and c.code = ${filter.customerCode ?? null}))
           order by p.starts_on desc, e.name, t.id desc
           limit ${ADMIN_SHEETS_SHOWN + 1}`,
    );
    // One more than a menu holds: past that, the filter is a search (`timesheetFilterChoices`).
    const choices = {
      periods: await filterValues(tx, 'period', '', MENU_OPTIONS + 1),
      projects: await filterValues(tx, 'project', '', MENU_OPTIONS + 1),
      customers: await filterValues(tx, 'customer', '', MENU_OPTIONS + 1),
    };
    return {
      ok: true as const,
      more: rows.length > ADMIN_SHEETS_SHOWN,
      sheets: rows.slice(0, ADMIN_SHEETS_SHOWN).map((r) => ({
        timesheetId: r.id,
        consultantName: r.name,
        period: { startsOn: r.starts_on, endsOn: r.ends_on },
        status: r.status,
        totalMinutes: Number(r.total),
        entryCount: Number(r.entries),
      })),
      choices,
    };
  });
}

/** Any consultant's sheet with its entries, for an administrator. */
export async function adminTimesheet(
  ctx: ServiceContext,
  timesheetId: number,
): Promise<Result<{ overview: TimesheetOverview; timesheetId: number }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageTimesheets.right);
    if (!access.ok) return access;
    const [deleted] = await tx
      .select({ id: timesheets.id })
      .from(timesheets)
      .where(and(eq(timesheets.id, timesheetId), isNotNull(timesheets.deletedAt)));
    const overview = deleted ? undefined : await sheetOverview(tx, timesheetId);
    return overview
      ? { ok: true as const, overview, timesheetId }
      : fail('no_timesheet', 'That timesheet no longer exists.');
  });
}

/** What sending back or deleting approved sheets does, for the administrator's confirmation. */
export type ApprovedRemovalPreview = {
  /** Approved sheets whose time is on no live invoice: they can go. */
  removable: number[];
  /** Approved sheets with time on a live invoice: kept until the invoice is voided. */
  invoiced: { timesheetId: number; label: string; customerCode: string }[];
  /** Prepaid time their removal credits back, per customer. */
  creditBack: { customerName: string; minutes: number }[];
};

/** Which of these sheets are approved, which of those a live invoice holds, and the prepaid time the rest give back. */
export async function approvedRemovalPreview(
  ctx: ServiceContext,
  timesheetIds: number[],
): Promise<Result<{ preview: ApprovedRemovalPreview }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageTimesheets.right);
    if (!access.ok) return access;
    const preview: ApprovedRemovalPreview = { removable: [], invoiced: [], creditBack: [] };
    if (timesheetIds.length === 0) return { ok: true as const, preview };
    const approved = await tx
      .select({ id: timesheets.id })
      .from(timesheets)
      .where(and(inArray(timesheets.id, timesheetIds), eq(timesheets.status, 'approved')))
      .orderBy(timesheets.id);
    for (const { id } of approved) {
      const invoice = await liveInvoiceOfTimesheet(tx, id);
      if (invoice) preview.invoiced.push({ timesheetId: id, ...invoice });
      else preview.removable.push(id);
    }
    if (preview.removable.length) {
      const credited = await queryRows<{ name: string; minutes: number }>(
        tx,
        sql`select c.name, -sum(l.minutes)::int as minutes
              from credit_ledger l join time_entries te on te.id = l.time_entry_id
              join customers c on c.id = l.customer_id
             where te.timesheet_id in (${sqlList(preview.removable)}) and l.kind = 'deduction'
             group by c.name order by c.name`,
      );
      preview.creditBack = credited.map((row) => ({ customerName: row.name, minutes: Number(row.minutes) }));
    }
    return { ok: true as const, preview };
  });
}

/** Every entry of a sheet, for someone who is (or acts for) one of its approvers. */
export async function timesheetForApprover(
  ctx: ServiceContext,
  timesheetId: number,
): Promise<Result<{ overview: TimesheetOverview; timesheetId: number }>> {
  if (ctx.actor.kind !== 'user') return fail('not_a_user', 'Only a person reviews timesheets.');
  const actor = ctx.actor;
  return serviceTransaction(ctx.db, async (tx) => {
    const [me] = await tx.select({ active: users.active }).from(users).where(eq(users.id, actor.userId));
    if (!me?.active) return fail('not_a_user', 'ConsulTracker does not know you yet. Ask an administrator to add you.');
    const approvers = [actor.userId, ...(await principalsOf(tx, actor.userId))];
    const rows = await queryRows<{ id: number }>(
      tx,
      sql`select a.id from approvals a
           where a.timesheet_id = ${timesheetId} and a.approver_id in (${sqlList(approvers)}) and ${approverMayDecide}`,
    );
    if (rows.length === 0)
      return fail('not_an_approver', 'You are not an approver of this timesheet, so you cannot see it.');
    const overview = await sheetOverview(tx, timesheetId);
    return overview
      ? { ok: true as const, overview, timesheetId }
      : fail('no_timesheet', 'That timesheet no longer exists.');
  });
}
