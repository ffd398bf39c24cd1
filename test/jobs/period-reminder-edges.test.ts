/**
 * Period-end reminders at the edges: a period with no working day gets only the morning-after
 * reminder; a user without a stored zone is reminded in the firm's; a reminder whose period was
 * deleted, or whose consultant left, is not sent, and says why.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox, reportingPeriods, users } from '../../src/db/schema.js';
import { periodReminderJob } from '../../src/jobs/period-reminder.js';
import { silentLogger } from '../../src/logger.js';
import type { ServiceContext } from '../../src/services/context.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addConsultant, addPeriod, addUser } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let ctx: ServiceContext;
const window = (from: string, to: string) => ({ from: new Date(from), to: new Date(to) });
const reminders = () => database.db.select().from(outbox).where(eq(outbox.kind, 'post'));

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  ctx = {
    db,
    actor: { kind: 'system', name: 'job' },
    clock: new TestClock('2026-11-09T12:00:00Z'),
    log: silentLogger,
    org: { timeZone: 'Europe/Berlin', currency: 'USD' },
  };
  await addUser(db, 'UNOZONE');
  await db.update(users).set({ timeZone: null }).where(eq(users.id, 'UNOZONE'));
  await addConsultant(db, 'UNOZONE');
  await addUser(db, 'ULEFT', { timeZone: 'UTC' });
  await addConsultant(db, 'ULEFT');
  await db.update(users).set({ active: false }).where(eq(users.id, 'ULEFT'));
  // A weekend on its own: no working day in it.
  await addPeriod(db, '2026-11-07', '2026-11-08');
});
afterAll(async () => database.drop());

describe('period-end reminders at the edges', () => {
  it('find nothing due when no period ends near the window', async () => {
    expect(
      await periodReminderJob.due(database.db, ctx, window('2027-06-01T00:00:00Z', '2027-06-02T00:00:00Z')),
    ).toEqual([]);
  });

  it('give a period without a working day only the morning-after reminder, at 09:00 in the firm zone for a user without one', async () => {
    const due = await periodReminderJob.due(database.db, ctx, window('2026-11-01T00:00:00Z', '2026-11-15T00:00:00Z'));
    // The deactivated consultant is not reminded; Monday the 9th, 09:00 in Berlin, is 08:00 UTC.
    expect(due).toEqual([{ slot: 'UNOZONE:2026-11-08:last', dueAt: new Date('2026-11-09T08:00:00Z') }]);
  });

  it('do not send for a consultant who is no longer active, and say so', async () => {
    const done = await database.db.transaction((tx) =>
      periodReminderJob.run(tx, ctx, { slot: 'ULEFT:2026-11-08:last', dueAt: new Date('2026-11-09T08:00:00Z') }),
    );
    expect(done).toBe('not sent: no longer an active consultant');
    expect(await reminders()).toEqual([]);
  });

  it('send the last reminder of an empty sheet, counting nothing', async () => {
    const done = await database.db.transaction((tx) =>
      periodReminderJob.run(tx, ctx, { slot: 'UNOZONE:2026-11-08:last', dueAt: new Date('2026-11-09T08:00:00Z') }),
    );
    expect(done).toBe('last reminder queued (0 entries, 0 min)');
    expect((await reminders()).map((row) => row.dedupeKey)).toEqual(['job:period-reminder:UNOZONE:2026-11-08:last']);
  });

  it('do not send for a period deleted after the reminder fell due, and say so', async () => {
    await database.db
      .update(reportingPeriods)
      .set({ archivedAt: new Date('2026-11-09T07:00:00Z') })
      .where(eq(reportingPeriods.endsOn, '2026-11-08'));
    const before = await reminders();
    const done = await database.db.transaction((tx) =>
      periodReminderJob.run(tx, ctx, { slot: 'UNOZONE:2026-11-08', dueAt: new Date('2026-11-09T08:00:00Z') }),
    );
    expect(done).toBe('not sent: the period was deleted');
    expect(await reminders()).toEqual(before);
  });
});
