/**
 * /admin > Scheduled jobs: each job with the settings that steer it and the last runs, and Run now.
 * The jobs themselves live in src/jobs; this service is handed their descriptions and a way to run
 * one (the app's runner), so it authorises and reads without knowing how a job works.
 */
import { desc } from 'drizzle-orm';
import { jobRuns } from '../db/schema.js';
import { SETTING_FIELDS, type SettingKey } from '../domain/settings.js';
import { recordAudit } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS } from './operations.js';
import { fail, type Result } from '../domain/result.js';
import { readSettings } from './settings.js';

/** What the page shows of a job (a `Job` from src/jobs fits). */
export type JobDescription = { name: string; description: string; settings: readonly SettingKey[] };

/** What one unit came to when run now (the runner's `UnitReport`). */
export type JobUnitReport = { slot: string; outcome: string; detail: string };

/** Runs a job as the scheduler would at `at`, claiming the same keys. */
export type RunJob = (name: string, at: Date) => Promise<JobUnitReport[]>;

export type ScheduledJobsView = {
  jobs: { name: string; description: string; settings: { label: string; value: string }[] }[];
  runs: {
    job: string;
    slot: string;
    startedAt: Date;
    finishedAt: Date | null;
    result: string | null;
    error: string | null;
  }[];
};

/** Runs listed on the page, newest first (a modal holds 100 blocks). */
const RUNS_SHOWN = 20;

/** The page: each job with its settings as saved (empty: the default its hint names), and the last runs. */
export async function scheduledJobsOverview(
  ctx: ServiceContext,
  jobs: readonly JobDescription[],
): Promise<Result<{ view: ScheduledJobsView }>> {
  return ctx.db.transaction(async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.runScheduledJobs.right);
    if (!access.ok) return access;
    const settings = await readSettings(tx);
    const runs = await tx.select().from(jobRuns).orderBy(desc(jobRuns.startedAt), desc(jobRuns.slot)).limit(RUNS_SHOWN);
    return {
      ok: true as const,
      view: {
        jobs: jobs.map((job) => ({
          name: job.name,
          description: job.description,
          settings: job.settings.map((key) => ({ label: SETTING_FIELDS[key].label, value: shown(settings[key]) })),
        })),
        runs: runs.map((run) => ({
          job: run.job,
          slot: run.slot,
          startedAt: run.startedAt,
          finishedAt: run.finishedAt,
          result: run.result,
          error: run.error,
        })),
      },
    };
  });
}

const shown = (value: string | number | readonly string[]): string => {
  const text = typeof value === 'object' ? value.join(', ') : String(value);
  return text === '' ? 'default' : text;
};

/**
 * Run now: an administrator runs a job at the clock's now, as the scheduler would, so it claims the
 * same keys and never repeats what already ran. The request is audited; each unit's work commits in
 * the runner's own transaction, as on a tick.
 */
export async function runJobNow(
  ctx: ServiceContext,
  jobs: readonly JobDescription[],
  run: RunJob,
  name: string,
): Promise<Result<{ reports: JobUnitReport[] }>> {
  const asked = await ctx.db.transaction(async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.runScheduledJobs.right);
    if (!access.ok) return access;
    if (!jobs.some((job) => job.name === name)) return fail('unknown_job', `There is no scheduled job named ${name}.`);
    await recordAudit(tx, ctx, { action: 'job.run_now', entity: 'job', entityId: name });
    return { ok: true as const };
  });
  if (!asked.ok) return asked;
  return { ok: true as const, reports: await run(name, ctx.clock.now()) };
}
