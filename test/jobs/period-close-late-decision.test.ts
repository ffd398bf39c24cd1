/**
 * A period decided by a change after its last decision: the last undecided sheet deleted more than
 * a day after the last approval, before the close's deadline. Its close is due then, not never.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jobRuns, outbox, timesheets } from '../../src/db/schema.js';
import { periodCloseJob } from '../../src/jobs/period-close.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { silentLogger } from '../../src/logger.js';
import { adminDecide } from '../../src/services/approval-decisions.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addConsultant, addPeriod, addUser, asUser, serviceContext } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let bobSheet: number;
const clock = new TestClock('2026-12-01T00:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UALICE');
  await addUser(db, 'UBOB');
  const alice = await addConsultant(db, 'UALICE');
  const bob = await addConsultant(db, 'UBOB');
  const november = await addPeriod(db, '2026-11-01', '2026-11-30');
  // Alice's sheet approved on Tuesday 1 December at 08:00; Bob's still open.
  await db.insert(timesheets).values({
    consultantId: alice,
    periodId: november,
    status: 'approved',
    decidedAt: new Date('2026-12-01T08:00:00Z'),
  });
  const [open] = await db.insert(timesheets).values({ consultantId: bob, periodId: november }).returning();
  bobSheet = open!.id;
});
afterAll(async () => database.drop());

it('closes November once, when its last open sheet is deleted 26 hours after the last approval', async () => {
  const runner = new JobRunner({
    ctx: {
      db: database.db,
      actor: { kind: 'system', name: 'job' },
      clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD', financeChannel: 'C0FINANCE' },
    },
    jobs: [periodCloseJob],
  });
  const closes = async () =>
    (await database.db.select().from(jobRuns).where(eq(jobRuns.job, periodCloseJob.name))).map((run) => run.slot);
  // A tick every 10 minutes from the end of November to a week after the deadline (Thursday 3 December, 09:00).
  for (let at = new Date('2026-12-01T00:00:00Z'); at <= new Date('2026-12-10T00:00:00Z');) {
    clock.set(at.toISOString());
    if (at.toISOString() === '2026-12-02T10:00:00.000Z') {
      expect(await closes()).toEqual([]);
      const deleted = await adminDecide(serviceContext(database.db, asUser('UADMIN'), clock), {
        timesheetId: bobSheet,
        decision: 'delete',
      });
      expect(deleted).toMatchObject({ ok: true });
    }
    await runner.tick(clock.now());
    if (at.toISOString() === '2026-12-02T10:00:00.000Z') expect(await closes()).toEqual(['2026-11-30']);
    at = new Date(at.getTime() + 10 * 60_000);
  }
  expect(await closes()).toEqual(['2026-11-30']);
  const posts = await database.db.select().from(outbox).where(eq(outbox.dedupeKey, 'job:period-close:2026-11-30'));
  expect(posts).toHaveLength(1);
});
