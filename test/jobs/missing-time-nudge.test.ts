/**
 * The missing-time nudge: off by default; switched on, a consultant who logged nothing on Friday
 * gets one DM at 09:00 on Monday in their own zone (Auckland, Los Angeles) with Log time for that
 * day, even with three instances ticking twice; one who logged gets none, nor does an inactive
 * consultant; a firm holiday is neither a missed day nor a morning with a nudge.
 */
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFiles, runCli } from '../../src/cli/commands.js';
import { jobRuns, outbox, timeEntries, timesheets, users } from '../../src/db/schema.js';
import { missingTimeNudgeJob } from '../../src/jobs/missing-time-nudge.js';
import { JOBS } from '../../src/jobs/registry.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { silentLogger } from '../../src/logger.js';
import type { OutboxMessage } from '../../src/services/outbox.js';
import { readSettings, writeSettings } from '../../src/services/settings.js';
import { renderOutboxMessage } from '../../src/slack/outbox-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addConsultant, addCustomer, addPeriod, addProject, addUser } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-12-01T00:00:00Z');

const runner = () =>
  new JobRunner({
    ctx: {
      db: database.db,
      actor: { kind: 'system', name: 'job' },
      clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    jobs: [missingTimeNudgeJob],
  });

/** Ticks every instance at `at` (UTC). */
async function tickAt(at: string, instances = 1): Promise<void> {
  clock.set(at);
  await Promise.all(Array.from({ length: instances }, () => runner().tick(clock.now())));
}

/** The nudges queued so far, as `user:day`. */
async function nudged(): Promise<string[]> {
  const rows = await database.db.select().from(outbox).where(like(outbox.dedupeKey, 'job:missing-time-nudge:%'));
  return rows.map((row) => row.dedupeKey.replace('job:missing-time-nudge:', '')).sort();
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const ids: Record<string, number> = {};
  for (const [user, timeZone] of [
    ['UAKL', 'Pacific/Auckland'],
    ['ULAX', 'America/Los_Angeles'],
    ['ULOG', 'America/Los_Angeles'],
    ['UOFF', 'America/Los_Angeles'],
  ] as const) {
    await addUser(db, user, { timeZone });
    ids[user] = await addConsultant(db, user);
  }
  await db.update(users).set({ active: false }).where(eq(users.id, 'UOFF'));
  const period = await addPeriod(db, '2026-11-30', '2026-12-13');
  await writeSettings(db, { clock }, { holidays: '2026-12-10' });
  // ULOG logged on every working day; on Friday on a sheet that is already submitted (any status counts).
  const project = await addProject(db, 'WEB', await addCustomer(db, 'ACME'), { consultants: [ids.ULOG!] });
  const [sheet] = await db
    .insert(timesheets)
    .values({ consultantId: ids.ULOG!, periodId: period, status: 'submitted', submittedAt: clock.now() })
    .returning();
  for (const workDate of ['2026-12-03', '2026-12-04', '2026-12-07', '2026-12-08', '2026-12-09', '2026-12-11']) {
    await db.insert(timeEntries).values({
      timesheetId: sheet!.id,
      projectId: project,
      workDate,
      minutes: 60,
      description: 'work',
      source: 'command',
      createdBy: 'ULOG',
    });
  }
});
afterAll(async () => {
  await database.drop();
});

describe('missing-time nudge', () => {
  it('is off by default: nothing is due and nothing is sent', async () => {
    expect((await readSettings(database.db)).missing_time_nudge).toBe('off');
    // Fri 4 Dec 09:00 in Auckland (Thu 20:00 UTC) and Los Angeles (17:00 UTC): Thursday had no time.
    await tickAt('2026-12-03T20:00:00Z');
    await tickAt('2026-12-04T17:00:00Z');
    expect(await nudged()).toEqual([]);
    expect(await database.db.select().from(jobRuns).where(eq(jobRuns.job, 'missing-time-nudge'))).toEqual([]);
  });

  it('switched on, sends Friday’s nudge at 09:00 on Monday in each consultant’s zone, once', async () => {
    await writeSettings(database.db, { clock }, { missing_time_nudge: 'on' });
    // Mon 7 Dec 09:00 in Auckland (NZDT, +13) is Sun 6 Dec 20:00 UTC.
    await tickAt('2026-12-06T19:59:00Z');
    expect(await nudged()).toEqual([]);
    await tickAt('2026-12-06T20:00:00Z', 3);
    expect(await nudged()).toEqual(['UAKL:2026-12-04']);
    // Mon 7 Dec 09:00 in Los Angeles (PST, -8) is 17:00 UTC; ticking again sends nothing twice.
    await tickAt('2026-12-07T16:59:00Z');
    expect(await nudged()).toEqual(['UAKL:2026-12-04']);
    await tickAt('2026-12-07T17:00:00Z', 3);
    await tickAt('2026-12-07T17:00:00Z', 3);
    await tickAt('2026-12-07T17:05:00Z');
    // ULOG logged on Friday; UOFF is no longer active.
    expect(await nudged()).toEqual(['UAKL:2026-12-04', 'ULAX:2026-12-04']);
    const [row] = await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, 'job:missing-time-nudge:ULAX:2026-12-04'));
    expect(row!.payload).toMatchObject({
      kind: 'post',
      channel: 'ULAX',
      ref: 'missing-time-nudge:ULAX:2026-12-04',
    });
    const [run] = await database.db
      .select()
      .from(jobRuns)
      .where(and(eq(jobRuns.job, 'missing-time-nudge'), eq(jobRuns.slot, 'ULAX:2026-12-04')));
    expect(run).toMatchObject({ result: 'nudge queued', attempts: 1 });
  });

  it('carries a Log time button that opens the log form on the missed day', async () => {
    const [row] = await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, 'job:missing-time-nudge:UAKL:2026-12-04'));
    const message = row!.payload as OutboxMessage;
    if (message.kind !== 'post') throw new Error('not a post');
    const rendered = renderOutboxMessage(message.content);
    expect(rendered.text).toBe('No time logged for Fri 4 Dec 2026');
    expect(JSON.stringify(rendered.blocks)).toContain('You have no time logged for *Fri 4 Dec 2026*');
    expect(rendered.blocks.find((block) => block.type === 'actions')).toMatchObject({
      elements: [{ action_id: 'home_log_time', text: { text: 'Log time' }, value: '2026-12-04' }],
    });
  });

  it('skips the firm holiday: no nudge on its morning, none for it the morning after', async () => {
    // Los Angeles mornings Tue 8 to Fri 11 Dec; Thursday the 10th is a firm holiday.
    for (const day of ['08', '09', '10', '11']) await tickAt(`2026-12-${day}T17:00:00Z`);
    const lax = (await nudged()).filter((slot) => slot.startsWith('ULAX'));
    // Friday's nudge is for Wednesday: the holiday is not a missed day and its morning sent nothing.
    expect(lax).toEqual(['ULAX:2026-12-04', 'ULAX:2026-12-07', 'ULAX:2026-12-08', 'ULAX:2026-12-09']);
    const [wednesday] = await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, 'job:missing-time-nudge:ULAX:2026-12-09'));
    expect(wednesday!.createdAt).toEqual(new Date('2026-12-11T17:00:00Z'));
    expect((await nudged()).filter((slot) => slot.startsWith('ULOG') || slot.startsWith('UOFF'))).toEqual([]);
  });

  it('runs from the command line as the scheduler would at an instant, and a second run does nothing again', async () => {
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const code = await runCli(
        argv,
        { out: (t) => out.push(t), err: (t) => out.push(t), ...localFiles },
        () => Promise.resolve({ ...database, close: async () => {} }),
        { currency: 'USD', orgTimeZone: 'UTC' },
        clock,
      );
      return { code, out: out.join('\n') };
    };
    // Mon 14 Dec 09:00 in Los Angeles: Friday the 11th's nudges (Auckland's morning fell within the last day too).
    // The command is typed a few minutes after that instant.
    clock.set('2026-12-14T17:05:00Z');
    const first = await run('jobs', 'run', 'missing-time-nudge', '--at', '2026-12-14T09:00:00-08:00');
    expect(first.code).toBe(0);
    expect(first.out).toContain('missing-time-nudge:ULAX:2026-12-11  done: nudge queued');
    expect(first.out).toContain('missing-time-nudge:UAKL:2026-12-11  done: nudge queued');
    expect(first.out).not.toContain('ULOG');
    const second = await run('jobs', 'run', 'missing-time-nudge', '--at', '2026-12-14T09:00:00-08:00');
    expect(second.out).toContain('missing-time-nudge:ULAX:2026-12-11  finished-before: already done');
    expect((await nudged()).filter((slot) => slot.endsWith('2026-12-11'))).toEqual([
      'UAKL:2026-12-11',
      'ULAX:2026-12-11',
    ]);
  });

  it('is listed with the other jobs, with the settings that steer it', () => {
    expect(JOBS.map((job) => job.name)).toContain('missing-time-nudge');
    expect(missingTimeNudgeJob.settings).toEqual(['missing_time_nudge', 'working_days', 'holidays', 'morning_time']);
  });
});
