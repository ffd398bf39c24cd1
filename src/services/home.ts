import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import {
  customers,
  projectConsultants,
  projects,
  reportingPeriods,
  timeEntries,
  timesheets,
  users,
} from '../db/schema.js';
import type { Result } from '../domain/result.js';
import { type PendingApproval, pendingApprovals } from './approval-views.js';
import type { Right } from '../domain/rights.js';
import { type Principal, principalsFor } from './acting-as.js';
import { rightsOf } from './authorization.js';
import { type AwayState, awayState } from './away.js';
import { rightsFor } from './operations.js';
import type { ServiceContext } from './context.js';
import { consultantActing } from './entry-rules.js';
import { enqueueHomeRefresh, type Undelivered, undeliveredMessages } from './outbox.js';
import { type PrepaidBalance, prepaidBalances } from './prepaid-balance.js';
import { runningTimer, type RunningTimer } from './timers.js';
import { timesheetOverview, type TimesheetOverview } from './timesheets.js';

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

async function homeOverviewIn(
  ctx: ServiceContext,
): Promise<Result<{ home: HomeOverview; duties: HomeDuties; actingAs: ActingAs }>> {
  const userId = ctx.actor.kind === 'user' ? ctx.actor.userId : undefined;
  const actingFor = ctx.actor.kind === 'user' ? ctx.actor.actingFor : undefined;
  const principals = userId ? await principalsFor(ctx.db, userId) : [];
  const actingAs: ActingAs = { principals, current: principals.find((p) => p.userId === actingFor) ?? null };
  const pending = await pendingApprovals(ctx);
  const rights = userId !== undefined ? await rightsOf(ctx.db, userId) : new Set<Right>();
  const duties: HomeDuties = {
    approvals: pending.ok ? pending.pending : [],
    away: userId !== undefined && rights.has('approval') ? await awayState(ctx.db, userId) : null,
    undelivered: rights.has('admin') ? await undeliveredMessages(ctx.db, ctx.clock.now()) : null,
    reports: rightsFor('openReports').some((right) => rights.has(right)),
  };

  const who = await ctx.db.transaction(async (tx) => consultantActing(tx, ctx, 'viewOwnTimesheet'));
  if (!who.ok) {
    const user = userId
      ? await ctx.db.query.users.findFirst({ where: eq(users.id, userId), columns: { displayName: true } })
      : undefined;
    return {
      ok: true,
      home: { kind: 'not-a-consultant', name: user?.displayName ?? null, reason: who.error.message },
      duties,
      actingAs,
    };
  }
  const { consultant } = who;
  const sheet = await timesheetOverview(ctx);
  await ctx.pause?.('home:period-read');
  const timer = await runningTimer(ctx);

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

  const customerIds = await ctx.db
    .selectDistinct({ id: customers.id })
    .from(projectConsultants)
    .innerJoin(projects, eq(projects.id, projectConsultants.projectId))
    .innerJoin(customers, eq(customers.id, projects.customerId))
    .where(
      and(
        eq(projectConsultants.consultantId, consultant.employeeId),
        isNull(projectConsultants.archivedAt),
        eq(projects.active, true),
      ),
    );
  const name =
    (await ctx.db.query.users.findFirst({ where: eq(users.id, consultant.userId), columns: { displayName: true } }))
      ?.displayName ?? consultant.userId;

  return {
    ok: true,
    home: {
      kind: 'consultant',
      name,
      timesheet: sheet.ok ? sheet.overview : null,
      noPeriodReason: sheet.ok ? null : sheet.error.message,
      timer: timer.ok ? timer.timer : null,
      recent: recentRows.map(({ status, ...row }) => ({ ...row, editable: status === 'open' })),
      prepaid: await prepaidBalances(
        ctx.db,
        customerIds.map((c) => c.id),
      ),
    },
    duties,
    actingAs,
  };
}
