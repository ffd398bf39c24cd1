import { and, desc, eq, inArray } from 'drizzle-orm';
import { projects, reportingPeriods, timeEntries, timesheets } from '../db/schema.js';
import type { Result } from '../domain/result.js';
import { approvalsWaitingFor, type PendingApproval } from './approval-views.js';
import type { Principal } from './acting-as.js';
import { decideAccess, readAccess } from './authorization.js';
import { type AwayState, awayState } from './away.js';
import { OPERATIONS, rightsFor } from './operations.js';
import type { ServiceContext } from './context.js';
import { consultantOf } from './entry-rules.js';
import { enqueueHomeRefresh, type Undelivered, undeliveredMessages } from './outbox.js';
import { assignedPrepaidBalances, type PrepaidBalance } from './prepaid-balance.js';
import { timerOf, type RunningTimer } from './timers.js';
import { consultantOverview, type TimesheetOverview } from './timesheets.js';

export type RecentEntry = {
  entryId: number;
  workDate: string;
  projectCode: string;
  minutes: number;
  description: string;
  billable: boolean;
  source: string;
  editable: boolean;
};

export type HomeOverview =
  | {
      kind: 'consultant';
      name: string;
      timesheet: TimesheetOverview | null;
      noPeriodReason: string | null;
      timer: RunningTimer | null;
      recent: RecentEntry[];
      prepaid: PrepaidBalance[];
    }
  /** Someone the app knows who logs no time (a manager, finance), or nobody yet. */
  | { kind: 'not-a-consultant'; name: string | null; reason: string };

/**
 * Decisions waiting for the user, (for managers) their away switch, and (for administrators)
 * messages that could not be delivered.
 */
export type HomeDuties = {
  approvals: PendingApproval[];
  away: AwayState | null;
  undelivered: Undelivered | null;
  reports: boolean;
};

/** For a delegate: whom they may act for, and whom App Home (and /log, /timesheet) acts for now. */
export type ActingAs = { principals: Principal[]; current: Principal | null };

/**
 * Queues a publish of the user's App Home with its latest state; the outbox retries it through
 * Slack's bad days, and a later change replaces it rather than queueing another.
 */
export async function requestHomeRefresh(deps: Omit<ServiceContext, 'actor'>, userId: string): Promise<void> {
  await enqueueHomeRefresh(deps.db, userId, deps.clock.now());
}

/**
 * What App Home shows: for a consultant this period, the running timer, the last entries and
 * prepaid hours left; for everyone their pending approvals; for administrators undelivered messages.
 */
export async function homeOverview(
  ctx: ServiceContext,
): Promise<Result<{ home: HomeOverview; duties: HomeDuties; actingAs: ActingAs }>> {
  // One snapshot for every part of the page: read piece by piece, a /log committing in between
  // showed its entry under "last entries" and a period total without it.
  return ctx.db.transaction((tx) => homeOverviewIn({ ...ctx, db: tx }), {
    isolationLevel: 'repeatable read',
    accessMode: 'read only',
  });
}

/**
 * The page's parts from one access read (the user's rights, their principals, the consultant they
 * act as): each part takes what it needs from it rather than checking access again.
 */
async function homeOverviewIn(
  ctx: ServiceContext,
): Promise<Result<{ home: HomeOverview; duties: HomeDuties; actingAs: ActingAs }>> {
  const userId = ctx.actor.kind === 'user' ? ctx.actor.userId : undefined;
  const actingFor = ctx.actor.kind === 'user' ? ctx.actor.actingFor : undefined;
  const access = await readAccess(ctx.db, ctx, { consultant: true, home: true });
  const own = access.own!;
  const actingAs: ActingAs = {
    principals: own.principals,
    current: own.principals.find((p) => p.userId === actingFor) ?? null,
  };
  const duties: HomeDuties = {
    approvals:
      userId !== undefined && own.approvalsPending
        ? await approvalsWaitingFor(
            ctx.db,
            userId,
            own.principals.map((p) => p.userId),
          )
        : [],
    away: userId !== undefined && own.rights.has('approval') ? await awayState(ctx.db, userId) : null,
    undelivered: own.rights.has('admin') ? await undeliveredMessages(ctx.db, ctx.clock.now()) : null,
    reports: rightsFor('openReports').some((right) => own.rights.has(right)),
  };

  const checked = await decideAccess(ctx.db, ctx, access, OPERATIONS.viewOwnTimesheet.right);
  const who = checked.ok ? await consultantOf(ctx.db, ctx, checked) : checked;
  if (!who.ok) {
    return {
      ok: true,
      home: { kind: 'not-a-consultant', name: own.name, reason: who.error.message },
      duties,
      actingAs,
    };
  }
  const { consultant } = who;
  const sheet = await consultantOverview(ctx.db, ctx, consultant);
  await ctx.pause?.('home:period-read');
  const timer = await timerOf(ctx.db, ctx, consultant.userId);

  // The last entries come from the consultant's two latest sheets, so the read stays the size of
  // two periods however many years of history the firm has.
  const recentSheets = ctx.db
    .select({ id: timesheets.id })
    .from(timesheets)
    .innerJoin(reportingPeriods, eq(reportingPeriods.id, timesheets.periodId))
    .where(
      and(
        eq(timesheets.consultantId, consultant.employeeId),
        inArray(timesheets.status, ['open', 'submitted', 'approved']),
      ),
    )
    .orderBy(desc(reportingPeriods.startsOn))
    .limit(2);
  const recentRows = await ctx.db
    .select({
      entryId: timeEntries.id,
      workDate: timeEntries.workDate,
      projectCode: projects.code,
      minutes: timeEntries.minutes,
      description: timeEntries.description,
      billable: timeEntries.billable,
      source: timeEntries.source,
      status: timesheets.status,
    })
    .from(timeEntries)
    .innerJoin(timesheets, eq(timesheets.id, timeEntries.timesheetId))
    .innerJoin(projects, eq(projects.id, timeEntries.projectId))
    .where(
      and(
        inArray(timeEntries.timesheetId, recentSheets),
        inArray(timesheets.status, ['open', 'submitted', 'approved']),
      ),
    )
    .orderBy(desc(timeEntries.createdAt), desc(timeEntries.id))
    .limit(5);

  return {
    ok: true,
    home: {
      kind: 'consultant',
      name: consultant.name,
      timesheet: sheet.ok ? sheet.overview : null,
      noPeriodReason: sheet.ok ? null : sheet.error.message,
      timer: timer ?? null,
      recent: recentRows.map(({ status, ...row }) => ({ ...row, editable: status === 'open' })),
      prepaid: await assignedPrepaidBalances(ctx.db, consultant.employeeId),
    },
    duties,
    actingAs,
  };
}
