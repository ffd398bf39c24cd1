import { and, desc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/client.js';
import { jobRuns } from '../db/schema.js';

/**
 * One unit of scheduled work is one `job_runs` row, keyed by (job, slot). Whoever inserts the row
 * holds it until `lease_until`; a holder that dies is taken over once its lease has passed; a
 * failure frees the row until `next_attempt_at`. The claim is identified by `attempts`, so a
 * holder whose lease was taken over can no longer finish the run (see `finishRun`).
 */
export type RunClaim = { job: string; slot: string; attempts: number };

export type RunState = 'done' | 'skipped' | 'failed' | 'gave-up' | 'running' | 'waiting';

/** The row's existing state, for slots already known, so a tick only tries to claim what may run. */
export async function knownSlots(
  q: Queryable,
  job: string,
  slots: string[],
): Promise<Map<string, { finished: boolean; claimableAt: Date | null }>> {
  const known = new Map<string, { finished: boolean; claimableAt: Date | null }>();
  for (let i = 0; i < slots.length; i += 500) {
    const rows = await q
      .select({
        slot: jobRuns.slot,
        finishedAt: jobRuns.finishedAt,
        leaseUntil: jobRuns.leaseUntil,
        nextAttemptAt: jobRuns.nextAttemptAt,
      })
      .from(jobRuns)
      .where(and(eq(jobRuns.job, job), inArray(jobRuns.slot, slots.slice(i, i + 500))));
    for (const row of rows) {
      const times = [row.leaseUntil, row.nextAttemptAt].filter((t): t is Date => t !== null);
      const claimableAt = times.length ? new Date(Math.max(...times.map((t) => t.getTime()))) : null;
      known.set(row.slot, { finished: row.finishedAt !== null, claimableAt });
    }
  }
  return known;
}

/**
 * Claims a slot: a new row (`insert … on conflict do nothing returning`), else an unfinished row
 * whose lease and retry time have passed (a dead holder's, or a failed run's). Undefined when
 * another instance holds it or it is finished.
 */
export async function claimRun(
  db: Database,
  job: string,
  slot: string,
  now: Date,
  leaseMs: number,
): Promise<RunClaim | undefined> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const [inserted] = await db
    .insert(jobRuns)
    .values({ job, slot, startedAt: now, attempts: 1, leaseUntil })
    .onConflictDoNothing()
    .returning({ attempts: jobRuns.attempts });
  if (inserted) return { job, slot, attempts: inserted.attempts };
  const [taken] = await db
    .update(jobRuns)
    .set({ attempts: sql`${jobRuns.attempts} + 1`, startedAt: now, leaseUntil, nextAttemptAt: null })
    .where(
      and(
        eq(jobRuns.job, job),
        eq(jobRuns.slot, slot),
        isNull(jobRuns.finishedAt),
        or(isNull(jobRuns.leaseUntil), lte(jobRuns.leaseUntil, now)),
        or(isNull(jobRuns.nextAttemptAt), lte(jobRuns.nextAttemptAt, now)),
      ),
    )
    .returning({ attempts: jobRuns.attempts });
  return taken ? { job, slot, attempts: taken.attempts } : undefined;
}

const ours = (claim: RunClaim) =>
  and(
    eq(jobRuns.job, claim.job),
    eq(jobRuns.slot, claim.slot),
    eq(jobRuns.attempts, claim.attempts),
    isNull(jobRuns.finishedAt),
  );

/**
 * Records the run as done, in the transaction that did its work: answers false when the claim was
 * taken over meanwhile, and the caller must then roll its work back.
 */
export async function finishRun(q: Queryable, claim: RunClaim, now: Date, result: string): Promise<boolean> {
  const rows = await q
    .update(jobRuns)
    .set({ finishedAt: now, result, error: null, leaseUntil: null, nextAttemptAt: null })
    .where(ours(claim))
    .returning({ slot: jobRuns.slot });
  return rows.length === 1;
}

/** Records a failure: retried after `retryAt`, or given up (finished with its error) when `retryAt` is undefined. */
export async function failRun(
  db: Database,
  claim: RunClaim,
  now: Date,
  error: string,
  retryAt: Date | undefined,
): Promise<void> {
  await db
    .update(jobRuns)
    .set(
      retryAt
        ? { error, leaseUntil: null, nextAttemptAt: retryAt }
        : { error, leaseUntil: null, nextAttemptAt: null, finishedAt: now, result: 'gave up' },
    )
    .where(ours(claim));
}

/** Records slots that were due too long ago as skipped, unless something already ran them. */
export async function skipRuns(db: Database, job: string, slots: string[], now: Date, reason: string): Promise<number> {
  if (slots.length === 0) return 0;
  const rows = await db
    .insert(jobRuns)
    .values(slots.map((slot) => ({ job, slot, startedAt: now, finishedAt: now, result: `skipped: ${reason}` })))
    .onConflictDoNothing()
    .returning({ slot: jobRuns.slot });
  return rows.length;
}

export type RunRow = typeof jobRuns.$inferSelect;

/** The latest runs, newest first (optionally of one job). */
export async function recentRuns(q: Queryable, limit: number, job?: string): Promise<RunRow[]> {
  return q
    .select()
    .from(jobRuns)
    .where(job ? eq(jobRuns.job, job) : undefined)
    .orderBy(desc(jobRuns.startedAt), desc(jobRuns.slot))
    .limit(limit);
}

/** A row's state in words. */
export function runState(row: RunRow, now: Date): RunState {
  if (row.finishedAt) {
    if (row.result?.startsWith('skipped')) return 'skipped';
    return row.error ? 'gave-up' : 'done';
  }
  if (row.error) return 'failed';
  return row.leaseUntil && row.leaseUntil > now ? 'running' : 'waiting';
}
