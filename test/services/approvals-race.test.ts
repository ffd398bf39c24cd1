/**
 * Approve and Reject racing on the same sheets: each ends in exactly one final state, with rows to
 * match. Each interleaving is forced (test/support/interleaving.ts): the winner is held with the
 * sheet locked while the others arrive and wait for it.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src/domain/result.js';
import { approvals, outbox, timeEntries, timesheets } from '../../src/db/schema.js';
import { decideTimesheet, type DecisionOutcome } from '../../src/services/approval-decisions.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  approvalIdOf,
  addConsultant,
  addCustomer,
  addManager,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { Interleaving } from '../support/interleaving.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let customer: number;
let manager: number;
const clock = new TestClock('2026-11-30T12:00:00Z');
const managerCtx = () => serviceContext(database.db, asUser('UMGR'), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UMGR', { rights: ['approval'], name: 'Mona' });
  manager = await addManager(db, 'UMGR');
  customer = await addCustomer(db, 'ACME');
  await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

/** `count` consultants on a project of their own, each with 90 minutes on a submitted sheet waiting for UMGR. */
async function submittedSheets(prefix: string, count: number): Promise<{ sheetId: number; approvalId: number }[]> {
  const { db } = database;
  const userIds = Array.from({ length: count }, (_, i) => `U${prefix}${String(i).padStart(3, '0')}`);
  const consultants: number[] = [];
  for (const id of userIds) {
    await addUser(db, id, { rights: ['entry'] });
    consultants.push(await addConsultant(db, id));
  }
  await addProject(db, `${prefix}-WEB`, customer, { consultants, managers: [manager] });
  const sheets: { sheetId: number; approvalId: number }[] = [];
  for (const id of userIds) {
    const ctx = serviceContext(db, asUser(id), clock);
    const logged = await logTime(ctx, {
      projectCode: `${prefix}-WEB`,
      minutes: 90,
      description: 'work',
      billable: true,
      source: 'command',
    });
    expect(logged.ok).toBe(true);
    const submitted = await submitTimesheet(ctx);
    if (!submitted.ok) throw new Error(submitted.error.message);
    const sheetId = submitted.submitted.timesheetId;
    sheets.push({ sheetId, approvalId: await approvalIdOf(db, sheetId, 'UMGR') });
  }
  return sheets;
}

/** What is wrong with the sheet's rows, given which decision won: none when all agree. */
async function inconsistencies(sheetId: number, won: 'approve' | 'reject'): Promise<string[]> {
  const { db } = database;
  const problems: string[] = [];
  const [after] = await db.select().from(timesheets).where(eq(timesheets.id, sheetId));
  const rows = await db.select().from(approvals).where(eq(approvals.timesheetId, sheetId));
  const copies = await db.select().from(timesheets).where(eq(timesheets.reopenedFrom, sheetId));
  const entries = await db.select().from(timeEntries).where(eq(timeEntries.timesheetId, sheetId));
  const rejected = won === 'reject';
  if (after!.status !== (rejected ? 'cancelled' : 'approved'))
    problems.push(`sheet ${sheetId}: status ${after!.status}`);
  if (rows.length !== 1 || rows[0]!.status !== (rejected ? 'rejected' : 'approved'))
    problems.push(`sheet ${sheetId}: approval rows ${JSON.stringify(rows.map((r) => r.status))}`);
  if (copies.length !== (rejected ? 1 : 0)) problems.push(`sheet ${sheetId}: ${copies.length} open copies`);
  const frozen = entries.every((e) => e.priceRateCents !== null);
  if (frozen === rejected) problems.push(`sheet ${sheetId}: rates frozen=${frozen} on a ${after!.status} sheet`);
  const notices = await db.select().from(outbox).where(eq(outbox.kind, 'post'));
  const decided = notices.filter((n) => n.dedupeKey === `decided:${sheetId}`);
  if (decided.length !== 1) problems.push(`sheet ${sheetId}: ${decided.length} notices to the consultant`);
  return problems;
}

type Answer = Result<{ outcome: DecisionOutcome }>;

describe('racing decisions, each interleaving forced', () => {
  it('approve holds the sheet while a reject and a second approve arrive: approved once, both others told it is already approved', async () => {
    const [{ sheetId, approvalId }] = (await submittedSheets('AW', 1)) as [{ sheetId: number; approvalId: number }];
    const race = new Interleaving(database);
    const approve = race.hold(managerCtx(), 'decide:sheet-locked');
    const first = decideTimesheet(approve.ctx, { approvalId, decision: 'approve' });
    await approve.reached;
    const reject = decideTimesheet(race.racer(managerCtx()), { approvalId, decision: 'reject', reason: 'race' });
    const again = decideTimesheet(race.racer(managerCtx()), { approvalId, decision: 'approve' });
    await race.waiting(2);
    approve.release();

    const answers: Answer[] = await Promise.all([first, reject, again]);
    expect(answers[0]).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });
    for (const loser of answers.slice(1))
      expect(loser).toMatchObject({
        ok: false,
        error: { code: 'already_decided', message: 'This timesheet is already approved; nothing to do.' },
      });
    expect(await inconsistencies(sheetId, 'approve')).toEqual([]);
  });

  it('reject holds the sheet while an approve and a second reject arrive: sent back once, both others told so', async () => {
    const [{ sheetId, approvalId }] = (await submittedSheets('RW', 1)) as [{ sheetId: number; approvalId: number }];
    const race = new Interleaving(database);
    const reject = race.hold(managerCtx(), 'decide:sheet-locked');
    const first = decideTimesheet(reject.ctx, { approvalId, decision: 'reject', reason: 'race' });
    await reject.reached;
    const approve = decideTimesheet(race.racer(managerCtx()), { approvalId, decision: 'approve' });
    const again = decideTimesheet(race.racer(managerCtx()), { approvalId, decision: 'reject', reason: 'again' });
    await race.waiting(2);
    reject.release();

    const answers: Answer[] = await Promise.all([first, approve, again]);
    expect(answers[0]).toMatchObject({ ok: true, outcome: { sheetStatus: 'cancelled' } });
    for (const loser of answers.slice(1))
      expect(loser).toMatchObject({
        ok: false,
        error: { code: 'already_decided', message: expect.stringContaining('already sent back by Mona (race)') },
      });
    expect(await inconsistencies(sheetId, 'reject')).toEqual([]);
  });

  it('20 sheets each decided by an approve, a reject and a double click at once end in one consistent state per sheet', async () => {
    const sheets = await submittedSheets('MANY', 20);
    const results = await Promise.all(
      sheets.map(async ({ sheetId, approvalId }) => {
        const [approve, reject, again] = await Promise.all([
          decideTimesheet(managerCtx(), { approvalId, decision: 'approve' }),
          decideTimesheet(managerCtx(), { approvalId, decision: 'reject', reason: 'race' }),
          decideTimesheet(managerCtx(), { approvalId, decision: 'approve' }),
        ]);
        return { sheetId, answers: [approve, reject, again], rejected: reject.ok };
      }),
    );
    const problems: string[] = [];
    for (const { sheetId, answers, rejected } of results) {
      const winners = answers.filter((r) => r.ok);
      if (winners.length !== 1) problems.push(`sheet ${sheetId}: ${winners.length} decisions succeeded`);
      for (const loser of answers)
        if (!loser.ok && loser.error.code !== 'already_decided') problems.push(`sheet ${sheetId}: ${loser.error.code}`);
      problems.push(...(await inconsistencies(sheetId, rejected ? 'reject' : 'approve')));
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
