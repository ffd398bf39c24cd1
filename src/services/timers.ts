import { eq, sql } from 'drizzle-orm';
import { type Queryable, queryRows, type Transaction } from '../db/client.js';
import { customers, projects, timers } from '../db/schema.js';
import { dateInZone } from '../domain/dates.js';
import { formatMinutes, MINUTES_PER_DAY } from '../domain/duration.js';
import { minutesPerDay } from '../domain/zoned-time.js';
import { type Failure, fail, type Result } from '../domain/result.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { rollback, serviceTransaction } from './transaction.js';
import { checkFields, consultantActing, lockSheetsBetween, placeEntry, todayOf } from './entry-rules.js';
import { type Consultant, insertEntry, type SavedEntry } from './time-entries.js';

/** Past this a timer was probably forgotten: saving more needs the user's say-so. */
export const LONG_TIMER_MINUTES = 10 * 60;

export type RunningTimer = {
  projectCode: string;
  projectName: string;
  customerName: string;
  description: string;
  billable: boolean;
  meeting: boolean;
  startedAt: Date;
  elapsedMinutes: number;
};

export type StopOutcome =
  /** One entry per calendar day the timer ran on, in the consultant's zone. */
  | { kind: 'saved'; entries: SavedEntry[] }
  /** Ran past LONG_TIMER_MINUTES: nothing saved yet; the user chooses how much to keep. */
  | { kind: 'needs-confirmation'; timer: RunningTimer }
  /**
   * Its time cannot be saved where it ran (taken off the project, the sheet submitted, no period):
   * nothing saved, the timer keeps running, and the way out is to discard it.
   */
  | { kind: 'unsavable'; timer: RunningTimer; reason: string };

/** How much of a long timer to save: all of it (if it fits in a day) or ten hours. */
export type KeepChoice = 'elapsed' | 'ten-hours';

/**
 * Starts a timer on a project. A timer already running is stopped and saved first, in the same
 * transaction, unless it ran so long that the user must decide what to keep.
 */
export async function startTimer(
  ctx: ServiceContext,
  input: { projectCode: string; description: string; billable: boolean; meeting: boolean },
): Promise<Result<{ timer: RunningTimer; stopped: SavedEntry[] }>> {
  const description = input.description.trim();
  if (description.length > 500)
    return fail(
      'description_too_long',
      `The description has ${description.length} characters; keep it to 500.`,
      'description',
    );

  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'runTimer');
    if (!who.ok) return who;
    const { consultant } = who;
    await lockForSavingTimer(tx, ctx, consultant, input.projectCode);
    await ctx.pause?.('timer:saving-locked');
    // The project, today's period and an open timesheet are checked now, not eight hours later.
    const placed = await placeEntry(tx, ctx, consultant, {
      projectCode: input.projectCode,
      minutes: 1,
      description: description || 'timer',
      billable: input.billable,
    });
    if (!placed.ok) return placed;

    let stopped: SavedEntry[] = [];
    const previous = await takeTimer(tx, consultant.userId);
    if (previous) {
      const outcome = await saveTimer(tx, ctx, consultant, previous, undefined);
      if (!outcome.ok) return outcome;
      if (outcome.outcome.kind === 'needs-confirmation') {
        return fail(
          'timer_needs_decision',
          `Your timer on ${previous.projectCode} has run ${formatMinutes(outcome.outcome.timer.elapsedMinutes)}. Stop it with \`/log stop\` and choose what to keep, then start the new one.`,
        );
      }
      if (outcome.outcome.kind === 'unsavable')
        return fail(
          'timer_unsavable',
          `Your timer on ${previous.projectCode} cannot be saved: ${outcome.outcome.reason} Stop it with \`/log stop\` to discard it, then start the new one.`,
        );
      stopped = outcome.outcome.entries;
    }

    const [row] = await tx
      .insert(timers)
      .values({
        userId: consultant.userId,
        projectId: placed.projectId,
        description,
        billable: input.billable,
        meeting: input.meeting,
        startedAt: ctx.clock.now(),
        startedBy: ctx.actor.kind === 'user' ? ctx.actor.userId : consultant.userId,
      })
      .returning();
    await recordAudit(tx, ctx, { action: 'timer.start', entity: 'timer', entityId: consultant.userId, after: row });
    const timer = await timerOf(tx, ctx, consultant.userId);
    return { ok: true as const, timer: timer!, stopped };
  });
}

/**
 * Stops the running timer and saves its time: one entry per day it ran on (a timer past midnight
 * makes two), in the consultant's zone. `description` replaces the one given at start. A timer
 * past ten hours is only saved with a `keep` choice.
 */
export async function stopTimer(
  ctx: ServiceContext,
  input: { description?: string; keep?: KeepChoice } = {},
): Promise<Result<{ outcome: StopOutcome }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'runTimer');
    if (!who.ok) return who;
    if (!(await lockForSavingTimer(tx, ctx, who.consultant)))
      return fail('timer_project_removed', 'The project your timer ran on was just removed, and the timer with it.');
    // Taking the row is the guard: of two concurrent stops (a double click), only one finds it.
    const timer = await takeTimer(tx, who.consultant.userId);
    if (!timer) return fail('no_timer', 'No timer is running. Start one with `/log start PROJECT what you are doing`.');
    if (input.description?.trim()) timer.description = input.description.trim();
    const outcome = await saveTimer(tx, ctx, who.consultant, timer, input.keep);
    if (!outcome.ok) return outcome;
    // Nothing is saved until the user decides (or discards what cannot be saved): the timer keeps running.
    if (outcome.outcome.kind !== 'saved') rollback(outcome);
    return outcome;
  });
}

/** Throws the timer away without saving anything. */
export async function discardTimer(ctx: ServiceContext): Promise<Result<{ discarded: RunningTimer }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'runTimer');
    if (!who.ok) return who;
    const current = await timerOf(tx, ctx, who.consultant.userId);
    const taken = await takeTimer(tx, who.consultant.userId);
    if (!taken || !current) return fail('no_timer', 'No timer is running, so there is nothing to discard.');
    await recordAudit(tx, ctx, {
      action: 'timer.discard',
      entity: 'timer',
      entityId: who.consultant.userId,
      before: taken,
    });
    return { ok: true as const, discarded: current };
  });
}

/** The consultant's running timer, if any. */
export async function runningTimer(ctx: ServiceContext): Promise<Result<{ timer: RunningTimer | null }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'runTimer');
    if (!who.ok) return who;
    return { ok: true as const, timer: (await timerOf(tx, ctx, who.consultant.userId)) ?? null };
  });
}

/**
 * Locks what saving the user's running timer may touch in the order a removal of its project takes
 * them, before the timer's own row, which that removal deletes once it holds the projects: the
 * sheets of every day it ran on, in id order (`lockSheetsBetween`), then its project with the one a
 * new timer starts on (`newProjectCode`), in id order. Taken the other way round, the two would
 * wait for each other. The timer is read without a lock first. False when its project was removed
 * or archived meanwhile, and the timer with it.
 */
async function lockForSavingTimer(
  tx: Transaction,
  ctx: ServiceContext,
  consultant: Consultant,
  newProjectCode?: string,
): Promise<boolean> {
  const [running] = await tx
    .select({ startedAt: timers.startedAt, projectId: timers.projectId })
    .from(timers)
    .where(eq(timers.userId, consultant.userId));
  if (!running) return true;
  const started = dateInZone(running.startedAt, consultant.timeZone);
  await lockSheetsBetween(tx, consultant.employeeId, started, todayOf(ctx, consultant));
  const held = await queryRows<{ id: number }>(
    tx,
    sql`select id from ${projects}
         where archived_at is null
           and (id = ${running.projectId} or code = ${newProjectCode?.trim().toUpperCase() ?? null})
         order by id for key share`,
  );
  return held.some((project) => project.id === running.projectId);
}

type TakenTimer = typeof timers.$inferSelect & { projectCode: string };

async function takeTimer(tx: Transaction, userId: string): Promise<TakenTimer | undefined> {
  const [row] = await tx.delete(timers).where(eq(timers.userId, userId)).returning();
  if (!row) return undefined;
  const project = await tx.query.projects.findFirst({ where: eq(projects.id, row.projectId), columns: { code: true } });
  return { ...row, projectCode: project!.code };
}

async function saveTimer(
  tx: Transaction,
  ctx: ServiceContext,
  consultant: Consultant,
  timer: TakenTimer,
  keep: KeepChoice | undefined,
): Promise<{ ok: true; outcome: StopOutcome } | { ok: false; error: Failure }> {
  const elapsed = elapsedMinutes(timer.startedAt, ctx.clock.now());
  if (elapsed > LONG_TIMER_MINUTES && keep === undefined) {
    return { ok: true, outcome: { kind: 'needs-confirmation', timer: await describeTimer(tx, timer, elapsed) } };
  }
  if (keep === 'elapsed' && elapsed > MINUTES_PER_DAY) {
    return fail(
      'timer_too_long',
      `The timer ran ${formatMinutes(elapsed)}, more than one day can hold. Save 10h, or discard it and log the time yourself.`,
    );
  }
  const minutes = keep === 'ten-hours' ? Math.min(elapsed, LONG_TIMER_MINUTES) : elapsed;
  const entries: SavedEntry[] = [];
  for (const day of minutesPerDay(timer.startedAt, minutes, consultant.timeZone)) {
    const entry = {
      projectCode: timer.projectCode,
      date: { kind: 'iso' as const, date: day.date },
      minutes: day.minutes,
      description: timer.description,
      billable: timer.billable,
      source: timer.meeting ? ('meeting' as const) : ('timer' as const),
    };
    const invalid = checkFields(entry);
    if (invalid) {
      return invalid.code === 'description_required'
        ? fail(
            'description_required',
            'Say what you worked on to save the timer, e.g. `/log stop fixed the login page`.',
            'description',
          )
        : { ok: false, error: invalid };
    }
    const saved = await insertEntry(tx, ctx, consultant, entry);
    if (!saved.ok)
      return {
        ok: true,
        outcome: { kind: 'unsavable', timer: await describeTimer(tx, timer, elapsed), reason: saved.error.message },
      };
    entries.push(saved.entry);
  }
  await recordAudit(tx, ctx, { action: 'timer.stop', entity: 'timer', entityId: consultant.userId, before: timer });
  return { ok: true, outcome: { kind: 'saved', entries } };
}

/** Minutes between start and now, to the nearest minute, and at least one. */
function elapsedMinutes(startedAt: Date, now: Date): number {
  return Math.max(1, Math.round((now.getTime() - startedAt.getTime()) / 60_000));
}

/** The user's running timer with its project and customer, in one read. */
export async function timerOf(q: Queryable, ctx: ServiceContext, userId: string): Promise<RunningTimer | undefined> {
  const [row] = await q
    .select({
      timer: timers,
      projectCode: projects.code,
      projectName: projects.name,
      customerName: customers.name,
    })
    .from(timers)
    .innerJoin(projects, eq(projects.id, timers.projectId))
    .innerJoin(customers, eq(customers.id, projects.customerId))
    .where(eq(timers.userId, userId));
  if (!row) return undefined;
  const { timer } = row;
  return timerRunning(
    {
      projectCode: row.projectCode,
      projectName: row.projectName,
      customerName: row.customerName,
      description: timer.description,
      billable: timer.billable,
      meeting: timer.meeting,
      startedAt: timer.startedAt,
    },
    ctx.clock.now(),
  );
}

/** A timer as read, with the minutes it has run until `now`. */
export function timerRunning(timer: Omit<RunningTimer, 'elapsedMinutes'>, now: Date): RunningTimer {
  return { ...timer, elapsedMinutes: elapsedMinutes(timer.startedAt, now) };
}

async function describeTimer(tx: Queryable, timer: TakenTimer, elapsed: number): Promise<RunningTimer> {
  const [row] = await tx
    .select({ projectName: projects.name, customerName: customers.name })
    .from(projects)
    .innerJoin(customers, eq(customers.id, projects.customerId))
    .where(eq(projects.id, timer.projectId));
  return {
    projectCode: timer.projectCode,
    projectName: row?.projectName ?? '',
    customerName: row?.customerName ?? '',
    description: timer.description,
    billable: timer.billable,
    meeting: timer.meeting,
    startedAt: timer.startedAt,
    elapsedMinutes: elapsed,
  };
}
