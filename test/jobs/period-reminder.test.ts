/**
 * Period-end reminders land at 16:00 on the period's last working day and at 09:00 the first
 * working morning after it, in each consultant's own zone, across the weeks when Auckland, Berlin
 * and Los Angeles change their clocks; a firm holiday moves the reminder to the day before; nobody
 * who submitted is reminded. Checked by ticking a minute before and at each expected instant.
 */
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobRuns, outbox, timeEntries, timesheets } from '../../src/db/schema.js';
import { periodReminderJob } from '../../src/jobs/period-reminder.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { silentLogger } from '../../src/logger.js';
import type { OutboxMessage } from '../../src/services/outbox.js';
import { writeSettings } from '../../src/services/settings.js';
import { renderOutboxMessage } from '../../src/slack/outbox-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addConsultant, addCustomer, addPeriod, addProject, addUser } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-09-01T00:00:00Z');
let runner: JobRunner;
const periods: Record<string, number> = {};

/** Expected instants (UTC) per consultant and slot, worked out by hand from each zone's offsets. */
const EXPECTED: [user: string, slot: string, at: string][] = [
  // 21–27 Sep: Auckland moves to NZDT (+13) on Sunday the 27th.
  ['UAKL', '2026-09-27', '2026-09-25T04:00:00Z'],
  ['UAKL', '2026-09-27:last', '2026-09-27T20:00:00Z'],
  ['ULAX', '2026-09-27', '2026-09-25T23:00:00Z'],
  ['ULAX', '2026-09-27:last', '2026-09-28T16:00:00Z'],
  ['UBER', '2026-09-27', '2026-09-25T14:00:00Z'],
  ['UBER', '2026-09-27:last', '2026-09-28T07:00:00Z'],
  // 19–25 Oct: Berlin moves to CET (+1) on Sunday the 25th.
  ['UAKL', '2026-10-25', '2026-10-23T03:00:00Z'],
  ['UAKL', '2026-10-25:last', '2026-10-25T20:00:00Z'],
  ['ULAX', '2026-10-25', '2026-10-23T23:00:00Z'],
  ['ULAX', '2026-10-25:last', '2026-10-26T16:00:00Z'],
  ['UBER', '2026-10-25', '2026-10-23T14:00:00Z'],
  ['UBER', '2026-10-25:last', '2026-10-26T08:00:00Z'],
  // 26 Oct – 1 Nov: Los Angeles moves to PST (-8) on Sunday the 1st; Friday the 30th is a firm holiday.
  ['UAKL', '2026-11-01', '2026-10-29T03:00:00Z'],
  ['UAKL', '2026-11-01:last', '2026-11-01T20:00:00Z'],
  ['ULAX', '2026-11-01', '2026-10-29T23:00:00Z'],
  ['ULAX', '2026-11-01:last', '2026-11-02T17:00:00Z'],
  ['UBER', '2026-11-01', '2026-10-29T15:00:00Z'],
  ['UBER', '2026-11-01:last', '2026-11-02T08:00:00Z'],
];

const ref = (user: string, slot: string) => `period-reminder:${user}:${slot}`;

async function reminder(user: string, slot: string): Promise<OutboxMessage | undefined> {
  const [row] = await database.db
    .select()
    .from(outbox)
    .where(eq(outbox.dedupeKey, `job:period-reminder:${user}:${slot}`));
  return row?.payload as OutboxMessage | undefined;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const consultantIds: Record<string, number> = {};
  for (const [user, timeZone] of [
    ['UAKL', 'Pacific/Auckland'],
    ['ULAX', 'America/Los_Angeles'],
    ['UBER', 'Europe/Berlin'],
    ['USUB', 'Europe/Berlin'],
  ] as const) {
    await addUser(db, user, { timeZone });
    consultantIds[user] = await addConsultant(db, user);
  }
  periods.sep = await addPeriod(db, '2026-09-21', '2026-09-27');
  periods.oct = await addPeriod(db, '2026-10-19', '2026-10-25');
  periods.nov = await addPeriod(db, '2026-10-26', '2026-11-01');
  await writeSettings(db, { clock }, { holidays: '2026-10-30' });
  // USUB submitted every period; UBER has time on two days of the last one.
  for (const periodId of Object.values(periods)) {
    await db.insert(timesheets).values({
      consultantId: consultantIds.USUB!,
      periodId,
      status: 'submitted',
      submittedAt: new Date('2026-09-01T00:00:00Z'),
    });
  }
  const project = await addProject(db, 'WEB', await addCustomer(db, 'ACME'), { consultants: [consultantIds.UBER!] });
  const [sheet] = await db
    .insert(timesheets)
    .values({ consultantId: consultantIds.UBER!, periodId: periods.nov })
    .returning();
  for (const [workDate, minutes] of [
    ['2026-10-26', 90],
    ['2026-10-26', 60],
    ['2026-10-27', 480],
  ] as const) {
    await db.insert(timeEntries).values({
      timesheetId: sheet!.id,
      projectId: project,
      workDate,
      minutes,
      description: 'work',
      source: 'command',
      createdBy: 'UBER',
    });
  }
  runner = new JobRunner({
    ctx: {
      db,
      actor: { kind: 'system', name: 'job' },
      clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    jobs: [periodReminderJob],
  });
});
afterAll(async () => {
  await database.drop();
});

describe('period-end reminders', () => {
  it('land at 16:00 and 09:00 local in each zone, through the DST changes, and skip the holiday', async () => {
    for (const [user, slot, at] of [...EXPECTED].sort((a, b) => a[2].localeCompare(b[2]))) {
      const instant = new Date(at);
      clock.set(new Date(instant.getTime() - 60_000).toISOString());
      await runner.tick(clock.now());
      expect(await reminder(user, slot), `${user} ${slot} a minute before ${at}`).toBeUndefined();
      clock.set(at);
      await runner.tick(clock.now());
      const message = await reminder(user, slot);
      expect(message, `${user} ${slot} at ${at}`).toMatchObject({ kind: 'post', ref: ref(user, slot), channel: user });
    }
    // Nothing else: no reminder on the holiday, none twice, none to the consultant who submitted.
    const all = await database.db.select().from(outbox).where(like(outbox.dedupeKey, 'job:period-reminder:%'));
    expect(all).toHaveLength(EXPECTED.length);
    const submitted = await database.db
      .select({ slot: jobRuns.slot, result: jobRuns.result })
      .from(jobRuns)
      .where(and(eq(jobRuns.job, 'period-reminder'), like(jobRuns.slot, 'USUB:%')));
    expect(submitted.map((row) => row.slot).sort()).toEqual([
      'USUB:2026-09-27',
      'USUB:2026-09-27:last',
      'USUB:2026-10-25',
      'USUB:2026-10-25:last',
      'USUB:2026-11-01',
      'USUB:2026-11-01:last',
    ]);
    expect(new Set(submitted.map((row) => row.result))).toEqual(new Set(['not sent: the timesheet is submitted']));
  });

  it('shows the hours per day with Open timesheet and Submit buttons, which act on the reminded consultant’s own sheet', async () => {
    const message = await reminder('UBER', '2026-11-01');
    if (message?.kind !== 'post') throw new Error('no reminder for UBER');
    const rendered = renderOutboxMessage(message.content);
    const text = JSON.stringify(rendered.blocks);
    expect(text).toContain('Mon 26 Oct 2026  *2h 30m*');
    expect(text).toContain('Tue 27 Oct 2026  *8h*');
    expect(text).toContain('Total *10h 30m*');
    const actions = rendered.blocks.find((block) => block.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { action_id: 'timesheet_open', value: JSON.stringify({ periodId: periods.nov, for: 'UBER' }) },
        {
          action_id: 'timesheet_submit',
          value: JSON.stringify({ periodId: periods.nov, empty: false, for: 'UBER' }),
        },
      ],
    });
    const last = await reminder('UBER', '2026-11-01:last');
    if (last?.kind !== 'post') throw new Error('no last reminder for UBER');
    expect(renderOutboxMessage(last.content).text).toContain('not submitted yet');
    expect(JSON.stringify(renderOutboxMessage(last.content).blocks)).toContain('Last reminder');
  });
});
