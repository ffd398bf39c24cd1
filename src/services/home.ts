import { and, asc, eq } from 'drizzle-orm';
import { delegates, users } from '../db/schema.js';
import type { Result } from '../domain/result.js';
import { approvalsWaitingFor, type PendingApproval } from './approval-views.js';
import type { Principal } from './acting-as.js';
import { decideAccess, readAccess } from './authorization.js';
import { type AwayState, awayState } from './away.js';
import { OPERATIONS, rightsFor } from './operations.js';
import type { ServiceContext } from './context.js';
import { consultantOf } from './entry-rules.js';
import { enqueueHomeRefresh, type Undelivered, undeliveredMessages } from './outbox.js';
import { readHomePage, type RecentEntry } from './home-page.js';
import type { PrepaidBalance } from './prepaid-balance.js';
import { type RunningTimer, timerRunning } from './timers.js';
import { NO_PERIOD_STARTED, overviewFrom, type TimesheetOverview } from './timesheets.js';

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
 * After a message told the user of a change their App Home shows (a decision waiting for them, their
 * sheet decided): their App Home is published again, and so are the App Homes of those who act for
 * them, which list the same decisions.
 */
export async function requestHomeRefreshAfterNotice(
  deps: Omit<ServiceContext, 'actor'>,
  userId: string,
): Promise<void> {
  const actingForThem = await deps.db
    .select({ userId: delegates.delegateId })
    .from(delegates)
    .innerJoin(users, and(eq(users.id, delegates.delegateId), eq(users.active, true)))
    .where(eq(delegates.principalId, userId))
    .orderBy(asc(delegates.delegateId));
  for (const user of [userId, ...actingForThem.map((row) => row.userId)])
    await enqueueHomeRefresh(deps.db, user, deps.clock.now());
}

/**
 * What App Home shows: for a consultant this period, the running timer, the last entries and
 * prepaid hours left; for everyone their pending approvals; for administrators undelivered messages.
 * The access read and the consultant's whole page are one statement (`readHomePage`); a manager's
 * approvals and away switch, and an administrator's undelivered messages, are read after it, each
 * only for those who have them.
 */
export async function homeOverview(
  ctx: ServiceContext,
): Promise<Result<{ home: HomeOverview; duties: HomeDuties; actingAs: ActingAs }>> {
  const { actor } = ctx;
  const read = actor.kind === 'user' ? await readHomePage(ctx.db, ctx, actor) : undefined;
  const access = read?.access ?? (await readAccess(ctx.db, ctx, { consultant: true, home: true }));
  const own = access.own!;
  const userId = actor.kind === 'user' ? actor.userId : undefined;
  const actingAs: ActingAs = {
    principals: own.principals,
    current: own.principals.find((p) => actor.kind === 'user' && p.userId === actor.actingFor) ?? null,
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
  // Only a Slack user is a consultant, and a user's page was read with their access.
  const { period, sheet, entries, timer, recent, prepaid } = read!.page;
  const shownSheet = sheet
    ? {
        status: sheet.status,
        submittedAt: sheet.submittedAt ? new Date(sheet.submittedAt) : null,
        submittedByName: sheet.submittedByName,
      }
    : undefined;
  return {
    ok: true,
    home: {
      kind: 'consultant',
      name: consultant.name,
      timesheet: period
        ? {
            ...overviewFrom(consultant, period, shownSheet, entries),
            previousPeriodId: period.previousId,
            nextPeriodId: period.nextId,
          }
        : null,
      noPeriodReason: period ? null : NO_PERIOD_STARTED,
      timer: timer ? timerRunning({ ...timer, startedAt: new Date(timer.startedAt) }, ctx.clock.now()) : null,
      recent,
      prepaid,
    },
    duties,
    actingAs,
  };
}
