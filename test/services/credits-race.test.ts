/**
 * Two managers approving the last prepaid hours of one customer at the same moment: the balance
 * ends exact and the crossing is alerted once. The interleaving is forced: a transaction holds the
 * customer's row while both approvals start, so both are waiting for it when it is released (on
 * PostgreSQL the test waits until both sessions block on the row lock; PGlite runs transactions one
 * at a time, so there both wait behind the holder and then run one after the other).
 */
import { eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { creditAlerts, creditLedger, customers, outbox } from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import { checkCreditAlerts, creditStanding } from '../../src/services/credit-ledger.js';
import { addCredits } from '../../src/services/credits.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addManager,
  addPeriod,
  addProject,
  addUser,
  approvalIdOf,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let globex: number;
const clock = new TestClock('2026-11-20T12:00:00Z');
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  for (const id of ['UM1', 'UM2']) await addUser(db, id, { rights: ['approval'] });
  for (const id of ['UC1', 'UC2']) await addUser(db, id, { rights: ['entry'] });
  globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  await db.update(customers).set({ lowCreditThresholdMinutes: 60 }).where(eq(customers.id, globex));
  await addProject(db, 'GLOBEX-A', globex, {
    consultants: [await addConsultant(db, 'UC1')],
    managers: [await addManager(db, 'UM1')],
  });
  await addProject(db, 'GLOBEX-B', globex, {
    consultants: [await addConsultant(db, 'UC2')],
    managers: [await addManager(db, 'UM2')],
  });
  await addPeriod(db, '2026-11-01', '2026-11-30');
  expect(
    (await addCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '8', price: '', date: '2026-11-01', note: '' }))
      .ok,
  ).toBe(true);
  for (const [user, project] of [
    ['UC1', 'GLOBEX-A'],
    ['UC2', 'GLOBEX-B'],
  ] as const) {
    const logged = await logTime(as(user), {
      projectCode: project,
      minutes: 240,
      description: 'last hours',
      billable: true,
      source: 'command',
    });
    expect(logged.ok).toBe(true);
    expect((await submitTimesheet(as(user))).ok).toBe(true);
  }
});
afterAll(async () => database.drop());

/** Holds the customer's row in a transaction of its own until `release()`. */
async function holdCustomerRow(): Promise<{ release: () => void; done: Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const done = database.db.transaction(async (tx) => {
    await tx.execute(sql`select id from customers where id = ${globex} for update`);
    held();
    await released;
  });
  await holding;
  return { release, done };
}

/** Until `count` sessions wait on a lock (PostgreSQL); PGlite queues them behind the holder, so a few turns suffice. */
async function untilWaiting(count: number): Promise<void> {
  for (let turn = 0; turn < 500; turn++) {
    if (database.kind === 'postgres') {
      const [row] = await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      if (Number(row!.n) >= count) return;
    } else if (turn >= 5) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${count} sessions never waited on the lock`);
}

describe('two managers approving the last hours at once', () => {
  it('both wait on the customer row, then the balance ends at exactly zero with one deduction each and one alert for the crossing', async () => {
    const sheets = await database.db.query.timesheets.findMany({ orderBy: (t, { asc }) => asc(t.id) });
    const first = await approvalIdOf(database.db, sheets[0]!.id, 'UM1');
    const second = await approvalIdOf(database.db, sheets[1]!.id, 'UM2');
    const holder = await holdCustomerRow();
    const decisions = Promise.all([
      decideTimesheet(as('UM1'), { approvalId: first, decision: 'approve' }),
      decideTimesheet(as('UM2'), { approvalId: second, decision: 'approve' }),
    ]);
    await untilWaiting(2);
    holder.release();
    await holder.done;
    expect((await decisions).map((d) => d.ok)).toEqual([true, true]);

    const ledger = await database.db.select().from(creditLedger).where(eq(creditLedger.kind, 'deduction'));
    expect(ledger.map((row) => row.minutes)).toEqual([-240, -240]);
    expect((await creditStanding(database.db, as('UADMIN'), globex)).remainingMinutes).toBe(0);
    // Each transaction saw the other's deduction: the second one crossed below the 1h threshold.
    const alerts = await database.db.select().from(creditAlerts).where(eq(creditAlerts.customerId, globex));
    expect(alerts.map((a) => [a.kind, a.remainingMinutes])).toEqual([['low_credit', 0]]);
    const posts = await database.db.select().from(outbox).where(like(outbox.dedupeKey, 'credit-alert:%'));
    expect(posts.map((p) => (p.payload as { channel: string }).channel).sort()).toEqual(['UM1', 'UM2']);
  }, 60_000);

  it('scheduled checks on two instances at once after the crossing repeat nothing; after a re-arm and a new crossing, they alert once', async () => {
    const again = await Promise.all([checkCreditAlerts(as('UADMIN'), globex), checkCreditAlerts(as('UADMIN'), globex)]);
    expect(again).toEqual([[], []]);
    // A purchase re-arms (balance 2h); a threshold raised to 3h without a check leaves the crossing for the checks.
    expect(
      (await addCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '2', price: '', date: '2026-11-20', note: '' }))
        .ok,
    ).toBe(true);
    await database.db.update(customers).set({ lowCreditThresholdMinutes: 180 }).where(eq(customers.id, globex));
    const checks = await Promise.all([
      checkCreditAlerts(as('UADMIN'), globex),
      checkCreditAlerts(as('UADMIN'), globex),
    ]);
    expect(checks.flat()).toEqual(['low_credit']);
    const live = await database.db.select().from(creditAlerts).where(eq(creditAlerts.customerId, globex));
    expect(live.map((a) => [a.remainingMinutes, a.rearmedAt === null])).toEqual([
      [0, false],
      [120, true],
    ]);
  }, 60_000);
});
