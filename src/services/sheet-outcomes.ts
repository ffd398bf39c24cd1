import { and, asc, eq, sql } from 'drizzle-orm';
import type { Transaction } from '../db/client.js';
import { consultants, projectConsultants, timeEntries, timesheets } from '../db/schema.js';
import { notifyApprovedTimeRemoved, queueCreditLineUpdates } from './approval-messages.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { deductApprovedTime, reverseRemovedTime } from './credit-ledger.js';

// What approving or rejecting does to a sheet and its entries, whoever decided it (approver,
// administrator, or the sheet settling after time was removed or its approvers changed).

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

/**
 * One rejection rejects: the sheet is cancelled (kept) and an open copy with the same entries is
 * made, their rates unfrozen (an approved sheet sent back is priced again when approved again).
 */
export async function rejectSheet(
  tx: Transaction,
  ctx: ServiceContext,
  sheet: typeof timesheets.$inferSelect,
  reason: string,
  audited: Record<string, unknown> = {},
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
  // Each copy keeps when the entry was logged (App Home's last entries go by it), not when it was sent back.
  for (const { id: _id, timesheetId: _sheet, requestKey: _key, updatedAt: _updated, ...entry } of entries) {
    // The copy is new in this transaction, so no /log can have read it: its revision need not rise.
    await tx.insert(timeEntries).values({ ...entry, costRateCents: null, priceRateCents: null, timesheetId: copy!.id });
  }
  await recordAudit(tx, ctx, {
    action: 'timesheet.reject',
    entity: 'timesheet',
    entityId: sheet.id,
    after: { status: 'cancelled', reason, reopenedAs: copy!.id, ...audited },
  });
}

/**
 * An administrator deletes (`reason` null) or sends back an approved sheet whose time is on no live
 * invoice. Its prepaid deductions are reversed, and the sheet is cancelled and kept with its entries
 * and frozen rates: they are what the ledger's deduction and reversal (and any voided invoice) point
 * at, so the prepaid log keeps the whole story. Sent back, an open copy is made as for a rejection;
 * deleted, the sheet is marked so and leaves every list. Pay, reports and invoices read approved
 * sheets only, so the time leaves them. The managers' approvals stay as the record of what they
 * decided; their DMs and the consultant are told.
 */
export async function removeApprovedSheet(
  tx: Transaction,
  ctx: ServiceContext,
  sheet: typeof timesheets.$inferSelect,
  reason: string | null,
  deciderId: string,
): Promise<void> {
  const action = reason === null ? 'deleted' : 'sent_back';
  const reversals = await reverseRemovedTime(
    tx,
    ctx,
    sheet.id,
    action === 'deleted' ? 'Approved time deleted' : 'Approved time sent back for correction',
  );
  await queueCreditLineUpdates(
    tx,
    ctx,
    reversals.map((r) => r.customerId),
    sheet.id,
  );
  const reversed = reversals.map(({ customerCode, minutes }) => ({ customerCode, minutes }));
  if (reason !== null) await rejectSheet(tx, ctx, sheet, reason, { afterApproval: true, reversed });
  else {
    const now = ctx.clock.now();
    const [after] = await tx
      .update(timesheets)
      .set({ status: 'cancelled', deletedAt: now, decidedAt: now, updatedAt: now })
      .where(eq(timesheets.id, sheet.id))
      .returning();
    const [held] = await tx
      .select({
        entries: sql<number>`count(*)::int`,
        minutes: sql<number>`coalesce(sum(${timeEntries.minutes}), 0)::int`,
      })
      .from(timeEntries)
      .where(eq(timeEntries.timesheetId, sheet.id));
    await recordAudit(tx, ctx, {
      action: 'timesheet.delete',
      entity: 'timesheet',
      entityId: sheet.id,
      before: sheet,
      after: {
        ...after,
        afterApproval: true,
        entries: Number(held!.entries),
        minutes: Number(held!.minutes),
        reversed,
      },
    });
  }
  await notifyApprovedTimeRemoved(
    tx,
    ctx,
    sheet,
    {
      action,
      reason,
      creditedBack: reversals.map(({ customerName, minutes }) => ({ customerName, minutes })),
    },
    deciderId,
  );
}
