/**
 * A period whose sheets were all decided before it ended closes at its end. If the app is down
 * then for more than 24 hours (a weekend), the close is not lost: its deadline (the morning
 * `close_after_days` after the end) is still ahead when the app starts again, so the close goes
 * then at the latest, once. "Caught up within 24 hours, skipped after that" must not skip a close
 * that is still due.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jobRuns, outbox, timesheets } from '../../src/db/schema.js';
import { periodCloseJob } from '../../src/jobs/period-close.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addConsultant, addPeriod, addUser } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-30T12:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UALICE');
  const alice = await addConsultant(db, 'UALICE');
  const november = await addPeriod(db, '2026-11-01', '2026-11-30');
  // Alice's November sheet, the period's only one, was approved on Friday 27 November.
  await db.insert(timesheets).values({
    consultantId: alice,
    periodId: november,
    status: 'approved',
    submittedAt: new Date('2026-11-27T10:00:00Z'),
    decidedAt: new Date('2026-11-27T15:00:00Z'),
  });
});
afterAll(async () => database.drop());

it('posts November’s close once after the app was down from before its end to 30 hours after it, before the deadline', async () => {
  const runner = () =>
    new JobRunner({
      ctx: {
        db: database.db,
        actor: { kind: 'system', name: 'job' },
        clock,
        log: silentLogger,
        org: { timeZone: 'UTC', currency: 'USD', financeChannel: 'C0FINANCE' },
      },
      jobs: [periodCloseJob],
    });
  // Running on Monday 30 November at 12:00: nothing is due yet (November has not ended).
  await runner().tick(clock.now());
  // Down from then until Wednesday 2 December 06:00, 30 hours after November ended; the
  // deadline (close_after_days 3: Thursday 3 December 09:00) is still a day ahead.
  clock.set('2026-12-02T06:00:00Z');
  const app = runner();
  await app.catchUp(clock.now());
  // Then it ticks every 10 minutes until a week after the deadline.
  for (let at = clock.now().getTime(); at <= Date.parse('2026-12-10T00:00:00Z'); at += 10 * 60_000) {
    clock.set(new Date(at).toISOString());
    await app.tick(clock.now());
  }
  const [run] = await database.db.select().from(jobRuns).where(eq(jobRuns.job, periodCloseJob.name));
  expect(run).toMatchObject({ slot: '2026-11-30' });
  expect(run!.result).not.toMatch(/^skipped/);
  const posts = await database.db.select().from(outbox).where(eq(outbox.dedupeKey, 'job:period-close:2026-11-30'));
  expect(posts).toHaveLength(1);
});
