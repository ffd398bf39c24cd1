import type { ServiceContext } from '../services/context.js';
import { recentRuns, runState } from '../jobs/claims.js';
import { JOBS } from '../jobs/registry.js';
import { JobRunner } from '../jobs/runner.js';

/** `jobs list [NAME]` or `jobs run NAME [--at ISO-INSTANT]`, checked before the database is opened. */
export type JobsCommand = { verb: 'list'; job?: string } | { verb: 'run'; job: string; at?: Date };

const JOB_NAMES = () => JOBS.map((job) => job.name).join(', ');

export function parseJobsCommand(
  args: string[],
  now: Date,
): { ok: true; command: JobsCommand } | { ok: false; message: string } {
  const [verb, name, ...rest] = args;
  const unknownJob = (job: string) =>
    `There is no job named "${job}"; the jobs are: ${JOB_NAMES()} (consultracker jobs list shows their runs).`;
  if (verb === 'list') {
    if (rest.length) return { ok: false, message: 'jobs list takes at most a job name, e.g. consultracker jobs list' };
    if (name !== undefined && !JOBS.some((job) => job.name === name)) return { ok: false, message: unknownJob(name) };
    return { ok: true, command: name === undefined ? { verb: 'list' } : { verb: 'list', job: name } };
  }
  if (verb === 'run') {
    if (name === undefined) return { ok: false, message: `jobs run needs a job name: ${JOB_NAMES()}` };
    if (!JOBS.some((job) => job.name === name)) return { ok: false, message: unknownJob(name) };
    if (rest.length === 0) return { ok: true, command: { verb: 'run', job: name } };
    const at = rest[0] === '--at' && rest.length === 2 ? new Date(rest[1]!) : undefined;
    // An instant, not a wall time: with its offset, so it means the same everywhere.
    if (!at || Number.isNaN(at.getTime()) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(rest[1]!)) {
      return {
        ok: false,
        message: `jobs run takes --at with an instant, e.g. --at 2026-11-30T16:00:00+01:00 or --at 2026-11-30T15:00Z (got "${rest.join(' ')}")`,
      };
    }
    // A later instant would do now what falls due then: a period's close before the period ends.
    if (at > now)
      return {
        ok: false,
        message: `jobs run --at ${rest[1]} is later than now: a job does at most what fell due by now. Give an instant up to now.`,
      };
    return { ok: true, command: { verb: 'run', job: name, at } };
  }
  return {
    ok: false,
    message: 'jobs needs list or run, e.g. consultracker jobs list or consultracker jobs run period-reminder',
  };
}

const stamp = (date: Date | null) => (date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');

/** Runs a checked `jobs` command; every line it prints goes to `out`. */
export async function runJobsCommand(ctx: ServiceContext, command: JobsCommand, out: (text: string) => void) {
  if (command.verb === 'list') {
    out(`Jobs: ${JOBS.map((job) => `${job.name} (${job.description})`).join('; ')}.`);
    const runs = await recentRuns(ctx.db, 30, command.job);
    if (runs.length === 0) {
      out('No runs yet.');
      return;
    }
    out('job\tkey\tstate\tattempts\tstarted\tfinished\tresult');
    const now = ctx.clock.now();
    for (const run of runs) {
      const said = run.error ? `error: ${run.error}` : (run.result ?? '');
      out(
        [run.job, run.slot, runState(run, now), run.attempts, stamp(run.startedAt), stamp(run.finishedAt), said].join(
          '\t',
        ),
      );
    }
    return;
  }
  const at = command.at ?? ctx.clock.now();
  const runner = new JobRunner({ ctx, jobs: JOBS });
  const reports = await runner.runJob(command.job, at);
  out(`${command.job} at ${stamp(at)}: ${reports.length === 0 ? 'nothing due.' : `${reports.length} due.`}`);
  for (const report of reports) out(`  ${command.job}:${report.slot}  ${report.outcome}: ${report.detail}`);
}
