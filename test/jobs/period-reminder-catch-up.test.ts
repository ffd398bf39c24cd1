/**
 * The app down across a period's end: at start it catches up the last day's reminders, and sends
 * only the last one, not also the one that says today is the period's last working day, a day after it.
 */
import { like } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema.js';
import { periodReminderJob } from '../../src/jobs/period-reminder.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { silentLogger } from '../../src/logger.js';
import type { OutboxMessage } from '../../src/services/outbox.js';
import { renderOutboxMessage } from '../../src/slack/outbox-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addConsultant, addPeriod, addUser } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-30T15:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UALICE', { timeZone: 'UTC' });
  await addConsultant(database.db, 'UALICE');
  // November ends on Monday the 30th, its last working day; Tuesday 1 December is the next.
  await addPeriod(database.db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

it('after the app was down from before the 16:00 reminder to after the next morning’s, sends the last reminder alone', async () => {
  const runner = new JobRunner({
    ctx: {
      db: database.db,
      actor: { kind: 'system', name: 'job' },
      clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    jobs: [periodReminderJob],
  });
  await runner.tick(clock.now());
  clock.set('2026-12-01T10:00:00Z');
  await runner.catchUp(clock.now());
  const rows = await database.db.select().from(outbox).where(like(outbox.dedupeKey, 'job:period-reminder:%'));
  expect(rows.map((row) => row.dedupeKey)).toEqual(['job:period-reminder:UALICE:2026-11-30:last']);
  const message = rows[0]!.payload as OutboxMessage;
  if (message.kind !== 'post') throw new Error('not a post');
  expect(JSON.stringify(renderOutboxMessage(message.content).blocks)).not.toContain('Today is the last working day');
});
