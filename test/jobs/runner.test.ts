/**
 * The runner on its own, with a test job whose every run leaves an audit row (append-only, no
 * dedupe), so "ran once" is counted from what the work wrote, not from the runner's bookkeeping.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, jobRuns } from '../../src/db/schema.js';
import type { DueUnit, Job } from '../../src/jobs/job.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { silentLogger } from '../../src/logger.js';
import type { ServiceContext } from '../../src/services/context.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { Interleaving } from '../support/interleaving.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let clock: TestClock;
let jobName: string;
let failuresLeft: number;

const HOUR = 3_600_000;

/** Due every 12 hours at 00:00 and 12:00 UTC; slot = the due instant. */
function testJob(name: string): Job {
  return {
    name,
    description: 'test',
    settings: [],
    due(_q, _ctx, { from, to }) {
      const units: DueUnit[] = [];
      for (let t = Math.ceil(from.getTime() / (12 * HOUR)) * 12 * HOUR; t <= to.getTime(); t += 12 * HOUR) {
        if (t > from.getTime()) units.push({ slot: new Date(t).toISOString(), dueAt: new Date(t) });
      }
      return Promise.resolve(units);
    },
    async run(tx, ctx, unit) {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('Slack is away');
      }
      await tx.insert(auditLog).values({
        at: ctx.clock.now(),
        actorId: 'system:job',
        action: 'test.job',
        entity: name,
        entityId: unit.slot,
      });
      return 'did it';
    },
  };
}

const ctx = (): ServiceContext => ({
  db: database.db,
  actor: { kind: 'system', name: 'job' },
  clock,
  log: silentLogger,
  org: { timeZone: 'UTC', currency: 'USD' },
});
const runner = (context = ctx(), options: { maxAttempts?: number } = {}) =>
  new JobRunner({ ctx: context, jobs: [testJob(jobName)], ...options });

async function runsOf(slot: string): Promise<number> {
  const [row] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(auditLog)
    .where(and(eq(auditLog.entity, jobName), eq(auditLog.entityId, slot)));
  return Number(row!.n);
}
const rowOf = async (slot: string) =>
  (await database.db.query.jobRuns.findFirst({ where: and(eq(jobRuns.job, jobName), eq(jobRuns.slot, slot)) }))!;

let counter = 0;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});
beforeEach(() => {
  jobName = `test-${++counter}`;
  failuresLeft = 0;
  clock = new TestClock('2026-12-01T11:59:30Z');
});

describe('the job runner', () => {
  it('does each unit once with three instances ticking at the same instant', async () => {
    const instances = [runner(), runner(), runner()];
    await Promise.all(instances.map((instance) => instance.tick(clock.now())));
    // The last 24 hours hold two slots: 2026-11-30T12:00 and 12-01T00:00.
    for (const slot of ['2026-11-30T12:00:00.000Z', '2026-12-01T00:00:00.000Z']) {
      expect(await runsOf(slot)).toBe(1);
      expect(await rowOf(slot)).toMatchObject({ attempts: 1, result: 'did it', error: null });
    }
    // Ticking again, on every instance, does nothing more.
    await Promise.all(instances.map((instance) => instance.tick(clock.now())));
    expect(await runsOf('2026-12-01T00:00:00.000Z')).toBe(1);
  });

  it('leaves a claimed unit to its holder while others tick', async () => {
    const interleaving = new Interleaving(database);
    const held = interleaving.hold(ctx(), 'job:claimed');
    const first = runner(held.ctx).tick(clock.now());
    await held.reached;
    const others = await Promise.all([runner().tick(clock.now()), runner().tick(clock.now())]);
    const heldSlot = '2026-11-30T12:00:00.000Z';
    for (const reports of others) {
      expect(reports.find((r) => r.slot === heldSlot)?.outcome).toBe('held');
    }
    held.release();
    expect((await first).find((r) => r.slot === heldSlot)?.outcome).toBe('done');
    for (const slot of ['2026-11-30T12:00:00.000Z', '2026-12-01T00:00:00.000Z']) {
      expect(await runsOf(slot)).toBe(1);
    }
  });

  it('takes over the claim of a holder that died after its lease, and the late holder does nothing', async () => {
    clock.set('2026-12-01T11:00:00Z');
    const interleaving = new Interleaving(database);
    const dying = interleaving.hold(ctx(), 'job:claimed');
    const late = runner(dying.ctx).tick(clock.now());
    await dying.reached;
    const slot = '2026-11-30T12:00:00.000Z';
    // Within the lease, nobody else takes it.
    expect((await runner().tick(clock.now())).find((r) => r.slot === slot)?.outcome).toBe('held');
    clock.advance({ minutes: 6 });
    const taken = await runner().tick(clock.now());
    expect(taken.find((r) => r.slot === slot)).toMatchObject({ outcome: 'done' });
    expect(await rowOf(slot)).toMatchObject({ attempts: 2, result: 'did it' });
    dying.release();
    expect((await late).find((r) => r.slot === slot)?.outcome).toBe('lost');
    expect(await runsOf(slot)).toBe(1);
  });

  it('records a failure and retries it with backoff, then gives up after the last attempt', async () => {
    failuresLeft = 2;
    const one = runner(ctx(), { maxAttempts: 3 });
    const job = jobName;
    // Two units in the last 24 hours (11-30T12:00 and 12-01T00:00), and both fail.
    clock.set('2026-12-01T00:00:10Z');
    expect((await one.tick(clock.now())).map((r) => [r.slot, r.outcome])).toEqual([
      ['2026-11-30T12:00:00.000Z', 'failed'],
      ['2026-12-01T00:00:00.000Z', 'failed'],
    ]);
    const slot = '2026-12-01T00:00:00.000Z';
    expect(await rowOf(slot)).toMatchObject({ attempts: 1, error: 'Slack is away', finishedAt: null });
    expect((await rowOf(slot)).nextAttemptAt).toEqual(new Date('2026-12-01T00:01:10Z'));
    // Not before the backoff has passed.
    clock.advance({ seconds: 30 });
    expect((await one.tick(clock.now())).every((r) => r.outcome === 'held')).toBe(true);
    clock.advance({ minutes: 1 });
    expect((await one.tick(clock.now())).map((r) => r.outcome)).toEqual(['done', 'done']);
    expect(await runsOf(slot)).toBe(1);
    expect(await rowOf(slot)).toMatchObject({ attempts: 2, error: null, result: 'did it' });

    jobName = `${job}-always`;
    failuresLeft = 100;
    const failing = runner(ctx(), { maxAttempts: 3 });
    const reports = [];
    for (let i = 0; i < 3; i++) {
      reports.push((await failing.tick(clock.now())).find((r) => r.slot === slot)?.outcome);
      clock.advance({ minutes: 5 });
    }
    expect(reports).toEqual(['failed', 'failed', 'gave-up']);
    expect(await rowOf(slot)).toMatchObject({ attempts: 3, error: 'Slack is away', result: 'gave up' });
    expect((await rowOf(slot)).finishedAt).not.toBeNull();
    expect(await failing.tick(clock.now())).toEqual(
      expect.arrayContaining([expect.objectContaining({ slot, outcome: 'finished-before' })]),
    );
  });

  it('after downtime, catches up what fell due in the last 24 hours once each and skips what is older', async () => {
    clock.set('2026-12-01T00:00:30Z');
    await runner().tick(clock.now());
    // Down from 00:01 on Dec 1 until 13:00 on Dec 2: slots 12-01T12:00 (25 h ago), 12-02T00:00, 12-02T12:00.
    clock.set('2026-12-02T13:00:00Z');
    await Promise.all([runner().catchUp(clock.now()), runner().catchUp(clock.now())]);
    expect(await rowOf('2026-12-01T12:00:00.000Z')).toMatchObject({ attempts: 0 });
    expect((await rowOf('2026-12-01T12:00:00.000Z')).result).toMatch(/^skipped/);
    expect(await runsOf('2026-12-01T12:00:00.000Z')).toBe(0);
    expect(await runsOf('2026-12-02T00:00:00.000Z')).toBe(1);
    expect(await runsOf('2026-12-02T12:00:00.000Z')).toBe(1);
    // A later tick that still sees the skipped slot in no window leaves it skipped.
    clock.advance({ minutes: 1 });
    await runner().tick(clock.now());
    expect(await runsOf('2026-12-01T12:00:00.000Z')).toBe(0);
  });

  it('ticks on its own once started, and stop leaves no timer behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const instance = runner();
    await instance.start();
    expect(await runsOf('2026-12-01T00:00:00.000Z')).toBe(1);
    await instance.stop();
    // (The PostgreSQL pool may have closed an idle connection's timer meanwhile: never more than before.)
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
