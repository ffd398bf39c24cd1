import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { type Queryable, queryRows, sqlList, type Transaction } from '../db/client.js';
import {
  approvals,
  consultants,
  delegates,
  employees,
  projectConsultants,
  projects,
  reportingPeriods,
  timeEntries,
  timesheets,
  users,
} from '../db/schema.js';
import { formatDay } from '../domain/dates.js';
import { fail, type Result } from '../domain/result.js';
import { consultantUserOf, isOnlyAdministrator, managersOf, withdraw } from './approval-routing.js';
import { liveInvoiceOfTimesheet } from './invoices.js';
import { deductApprovedTime } from './credit-ledger.js';
import { prepaidBalances } from './prepaid-balance.js';
import { recordAudit, recordRemovedEntries } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS } from './operations.js';
import { enqueueMessage } from './outbox.js';
import { sheetOverview, type TimesheetOverview, type TimesheetStatus } from './timesheets.js';
import { serviceTransaction } from './transaction.js';

export const APPROVAL_REQUEST = 'approval-request';
export const TIMESHEET_DECIDED = 'timesheet-decided';
export const TIME_REMOVED = 'time-removed';
export const MAX_REASON_LENGTH = 500;

/** The message for one approver about one sheet, as it stands now (rendered in blocks/). */
export type ApprovalRequestModel = {
  /** The approval this message decides: its buttons carry this id. */
  approvalId: number;
  timesheetId: number;
  approverId: string;
  /** The approver's own timesheet: they are the firm's only administrator, so they decide it themselves. */
  selfApproval: boolean;
  route: 'manager' | 'admin_fallback';
  /** `withdrawn`: the time this approver was asked about was removed with its project. */
  myStatus: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  consultantName: string;
  period: { startsOn: string; endsOn: string };
  projects: {
    code: string;
    name: string;
    totalMinutes: number;
    entries: { date: string; minutes: number; description: string; billable: boolean }[];
  }[];
  sheetTotalMinutes: number;
  /** `deleted`: an administrator removed the sheet; the message stays as a record without buttons. */
  sheetStatus: 'submitted' | 'approved' | 'cancelled' | 'open' | 'deleted';
  decisions: {
    approverName: string;
    status: 'pending' | 'approved' | 'rejected';
    decidedByName: string | null;
    decidedAt: string | null;
  }[];
  rejection: { byName: string; reason: string } | null;
  /**
   * While the decision waits: per prepaid customer, the billable time of this approver's projects
   * that approving deducts, and the credit left after ("Approving deducts 6h from Globex: 12h 30m left after").
   */
  prepaid?: { customerName: string; deductMinutes: number; remainingAfterMinutes: number }[];
};

/** The consultant's notice that removed projects took time off their submitted sheet, and what became of it. */
export type TimeRemovedModel = {
  period: { startsOn: string; endsOn: string };
  removed: { code: string; minutes: number }[];
  sheetNow: 'submitted' | 'approved' | 'deleted';
};

/** The consultant's notice once the sheet is decided. */
export type TimesheetDecidedModel = {
  outcome: 'approved' | 'rejected';
  period: { startsOn: string; endsOn: string };
  totalMinutes: number;
  billableMinutes: number;
  byName: string;
  reason: string | null;
  /** The open copy to fix and resubmit, after a rejection. */
  periodId: number;
  /** The consultant decided it themselves, as the firm's only administrator. */
  selfDecided: boolean;
};

export const approvalRef = (timesheetId: number, approverId: string) => `approval:${timesheetId}:${approverId}`;

/** A decision on one approval: the button or list row names it; everything else is read from the database. */
export type Decision =
  { approvalId: number; decision: 'approve' } | { approvalId: number; decision: 'reject'; reason: string };
export type DecisionOutcome = {
  sheetStatus: 'submitted' | 'approved' | 'cancelled';
  consultantName: string;
  period: { startsOn: string; endsOn: string };
};

/**
 * One approver's decision, made by them or by their delegate. Guarded by the sheet's row lock and
 * the state it expects, so a double click, a stale message or two managers at once end in one
 * consistent state, and the late one is told what happened. Authority is current: the person
 * clicking is active, holds the right now (as a delegate, their principal does and the delegation
 * still exists), and the approver still answers for the sheet. Nobody decides their own sheet,
 * except the firm's only administrator, whose self-approval is said and audited as such.
 */
export async function decideTimesheet(
  ctx: ServiceContext,
  input: Decision,
): Promise<Result<{ outcome: DecisionOutcome }>> {
  if (input.decision === 'reject') {
    const reason = input.reason.trim();
    if (!reason)
      return fail(
        'reason_required',
        'Say why you are sending the timesheet back, so the consultant knows what to fix.',
        'reason',
      );
    if (reason.length > MAX_REASON_LENGTH)
      return fail(
        'reason_too_long',
        `Keep the reason to ${MAX_REASON_LENGTH} characters; it has ${reason.length}.`,
        'reason',
      );
  }
  if (ctx.actor.kind !== 'user') return fail('not_a_user', 'Only a person decides on timesheets.');
  const clicker = ctx.actor.userId;
  return serviceTransaction(ctx.db, async (tx) => {
    const [target] = await tx
      .select({ timesheetId: approvals.timesheetId, approverId: approvals.approverId })
      .from(approvals)
      .where(eq(approvals.id, input.approvalId));
    if (!target) return fail('withdrawn', WITHDRAWN);
    const onBehalf = target.approverId !== clicker ? target.approverId : undefined;
    if (onBehalf && !(await principalsOf(tx, clicker)).includes(onBehalf))
      return fail(
        'not_an_approver',
        `This decision is ${await nameOfUser(tx, onBehalf)}'s, and you are not their delegate, so you cannot make it.`,
      );
    const decider: ServiceContext = {
      ...ctx,
      actor: onBehalf ? { kind: 'user', userId: clicker, actingFor: onBehalf } : { kind: 'user', userId: clicker },
    };

    const [sheet] = await tx.select().from(timesheets).where(eq(timesheets.id, target.timesheetId)).for('update');
    if (!sheet) return fail('no_timesheet', 'That timesheet no longer exists.');
    await ctx.pause?.('decide:sheet-locked');
    // Read again under the sheet's lock: a team change may have withdrawn it meanwhile.
    const [mine] = await tx.select().from(approvals).where(eq(approvals.id, input.approvalId));
    if (!mine) return fail('withdrawn', WITHDRAWN);

    // Standing in for a project without a manager is an administrator's duty.
    const access = await authorize(tx, decider, mine.route === 'manager' ? OPERATIONS.decideTimesheet.right : 'admin');
    if (!access.ok) return access;
    const consultantUser = await consultantUserOf(tx, sheet.id);
    const selfApproval = consultantUser !== null && (clicker === consultantUser || mine.approverId === consultantUser);
    if (selfApproval && !(mine.approverId === clicker && (await isOnlyAdministrator(tx, clicker))))
      return fail(
        'own_timesheet',
        'Nobody decides on their own timesheet, in any role: it waits for its other approvers (an administrator can decide in /admin > Timesheets).',
      );
    if (mine.route === 'manager' && !(await stillManages(tx, mine.approverId, mine.projectIds)))
      return fail(
        'withdrawn',
        `${onBehalf ? `${await nameOfUser(tx, onBehalf)} is` : 'You are'} no longer a manager of this timesheet's projects, so the decision is not ${onBehalf ? 'theirs' : 'yours'} any more.`,
      );

    const period = (await tx.select().from(reportingPeriods).where(eq(reportingPeriods.id, sheet.periodId)))[0]!;
    const consultantName = await nameOfEmployee(tx, sheet.consultantId);
    if (sheet.status !== 'submitted') return fail('already_decided', await whatHappened(tx, sheet));
    if (mine.status !== 'pending') {
      return fail(
        'already_decided',
        `${onBehalf ? `${await nameOfUser(tx, onBehalf)} already` : 'You already'} ${mine.status} this timesheet; it is still waiting for the other approvers.`,
      );
    }
    if (input.decision === 'reject' && period.archivedAt) return fail('period_deleted', periodDeleted(period));

    const now = ctx.clock.now();
    const decidedStatus = input.decision === 'approve' ? 'approved' : 'rejected';
    const [after] = await tx
      .update(approvals)
      .set({
        status: decidedStatus,
        decidedBy: clicker,
        decidedAt: now,
        comment: input.decision === 'reject' ? input.reason.trim() : null,
        updatedAt: now,
      })
      .where(and(eq(approvals.id, mine.id), eq(approvals.status, 'pending')))
      .returning();
    await recordAudit(tx, decider, {
      action: selfApproval ? `approval.self_${input.decision}` : `approval.${input.decision}`,
      entity: 'timesheet',
      entityId: sheet.id,
      before: mine,
      after,
    });

    let sheetStatus: DecisionOutcome['sheetStatus'] = 'submitted';
    if (input.decision === 'reject') {
      sheetStatus = 'cancelled';
      await rejectSheet(tx, ctx, sheet, input.reason.trim());
    } else {
      const pending = await tx
        .select({ id: approvals.id })
        .from(approvals)
        .where(and(eq(approvals.timesheetId, sheet.id), ne(approvals.status, 'approved')));
      if (pending.length === 0) {
        sheetStatus = 'approved';
        await approveSheet(tx, ctx, sheet, { selfApproved: selfApproval });
      }
    }
    await queueUpdates(
      tx,
      ctx,
      sheet.id,
      sheetStatus,
      input.decision === 'reject' ? input.reason.trim() : null,
      clicker,
      period.id,
    );
    return {
      ok: true as const,
      outcome: { sheetStatus, consultantName, period: { startsOn: period.startsOn, endsOn: period.endsOn } },
    };
  });
}

const WITHDRAWN =
  'This decision is no longer waiting for you: the request was withdrawn (its time was removed, or its approver was taken off its projects). Nothing was changed.';

/** A rejection reopens the sheet in its period; a deleted period would leave that copy out of reach. */
function periodDeleted(period: { startsOn: string; endsOn: string }): string {
  return `The reporting period ${formatDay(period.startsOn)} – ${formatDay(period.endsOn)} was deleted, so a rejected timesheet could not be reopened in it. An administrator can restore the period (add the same dates again in /admin > Reporting periods) or delete the timesheet in /admin > Timesheets.`;
}

/** Whether the user is still an active manager of at least one of these projects. */
async function stillManages(tx: Queryable, userId: string, projectIds: number[]): Promise<boolean> {
  if (projectIds.length === 0) return false;
  return (await managersOf(tx, projectIds)).some((m) => m.userId === userId);
}

/**
 * All approved: the sheet is approved and each entry's approval finalised. The one place that
 * happens, so whatever else an approval settles (prepaid deductions) joins this transaction here.
 */
export async function approveSheet(
  tx: Transaction,
  ctx: ServiceContext,
  sheet: typeof timesheets.$inferSelect,
  options: { selfApproved?: boolean } = {},
): Promise<void> {
  const now = ctx.clock.now();
  await tx
    .update(timesheets)
    .set({ status: 'approved', decidedAt: now, updatedAt: now })
    .where(and(eq(timesheets.id, sheet.id), eq(timesheets.status, 'submitted')));
  await finaliseApprovedEntries(tx, ctx, sheet);
  const moved = await deductApprovedTime(tx, ctx, sheet.id);
  await queueCreditLineUpdates(tx, ctx, moved, sheet.id);
  await recordAudit(tx, ctx, {
    action: options.selfApproved ? 'timesheet.self_approve' : 'timesheet.approve',
    entity: 'timesheet',
    entityId: sheet.id,
    before: { status: 'submitted' },
    after: { status: 'approved', ...(options.selfApproved ? { selfApproval: true } : {}) },
  });
}

/**
 * Freezes each entry's rates: the consultant's override on its project (kept when they were taken
 * off it since: the assignment is archived, not deleted), else their default.
 */
async function finaliseApprovedEntries(
  tx: Transaction,
  ctx: ServiceContext,
  sheet: typeof timesheets.$inferSelect,
): Promise<void> {
  const override = (column: 'cost_rate_cents' | 'price_rate_cents') =>
    sql`(select pc.${sql.raw(column)} from ${projectConsultants} pc where pc.project_id = te.project_id and pc.consultant_id = c.employee_id)`;
  await tx.execute(sql`
    update ${timeEntries} te
       set cost_rate_cents = coalesce(${override('cost_rate_cents')}, c.default_cost_rate_cents),
           price_rate_cents = coalesce(${override('price_rate_cents')}, c.default_price_rate_cents),
           updated_at = ${ctx.clock.now()}
      from ${consultants} c
     where te.timesheet_id = ${sheet.id} and c.employee_id = ${sheet.consultantId}`);
}

/** One rejection rejects: the sheet is cancelled (kept) and an open copy with the same entries is made. */
async function rejectSheet(
  tx: Transaction,
  ctx: ServiceContext,
  sheet: typeof timesheets.$inferSelect,
  reason: string,
): Promise<void> {
  const now = ctx.clock.now();
  await tx
    .update(timesheets)
    .set({ status: 'cancelled', decidedAt: now, rejectionReason: reason, updatedAt: now })
    .where(eq(timesheets.id, sheet.id));
  const [copy] = await tx
    .insert(timesheets)
    .values({ consultantId: sheet.consultantId, periodId: sheet.periodId, reopenedFrom: sheet.id })
    .returning();
  const entries = await tx
    .select()
    .from(timeEntries)
    .where(eq(timeEntries.timesheetId, sheet.id))
    .orderBy(asc(timeEntries.id));
  for (const {
    id: _id,
    timesheetId: _sheet,
    requestKey: _key,
    createdAt: _created,
    updatedAt: _updated,
    ...entry
  } of entries) {
    await tx.insert(timeEntries).values({ ...entry, timesheetId: copy!.id });
  }
  await recordAudit(tx, ctx, {
    action: 'timesheet.reject',
    entity: 'timesheet',
    entityId: sheet.id,
    after: { status: 'cancelled', reason, reopenedAs: copy!.id },
  });
}

/**
 * Every approver's message shows the new state; the consultant hears once the sheet is decided.
 * Each change gets its own update (the row lock on the sheet orders them); the dispatcher sends
 * only the newest one per message.
 */
export async function queueUpdates(
  tx: Transaction,
  ctx: ServiceContext,
  timesheetId: number,
  sheetStatus: DecisionOutcome['sheetStatus'],
  reason: string | null,
  deciderId: string,
  periodId: number,
): Promise<void> {
  const now = ctx.clock.now();
  const change = randomUUID();
  const rows = await tx
    .select({ approverId: approvals.approverId })
    .from(approvals)
    .where(eq(approvals.timesheetId, timesheetId));
  for (const row of rows) {
    const model = await approvalRequestModel(tx, timesheetId, row.approverId);
    await enqueueMessage(
      tx,
      `update:${approvalRef(timesheetId, row.approverId)}:${change}`,
      { kind: 'update', ref: approvalRef(timesheetId, row.approverId), content: { template: APPROVAL_REQUEST, model } },
      now,
    );
  }
  if (sheetStatus === 'submitted') return;
  const consultantUser = await consultantUserOf(tx, timesheetId);
  if (!consultantUser) return;
  const entries = await tx
    .select({ minutes: timeEntries.minutes, billable: timeEntries.billable })
    .from(timeEntries)
    .where(eq(timeEntries.timesheetId, timesheetId));
  const period = (await tx.select().from(reportingPeriods).where(eq(reportingPeriods.id, periodId)))[0]!;
  const model: TimesheetDecidedModel = {
    outcome: sheetStatus === 'approved' ? 'approved' : 'rejected',
    period: { startsOn: period.startsOn, endsOn: period.endsOn },
    totalMinutes: entries.reduce((sum, e) => sum + e.minutes, 0),
    billableMinutes: entries.filter((e) => e.billable).reduce((sum, e) => sum + e.minutes, 0),
    byName: await nameOfUser(tx, deciderId),
    reason,
    periodId,
    selfDecided: deciderId === consultantUser,
  };
  await enqueueMessage(
    tx,
    `decided:${timesheetId}`,
    {
      kind: 'post',
      ref: `decided:${timesheetId}`,
      channel: consultantUser,
      content: { template: TIMESHEET_DECIDED, model },
    },
    now,
  );
}

/**
 * Tells every approver of these sheets, in the transaction that deletes them, that they are gone:
 * their DMs lose the buttons instead of offering a decision on nothing.
 */
export async function withdrawApprovalRequests(
  tx: Queryable,
  ctx: ServiceContext,
  timesheetIds: number[],
): Promise<void> {
  if (timesheetIds.length === 0) return;
  const rows = await tx
    .select({ timesheetId: approvals.timesheetId, approverId: approvals.approverId })
    .from(approvals)
    .where(inArray(approvals.timesheetId, timesheetIds));
  for (const { timesheetId, approverId } of rows) {
    const model: ApprovalRequestModel = {
      ...(await approvalRequestModel(tx, timesheetId, approverId)),
      sheetStatus: 'deleted',
    };
    const ref = approvalRef(timesheetId, approverId);
    await enqueueMessage(
      tx,
      `update:${ref}:deleted`,
      { kind: 'update', ref, content: { template: APPROVAL_REQUEST, model } },
      ctx.clock.now(),
    );
  }
}

/**
 * Projects are being removed: their time leaves the submitted sheets too, and each sheet is settled
 * again in the same transaction. A sheet left empty is deleted (its approvers told); an approver
 * left with nothing of theirs is withdrawn (told, and their approval dropped); the others see the
 * smaller sheet, which is approved if everyone left has approved. Call with the sheets locked.
 */
export async function dropSubmittedTimeOn(
  tx: Transaction,
  ctx: ServiceContext,
  projectIds: number[],
  cause: string,
): Promise<void> {
  if (projectIds.length === 0) return;
  const touched = await tx
    .selectDistinct({ sheet: timesheets })
    .from(timesheets)
    .innerJoin(timeEntries, eq(timeEntries.timesheetId, timesheets.id))
    .where(and(eq(timesheets.status, 'submitted'), inArray(timeEntries.projectId, projectIds)));
  if (touched.length === 0) return;
  const deciderId = ctx.actor.kind === 'user' ? ctx.actor.userId : 'system';
  for (const { sheet } of touched) {
    const onSheet = await tx
      .select({ projectId: projects.id, code: projects.code, minutes: sql<number>`sum(${timeEntries.minutes})::int` })
      .from(timeEntries)
      .innerJoin(projects, eq(projects.id, timeEntries.projectId))
      .where(eq(timeEntries.timesheetId, sheet.id))
      .groupBy(projects.id, projects.code)
      .orderBy(projects.code);
    const going = onSheet.filter((p) => projectIds.includes(p.projectId));
    const left = new Set(onSheet.filter((p) => !projectIds.includes(p.projectId)).map((p) => p.projectId));
    const tellConsultant = (sheetNow: TimeRemovedModel['sheetNow']) =>
      notifyTimeRemoved(
        tx,
        ctx,
        sheet,
        going.map((p) => ({ code: p.code, minutes: Number(p.minutes) })),
        sheetNow,
      );
    if (left.size === 0) {
      await withdrawApprovalRequests(tx, ctx, [sheet.id]);
      await tellConsultant('deleted');
      await recordRemovedEntries(tx, ctx, sql`te.timesheet_id = ${sheet.id}`, cause);
      await tx.delete(timesheets).where(eq(timesheets.id, sheet.id));
      await recordAudit(tx, ctx, {
        action: 'timesheet.delete',
        entity: 'timesheet',
        entityId: sheet.id,
        before: sheet,
      });
      continue;
    }
    // Told before the time goes, so their message still shows what was removed.
    for (const approval of await tx.select().from(approvals).where(eq(approvals.timesheetId, sheet.id))) {
      if (!approval.projectIds.some((id) => left.has(id))) await withdraw(tx, ctx, approval);
    }
    await recordRemovedEntries(
      tx,
      ctx,
      sql`te.timesheet_id = ${sheet.id} and te.project_id in (${sqlList(projectIds)})`,
      cause,
    );
    await tx
      .delete(timeEntries)
      .where(and(eq(timeEntries.timesheetId, sheet.id), inArray(timeEntries.projectId, projectIds)));
    const remaining = await tx
      .select({ status: approvals.status })
      .from(approvals)
      .where(eq(approvals.timesheetId, sheet.id));
    const allApproved = remaining.length > 0 && remaining.every((a) => a.status === 'approved');
    if (allApproved) await approveSheet(tx, ctx, sheet);
    await recordAudit(tx, ctx, {
      action: 'timesheet.remove_time',
      entity: 'timesheet',
      entityId: sheet.id,
      after: { removedProjectIds: going.map((p) => p.projectId), approved: allApproved },
    });
    await tellConsultant(allApproved ? 'approved' : 'submitted');
    await queueUpdates(tx, ctx, sheet.id, allApproved ? 'approved' : 'submitted', null, deciderId, sheet.periodId);
  }
}

async function notifyTimeRemoved(
  tx: Transaction,
  ctx: ServiceContext,
  sheet: typeof timesheets.$inferSelect,
  removed: TimeRemovedModel['removed'],
  sheetNow: TimeRemovedModel['sheetNow'],
): Promise<void> {
  const consultantUser = await consultantUserOf(tx, sheet.id);
  if (!consultantUser) return;
  const period = (await tx.select().from(reportingPeriods).where(eq(reportingPeriods.id, sheet.periodId)))[0]!;
  const model: TimeRemovedModel = { period: { startsOn: period.startsOn, endsOn: period.endsOn }, removed, sheetNow };
  const key = `time-removed:${sheet.id}:${randomUUID()}`;
  await enqueueMessage(
    tx,
    key,
    { kind: 'post', ref: key, channel: consultantUser, content: { template: TIME_REMOVED, model } },
    ctx.clock.now(),
  );
}

/** The approver's message model, recomputed from the database at every change. */
export async function approvalRequestModel(
  q: Queryable,
  timesheetId: number,
  approverId: string,
): Promise<ApprovalRequestModel> {
  const sheet = (await q.select().from(timesheets).where(eq(timesheets.id, timesheetId)))[0]!;
  const period = (await q.select().from(reportingPeriods).where(eq(reportingPeriods.id, sheet.periodId)))[0]!;
  const mine = (
    await q
      .select()
      .from(approvals)
      .where(and(eq(approvals.timesheetId, timesheetId), eq(approvals.approverId, approverId)))
  )[0]!;
  const entries = await q
    .select({
      projectId: timeEntries.projectId,
      code: projects.code,
      name: projects.name,
      date: timeEntries.workDate,
      minutes: timeEntries.minutes,
      description: timeEntries.description,
      billable: timeEntries.billable,
    })
    .from(timeEntries)
    .innerJoin(projects, eq(projects.id, timeEntries.projectId))
    .where(eq(timeEntries.timesheetId, timesheetId))
    .orderBy(asc(projects.code), asc(timeEntries.workDate), asc(timeEntries.id));
  const byProject = new Map<number, ApprovalRequestModel['projects'][number]>();
  for (const entry of entries.filter((e) => mine.projectIds.includes(e.projectId))) {
    const project = byProject.get(entry.projectId) ?? {
      code: entry.code,
      name: entry.name,
      totalMinutes: 0,
      entries: [],
    };
    project.totalMinutes += entry.minutes;
    project.entries.push({
      date: entry.date,
      minutes: entry.minutes,
      description: entry.description,
      billable: entry.billable,
    });
    byProject.set(entry.projectId, project);
  }
  const decisions = await q
    .select({
      approverName: users.displayName,
      status: approvals.status,
      decidedBy: approvals.decidedBy,
      decidedAt: approvals.decidedAt,
      comment: approvals.comment,
    })
    .from(approvals)
    .innerJoin(users, eq(users.id, approvals.approverId))
    .where(eq(approvals.timesheetId, timesheetId))
    .orderBy(asc(users.displayName));
  const rejected = decisions.find((d) => d.status === 'rejected');
  const waiting = sheet.status === 'submitted' && mine.status === 'pending';
  return {
    approvalId: mine.id,
    timesheetId,
    approverId,
    selfApproval: (await consultantUserOf(q, timesheetId)) === approverId,
    route: mine.route,
    myStatus: mine.status,
    consultantName: await nameOfEmployee(q, sheet.consultantId),
    period: { startsOn: period.startsOn, endsOn: period.endsOn },
    projects: [...byProject.values()],
    sheetTotalMinutes: entries.reduce((sum, e) => sum + e.minutes, 0),
    sheetStatus: sheet.status,
    decisions: await describeDecisions(q, decisions),
    rejection: rejected
      ? {
          byName: rejected.decidedBy ? await nameOfUser(q, rejected.decidedBy) : rejected.approverName,
          reason: rejected.comment ?? '',
        }
      : null,
    prepaid: waiting ? await prepaidDeductionPreview(q, timesheetId, mine.projectIds) : [],
  };
}

/** What approving these projects' billable time on the sheet deducts from each prepaid customer, and what is left after. */
async function prepaidDeductionPreview(
  q: Queryable,
  timesheetId: number,
  projectIds: number[],
): Promise<NonNullable<ApprovalRequestModel['prepaid']>> {
  if (projectIds.length === 0) return [];
  const charged = await queryRows<{ customer_id: number; minutes: number }>(
    q,
    sql`select p.customer_id, sum(te.minutes)::int as minutes
          from time_entries te join projects p on p.id = te.project_id
         where te.timesheet_id = ${timesheetId} and te.billable and te.project_id in (${sqlList(projectIds)})
         group by p.customer_id`,
  );
  const minutesOf = new Map(charged.map((row) => [Number(row.customer_id), Number(row.minutes)]));
  const balances = await prepaidBalances(q, [...minutesOf.keys()]);
  return balances.map((balance) => ({
    customerName: balance.customerName,
    deductMinutes: minutesOf.get(balance.customerId)!,
    remainingAfterMinutes: balance.remainingMinutes - minutesOf.get(balance.customerId)!,
  }));
}

/**
 * A prepaid customer's balance moved: every DM still waiting on billable time of that customer is
 * updated, so its "left after" line stays true. Pass the sheet being decided as `except` (its own
 * messages are updated by its decision).
 */
export async function queueCreditLineUpdates(
  tx: Queryable,
  ctx: ServiceContext,
  customerIds: readonly number[],
  except?: number,
): Promise<void> {
  if (customerIds.length === 0) return;
  const waiting = await queryRows<{ timesheet_id: number; approver_id: string }>(
    tx,
    sql`select distinct a.timesheet_id, a.approver_id
          from approvals a join timesheets t on t.id = a.timesheet_id and t.status = 'submitted'
          join time_entries te on te.timesheet_id = t.id and te.billable and te.project_id = any(a.project_ids)
          join projects p on p.id = te.project_id
         where a.status = 'pending' and p.customer_id in (${sqlList([...customerIds])})
           and t.id is distinct from ${except ?? null}::int
         order by a.timesheet_id, a.approver_id`,
  );
  const change = randomUUID();
  for (const row of waiting) {
    const timesheetId = Number(row.timesheet_id);
    const ref = approvalRef(timesheetId, row.approver_id);
    const model = await approvalRequestModel(tx, timesheetId, row.approver_id);
    await enqueueMessage(
      tx,
      `update:${ref}:credit:${change}`,
      { kind: 'update', ref, content: { template: APPROVAL_REQUEST, model } },
      ctx.clock.now(),
    );
  }
}

/** Sequential on purpose: inside a transaction all queries share one connection. */
async function describeDecisions(
  q: Queryable,
  decisions: {
    approverName: string;
    status: 'pending' | 'approved' | 'rejected';
    decidedBy: string | null;
    decidedAt: Date | null;
  }[],
): Promise<ApprovalRequestModel['decisions']> {
  const described: ApprovalRequestModel['decisions'] = [];
  for (const d of decisions) {
    described.push({
      approverName: d.approverName,
      status: d.status,
      decidedByName: d.decidedBy ? await nameOfUser(q, d.decidedBy) : null,
      decidedAt: d.decidedAt ? d.decidedAt.toISOString() : null,
    });
  }
  return described;
}

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
  return serviceTransaction(ctx.db, async (tx) => {
    const approvers = [actor.userId, ...(await principalsOf(tx, actor.userId))];
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
      tx,
      sql`select a.id as approval_id, a.timesheet_id, a.approver_id, u.display_name as approver_name,
                 p.starts_on::text as starts_on, p.ends_on::text as ends_on, e.name as consultant_name,
                 coalesce((select sum(minutes) from time_entries te where te.timesheet_id = t.id), 0)::int as total
            from approvals a
            join timesheets t on t.id = a.timesheet_id and t.status = 'submitted'
            join employees e on e.id = t.consultant_id
            join reporting_periods p on p.id = t.period_id
            join users u on u.id = a.approver_id
           where a.status = 'pending' and a.approver_id in (${sqlList(approvers)})
             and (e.user_id is distinct from ${actor.userId} or (a.approver_id = ${actor.userId} and a.route = 'admin_fallback'))
           order by p.starts_on, a.timesheet_id, a.id`,
    );
    return {
      ok: true as const,
      pending: rows.map((row) => ({
        approvalId: Number(row.approval_id),
        timesheetId: Number(row.timesheet_id),
        consultantName: row.consultant_name,
        period: { startsOn: row.starts_on, endsOn: row.ends_on },
        totalMinutes: Number(row.total),
        approverId: row.approver_id,
        approverName: row.approver_name,
      })),
    };
  });
}

export type AdminSheetRow = {
  timesheetId: number;
  consultantName: string;
  period: { startsOn: string; endsOn: string };
  status: 'open' | 'submitted' | 'approved' | 'cancelled';
  totalMinutes: number;
  entryCount: number;
};

/** Sheets for administrators, filtered by consultant (user id), project or customer code, and period (its first day). */
export async function adminTimesheets(
  ctx: ServiceContext,
  filter: { consultantUserId?: string; projectCode?: string; customerCode?: string; periodStartsOn?: string } = {},
): Promise<
  Result<{ sheets: AdminSheetRow[]; choices: { periods: string[]; projects: string[]; customers: string[] } }>
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
           where (${filter.consultantUserId ?? null}::text is null or e.user_id = ${filter.consultantUserId ?? null})
             and (${filter.periodStartsOn ?? null}::date is null or p.starts_on = ${filter.periodStartsOn ?? null}::date)
             and (${filter.projectCode ?? null}::text is null or exists (select 1 from time_entries te join projects pr on pr.id = te.project_id where te.timesheet_id = t.id and pr.code = ${filter.projectCode ?? null}))
             and (${filter.customerCode ?? null}::text is null or exists (select 1 from time_entries te join projects pr on pr.id = te.project_id join customers c on c.id = pr.customer_id where te.timesheet_id = t.id and c.code = ${filter.customerCode ?? null}))
           order by p.starts_on desc, e.name, t.id desc
           limit 200`,
    );
    const choices = {
      periods: (
        await queryRows<{ d: string }>(
          tx,
          sql`select starts_on::text as d from reporting_periods order by starts_on desc limit 100`,
        )
      ).map((r) => r.d),
      projects: (
        await queryRows<{ c: string }>(
          tx,
          sql`select code as c from projects where archived_at is null order by code limit 100`,
        )
      ).map((r) => r.c),
      customers: (
        await queryRows<{ c: string }>(
          tx,
          sql`select code as c from customers where archived_at is null order by code limit 100`,
        )
      ).map((r) => r.c),
    };
    return {
      ok: true as const,
      sheets: rows.map((r) => ({
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
    const overview = await sheetOverview(tx, timesheetId);
    return overview
      ? { ok: true as const, overview, timesheetId }
      : fail('no_timesheet', 'That timesheet no longer exists.');
  });
}

/** Which sheets an administrator can send back or delete (approving needs a submitted one too). */
export const ADMIN_DECIDABLE: Record<'reject' | 'delete', readonly TimesheetStatus[]> = {
  reject: ['submitted'],
  delete: ['open', 'submitted'],
};

/**
 * An administrator's decision on one sheet, bypassing its managers: approve (fully), reject (with a
 * reason) or delete. Approved time is kept: an approved sheet cannot be deleted or rejected.
 */
export async function adminDecide(
  ctx: ServiceContext,
  input:
    | { timesheetId: number; decision: 'approve' }
    | { timesheetId: number; decision: 'reject'; reason: string }
    | { timesheetId: number; decision: 'delete' },
): Promise<Result<{ status: 'approved' | 'cancelled' | 'deleted' }>> {
  if (input.decision === 'reject' && !input.reason.trim())
    return fail('reason_required', 'Say why the timesheet is sent back.', 'reason');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageTimesheets.right);
    if (!access.ok) return access;
    const [sheet] = await tx.select().from(timesheets).where(eq(timesheets.id, input.timesheetId)).for('update');
    if (!sheet) return fail('no_timesheet', 'That timesheet no longer exists.');
    const actorId = ctx.actor.kind === 'user' ? ctx.actor.userId : 'system';
    if (sheet.status === 'approved') {
      const invoiced = await liveInvoiceOfTimesheet(tx, sheet.id);
      if (invoiced)
        return fail(
          'invoiced',
          `That timesheet's time is on ${invoiced.label} (${invoiced.customerCode}), so it cannot be deleted or sent back: void that invoice first. Approved time is kept for pay and invoices.`,
        );
      return fail(
        'approved',
        'That timesheet is approved: its time is kept for pay and invoices and cannot be changed.',
      );
    }
    if (input.decision === 'delete') {
      if (sheet.status === 'cancelled')
        return fail('cancelled', 'A cancelled timesheet is kept as the record of a rejection.');
      await withdrawApprovalRequests(tx, ctx, [sheet.id]);
      await recordRemovedEntries(tx, ctx, sql`te.timesheet_id = ${sheet.id}`, 'timesheet.delete');
      await tx.delete(timesheets).where(eq(timesheets.id, sheet.id));
      await recordAudit(tx, ctx, {
        action: 'timesheet.delete',
        entity: 'timesheet',
        entityId: sheet.id,
        before: sheet,
      });
      return { ok: true as const, status: 'deleted' as const };
    }
    if (sheet.status !== 'submitted')
      return fail(
        'not_submitted',
        `That timesheet is ${sheet.status}; only a submitted one can be approved or sent back.`,
      );
    const consultantUser = await consultantUserOf(tx, sheet.id);
    const own =
      ctx.actor.kind === 'user' &&
      consultantUser !== null &&
      (ctx.actor.userId === consultantUser || ctx.actor.actingFor === consultantUser);
    if (own && !(ctx.actor.kind === 'user' && !ctx.actor.actingFor && (await isOnlyAdministrator(tx, actorId))))
      return fail(
        'own_timesheet',
        'Nobody decides on their own timesheet, not even as an administrator: another administrator decides it.',
      );
    if (input.decision === 'reject') {
      const period = (await tx.select().from(reportingPeriods).where(eq(reportingPeriods.id, sheet.periodId)))[0]!;
      if (period.archivedAt) return fail('period_deleted', periodDeleted(period));
    }
    const now = ctx.clock.now();
    const decided = input.decision === 'approve' ? 'approved' : 'rejected';
    await tx
      .update(approvals)
      .set({
        status: decided,
        decidedBy: actorId,
        decidedAt: now,
        comment: input.decision === 'reject' ? input.reason.trim() : 'approved by an administrator',
        updatedAt: now,
      })
      .where(and(eq(approvals.timesheetId, sheet.id), eq(approvals.status, 'pending')));
    if (input.decision === 'approve') await approveSheet(tx, ctx, sheet, { selfApproved: own });
    else await rejectSheet(tx, ctx, sheet, input.reason.trim());
    await queueUpdates(
      tx,
      ctx,
      sheet.id,
      input.decision === 'approve' ? 'approved' : 'cancelled',
      input.decision === 'reject' ? input.reason.trim() : null,
      actorId,
      sheet.periodId,
    );
    return { ok: true as const, status: input.decision === 'approve' ? ('approved' as const) : ('cancelled' as const) };
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
    const rows = await tx
      .select({ id: approvals.id })
      .from(approvals)
      .where(and(eq(approvals.timesheetId, timesheetId), inArray(approvals.approverId, approvers)));
    if (rows.length === 0)
      return fail('not_an_approver', 'You are not an approver of this timesheet, so you cannot see it.');
    const overview = await sheetOverview(tx, timesheetId);
    return overview
      ? { ok: true as const, overview, timesheetId }
      : fail('no_timesheet', 'That timesheet no longer exists.');
  });
}

/** What became of a sheet that is no longer waiting: for the late or stale click. */
async function whatHappened(tx: Queryable, sheet: typeof timesheets.$inferSelect): Promise<string> {
  if (sheet.status === 'approved') return 'This timesheet is already approved; nothing to do.';
  if (sheet.status === 'cancelled') {
    const rejected = (
      await tx
        .select()
        .from(approvals)
        .where(and(eq(approvals.timesheetId, sheet.id), eq(approvals.status, 'rejected')))
    )[0];
    const by = rejected?.decidedBy ? await nameOfUser(tx, rejected.decidedBy) : 'an approver';
    return `This timesheet was already sent back by ${by} (${sheet.rejectionReason ?? 'no reason'}); nothing to do. A resubmitted version comes as a new message.`;
  }
  return 'This timesheet has not been submitted yet; nothing to decide.';
}

async function principalsOf(tx: Queryable, delegateId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: delegates.principalId })
    .from(delegates)
    .innerJoin(users, eq(users.id, delegates.principalId))
    .where(and(eq(delegates.delegateId, delegateId), eq(users.active, true)));
  return rows.map((r) => r.id);
}

async function nameOfUser(q: Queryable, userId: string): Promise<string> {
  return (await q.select({ name: users.displayName }).from(users).where(eq(users.id, userId)))[0]?.name ?? userId;
}

async function nameOfEmployee(q: Queryable, employeeId: number): Promise<string> {
  return (
    (await q.select({ name: employees.name }).from(employees).where(eq(employees.id, employeeId)))[0]?.name ??
    String(employeeId)
  );
}
