import { and, eq, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { approvals, reportingPeriods, timesheets } from '../db/schema.js';
import { formatDay } from '../domain/dates.js';
import { type Failure, fail, type Result } from '../domain/result.js';
import {
  notifySheetDeleted,
  type SettledSheetStatus,
  queueUpdates,
  withdrawApprovalRequests,
} from './approval-messages.js';
import {
  consultantUserOf,
  isOnlyAdministrator,
  managersOf,
  nameOfEmployee,
  nameOfUser,
  principalsOf,
} from './approval-people.js';
import { recordAudit, recordRemovedEntries } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { liveInvoiceOfTimesheet } from './invoices.js';
import { OPERATIONS } from './operations.js';
import { approveSheet, rejectSheet, removeApprovedSheet } from './sheet-outcomes.js';
import type { TimesheetStatus } from './timesheets.js';
import { serviceTransaction } from './transaction.js';

// Deciding a submitted sheet: an approver (or their delegate) on their own approval, or an
// administrator on the whole sheet, including deleting it.

export const MAX_REASON_LENGTH = 500;

/** A decision on one approval: the button or list row names it; everything else is read from the database. */
export type Decision =
  { approvalId: number; decision: 'approve' } | { approvalId: number; decision: 'reject'; reason: string };
export type DecisionOutcome = {
  sheetStatus: SettledSheetStatus;
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
    if (mine.status !== 'pending' && mine.route === 'admin_fallback' && mine.decidedBy !== clicker && !onBehalf)
      return fail(
        'already_decided',
        `${await nameOfUser(tx, mine.decidedBy ?? '')} already approved this timesheet for the administrators; it is still waiting for the other approvers.`,
      );
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
    // Administrators stand in for a missing manager together: one's approval is theirs all.
    if (mine.route === 'admin_fallback' && input.decision === 'approve') {
      const standIns = await tx
        .update(approvals)
        .set({ status: 'approved', decidedBy: clicker, decidedAt: now, updatedAt: now })
        .where(
          and(
            eq(approvals.timesheetId, sheet.id),
            eq(approvals.route, 'admin_fallback'),
            eq(approvals.status, 'pending'),
          ),
        )
        .returning();
      for (const standIn of standIns)
        await recordAudit(tx, decider, {
          action: 'approval.approve_as_administrators',
          entity: 'timesheet',
          entityId: sheet.id,
          before: { ...standIn, status: 'pending', decidedBy: null, decidedAt: null },
          after: standIn,
        });
    }

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

/** Which sheets an administrator can send back or delete (approving needs a submitted one too). */
export const ADMIN_DECIDABLE: Record<'reject' | 'delete', readonly TimesheetStatus[]> = {
  reject: ['submitted', 'approved'],
  delete: ['open', 'submitted', 'approved'],
};

/**
 * An administrator's decision on one sheet, bypassing its managers: approve (fully), reject (with a
 * reason) or delete. An approved sheet can be sent back or deleted while none of its time is on a
 * live invoice: its prepaid deductions are reversed in the same transaction (see `removeApprovedSheet`).
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
    if (!sheet || sheet.deletedAt) return fail('no_timesheet', 'That timesheet no longer exists.');
    await ctx.pause?.('admin-decide:sheet-locked');
    const actorId = ctx.actor.kind === 'user' ? ctx.actor.userId : 'system';
    if (sheet.status === 'approved') {
      if (input.decision === 'approve')
        return fail('already_decided', 'That timesheet is already approved; nothing to do.');
      // Drafting an invoice locks its customers first: a draft holding this time has committed
      // (and is seen below), or waits and then finds the time no longer approved.
      await tx.execute(sql`select id from customers where id in (select p.customer_id from time_entries te
                             join projects p on p.id = te.project_id where te.timesheet_id = ${sheet.id})
                           order by id for update`);
      await ctx.pause?.('admin-decide:customers-locked');
      const invoiced = await liveInvoiceOfTimesheet(tx, sheet.id);
      if (invoiced)
        return fail(
          'invoiced',
          `That timesheet's time is on ${invoiced.label} (${invoiced.customerCode}), so it cannot be deleted or sent back: void that invoice first. Approved time is kept for pay and invoices.`,
        );
      const own = await ownSheetRefusal(tx, ctx, sheet.id);
      if (own.refused) return own.refused;
      if (input.decision === 'reject') {
        const period = (await tx.select().from(reportingPeriods).where(eq(reportingPeriods.id, sheet.periodId)))[0]!;
        if (period.archivedAt) return fail('period_deleted', periodDeleted(period));
      }
      await removeApprovedSheet(tx, ctx, sheet, input.decision === 'reject' ? input.reason.trim() : null, actorId);
      return { ok: true as const, status: input.decision === 'reject' ? ('cancelled' as const) : ('deleted' as const) };
    }
    if (input.decision === 'delete') {
      if (sheet.status === 'cancelled')
        return fail('cancelled', 'A cancelled timesheet is kept as the record of a rejection.');
      // Deleting one's own submitted sheet would send it back by another name.
      if (sheet.status === 'submitted') {
        const own = await ownSheetRefusal(tx, ctx, sheet.id);
        if (own.refused) return own.refused;
      }
      await withdrawApprovalRequests(tx, ctx, [sheet.id]);
      await notifySheetDeleted(tx, ctx, sheet, actorId);
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
    const { own, refused } = await ownSheetRefusal(tx, ctx, sheet.id);
    if (refused) return refused;
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

/**
 * Nobody decides on, or removes, their own timesheet as an administrator, except the firm's only
 * administrator acting as themself (`own` then says it is a self-decision).
 */
async function ownSheetRefusal(
  tx: Queryable,
  ctx: ServiceContext,
  timesheetId: number,
): Promise<{ own: boolean; refused?: { ok: false; error: Failure } }> {
  const consultantUser = await consultantUserOf(tx, timesheetId);
  const own =
    ctx.actor.kind === 'user' &&
    consultantUser !== null &&
    (ctx.actor.userId === consultantUser || ctx.actor.actingFor === consultantUser);
  if (own && !(ctx.actor.kind === 'user' && !ctx.actor.actingFor && (await isOnlyAdministrator(tx, ctx.actor.userId))))
    return {
      own,
      refused: fail(
        'own_timesheet',
        'Nobody decides on their own timesheet, not even as an administrator: another administrator decides it.',
      ),
    };
  return { own };
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
    if (sheet.deletedAt) return 'An administrator deleted this timesheet after it was approved; nothing to do.';
    // No rejected decision: an administrator sent it back after it was approved.
    const by = rejected?.decidedBy ? await nameOfUser(tx, rejected.decidedBy) : 'an administrator';
    return `This timesheet was already sent back by ${by} (${sheet.rejectionReason ?? 'no reason'}); nothing to do. A resubmitted version comes as a new message.`;
  }
  return 'This timesheet has not been submitted yet; nothing to decide.';
}
