/**
 * A manager marked away: their morning approval digest goes to their active delegates instead
 * (at 09:00 in the delegate's zone, once, naming whose sheets they are); a sheet no delegate may
 * decide (their own) stays with the manager, as does everything of an away manager without a
 * delegate; once back, only the manager.
 */
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, auditLog, employees, outbox, timesheets, users } from '../../src/db/schema.js';
import { approvalNudgeJob } from '../../src/jobs/approval-nudge.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { silentLogger } from '../../src/logger.js';
import { setAway } from '../../src/services/away.js';
import type { OutboxMessage } from '../../src/services/outbox.js';
import { renderOutboxMessage } from '../../src/slack/outbox-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addDelegate,
  addManager,
  addPeriod,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-12-01T00:00:00Z');
/** Approval ids by `consultant>approver`. */
const approvalOf: Record<string, number> = {};

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

async function tickAt(at: string, instances = 1): Promise<void> {
  clock.set(at);
  await Promise.all(Array.from({ length: instances }, () => runner().tick(clock.now())));
}

/** The digests queued so far, as `reader:date`. */
async function digests(): Promise<string[]> {
  const rows = await database.db.select().from(outbox).where(like(outbox.dedupeKey, 'job:approval-nudge:%'));
  return rows.map((row) => row.dedupeKey.replace('job:approval-nudge:', '')).sort();
}

async function digestOf(slot: string) {
  const [row] = await database.db
    .select()
    .from(outbox)
    .where(eq(outbox.dedupeKey, `job:approval-nudge:${slot}`));
  const message = row?.payload as OutboxMessage | undefined;
  if (message?.kind !== 'post') throw new Error(`no digest ${slot}`);
  return { message, rendered: renderOutboxMessage(message.content) };
}

const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  for (const [id, name, timeZone] of [
    ['UMONA', 'Mona', 'America/Los_Angeles'],
    ['UBOB', 'Bob', 'UTC'],
    ['UDAN', 'Dan', 'Europe/Berlin'],
    ['UIVY', 'Ivy', 'UTC'],
    ['UANN', 'Ann', 'UTC'],
  ] as const) {
    await addUser(db, id, { name, timeZone, rights: id === 'UMONA' || id === 'UBOB' ? ['approval'] : ['entry'] });
  }
  await addManager(db, 'UMONA');
  await addManager(db, 'UBOB');
  // Dan stands in for Mona; Ivy did too, but has left.
  await addDelegate(db, 'UMONA', 'UDAN');
  await addDelegate(db, 'UMONA', 'UIVY');
  await db.update(users).set({ active: false }).where(eq(users.id, 'UIVY'));
  const period = await addPeriod(db, '2026-11-23', '2026-11-29');
  // Submitted Tue 1 Dec 10:00 UTC: Ann's waits for Mona and Bob, Dan's own for Mona.
  for (const [consultant, approvers] of [
    ['UANN', ['UMONA', 'UBOB']],
    ['UDAN', ['UMONA']],
  ] as const) {
    const consultantId = await addConsultant(db, consultant);
    await db
      .update(employees)
      .set({ name: consultant === 'UANN' ? 'Ann' : 'Dan' })
      .where(eq(employees.id, consultantId));
    const [sheet] = await db
      .insert(timesheets)
      .values({ consultantId, periodId: period, status: 'submitted', submittedAt: new Date('2026-12-01T10:00:00Z') })
      .returning();
    for (const approverId of approvers) {
      const [approval] = await db.insert(approvals).values({ timesheetId: sheet!.id, approverId }).returning();
      approvalOf[`${consultant}>${approverId}`] = approval!.id;
    }
  }
});
afterAll(async () => {
  await database.drop();
});

describe('approval nudge while a manager is away', () => {
  it('marking away is stored and audited once, for oneself only', async () => {
    expect(await setAway(as('UMONA'), { away: true })).toEqual({ ok: true, away: true, delegates: ['Dan'] });
    expect(await setAway(as('UMONA'), { away: true })).toMatchObject({ ok: true, away: true });
    expect(await setAway(as('UBOB'), { away: true })).toEqual({ ok: true, away: true, delegates: [] });
    const [mona] = await database.db.select().from(users).where(eq(users.id, 'UMONA'));
    expect(mona!.away).toBe(true);
    const audited = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'user.away'), eq(auditLog.entityId, 'UMONA')));
    expect(audited).toMatchObject([{ actorId: 'UMONA', before: { away: false }, after: { away: true } }]);
    // A delegate acting for Mona cannot switch her; someone without the approval right has no switch.
    expect(await setAway(serviceContext(database.db, asUser('UDAN', 'UMONA'), clock), { away: false })).toMatchObject({
      ok: false,
      error: { code: 'not_yourself' },
    });
    expect(await setAway(as('UANN'), { away: true })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('sends the away manager’s sheets to her delegate at 09:00 in the delegate’s zone, once, and not to her', async () => {
    // Thu 3 Dec 09:00 in Berlin (08:00 UTC): the sheets have waited 46 hours.
    await tickAt('2026-12-03T07:59:00Z');
    // Caught up, Wed 2 Dec 09:00 in Los Angeles: Dan's own sheet, which he may not decide, stays
    // with Mona although she is away; Ann's is not in hers.
    expect(await digests()).toEqual(['UMONA:2026-12-02']);
    await tickAt('2026-12-03T08:00:00Z', 3);
    await tickAt('2026-12-03T08:00:00Z', 3);
    // Bob is away too, but has no delegate: his digest still comes to him (09:00 UTC).
    await tickAt('2026-12-03T09:00:00Z');
    expect(await digests()).toEqual(['UBOB:2026-12-03', 'UDAN:2026-12-03', 'UMONA:2026-12-02']);
    await tickAt('2026-12-03T17:00:00Z', 3);
    expect(await digests()).toEqual(['UBOB:2026-12-03', 'UDAN:2026-12-03', 'UMONA:2026-12-02', 'UMONA:2026-12-03']);
    const mona = JSON.stringify((await digestOf('UMONA:2026-12-03')).rendered.blocks);
    expect(mona).toContain('A timesheet has waited more than a day for your decision.');
    expect(mona).toContain('*Dan* ·');
    expect(mona).not.toContain('*Ann*');

    const { message, rendered } = await digestOf('UDAN:2026-12-03');
    expect(message).toMatchObject({ channel: 'UDAN', ref: 'approval-nudge:UDAN:2026-12-03' });
    const text = JSON.stringify(rendered.blocks);
    expect(text).toContain('It is for *Mona*, who is away: you are the delegate, so you can decide them.');
    expect(text).toContain('*Ann* · Mon 23 Nov 2026 – Sun 29 Nov 2026 · 0m · for Mona');
    // Dan's own sheet is not his to decide, so it is not in his digest.
    expect(text).not.toContain('*Dan*');
    expect(rendered.text).toBe('1 timesheet waits for a decision of Mona (away)');
    expect(rendered.blocks.filter((block) => block.type === 'actions')).toMatchObject([
      { elements: [{ action_id: 'approval_approve', value: String(approvalOf['UANN>UMONA']) }, {}] },
    ]);
    expect(JSON.stringify((await digestOf('UBOB:2026-12-03')).rendered.blocks)).not.toContain('away');
  });

  it('once she is back, only she gets her digest', async () => {
    expect(await setAway(as('UMONA'), { away: false })).toMatchObject({ ok: true, away: false });
    // Fri 4 Dec: 09:00 in Berlin, then in Los Angeles.
    await tickAt('2026-12-04T08:00:00Z');
    await tickAt('2026-12-04T17:00:00Z', 3);
    expect((await digests()).filter((slot) => slot.endsWith('2026-12-04') && !slot.startsWith('UBOB'))).toEqual([
      'UMONA:2026-12-04',
    ]);
    const { rendered } = await digestOf('UMONA:2026-12-04');
    const text = JSON.stringify(rendered.blocks);
    expect(text).toContain('2 timesheets have waited more than a day for your decision.');
    expect(text).not.toContain('for Mona');
  });
});
