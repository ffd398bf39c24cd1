import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type Queryable, queryRows, sqlList } from '../db/client.js';
import {
  consultants,
  employees,
  managers,
  projectConsultants,
  projectManagers,
  timers,
  timesheets,
} from '../db/schema.js';
import { fail, type Result } from '../domain/result.js';
import { withdrawApprovalRequests } from './approval-messages.js';
import { lockTeamsToChange, rerouteApprovals } from './approval-routing.js';
import { recordAudit, recordRemovedEntries } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS } from './operations.js';
import { serviceTransaction } from './transaction.js';

/**
 * What deleting employees does: their open and submitted timesheets go with them; anyone with
 * approved or rejected timesheets is archived instead (kept in reports); decisions waiting for
 * them as approvers move to their projects' other managers, or to the administrators.
 */
export type EmployeeDeletion = {
  employees: number;
  openSheets: number;
  openEntries: number;
  pendingDecisions: number;
  archived: string[];
};

/** A consultant's time that is not settled yet: open sheets with entries, and submitted sheets. */
export async function unsettledTime(
  q: Queryable,
  consultantIds: number[],
): Promise<{ openSheets: number; openEntries: number }> {
  if (consultantIds.length === 0) return { openSheets: 0, openEntries: 0 };
  const [row] = await queryRows<{ sheets: number; entries: number }>(
    q,
    sql`select count(*)::int as sheets, coalesce(sum(e.n), 0)::int as entries
          from timesheets t cross join lateral (select count(*) as n from time_entries te where te.timesheet_id = t.id) e
         where t.consultant_id in (${sqlList(consultantIds)}) and (t.status = 'submitted' or (t.status = 'open' and e.n > 0))`,
  );
  return { openSheets: Number(row?.sheets ?? 0), openEntries: Number(row?.entries ?? 0) };
}

export async function employeeDeletionImpact(
  ctx: ServiceContext,
  employeeIds: number[],
): Promise<Result<{ impact: EmployeeDeletion }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageEmployees.right);
    if (!access.ok) return access;
    const live = await tx
      .select()
      .from(employees)
      .where(and(inArray(employees.id, employeeIds), isNull(employees.archivedAt)))
      .orderBy(asc(employees.name));
    return { ok: true as const, impact: (await impactOf(tx, live)).impact };
  });
}

export async function deleteEmployees(
  ctx: ServiceContext,
  employeeIds: number[],
): Promise<Result<{ deleted: EmployeeDeletion }>> {
  if (employeeIds.length === 0) return fail('nothing_marked', 'Mark the employees to delete first.');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageEmployees.right);
    if (!access.ok) return access;
    await lockTeamsToChange(tx);
    const targets = await tx
      .select()
      .from(employees)
      .where(and(inArray(employees.id, employeeIds), isNull(employees.archivedAt)))
      .orderBy(asc(employees.name))
      .for('update');
    if (targets.length !== new Set(employeeIds).size)
      return fail('stale', 'Some of those employees are already gone; look at the list again and retry.');
    const ids = targets.map((e) => e.id);
    // Their sheets are locked before counting, so an approval racing this either lands first (kept) or waits.
    await tx.execute(sql`select id from timesheets where consultant_id in (${sqlList(ids)}) order by id for update`);
    const { impact, archivedIds } = await impactOf(tx, targets);
    const going = await tx
      .select()
      .from(timesheets)
      .where(and(inArray(timesheets.consultantId, ids), inArray(timesheets.status, ['open', 'submitted'])));
    await withdrawApprovalRequests(
      tx,
      ctx,
      going.map((t) => t.id),
    );
    if (going.length) {
      await recordRemovedEntries(
        tx,
        ctx,
        sql`te.timesheet_id in (${sqlList(going.map((t) => t.id))})`,
        'employee.remove',
      );
      await tx.delete(timesheets).where(
        inArray(
          timesheets.id,
          going.map((t) => t.id),
        ),
      );
    }
    for (const sheet of going)
      await recordAudit(tx, ctx, {
        action: 'timesheet.delete',
        entity: 'timesheet',
        entityId: sheet.id,
        before: sheet,
      });
    const userIds = targets.flatMap((e) => (e.userId ? [e.userId] : []));
    if (userIds.length) await tx.delete(timers).where(inArray(timers.userId, userIds));
    // Archived with the consultant (deleted with them when they go): the overrides stay on record.
    await tx
      .update(projectConsultants)
      .set({ archivedAt: ctx.clock.now() })
      .where(and(inArray(projectConsultants.consultantId, ids), isNull(projectConsultants.archivedAt)));
    await tx.delete(projectManagers).where(inArray(projectManagers.managerId, ids));
    const now = ctx.clock.now();
    for (const employee of targets) {
      const keep = archivedIds.has(employee.id);
      if (keep) {
        await tx
          .update(consultants)
          .set({ archivedAt: now })
          .where(and(eq(consultants.employeeId, employee.id), isNull(consultants.archivedAt)));
        await tx
          .update(managers)
          .set({ archivedAt: now })
          .where(and(eq(managers.employeeId, employee.id), isNull(managers.archivedAt)));
        await tx.update(employees).set({ archivedAt: now }).where(eq(employees.id, employee.id));
      } else {
        await tx.delete(consultants).where(eq(consultants.employeeId, employee.id));
        await tx.delete(managers).where(eq(managers.employeeId, employee.id));
        await tx.delete(employees).where(eq(employees.id, employee.id));
      }
      await recordAudit(tx, ctx, {
        action: keep ? 'employee.archive' : 'employee.delete',
        entity: 'employee',
        entityId: employee.id,
        before: employee,
      });
    }
    await rerouteApprovals(tx, ctx, { approverIds: userIds });
    return { ok: true as const, deleted: impact };
  });
}

async function impactOf(
  q: Queryable,
  targets: (typeof employees.$inferSelect)[],
): Promise<{ impact: EmployeeDeletion; archivedIds: Set<number> }> {
  const ids = targets.map((e) => e.id);
  if (ids.length === 0)
    return {
      impact: { employees: 0, openSheets: 0, openEntries: 0, pendingDecisions: 0, archived: [] },
      archivedIds: new Set(),
    };
  const kept = await queryRows<{ consultant_id: number }>(
    q,
    sql`select distinct consultant_id from timesheets where consultant_id in (${sqlList(ids)}) and status in ('approved', 'cancelled')`,
  );
  const userIds = targets.flatMap((e) => (e.userId ? [e.userId] : []));
  const [pending] = userIds.length
    ? await queryRows<{ n: number }>(
        q,
        sql`select count(*)::int as n from approvals a join timesheets t on t.id = a.timesheet_id
             where a.status = 'pending' and t.status = 'submitted'
               and a.approver_id in (${sqlList(userIds)}) and t.consultant_id not in (${sqlList(ids)})`,
      )
    : [];
  const archivedIds = new Set(kept.map((r) => Number(r.consultant_id)));
  const impact = {
    employees: targets.length,
    ...(await unsettledTime(q, ids)),
    pendingDecisions: Number(pending?.n ?? 0),
    archived: targets.filter((e) => archivedIds.has(e.id)).map((e) => e.name),
  };
  return { impact, archivedIds };
}
