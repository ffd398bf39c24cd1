import { asc, eq, inArray, sql } from 'drizzle-orm';
import { type Queryable, queryRows, sqlList, type Transaction } from '../db/client.js';
import { approvals, projectManagers, timeEntries, timesheets } from '../db/schema.js';
import type { Failure } from '../domain/result.js';
import {
  APPROVAL_REQUEST,
  type ApprovalRequestModel,
  approvalRef,
  approvalRequestModel,
  queueUpdates,
} from './approval-messages.js';
import { administrators, consultantUserOf, managersOf } from './approval-people.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { rightsSql } from './authorization.js';
import { enqueueMessage } from './outbox.js';
import { approveSheet } from './sheet-outcomes.js';

/** Namespace of the advisory lock that keeps a submit's routing and team changes apart. */
const TEAMS_LOCK = 0x7ea5;

/**
 * A submit reads who manages its projects, and who holds the approval right, without locking them,
 * and a team change reroutes only the sheets already submitted: one committing between the other's
 * read and commit would leave a sheet waiting for someone who may no longer decide it. Submits take
 * this lock shared before they lock their sheet (they do not wait for one another); every change of
 * who may decide takes it exclusively first (`lockTeamsToChange`), so the two follow each other.
 */
export async function lockTeamsToRoute(tx: Queryable): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${TEAMS_LOCK})`);
}

/** Before a change of who may decide (a project's managers, a manager role, rights, a deactivation): see `lockTeamsToRoute`. */
export async function lockTeamsToChange(tx: Queryable): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${TEAMS_LOCK})`);
}

/** The projects these managers (employee ids) are on the team of: a manager back asks on their sheets. */
export async function projectsManagedBy(tx: Queryable, managerIds: number[]): Promise<number[]> {
  if (managerIds.length === 0) return [];
  const rows = await tx
    .select({ id: projectManagers.projectId })
    .from(projectManagers)
    .where(inArray(projectManagers.managerId, managerIds));
  return rows.map((row) => row.id);
}

/** Who decides a sheet, and for which of its projects. */
type Route = { route: 'manager' | 'admin_fallback'; projectIds: number[] };

/**
 * Who decides a submitted sheet, as the firm stands now: every active manager of every project with
 * time on it, never the consultant; a project left without one goes to the administrators (again
 * not the consultant), and so does an empty sheet. The one exception: a consultant who is the
 * firm's only administrator decides their own sheet (a self-approval, said and audited as such).
 */
export async function approverRoutes(
  tx: Queryable,
  sheetId: number,
  consultantUserId: string | null,
): Promise<Map<string, Route>> {
  const charged = (
    await tx
      .selectDistinct({ projectId: timeEntries.projectId })
      .from(timeEntries)
      .where(eq(timeEntries.timesheetId, sheetId))
      .orderBy(asc(timeEntries.projectId))
  ).map((row) => row.projectId);
  const managed = charged.length ? await managersOf(tx, charged) : [];
  const admins = await administrators(tx);
  const standIns = admins.filter((id) => id !== consultantUserId);
  if (standIns.length === 0 && consultantUserId !== null && admins.includes(consultantUserId))
    standIns.push(consultantUserId);

  const routes = new Map<string, Route>();
  const add = (userId: string, route: Route['route'], projectId: number | undefined) => {
    const current = routes.get(userId) ?? { route, projectIds: [] };
    if (route === 'manager') current.route = 'manager';
    if (projectId !== undefined && !current.projectIds.includes(projectId)) current.projectIds.push(projectId);
    routes.set(userId, current);
  };
  for (const projectId of charged) {
    const deciders = managed.filter((m) => m.projectId === projectId && m.userId !== consultantUserId);
    if (deciders.length > 0) for (const { userId } of deciders) add(userId, 'manager', projectId);
    else for (const id of standIns) add(id, 'admin_fallback', projectId);
  }
  if (charged.length === 0) for (const id of standIns) add(id, 'admin_fallback', undefined);
  for (const route of routes.values()) route.projectIds.sort((a, b) => a - b);
  return routes;
}

/** Inside the submit transaction: one approval per approver, and their DMs queued. */
export async function requestApprovals(
  tx: Transaction,
  ctx: ServiceContext,
  timesheetId: number,
): Promise<Failure | undefined> {
  const routes = await approverRoutes(tx, timesheetId, await consultantUserOf(tx, timesheetId));
  await ctx.pause?.('submit:routes-read');
  if (routes.size === 0) {
    return {
      code: 'no_approver',
      message:
        'Nobody can approve this timesheet: its projects have no other manager and there is no administrator. Ask an administrator to add a manager.',
    };
  }
  for (const [approverId, route] of routes) await ask(tx, ctx, timesheetId, approverId, route);
  return undefined;
}

/**
 * Who may decide changed (managers added or taken off projects, a manager deactivated or deleted,
 * roles or rights changed): every submitted sheet with time on those projects, or waiting for those
 * people, is routed again in the caller's transaction. A pending decision whose approver no longer manages any of its projects is
 * withdrawn (their DM says so); a new manager is asked (a new DM); a project left without a manager
 * goes to the administrators. Decisions already made stand, unless their approver now answers for
 * more of the sheet, who is then asked again. A sheet nobody would be left to decide keeps its approvers.
 */
export async function rerouteApprovals(
  tx: Transaction,
  ctx: ServiceContext,
  scope: { projectIds?: number[]; approverIds?: string[] },
): Promise<void> {
  const projectIds = scope.projectIds ?? [];
  const approverIds = scope.approverIds ?? [];
  if (projectIds.length === 0 && approverIds.length === 0) return;
  const affected = await queryRows<{ id: number }>(
    tx,
    sql`select t.id from timesheets t
         where t.status = 'submitted'
           and (${projectIds.length ? sql`exists (select 1 from time_entries te where te.timesheet_id = t.id and te.project_id in (${sqlList(projectIds)}))` : sql`false`}
             or ${approverIds.length ? sql`exists (select 1 from approvals a where a.timesheet_id = t.id and a.status = 'pending' and a.approver_id in (${sqlList(approverIds)}))` : sql`false`})
         order by t.id
         for update`,
  );
  for (const { id } of affected) await rerouteSheet(tx, ctx, Number(id));
}

/**
 * Users' rights changed (their roles, or a role's rights): the sheets waiting for them are routed
 * again, so a manager who lost `approval` is no longer waited for (their decision goes to the
 * project's other managers, or the administrators); and the sheets on the projects of those who may
 * approve now, so one who has the right again is asked.
 */
export async function rerouteForRightsOf(tx: Transaction, ctx: ServiceContext, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  // Only those who may approve now are asked on their projects' sheets; for the others, what waits
  // for them is routed again, and what they approved while they could stands.
  const managed = await queryRows<{ project_id: number }>(
    tx,
    sql`select distinct pm.project_id from project_managers pm join employees e on e.id = pm.manager_id
         where e.user_id in (${sqlList(userIds)}) and 'approval' = any(${rightsSql(sql`e.user_id`)})
         order by pm.project_id`,
  );
  await rerouteApprovals(tx, ctx, { approverIds: userIds, projectIds: managed.map((row) => Number(row.project_id)) });
}

async function rerouteSheet(tx: Transaction, ctx: ServiceContext, sheetId: number): Promise<void> {
  const [sheet] = await tx.select().from(timesheets).where(eq(timesheets.id, sheetId));
  if (sheet?.status !== 'submitted') return;
  const wanted = await approverRoutes(tx, sheetId, await consultantUserOf(tx, sheetId));
  if (wanted.size === 0) return;
  const now = ctx.clock.now();
  const current = await tx.select().from(approvals).where(eq(approvals.timesheetId, sheetId));
  let changed = false;
  for (const approval of current) {
    const route = wanted.get(approval.approverId);
    if (!route) {
      if (approval.status !== 'pending') continue;
      await withdraw(tx, ctx, approval, 'no_longer_approver');
      changed = true;
      continue;
    }
    const sameProjects = route.projectIds.join() === approval.projectIds.join();
    if (approval.status === 'pending' && (!sameProjects || route.route !== approval.route)) {
      await tx
        .update(approvals)
        .set({ route: route.route, projectIds: route.projectIds, updatedAt: now })
        .where(eq(approvals.id, approval.id));
      changed = true;
    } else if (approval.status === 'approved' && route.projectIds.some((id) => !approval.projectIds.includes(id))) {
      // They approved part of what they now answer for: the rest needs their decision too.
      const [after] = await tx
        .update(approvals)
        .set({
          status: 'pending',
          route: route.route,
          projectIds: route.projectIds,
          decidedBy: null,
          decidedAt: null,
          comment: null,
          updatedAt: now,
        })
        .where(eq(approvals.id, approval.id))
        .returning();
      await recordAudit(tx, ctx, {
        action: 'approval.reopen',
        entity: 'timesheet',
        entityId: sheetId,
        before: approval,
        after,
      });
      changed = true;
    }
  }
  for (const [approverId, route] of wanted) {
    if (current.some((a) => a.approverId === approverId)) continue;
    await ask(tx, ctx, sheetId, approverId, route);
    changed = true;
  }
  if (!changed) return;
  const left = await tx.select({ status: approvals.status }).from(approvals).where(eq(approvals.timesheetId, sheetId));
  const allApproved = left.length > 0 && left.every((a) => a.status === 'approved');
  if (allApproved) await approveSheet(tx, ctx, sheet);
  await recordAudit(tx, ctx, {
    action: 'timesheet.reroute',
    entity: 'timesheet',
    entityId: sheetId,
    before: current.map(({ approverId, status, projectIds }) => ({ approverId, status, projectIds })),
    after: { approvers: Object.fromEntries(wanted), approved: allApproved },
  });
  const deciderId = ctx.actor.kind === 'user' ? ctx.actor.userId : 'system';
  await queueUpdates(tx, ctx, sheetId, allApproved ? 'approved' : 'submitted', null, deciderId, sheet.periodId);
}

/** One new pending approval, and its DM queued. */
async function ask(tx: Transaction, ctx: ServiceContext, timesheetId: number, approverId: string, route: Route) {
  const [approval] = await tx
    .insert(approvals)
    .values({ timesheetId, approverId, route: route.route, projectIds: route.projectIds })
    .returning();
  const ref = approvalRef(timesheetId, approverId);
  await enqueueMessage(
    tx,
    // Keyed by the approval: someone asked again after a withdrawal gets their DM back, updated.
    `post:${ref}:${approval!.id}`,
    {
      kind: 'post',
      ref,
      channel: approverId,
      content: { template: APPROVAL_REQUEST, model: await approvalRequestModel(tx, timesheetId, approverId) },
      homeOf: approverId,
    },
    ctx.clock.now(),
  );
}

/** Drops a pending decision that is no longer this approver's: their DM says so first, and why. */
export async function withdraw(
  tx: Queryable,
  ctx: ServiceContext,
  approval: typeof approvals.$inferSelect,
  because: NonNullable<ApprovalRequestModel['withdrawnBecause']>,
): Promise<void> {
  const ref = approvalRef(approval.timesheetId, approval.approverId);
  const model: ApprovalRequestModel = {
    ...(await approvalRequestModel(tx, approval.timesheetId, approval.approverId)),
    myStatus: 'withdrawn',
    withdrawnBecause: because,
  };
  await enqueueMessage(
    tx,
    `update:${ref}:withdrawn:${approval.id}`,
    { kind: 'update', ref, content: { template: APPROVAL_REQUEST, model }, homeOf: approval.approverId },
    ctx.clock.now(),
  );
  await tx.delete(approvals).where(eq(approvals.id, approval.id));
  await recordAudit(tx, ctx, {
    action: 'approval.withdraw',
    entity: 'timesheet',
    entityId: approval.timesheetId,
    before: approval,
  });
}
