/** The prepaid ledger: deductions on every approval path, balances, alerts once per crossing, the prepaid log. */
import { and, desc, eq, like } from 'drizzle-orm';
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { creditAlerts, creditLedger, customers, outbox, timesheets } from '../../src/db/schema.js';
import { adminDecide, decideTimesheet } from '../../src/services/approval-decisions.js';
import { creditStanding, deductApprovedTime, settleCreditAlerts } from '../../src/services/credit-ledger.js';
import {
  addCredits,
  adjustCredits,
  creditsOverview,
  prepaidLog,
  saveCreditSettings,
} from '../../src/services/credits.js';
import type { OutboxMessage } from '../../src/services/outbox.js';
import { deleteProjects } from '../../src/services/projects.js';
import { importSetup } from '../../src/services/setup-import.js';
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
let clock: TestClock;
let globex: number;
let side: number;
/** Weekly periods of November, so a consultant can have several sheets. */
let periods: number[];

const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeEach(async () => {
  database = await createTestDatabase();
  clock = new TestClock('2026-11-20T12:00:00Z');
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UMGR', { rights: ['approval'] });
  await addUser(db, 'UMGR2', { rights: ['approval'] });
  await addUser(db, 'UC1', { rights: ['entry'] });
  await addUser(db, 'UC2', { rights: ['entry'] });
  await addUser(db, 'UOUT', { rights: ['entry'] });
  const manager = await addManager(db, 'UMGR');
  const manager2 = await addManager(db, 'UMGR2');
  const c1 = await addConsultant(db, 'UC1');
  const c2 = await addConsultant(db, 'UC2');
  await addConsultant(db, 'UOUT');
  globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  await db
    .update(customers)
    .set({ lowCreditThresholdMinutes: 10 * 60, alertChannel: 'CALERTS' })
    .where(eq(customers.id, globex));
  await addProject(db, 'GLOBEX-OPS', globex, { consultants: [c1, c2], managers: [manager] });
  side = await addProject(db, 'SIDE', await addCustomer(db, 'SIDECO'), { consultants: [c1], managers: [manager2] });
  periods = [];
  for (const [from, to] of [
    ['2026-11-01', '2026-11-07'],
    ['2026-11-08', '2026-11-14'],
    ['2026-11-15', '2026-11-21'],
    ['2026-11-22', '2026-11-28'],
  ] as const)
    periods.push(await addPeriod(db, from, to));
  const bought = await addCredits(as('UADMIN'), {
    customerCode: 'globex',
    hours: '20',
    price: '2000.00',
    date: '2026-11-02',
    note: 'PO 4711',
  });
  expect(bought.ok).toBe(true);
});
afterEach(async () => database.drop());

/** Logs the entries on consecutive days of the week (0-3) and submits that week's sheet; answers its id. */
async function logAndSubmit(
  user: string,
  entries: { minutes: number; billable?: boolean; project?: string }[],
  week = 1,
): Promise<number> {
  for (const [i, e] of entries.entries()) {
    const logged = await logTime(as(user), {
      projectCode: e.project ?? 'GLOBEX-OPS',
      date: { kind: 'iso', date: `2026-11-${String(1 + 7 * week + i).padStart(2, '0')}` },
      minutes: e.minutes,
      description: `work ${i}`,
      billable: e.billable ?? true,
      source: 'command',
    });
    expect(logged.ok, JSON.stringify(logged)).toBe(true);
  }
  const submitted = await submitTimesheet(as(user), { periodId: periods[week] });
  expect(submitted.ok, JSON.stringify(submitted)).toBe(true);
  const [sheet] = await database.db
    .select()
    .from(timesheets)
    .where(and(eq(timesheets.status, 'submitted'), eq(timesheets.periodId, periods[week]!)))
    .orderBy(desc(timesheets.id));
  return sheet!.id;
}

async function approve(manager: string, sheetId: number) {
  const decided = await decideTimesheet(as(manager), {
    approvalId: await approvalIdOf(database.db, sheetId, manager),
    decision: 'approve',
  });
  expect(decided.ok, JSON.stringify(decided)).toBe(true);
}

const deductions = () => database.db.select().from(creditLedger).where(eq(creditLedger.kind, 'deduction'));
const remaining = async () => (await creditStanding(database.db, as('UADMIN'), globex)).remainingMinutes;
const alertPosts = async () =>
  (await database.db.select().from(outbox).where(like(outbox.dedupeKey, 'credit-alert:%'))).map(
    (row) => (row.payload as Extract<OutboxMessage, { kind: 'post' }>).channel,
  );

describe('deductions', () => {
  it('a manager approval deducts each billable entry once; non-billable time deducts nothing; a repeat deducts nothing more', async () => {
    const sheet = await logAndSubmit('UC1', [{ minutes: 360 }, { minutes: 60, billable: false }]);
    expect((await creditStanding(database.db, as('UADMIN'), globex)).pendingMinutes).toBe(360);
    await approve('UMGR', sheet);
    const rows = await deductions();
    expect(rows.map((r) => r.minutes)).toEqual([-360]);
    expect(await remaining()).toBe(20 * 60 - 360);

    const again = await decideTimesheet(as('UMGR'), {
      approvalId: await approvalIdOf(database.db, sheet, 'UMGR'),
      decision: 'approve',
    });
    expect(again.ok).toBe(false);
    await database.db.transaction(async (tx) => {
      expect(await deductApprovedTime(tx, as('UADMIN'), sheet)).toEqual([]);
    });
    expect(await deductions()).toHaveLength(1);
    expect((await creditStanding(database.db, as('UADMIN'), globex)).pendingMinutes).toBe(0);
  });

  it('an administrator force-approving deducts, and hourly customers never do', async () => {
    const sheet = await logAndSubmit('UC1', [{ minutes: 120 }, { minutes: 90, project: 'SIDE' }]);
    expect((await adminDecide(as('UADMIN'), { timesheetId: sheet, decision: 'approve' })).ok).toBe(true);
    const rows = await deductions();
    expect(rows.map((r) => [r.customerId, r.minutes])).toEqual([[globex, -120]]);
  });

  it('a sheet settled by removing the project still waiting deducts the approved prepaid time', async () => {
    const sheet = await logAndSubmit('UC1', [{ minutes: 120 }, { minutes: 90, project: 'SIDE' }]);
    await approve('UMGR', sheet);
    expect(await deductions()).toHaveLength(0);
    const removed = await deleteProjects(as('UADMIN'), [side]);
    expect(removed.ok, JSON.stringify(removed)).toBe(true);
    const [after] = await database.db.select().from(timesheets).where(eq(timesheets.id, sheet));
    expect(after!.status).toBe('approved');
    expect((await deductions()).map((r) => r.minutes)).toEqual([-120]);
  });

  it('a rejection deducts nothing; the resubmitted copy is pending and deducts once when approved', async () => {
    const sheet = await logAndSubmit('UC1', [{ minutes: 300 }]);
    const rejected = await decideTimesheet(as('UMGR'), {
      approvalId: await approvalIdOf(database.db, sheet, 'UMGR'),
      decision: 'reject',
      reason: 'wrong day',
    });
    expect(rejected.ok).toBe(true);
    let standing = await creditStanding(database.db, as('UADMIN'), globex);
    expect([standing.remainingMinutes, standing.pendingMinutes]).toEqual([1200, 0]);
    expect((await submitTimesheet(as('UC1'), { periodId: periods[1] })).ok).toBe(true);
    standing = await creditStanding(database.db, as('UADMIN'), globex);
    expect([standing.remainingMinutes, standing.pendingMinutes]).toEqual([1200, 300]);
    const copy = (await database.db.select().from(timesheets).where(eq(timesheets.status, 'submitted')))[0]!;
    await approve('UMGR', copy.id);
    standing = await creditStanding(database.db, as('UADMIN'), globex);
    expect([standing.remainingMinutes, standing.pendingMinutes]).toEqual([900, 0]);
    expect(await deductions()).toHaveLength(1);
  });

  it('a deduction may take the balance below zero and never blocks the approval', async () => {
    const sheet = await logAndSubmit('UC1', [{ minutes: 600 }, { minutes: 600 }, { minutes: 270 }]);
    await approve('UMGR', sheet);
    expect(await remaining()).toBe(-270);
    const overview = await creditsOverview(as('UC1'), 'GLOBEX');
    expect(overview.ok && overview.customers[0]!.remainingMinutes).toBe(-270);
  });
});

describe('low-credit alerts', () => {
  it('post once per crossing to the alert channel and the managers, never again on later approvals or checks, and again after a purchase re-arms them', async () => {
    await approve('UMGR', await logAndSubmit('UC1', [{ minutes: 360 }]));
    expect(await alertPosts()).toEqual([]);
    await approve('UMGR', await logAndSubmit('UC2', [{ minutes: 360 }]));
    expect(await remaining()).toBe(480);
    expect((await alertPosts()).sort()).toEqual(['CALERTS', 'UMGR']);

    // More approvals below the line, and the scheduled check, repeat nothing.
    await approve('UMGR', await logAndSubmit('UC1', [{ minutes: 60 }], 2));
    await database.db.transaction(async (tx) => {
      expect(await settleCreditAlerts(tx, as('UADMIN'), globex, { lifting: false })).toEqual([]);
    });
    expect(await alertPosts()).toHaveLength(2);

    // A purchase lifting it above re-arms; the next crossing alerts again.
    expect(
      (await addCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '10', price: '', date: '2026-11-20', note: '' }))
        .ok,
    ).toBe(true);
    expect(await remaining()).toBe(1020);
    const live = await database.db.select().from(creditAlerts).where(eq(creditAlerts.customerId, globex));
    expect(live.map((a) => a.rearmedAt !== null)).toEqual([true]);
    await approve('UMGR', await logAndSubmit('UC2', [{ minutes: 480 }], 2));
    expect(await alertPosts()).toHaveLength(4);
  });

  it('refuses purchases and adjustments past the limits with a field error, and writes nothing', async () => {
    const before = await database.db.select().from(creditLedger);
    const purchase = { customerCode: 'GLOBEX', date: '2026-11-20', note: '' };
    const tooManyHours = await addCredits(as('UADMIN'), { ...purchase, hours: '200000', price: '' });
    expect(tooManyHours).toMatchObject({
      ok: false,
      error: { field: 'hours', message: expect.stringMatching(/100,?000/) },
    });
    const tooDear = await addCredits(as('UADMIN'), { ...purchase, hours: '10', price: '9000000000' });
    expect(tooDear).toMatchObject({ ok: false, error: { field: 'price' } });
    const tooLarge = await adjustCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '-200000', reason: 'typo' });
    expect(tooLarge).toMatchObject({ ok: false, error: { field: 'hours' } });
    expect(await database.db.select().from(creditLedger)).toEqual(before);
  });

  it('an adjustment needs a reason and its crossing alerts; a threshold lowered under the balance re-arms', async () => {
    const noReason = await adjustCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '-2h', reason: '  ' });
    expect(noReason.ok || noReason.error.field).toBe('reason');
    const adjusted = await adjustCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '-11h', reason: 'refund' });
    expect(adjusted.ok && adjusted.remainingMinutes).toBe(540);
    expect(await alertPosts()).toHaveLength(2);
    const raised = await saveCreditSettings(as('UADMIN'), {
      customerCode: 'GLOBEX',
      threshold: '5',
      alertChannel: 'CALERTS',
      autoTopup: false,
      topupHours: '',
      topupPrice: '',
      creditOnIssue: true,
    });
    expect(raised.ok).toBe(true);
    const up = await adjustCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '+1h', reason: 'goodwill' });
    expect(up.ok).toBe(true);
    const live = await database.db.select().from(creditAlerts).where(eq(creditAlerts.customerId, globex));
    expect(live.filter((a) => a.rearmedAt === null)).toHaveLength(0);
  });

  it('a purchase imported from the setup file re-arms the alert it lifts', async () => {
    await approve('UMGR', await logAndSubmit('UC1', [{ minutes: 660 }]));
    expect(await alertPosts()).toHaveLength(2);
    const imported = await importSetup(
      { ...as('UADMIN'), actor: { kind: 'system', name: 'cli' } },
      `customers:\n  - { code: GLOBEX, name: GLOBEX Inc, billing: prepaid, prepaid: { threshold_hours: 10 }, credits: [{ hours: 5, note: 'PO 5', on: 2026-11-20 }] }\n`,
    );
    expect(imported.ok, JSON.stringify(imported)).toBe(true);
    expect(await remaining()).toBe(840);
    const live = await database.db.select().from(creditAlerts).where(eq(creditAlerts.customerId, globex));
    expect(live.map((a) => a.rearmedAt !== null)).toEqual([true]);
  });

  it('only administrators buy or adjust credit', async () => {
    const refused = await adjustCredits(as('UMGR'), { customerCode: 'GLOBEX', hours: '5', reason: 'please' });
    expect(refused.ok || refused.error.code).toBe('forbidden');
  });
});

describe('forecast', () => {
  it('burn rate is the net deduction of the last 28 days: remaining x 28 / used, rounded down', async () => {
    // 14h deducted on Nov 20 leaves 6h; 6 x 28 / 14 = 12 days.
    await approve('UMGR', await logAndSubmit('UC1', [{ minutes: 840 }]));
    let standing = await creditStanding(database.db, as('UADMIN'), globex);
    expect(standing.forecast).toEqual({ kind: 'runs_out', days: 12 });
    clock.advance({ days: 27 });
    standing = await creditStanding(database.db, as('UADMIN'), globex);
    expect(standing.forecast).toEqual({ kind: 'runs_out', days: 12 });
    clock.advance({ days: 1 });
    standing = await creditStanding(database.db, as('UADMIN'), globex);
    expect(standing.forecast).toEqual({ kind: 'no_recent_use' });
  });

  it('an early alert fires once when fewer than 7 days are left above the threshold', async () => {
    await database.db.update(customers).set({ lowCreditThresholdMinutes: 60 }).where(eq(customers.id, globex));
    // 17h used leaves 3h: 3 x 28 / 17 = 4 days, above the 1h threshold.
    await approve('UMGR', await logAndSubmit('UC1', [{ minutes: 600 }, { minutes: 420 }]));
    const alerts = await database.db.select().from(creditAlerts).where(eq(creditAlerts.customerId, globex));
    expect(alerts.map((a) => [a.kind, a.daysLeft])).toEqual([['forecast', 4]]);
    await database.db.transaction(async (tx) => {
      expect(await settleCreditAlerts(tx, as('UADMIN'), globex, { lifting: false })).toEqual([]);
    });
    expect(await alertPosts()).toHaveLength(2);
  });
});

describe('prepaid log', () => {
  it('opening balance, every movement in date order with a running balance that ends on the ledger sum', async () => {
    await approve('UMGR', await logAndSubmit('UC1', [{ minutes: 90 }, { minutes: 30, billable: false }]));
    clock.advance({ days: 2 });
    expect((await adjustCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '-1.5', reason: 'typo' })).ok).toBe(
      true,
    );
    const log = await prepaidLog(as('UADMIN'), { customerCode: 'GLOBEX', from: '2026-11-03', to: '2026-11-30' });
    expect(log.ok).toBe(true);
    if (!log.ok) return;
    expect(log.log.openingMinutes).toBe(1200);
    expect(log.log.movements.map((m) => [m.occurredOn, m.kind, m.minutes, m.balanceMinutes])).toEqual([
      ['2026-11-20', 'deduction', -90, 1110],
      ['2026-11-22', 'adjustment', -90, 1020],
    ]);
    expect(log.log.movements[0]!.entry).toMatchObject({ consultantId: 'UC1', projectCode: 'GLOBEX-OPS' });
    expect(log.log.closingMinutes).toBe(await remaining());
  });
});
