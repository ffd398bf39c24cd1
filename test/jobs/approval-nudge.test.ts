/**
 * The approval nudge: at 09:00 in the manager's zone on a working day, one digest DM listing the
 * sheets that have waited more than 24 hours, even with three instances ticking; and the command
 * line's `jobs run --at` run twice does the work once.
 */
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, localFiles } from '../../src/cli/commands.js';
import { approvals, outbox, timesheets } from '../../src/db/schema.js';
import { approvalNudgeJob } from '../../src/jobs/approval-nudge.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { silentLogger } from '../../src/logger.js';
import type { OutboxMessage } from '../../src/services/outbox.js';
import { renderOutboxMessage } from '../../src/slack/outbox-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addConsultant, addManager, addPeriod, addUser } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-12-02T00:00:00Z');
const approvalIds: number[] = [];

const runner = () =>
  new JobRunner({
    ctx: {
      db: database.db,
      actor: { kind: 'system', name: 'job' },
      clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    jobs: [approvalNudgeJob],
  });

const digests = () => database.db.select().from(outbox).where(like(outbox.dedupeKey, 'job:approval-nudge:%'));

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UMGR', { timeZone: 'America/Los_Angeles', name: 'Mona' });
  await addManager(db, 'UMGR');
  await addUser(db, 'UCLI', { timeZone: 'Europe/Berlin' });
  await addManager(db, 'UCLI');
  const period = await addPeriod(db, '2026-11-23', '2026-11-29');
  // Ann's sheet waits from Tue 1 Dec 10:00 UTC for Mona; Ben's from Wed 2 Dec 20:00 for Mona and Cleo.
  for (const [user, submittedAt, approvers] of [
    ['UANN', '2026-12-01T10:00:00Z', ['UMGR']],
    ['UBEN', '2026-12-02T20:00:00Z', ['UMGR', 'UCLI']],
  ] as const) {
    await addUser(db, user, { name: user === 'UANN' ? 'Ann' : 'Ben' });
    const consultantId = await addConsultant(db, user);
    const [sheet] = await db
      .insert(timesheets)
      .values({ consultantId, periodId: period, status: 'submitted', submittedAt: new Date(submittedAt) })
      .returning();
    for (const approverId of approvers) {
      const [approval] = await db.insert(approvals).values({ timesheetId: sheet!.id, approverId }).returning();
      if (user === 'UANN') approvalIds.push(approval!.id);
    }
  }
});
afterAll(async () => {
  await database.drop();
});

describe('approval nudge', () => {
  it('sends one digest at 09:00 in the manager’s zone, of the sheets waiting over 24 hours', async () => {
    // Wed 2 Dec 09:00 in Los Angeles (17:00 UTC): Ann's sheet has waited 31 hours.
    // Tue 1 Dec 09:00 there (caught up now) Ann's sheet had waited 7 hours: no digest for that morning.
    clock.set('2026-12-02T16:59:00Z');
    await runner().tick(clock.now());
    expect(await digests()).toHaveLength(0);
    clock.set('2026-12-02T17:00:00Z');
    await Promise.all([runner(), runner(), runner()].map((instance) => instance.tick(clock.now())));
    const sent = await digests();
    expect(sent).toHaveLength(1);
    const message = sent[0]!.payload as OutboxMessage;
    expect(message).toMatchObject({ kind: 'post', channel: 'UMGR', ref: 'approval-nudge:UMGR:2026-12-02' });
    if (message.kind !== 'post') throw new Error('not a post');
    const rendered = renderOutboxMessage(message.content);
    expect(JSON.stringify(rendered.blocks)).toContain('*UANN*');
    expect(JSON.stringify(rendered.blocks)).not.toContain('UBEN');
    expect(rendered.blocks.filter((block) => block.type === 'actions')).toMatchObject([
      {
        elements: [
          { action_id: 'approval_approve', value: String(approvalIds[0]) },
          { action_id: 'approval_view', text: { text: 'Open' } },
        ],
      },
    ]);
  });

  it('sends Cleo in Berlin nothing while Ben’s sheet has waited less than a day, then her digest', async () => {
    // Thu 3 Dec 09:00 in Berlin (08:00 UTC): Ben's sheet has waited 12 hours.
    clock.set('2026-12-03T08:00:00Z');
    await runner().tick(clock.now());
    expect((await digests()).filter((row) => (row.payload as OutboxMessage).ref.includes('UCLI'))).toHaveLength(0);
    // Fri 4 Dec 09:00 in Berlin: 36 hours.
    clock.set('2026-12-04T08:00:00Z');
    await runner().tick(clock.now());
    expect((await digests()).map((row) => (row.payload as OutboxMessage).ref).sort()).toEqual([
      'approval-nudge:UCLI:2026-12-04',
      'approval-nudge:UMGR:2026-12-02',
      'approval-nudge:UMGR:2026-12-03',
    ]);
  });

  it('runs from the command line as the scheduler would at an instant, and a second run does nothing again', async () => {
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(
        argv,
        { out: (t) => out.push(t), err: (t) => err.push(t), ...localFiles },
        () => Promise.resolve({ ...database, close: async () => {} }),
        { currency: 'USD', orgTimeZone: 'UTC' },
        clock,
      );
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    // Mon 7 Dec 09:00 in Los Angeles.
    // The command is typed a few minutes after that instant.
    clock.set('2026-12-07T17:05:00Z');
    const first = await run('jobs', 'run', 'approval-nudge', '--at', '2026-12-07T09:00:00-08:00');
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toContain('approval-nudge:UMGR:2026-12-07  done: digest queued (2 sheets waiting)');
    const second = await run('jobs', 'run', 'approval-nudge', '--at', '2026-12-07T09:00:00-08:00');
    expect(second.out).toContain('approval-nudge:UMGR:2026-12-07  finished-before: already done');
    expect(
      await database.db.select().from(outbox).where(eq(outbox.dedupeKey, 'job:approval-nudge:UMGR:2026-12-07')),
    ).toHaveLength(1);
    const listed = await run('jobs', 'list', 'approval-nudge');
    expect(listed.out).toMatch(/approval-nudge\tUMGR:2026-12-07\tdone\t1\t.*\tdigest queued \(2 sheets waiting\)/);

    const wrong = await run('jobs', 'run', 'approval-nudge', '--at', '2026-12-07 09:00');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('jobs run takes --at with an instant, e.g.');
    expect((await run('jobs', 'run', 'nudge')).err).toContain(
      'There is no job named "nudge"; the jobs are: period-reminder, approval-nudge',
    );
  });
});
