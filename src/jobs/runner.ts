import cron, { type ScheduledTask } from 'node-cron';
import type { ServiceContext } from '../services/context.js';
import { claimRun, failRun, finishRun, knownSlots, type RunClaim, skipRuns } from './claims.js';
import type { DueUnit, Job } from './job.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export type RunnerOptions = {
  /** A system context (actor `job`): its clock stamps claims and records. */
  ctx: ServiceContext;
  jobs: readonly Job[];
  /** How long a claim is held before another instance may take it over. */
  leaseMs?: number;
  /** Tries per unit, the first included. */
  maxAttempts?: number;
  /** Work due this long ago is still done late; older work is recorded as skipped. */
  catchUpMs?: number;
  /** How far back the start looks for work to record as skipped. */
  skipHorizonMs?: number;
  /** Told what each unit this instance ran came to (the job runs metric). */
  counted?: (job: string, outcome: RunOutcome, count: number) => void;
};

/** What happened to one unit in a tick. */
export type UnitReport = {
  job: string;
  slot: string;
  outcome: 'done' | 'failed' | 'gave-up' | 'finished-before' | 'held' | 'lost';
  detail: string;
};

/** What a unit this instance ran (or skipped as too old) came to; not the units it found done or held. */
export type RunOutcome = Extract<UnitReport['outcome'], 'done' | 'failed' | 'gave-up' | 'lost'> | 'skipped';

class LostClaim extends Error {}

/** Waits before the next try after failure `attempts`: 1, 2, 4, 8 … minutes, at most an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(HOUR, MINUTE * 2 ** (attempts - 1));
}

/**
 * Runs scheduled jobs exactly once across app instances on one database. Every instance ticks
 * each minute; each tick asks every job what is due in the last `catchUpMs` and claims each unit in
 * `job_runs` (src/jobs/claims.ts) before doing it, so downtime shorter than that is caught up by
 * the first tick, once. The unit's work and its "done" record commit together.
 */
export class JobRunner {
  private readonly ctx: ServiceContext;
  private readonly jobs: readonly Job[];
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly catchUpMs: number;
  private readonly skipHorizonMs: number;
  private readonly counted: NonNullable<RunnerOptions['counted']>;
  private task: ScheduledTask | undefined;
  private ticking: Promise<unknown> | undefined;

  constructor(options: RunnerOptions) {
    this.ctx = options.ctx;
    this.jobs = options.jobs;
    this.leaseMs = options.leaseMs ?? 5 * MINUTE;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.catchUpMs = options.catchUpMs ?? 24 * HOUR;
    this.skipHorizonMs = options.skipHorizonMs ?? 7 * 24 * HOUR;
    this.counted = options.counted ?? (() => {});
  }

  get jobNames(): string[] {
    return this.jobs.map((job) => job.name);
  }

  /**
   * Records what fell due too long ago as skipped, catches up the rest, then ticks at the start of
   * every minute (node-cron). A tick still running when the next is due makes that one a no-op.
   */
  async start(): Promise<void> {
    this.task = cron.schedule('* * * * *', () => this.scheduledTick(), { name: 'consultracker-jobs' });
    if (this.ticking) return;
    this.ticking = this.catchUp(this.ctx.clock.now())
      .catch((error: unknown) => this.ctx.log.error('catching up scheduled work failed', { error }))
      .finally(() => (this.ticking = undefined));
    await this.ticking;
  }

  /** At start: what fell due too long ago is recorded as skipped, then the last 24 hours are done. */
  async catchUp(now: Date): Promise<UnitReport[]> {
    await this.skipStale(now);
    return this.tick(now);
  }

  /** Stops the minute tick and waits for a tick in progress; no timer is left behind. */
  async stop(): Promise<void> {
    if (this.task) await this.task.destroy();
    this.task = undefined;
    await this.ticking;
  }

  private async scheduledTick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = this.tick(this.ctx.clock.now())
      .catch((error: unknown) => this.ctx.log.error('a job tick failed', { error }))
      .finally(() => (this.ticking = undefined));
    await this.ticking;
  }

  /**
   * Units that fell due between the skip horizon and the catch-up window are recorded as skipped,
   * unless the same slot is due again within the window (a period close that was ready before an
   * outage is still due at its deadline).
   */
  async skipStale(now: Date): Promise<void> {
    const window = {
      from: new Date(now.getTime() - this.skipHorizonMs),
      to: new Date(now.getTime() - this.catchUpMs),
    };
    for (const job of this.jobs) {
      const stillDue = new Set(
        (await job.due(this.ctx.db, this.ctx, { from: window.to, to: now })).map((unit) => unit.slot),
      );
      const units = (await job.due(this.ctx.db, this.ctx, window)).filter((unit) => !stillDue.has(unit.slot));
      const reason = `due ${this.catchUpMs / HOUR} h or more before the app started`;
      const skipped = await skipRuns(
        this.ctx.db,
        job.name,
        units.map((unit) => unit.slot),
        now,
        reason,
      );
      if (skipped) {
        this.counted(job.name, 'skipped', skipped);
        this.ctx.log.warn('scheduled work too old to do late was skipped', { job: job.name, skipped });
      }
    }
  }

  /** Does everything due at `at` (and not yet done) of every job. */
  async tick(at: Date): Promise<UnitReport[]> {
    const reports: UnitReport[] = [];
    for (const job of this.jobs) {
      try {
        reports.push(...(await this.runDue(job, at)));
      } catch (error) {
        this.ctx.log.error('a job could not list its work', { job: job.name, error });
      }
    }
    return reports;
  }

  /** One job as the scheduler would run it at `at` (the command line's `jobs run`). */
  async runJob(name: string, at: Date): Promise<UnitReport[]> {
    const job = this.jobs.find((candidate) => candidate.name === name);
    if (!job) throw new Error(`no job named ${name}`);
    return this.runDue(job, at);
  }

  private async runDue(job: Job, at: Date): Promise<UnitReport[]> {
    const units = await job.due(this.ctx.db, this.ctx, { from: new Date(at.getTime() - this.catchUpMs), to: at });
    if (units.length === 0) return [];
    const known = await knownSlots(
      this.ctx.db,
      job.name,
      units.map((unit) => unit.slot),
    );
    const reports: UnitReport[] = [];
    for (const unit of units) {
      const state = known.get(unit.slot);
      const report = (outcome: UnitReport['outcome'], detail: string) =>
        reports.push({ job: job.name, slot: unit.slot, outcome, detail });
      if (state?.finished) {
        report('finished-before', 'already done');
        continue;
      }
      const now = this.ctx.clock.now();
      if (state?.claimableAt && state.claimableAt > now) {
        report('held', `not before ${state.claimableAt.toISOString()}`);
        continue;
      }
      const claim = await claimRun(this.ctx.db, job.name, unit.slot, now, this.leaseMs);
      if (!claim) {
        report('held', 'claimed by another instance');
        continue;
      }
      const done = await this.execute(job, unit, claim);
      this.counted(job.name, done.outcome, 1);
      reports.push(done);
    }
    return reports;
  }

  private async execute(job: Job, unit: DueUnit, claim: RunClaim): Promise<UnitReport & { outcome: RunOutcome }> {
    const base = { job: job.name, slot: unit.slot };
    await this.ctx.pause?.('job:claimed');
    try {
      const detail = await this.ctx.db.transaction(async (tx) => {
        const result = await job.run(tx, this.ctx, unit);
        if (!(await finishRun(tx, claim, this.ctx.clock.now(), result))) throw new LostClaim();
        return result;
      });
      return { ...base, outcome: 'done', detail };
    } catch (error) {
      if (error instanceof LostClaim) {
        // Our lease ran out and another instance took the unit over: our work was rolled back.
        return { ...base, outcome: 'lost', detail: 'taken over by another instance; nothing done here' };
      }
      const message = error instanceof Error ? error.message : String(error);
      const now = this.ctx.clock.now();
      const retry = claim.attempts < this.maxAttempts;
      const retryAt = retry ? new Date(now.getTime() + backoffMs(claim.attempts)) : undefined;
      this.ctx.log.warn('a scheduled unit failed', { ...base, attempts: claim.attempts, error: message });
      await failRun(this.ctx.db, claim, now, message, retryAt);
      return retry
        ? { ...base, outcome: 'failed', detail: `${message}; retried after ${retryAt!.toISOString()}` }
        : { ...base, outcome: 'gave-up', detail: `${message}; gave up after ${claim.attempts} attempts` };
    }
  }
}
