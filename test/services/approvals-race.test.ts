/** Approve and Reject racing on the same sheets: each ends in exactly one final state, with rows to match. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, outbox, timeEntries, timesheets } from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approvals.js';
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
import { TestClock } from '../support/test-clock.js';

const SHEETS = 20;
let database: TestDatabase;
const clock = new TestClock('2026-11-30T12:00:00Z');
const consultantIds = Array.from({ length: SHEETS }, (_, i) => `UC${String(i).padStart(3, '0')}`);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UMGR', { rights: ['approval'] });
  const manager = await addManager(db, 'UMGR');
  const consultants: number[] = [];
  for (const id of consultantIds) {
    await addUser(db, id, { rights: ['entry'] });
    consultants.push(await addConsultant(db, id));
  }
  await addProject(db, 'ACME-WEB', await addCustomer(db, 'ACME'), { consultants, managers: [manager] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
  for (const id of consultantIds) {
    const ctx = serviceContext(db, asUser(id), clock);
    const logged = await logTime(ctx, {
      projectCode: 'ACME-WEB',
      minutes: 90,
      description: 'work',
      billable: true,
      source: 'command',
    });
    expect(logged.ok).toBe(true);
    expect((await submitTimesheet(ctx)).ok).toBe(true);
  }
});
afterAll(async () => database.drop());

describe('racing decisions', () => {
  it(`${SHEETS} concurrent approve/reject pairs (and a double click each) end in one consistent state per sheet`, async () => {
    const manager = serviceContext(database.db, asUser('UMGR'), clock);
    const sheets = await database.db.select().from(timesheets);
    const results = await Promise.all(
      sheets.map(async (sheet) => {
        const approvalId = await approvalIdOf(database.db, sheet.id, 'UMGR');
        const [approve, reject, again] = await Promise.all([
          decideTimesheet(manager, { approvalId, decision: 'approve' }),
          decideTimesheet(manager, { approvalId, decision: 'reject', reason: 'race' }),
          decideTimesheet(manager, { approvalId, decision: 'approve' }),
        ]);
        return { sheet, approve, reject, again };
      }),
    );

    const problems: string[] = [];
    for (const { sheet, approve, reject, again } of results) {
      const winners = [approve, reject, again].filter((r) => r.ok);
      if (winners.length !== 1) problems.push(`sheet ${sheet.id}: ${winners.length} decisions succeeded`);
      const losers = [approve, reject, again].filter((r) => !r.ok);
      for (const loser of losers)
        if (!loser.ok && loser.error.code !== 'already_decided')
          problems.push(`sheet ${sheet.id}: ${loser.error.code}`);

      const [after] = await database.db.select().from(timesheets).where(eq(timesheets.id, sheet.id));
      const rows = await database.db.select().from(approvals).where(eq(approvals.timesheetId, sheet.id));
      const copies = await database.db.select().from(timesheets).where(eq(timesheets.reopenedFrom, sheet.id));
      const entries = await database.db.select().from(timeEntries).where(eq(timeEntries.timesheetId, sheet.id));
      const rejected = reject.ok;
      if (after!.status !== (rejected ? 'cancelled' : 'approved'))
        problems.push(`sheet ${sheet.id}: status ${after!.status}`);
      if (rows.length !== 1 || rows[0]!.status !== (rejected ? 'rejected' : 'approved'))
        problems.push(`sheet ${sheet.id}: approval rows ${JSON.stringify(rows.map((r) => r.status))}`);
      if (copies.length !== (rejected ? 1 : 0)) problems.push(`sheet ${sheet.id}: ${copies.length} open copies`);
      const frozen = entries.every((e) => e.priceRateCents !== null);
      if (frozen === rejected) problems.push(`sheet ${sheet.id}: rates frozen=${frozen} on a ${after!.status} sheet`);
    }
    expect(problems).toEqual([]);
    // One notice to each consultant, whichever way it went.
    const notices = await database.db.select().from(outbox).where(eq(outbox.kind, 'post'));
    expect(notices.filter((n) => n.dedupeKey.startsWith('decided:'))).toHaveLength(SHEETS);
  }, 60_000);
});
