import { randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { type Database, type Queryable, queryRows, sqlList, type Transaction } from '../db/client.js';
import { approvals, projects, reportingPeriods, timeEntries, timesheets, users } from '../db/schema.js';
import { consultantUserOf, nameOfEmployee, nameOfUser } from './approval-people.js';
import type { ServiceContext } from './context.js';
import { enqueueMessage, type MessageContent } from './outbox.js';
import { prepaidBalances } from './prepaid-balance.js';

// The approval DMs (to approvers) and notices (to the consultant): their models, recomputed from the
// database at every change, and queued in the outbox inside the transaction that made the change.

export const APPROVAL_REQUEST = 'approval-request';
export const TIMESHEET_DECIDED = 'timesheet-decided';
export const TIME_REMOVED = 'time-removed';

/** The message for one approver about one sheet, as it stands now (rendered in blocks/). */
export type ApprovalRequestModel = {
  /** The approval this message decides: its buttons carry this id. */
  approvalId: number;
  timesheetId: number;
  approverId: string;
  /** The approver's own timesheet: they are the firm's only administrator, so they decide it themselves. */
  selfApproval: boolean;
  route: 'manager' | 'admin_fallback';
  /** `withdrawn`: the decision is no longer this approver's (`withdrawnBecause`). */
  myStatus: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  /**
   * Why the decision left this approver: the time they were asked about went with its project, or
   * the projects' approvers changed (they were taken off, lost the right, or a manager now decides
   * what administrators stood in for). Absent in DMs queued before it was kept: the time went.
   */
  withdrawnBecause?: 'time_removed' | 'no_longer_approver';
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
   * What approval deducts from prepaid customers: a sheet's billable prepaid time is deducted all at
   * once, when the last approver approves. `once` when others are still to approve: the deduction
   * then waits for them.
   */
  prepaid?: { customerName: string; deductMinutes: number; remainingAfterMinutes: number; once?: boolean }[];
  /** An administrator removed the sheet after it was approved: what they did, and the prepaid time given back. */
  removedAfterApproval?: ApprovedTimeRemoval & { byName: string };
};

/** An administrator deleting or sending back an approved sheet, with the prepaid time it gave back. */
export type ApprovedTimeRemoval = {
  action: 'deleted' | 'sent_back';
  reason: string | null;
  creditedBack: { customerName: string; minutes: number }[];
};

/** The consultant's notice that removed projects took time off their open or submitted sheet, and what became of it. */
export type TimeRemovedModel = {
  period: { startsOn: string; endsOn: string };
  removed: { code: string; minutes: number }[];
  /** `open`: the sheet was open, and stays so; the others: what became of a submitted sheet. */
  sheetNow: 'open' | 'submitted' | 'approved' | 'deleted';
};

/** The consultant's notice once the sheet is decided. */
export type TimesheetDecidedModel = {
  /** `deleted`: an administrator deleted the sheet (approved: `afterApproval`); its time is removed. */
  outcome: 'approved' | 'rejected' | 'deleted';
  /** An administrator took back an approval: the sheet was approved when it was sent back or deleted. */
  afterApproval?: boolean;
  period: { startsOn: string; endsOn: string };
  totalMinutes: number;
  billableMinutes: number;
  byName: string;
  reason: string | null;
  /** The open copy to fix and resubmit, after a rejection. */
  periodId: number;
  /** Whose sheet (its Open timesheet button acts on their time); absent in notices queued before it was kept. */
  consultantUserId?: string;
  /** The consultant decided it themselves, as the firm's only administrator. */
  selfDecided: boolean;
};

export const approvalRef = (timesheetId: number, approverId: string) => `approval:${timesheetId}:${approverId}`;

/** Where a sheet stands once a decision or a removal has been settled. */
export type SettledSheetStatus = 'submitted' | 'approved' | 'cancelled';

/**
 * Every approver's message shows the new state; the consultant hears once the sheet is decided.
 * Each change gets its own update (the row lock on the sheet orders them); the dispatcher sends
 * only the newest one per message.
 */
export async function queueUpdates(
  tx: Transaction,
  ctx: ServiceContext,
  timesheetId: number,
  sheetStatus: SettledSheetStatus,
  reason: string | null,
  deciderId: string,
  periodId: number,
): Promise<void> {
  const now = ctx.clock.now();
  await updateApproverMessages(tx, ctx, timesheetId, randomUUID(), (model) => model);
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
    consultantUserId: consultantUser,
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
      homeOf: consultantUser,
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
  for (const timesheetId of [...new Set(timesheetIds)].sort((a, b) => a - b))
    await updateApproverMessages(tx, ctx, timesheetId, 'deleted', (model) => ({ ...model, sheetStatus: 'deleted' }));
}

/**
 * An administrator deleted or sent back an approved sheet (in that transaction): every approver's
 * DM says so, with the prepaid time given back, and the consultant hears what became of the time.
 */
export async function notifyApprovedTimeRemoved(
  tx: Queryable,
  ctx: ServiceContext,
  sheet: typeof timesheets.$inferSelect,
  removal: ApprovedTimeRemoval,
  deciderId: string,
): Promise<void> {
  const byName = await nameOfUser(tx, deciderId);
  await updateApproverMessages(tx, ctx, sheet.id, 'removed', (model) => ({
    ...model,
    sheetStatus: removal.action === 'deleted' ? 'deleted' : 'cancelled',
    removedAfterApproval: { ...removal, byName },
  }));
  await tellConsultantOfRemoval(
    tx,
    ctx,
    sheet,
    { outcome: removal.action === 'deleted' ? 'deleted' : 'rejected', afterApproval: true, reason: removal.reason },
    byName,
    deciderId,
  );
}

/**
 * An administrator deleted an open or submitted sheet (in that transaction, before its rows go):
 * the consultant hears that its time is gone, as for an approved one.
 */
export async function notifySheetDeleted(
  tx: Queryable,
  ctx: ServiceContext,
  sheet: typeof timesheets.$inferSelect,
  deciderId: string,
): Promise<void> {
  const byName = await nameOfUser(tx, deciderId);
  await tellConsultantOfRemoval(
    tx,
    ctx,
    sheet,
    { outcome: 'deleted', afterApproval: false, reason: null },
    byName,
    deciderId,
    // An empty open or submitted sheet held nothing of theirs: nothing to tell.
    { unlessEmpty: true },
  );
}

async function tellConsultantOfRemoval(
  tx: Queryable,
  ctx: ServiceContext,
  sheet: typeof timesheets.$inferSelect,
  removal: Pick<TimesheetDecidedModel, 'outcome' | 'afterApproval' | 'reason'>,
  byName: string,
  deciderId: string,
  options: { unlessEmpty?: boolean } = {},
): Promise<void> {
  const consultantUser = await consultantUserOf(tx, sheet.id);
  if (!consultantUser) return;
  const entries = await tx
    .select({ minutes: timeEntries.minutes, billable: timeEntries.billable })
    .from(timeEntries)
    .where(eq(timeEntries.timesheetId, sheet.id));
  if (options.unlessEmpty && entries.length === 0) return;
  const period = (await tx.select().from(reportingPeriods).where(eq(reportingPeriods.id, sheet.periodId)))[0]!;
  const model: TimesheetDecidedModel = {
    ...removal,
    period: { startsOn: period.startsOn, endsOn: period.endsOn },
    totalMinutes: entries.reduce((sum, e) => sum + e.minutes, 0),
    billableMinutes: entries.filter((e) => e.billable).reduce((sum, e) => sum + e.minutes, 0),
    byName,
    periodId: sheet.periodId,
    consultantUserId: consultantUser,
    selfDecided: deciderId === consultantUser,
  };
  const key = `removed:${sheet.id}`;
  await enqueueMessage(
    tx,
    key,
    {
      kind: 'post',
      ref: key,
      channel: consultantUser,
      content: { template: TIMESHEET_DECIDED, model },
      homeOf: consultantUser,
    },
    ctx.clock.now(),
  );
}

/** Queues an update of every approver's DM about the sheet, its model recomputed and then adjusted. */
async function updateApproverMessages(
  tx: Queryable,
  ctx: ServiceContext,
  timesheetId: number,
  change: string,
  adjust: (model: ApprovalRequestModel) => ApprovalRequestModel,
): Promise<void> {
  const rows = await tx
    .select({ approverId: approvals.approverId })
    .from(approvals)
    .where(eq(approvals.timesheetId, timesheetId))
    .orderBy(asc(approvals.approverId));
  for (const { approverId } of rows) {
    const model = adjust(await approvalRequestModel(tx, timesheetId, approverId));
    const ref = approvalRef(timesheetId, approverId);
    await enqueueMessage(
      tx,
      `update:${ref}:${change}`,
      { kind: 'update', ref, content: { template: APPROVAL_REQUEST, model }, homeOf: approverId },
      ctx.clock.now(),
    );
  }
}

/** The consultant's notice that removed projects took time off their sheet. */
export async function notifyTimeRemoved(
  tx: Transaction,
  ctx: ServiceContext,
  sheet: Pick<typeof timesheets.$inferSelect, 'id' | 'periodId'>,
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
    {
      kind: 'post',
      ref: key,
      channel: consultantUser,
      content: { template: TIME_REMOVED, model },
      homeOf: consultantUser,
    },
    ctx.clock.now(),
  );
}

/**
 * An approver's DM as it stands when its update is sent, read again from the database in one
 * snapshot: a decision or a prepaid balance committed after the update was queued shows, whichever
 * of two concurrent changes queued last. Decisions and balance moves lock different rows (a sheet,
 * a customer), so the model queued with one may miss the other. A DM whose decision ended (the
 * approver withdrawn, the sheet deleted or its approved time removed) keeps its queued words: the
 * database no longer holds what they say.
 */
export async function currentApprovalContent(db: Database, content: MessageContent): Promise<MessageContent> {
  if (content.template !== APPROVAL_REQUEST) return content;
  const queued = content.model as ApprovalRequestModel;
  if (queued.myStatus === 'withdrawn' || queued.sheetStatus === 'deleted' || queued.removedAfterApproval)
    return content;
  return db.transaction(async (tx) => {
    await tx.execute(sql`set transaction isolation level repeatable read, read only`);
    const [still] = await tx
      .select({ id: approvals.id })
      .from(approvals)
      .where(and(eq(approvals.id, queued.approvalId), eq(approvals.approverId, queued.approverId)));
    if (!still) return content;
    return { template: APPROVAL_REQUEST, model: await approvalRequestModel(tx, queued.timesheetId, queued.approverId) };
  });
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
      approverId: approvals.approverId,
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
    prepaid: waiting
      ? await prepaidDeductionPreview(
          q,
          timesheetId,
          mine.projectIds,
          decisions.every((d) => d.approverId === approverId || d.status === 'approved'),
        )
      : [],
  };
}

/**
 * What approving deducts from each prepaid customer, and what is left after. A sheet's billable time
 * on a prepaid customer is deducted when the whole sheet is approved, all of it at once: the last
 * approver's DM names every such customer of the sheet; the others' name the customers of their own
 * projects, with the whole sheet's time on each, deducted once everyone has approved.
 */
async function prepaidDeductionPreview(
  q: Queryable,
  timesheetId: number,
  projectIds: number[],
  lastToDecide: boolean,
): Promise<NonNullable<ApprovalRequestModel['prepaid']>> {
  if (projectIds.length === 0 && !lastToDecide) return [];
  const charged = await queryRows<{ customer_id: number; minutes: number }>(
    q,
    sql`select p.customer_id, sum(te.minutes)::int as minutes
          from time_entries te join projects p on p.id = te.project_id
         where te.timesheet_id = ${timesheetId} and te.billable
           and ${lastToDecide ? sql`true` : sql`p.customer_id in (select customer_id from projects where id in (${sqlList(projectIds)}))`}
         group by p.customer_id`,
  );
  const minutesOf = new Map(charged.map((row) => [Number(row.customer_id), Number(row.minutes)]));
  const balances = await prepaidBalances(q, [...minutesOf.keys()]);
  return balances.map((balance) => ({
    customerName: balance.customerName,
    deductMinutes: minutesOf.get(balance.customerId)!,
    remainingAfterMinutes: balance.remainingMinutes - minutesOf.get(balance.customerId)!,
    ...(lastToDecide ? {} : { once: true }),
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
          join time_entries te on te.timesheet_id = t.id and te.billable
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
    await ctx.pause?.('credit-line:read');
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
