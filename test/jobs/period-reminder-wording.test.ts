/**
 * The first period reminder goes on the period's last working day and says so: not "ends today"
 * on the Friday of a Monday–Sunday week. Caught up after that day has passed (the app was down over
 * the period's end until the small hours), it is not sent at all: the last reminder goes in the
 * morning, not two DMs a few hours apart.
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
const clock = new TestClock('2026-11-20T12:00:00Z');
let runner: JobRunner;

/** The reminders queued so far, slot -> the text of their blocks. */
async function reminders(): Promise<Map<string, string>> {
  const rows = await database.db.select().from(outbox).where(like(outbox.dedupeKey, 'job:period-reminder:%'));
  return new Map(
    rows.map((row) => {
      const message = row.payload as OutboxMessage;
      if (message.kind !== 'post') throw new Error('not a post');
      return [
        row.dedupeKey.replace('job:period-reminder:', ''),
        JSON.stringify(renderOutboxMessage(message.content).blocks),
      ];
    }),
  );
}

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UALICE', { timeZone: 'UTC' });
  await addConsultant(database.db, 'UALICE');
  // A week from Monday 23 to Sunday 29 November: its last working day is Friday the 27th.
  await addPeriod(database.db, '2026-11-23', '2026-11-29');
  // Monday 30 November is a one-day period: its last working day is its last day.
  await addPeriod(database.db, '2026-11-30', '2026-11-30');
  runner = new JobRunner({
    ctx: {
      db: database.db,
      actor: { kind: 'system', name: 'job' },
      clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    jobs: [periodReminderJob],
  });
});
afterAll(async () => database.drop());

it('tells a consultant on Friday that it is the last working day of a week ending on Sunday, not that the week ends today', async () => {
  clock.set('2026-11-27T16:00:00Z');
  await runner.tick(clock.now());
  const friday = (await reminders()).get('UALICE:2026-11-29');
  expect(friday, 'the reminder at 16:00 on Friday 27 November').toBeDefined();
  expect(friday).toContain('Sun 29 Nov 2026');
  expect(friday).toContain('Today is the last working day of the period *Mon 23 Nov 2026 – Sun 29 Nov 2026*');
  expect(friday).not.toContain('ends today');
});

it('after the app was down over the end of a period until 02:00, sends no first reminder for it, only the last one at 09:00', async () => {
  // Monday 30 November is a one-day period; its reminder is due at 16:00 that day.
  clock.set('2026-11-30T15:00:00Z');
  await runner.tick(clock.now());
  // The app is down from 15:00 until 02:00 on Tuesday 1 December, and catches up at start.
  clock.set('2026-12-01T02:00:00Z');
  await runner.catchUp(clock.now());
  clock.set('2026-12-01T09:00:00Z');
  await runner.tick(clock.now());
  const sent = await reminders();
  const late = sent.get('UALICE:2026-11-30');
  // At 02:00 on 1 December the period of 30 November is over: the first reminder is no longer true.
  expect(late).toBeUndefined();
  expect(sent.get('UALICE:2026-11-30:last')).toContain('Last reminder');
});
