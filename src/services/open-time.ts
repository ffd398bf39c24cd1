import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows, sqlList, type Transaction } from '../db/client.js';
import { fail, type Result } from '../domain/result.js';
import { notifyTimeRemoved, type TimeRemovedModel } from './approval-messages.js';
import { recordRemovedEntries } from './audit.js';
import type { ServiceContext } from './context.js';
import { enqueueMessage } from './outbox.js';

/**
 * What removing projects takes with it: entries on open and submitted timesheets go (a submitted
 * sheet is settled again, see `dropSubmittedTimeOn`); approved and rejected (cancelled) time stays
 * for reports and makes its project archived instead of deleted.
 */
export type OpenTimeImpact = {
  openEntries: number;
  openSheets: number;
  submittedEntries: number;
  submittedSheets: number;
  keptEntries: number;
  /** Timers running on the projects: stopped, their time not saved. */
  runningTimers: number;
};

const NONE: OpenTimeImpact = {
  openEntries: 0,
  openSheets: 0,
  submittedEntries: 0,
  submittedSheets: 0,
  keptEntries: 0,
  runningTimers: 0,
};

/**
 * Locks every timesheet with time on these projects (`submitted` ones only, for a change of their
 * managers), in id order, in one statement, so a decision or a /log running at the same moment
 * either finishes first (and is counted) or waits for the removal. Sheets lock before the projects
 * do, the order those take them in; once the projects are locked, `sheetsGainedTimeOn` tells
 * whether a sheet gained time meanwhile. Returns the sheets locked.
 */
export async function lockSheetsWithTimeOn(
  tx: Queryable,
  projectIds: number[],
  status?: 'submitted',
): Promise<Set<number>> {
  if (projectIds.length === 0) return new Set();
  const rows = await queryRows<{ id: number }>(
    tx,
    sql`select id from timesheets
         where id in (select te.timesheet_id from time_entries te where te.project_id in (${sqlList(projectIds)}))
           ${status ? sql`and status = ${status}` : sql``}
         order by id for update`,
  );
  return new Set(rows.map((r) => Number(r.id)));
}

/**
 * After a removal locked its projects: whether a sheet it did not lock has gained time on them
 * since `lockSheetsWithTimeOn` looked. It must not lock that sheet now: a `/log` may hold it and
 * wait for one of the projects, a deadlock. The removal starts over instead (`timeMoved`,
 * `startingOverWhileTimeMoves`); while it holds the projects, no more time can reach them.
 */
export async function sheetsGainedTimeOn(tx: Queryable, projectIds: number[], locked: Set<number>): Promise<boolean> {
  return (await sheetsWithTimeOn(tx, projectIds)).some((id) => !locked.has(id));
}

async function sheetsWithTimeOn(tx: Queryable, projectIds: number[]): Promise<number[]> {
  if (projectIds.length === 0) return [];
  const rows = await queryRows<{ id: number }>(
    tx,
    sql`select distinct te.timesheet_id as id from time_entries te where te.project_id in (${sqlList(projectIds)})`,
  );
  return rows.map((r) => Number(r.id));
}

/** A removal's answer when time reached its projects while it locked them: its transaction rolls back. */
export function timeMoved() {
  return fail(
    'time_moved',
    'Time was being logged on these projects while they were being removed, so nothing was removed. Try again in a moment.',
  );
}

/** Attempts of a removal before `timeMoved` reaches the admin: each needs time logged in a gap of milliseconds. */
const REMOVAL_ATTEMPTS = 5;

/** Runs a removal's transaction again, from the start, each time it answers `timeMoved`. */
export async function startingOverWhileTimeMoves<T extends object>(
  removal: () => Promise<Result<T>>,
): Promise<Result<T>> {
  for (let attempt = 1; ; attempt++) {
    const answer = await removal();
    if (answer.ok || answer.error.code !== 'time_moved' || attempt === REMOVAL_ATTEMPTS) return answer;
  }
}

export async function timeOnProjects(q: Queryable, projectIds: number[]): Promise<OpenTimeImpact> {
  if (projectIds.length === 0) return NONE;
  const [counts] = await queryRows<{
    open_entries: number;
    open_sheets: number;
    submitted_entries: number;
    submitted_sheets: number;
    kept_entries: number;
    running_timers: number;
  }>(
    q,
    sql`select count(*) filter (where t.status = 'open')::int as open_entries,
               count(distinct t.id) filter (where t.status = 'open')::int as open_sheets,
               count(*) filter (where t.status = 'submitted')::int as submitted_entries,
               count(distinct t.id) filter (where t.status = 'submitted')::int as submitted_sheets,
               count(*) filter (where t.status in ('approved', 'cancelled'))::int as kept_entries,
               (select count(*) from timers where project_id in (${sqlList(projectIds)}))::int as running_timers
          from time_entries te join timesheets t on t.id = te.timesheet_id
         where te.project_id in (${sqlList(projectIds)})`,
  );
  return {
    openEntries: Number(counts?.open_entries ?? 0),
    openSheets: Number(counts?.open_sheets ?? 0),
    submittedEntries: Number(counts?.submitted_entries ?? 0),
    submittedSheets: Number(counts?.submitted_sheets ?? 0),
    keptEntries: Number(counts?.kept_entries ?? 0),
    runningTimers: Number(counts?.running_timers ?? 0),
  };
}

/** The projects among these that have approved or rejected time, so must be archived. */
export async function projectsWithHistory(q: Queryable, projectIds: number[]): Promise<Set<number>> {
  if (projectIds.length === 0) return new Set();
  const rows = await queryRows<{ project_id: number }>(
    q,
    sql`select distinct te.project_id from time_entries te join timesheets t on t.id = te.timesheet_id
         where te.project_id in (${sqlList(projectIds)}) and t.status in ('approved', 'cancelled')`,
  );
  return new Set(rows.map((r) => Number(r.project_id)));
}

/**
 * Deletes the time on open timesheets on these projects (audited, entry by entry), and timers
 * running on them. Each consultant is told what went, in a DM queued in the same transaction.
 */
export async function deleteOpenTimeOnProjects(
  tx: Transaction,
  ctx: ServiceContext,
  projectIds: number[],
  cause: string,
): Promise<void> {
  if (projectIds.length === 0) return;
  await tellOfOpenTimeRemoved(tx, ctx, projectIds);
  await recordRemovedEntries(tx, ctx, sql`t.status = 'open' and te.project_id in (${sqlList(projectIds)})`, cause);
  await tx.execute(sql`delete from time_entries te using timesheets t
                        where t.id = te.timesheet_id and t.status = 'open' and te.project_id in (${sqlList(projectIds)})`);
  const stopped = await queryRows<{ user_id: string; code: string; started_at: Date | string }>(
    tx,
    sql`delete from timers tm using projects p
         where p.id = tm.project_id and tm.project_id in (${sqlList(projectIds)})
     returning tm.user_id, p.code, tm.started_at`,
  );
  for (const timer of stopped) await notifyTimerRemoved(tx, ctx, timer);
}

/** Tells each consultant with open time on these projects how much of it goes, per project. */
async function tellOfOpenTimeRemoved(tx: Transaction, ctx: ServiceContext, projectIds: number[]): Promise<void> {
  const rows = await queryRows<{ sheet_id: number; period_id: number; code: string; minutes: number }>(
    tx,
    sql`select t.id as sheet_id, t.period_id, p.code, sum(te.minutes)::int as minutes
          from time_entries te join timesheets t on t.id = te.timesheet_id join projects p on p.id = te.project_id
         where t.status = 'open' and te.project_id in (${sqlList(projectIds)})
         group by t.id, t.period_id, p.code
         order by t.id, p.code`,
  );
  const bySheet = new Map<number, { periodId: number; removed: TimeRemovedModel['removed'] }>();
  for (const row of rows) {
    const sheet = bySheet.get(Number(row.sheet_id)) ?? { periodId: Number(row.period_id), removed: [] };
    sheet.removed.push({ code: row.code, minutes: Number(row.minutes) });
    bySheet.set(Number(row.sheet_id), sheet);
  }
  for (const [id, sheet] of bySheet)
    await notifyTimeRemoved(tx, ctx, { id, periodId: sheet.periodId }, sheet.removed, 'open');
}

export const TIMER_REMOVED = 'timer-removed';

/** The consultant's notice that their running timer went with its project, unsaved. */
export type TimerRemovedModel = { code: string; minutes: number };

async function notifyTimerRemoved(
  tx: Transaction,
  ctx: ServiceContext,
  timer: { user_id: string; code: string; started_at: Date | string },
): Promise<void> {
  const ran = ctx.clock.now().getTime() - new Date(timer.started_at).getTime();
  const model: TimerRemovedModel = { code: timer.code, minutes: Math.max(1, Math.round(ran / 60_000)) };
  const key = `timer-removed:${timer.user_id}:${randomUUID()}`;
  await enqueueMessage(
    tx,
    key,
    {
      kind: 'post',
      ref: key,
      channel: timer.user_id,
      content: { template: TIMER_REMOVED, model },
      homeOf: timer.user_id,
    },
    ctx.clock.now(),
  );
}
