import { and, eq, inArray, sql } from 'drizzle-orm';
import { sqlList, type Transaction } from '../db/client.js';
import { approvals, projects, timeEntries, timesheets } from '../db/schema.js';
import {
  notifyTimeRemoved,
  queueUpdates,
  type TimeRemovedModel,
  withdrawApprovalRequests,
} from './approval-messages.js';
import { withdraw } from './approval-routing.js';
import { recordAudit, recordRemovedEntries } from './audit.js';
import type { ServiceContext } from './context.js';
import { approveSheet } from './sheet-outcomes.js';

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
      if (!approval.projectIds.some((id) => left.has(id))) await withdraw(tx, ctx, approval, 'time_removed');
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
