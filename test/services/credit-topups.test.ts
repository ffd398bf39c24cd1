/**
 * Automatic top-up and credit on issue: a crossing below the threshold drafts one top-up invoice
 * (never a second while one is open, across repeated approvals and a forced race), issuing it
 * writes the purchase once however often Issue is pressed, and voiding a credited one takes it back.
 */
import { and, asc, desc, eq, like } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { creditAlerts, creditLedger, customers, invoices, outbox, timesheets } from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import type { ServiceContext } from '../../src/services/context.js';
import { creditStanding } from '../../src/services/credit-ledger.js';
import { addCredits, adjustCredits } from '../../src/services/credits.js';
import { INVOICE_MESSAGE } from '../../src/services/invoices.js';
import { issueInvoice, voidInvoice } from '../../src/services/invoice-decisions.js';
import type { OutboxMessage } from '../../src/services/outbox.js';
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
import { Interleaving } from '../support/interleaving.js';
import { TestClock } from '../support/test-clock.js';

const FINANCE = 'C0FINANCE';
let database: TestDatabase;
let clock: TestClock;
let globex: number;
let periods: number[];

const as = (userId: string): ServiceContext => ({
  ...serviceContext(database.db, asUser(userId), clock),
  org: { timeZone: 'UTC', currency: 'USD', financeChannel: FINANCE },
});

beforeEach(async () => {
  database = await createTestDatabase();
  clock = new TestClock('2026-11-20T12:00:00Z');
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UFIN', { name: 'Fiona Finance', rights: ['receivable'] });
  for (const id of ['UM1', 'UM2']) await addUser(db, id, { rights: ['approval'] });
  for (const id of ['UC1', 'UC2']) await addUser(db, id, { rights: ['entry'] });
  globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  // 20h bought; below 10h a top-up of 10h for $1,000.00 is drafted.
  await db
    .update(customers)
    .set({ lowCreditThresholdMinutes: 600, autoInvoice: true, topupMinutes: 600, topupPriceCents: 100_000 })
    .where(eq(customers.id, globex));
  await addProject(db, 'GLOBEX-A', globex, {
    consultants: [await addConsultant(db, 'UC1')],
    managers: [await addManager(db, 'UM1')],
  });
  await addProject(db, 'GLOBEX-B', globex, {
    consultants: [await addConsultant(db, 'UC2')],
    managers: [await addManager(db, 'UM2')],
  });
  periods = [];
  for (const [from, to] of [
    ['2026-11-01', '2026-11-07'],
    ['2026-11-08', '2026-11-14'],
    ['2026-11-15', '2026-11-21'],
  ] as const)
    periods.push(await addPeriod(db, from, to));
  await buy('20');
});
afterEach(async () => database.drop());

async function buy(hours: string) {
  const bought = await addCredits(as('UADMIN'), {
    customerCode: 'GLOBEX',
    hours,
    price: '',
    date: '2026-11-01',
    note: '',
  });
  expect(bought.ok, JSON.stringify(bought)).toBe(true);
}

/** Logs `minutes` on the consultant's project in week `week` and submits that sheet; answers its id. */
async function submitted(consultant: 'UC1' | 'UC2', minutes: number, week: number): Promise<number> {
  const logged = await logTime(as(consultant), {
    projectCode: consultant === 'UC1' ? 'GLOBEX-A' : 'GLOBEX-B',
    date: { kind: 'iso', date: `2026-11-${String(2 + 7 * week).padStart(2, '0')}` },
    minutes,
    description: 'ops',
    billable: true,
    source: 'command',
  });
  expect(logged.ok, JSON.stringify(logged)).toBe(true);
  expect((await submitTimesheet(as(consultant), { periodId: periods[week] })).ok).toBe(true);
  const [sheet] = await database.db
    .select()
    .from(timesheets)
    .where(and(eq(timesheets.status, 'submitted'), eq(timesheets.periodId, periods[week]!)))
    .orderBy(desc(timesheets.id));
  return sheet!.id;
}

async function approve(manager: string, sheetId: number) {
  await approveAs(as(manager), await approvalIdOf(database.db, sheetId, manager));
}

async function approveAs(ctx: ServiceContext, approvalId: number) {
  const decided = await decideTimesheet(ctx, { approvalId, decision: 'approve' });
  expect(decided.ok, JSON.stringify(decided)).toBe(true);
}

const topups = () => database.db.select().from(invoices).where(eq(invoices.kind, 'topup')).orderBy(asc(invoices.id));
const ledgerOfInvoices = () =>
  database.db
    .select({
      kind: creditLedger.kind,
      minutes: creditLedger.minutes,
      price: creditLedger.priceCents,
      note: creditLedger.note,
      invoiceId: creditLedger.invoiceId,
    })
    .from(creditLedger)
    .where(eq(creditLedger.customerId, globex))
    .orderBy(asc(creditLedger.id))
    .then((rows) => rows.filter((r) => r.invoiceId !== null));
const remaining = async () => (await creditStanding(database.db, as('UADMIN'), globex)).remainingMinutes;

describe('automatic top-up', () => {
  it('the crossing drafts one top-up posted to finance; more approvals, a re-arming purchase and a second crossing draft no second while it is open', async () => {
    await approve('UM1', await submitted('UC1', 12 * 60, 0));
    expect(await remaining()).toBe(8 * 60);
    const [draft, ...more] = await topups();
    expect(more).toEqual([]);
    expect(draft).toMatchObject({
      status: 'draft',
      customerId: globex,
      totalCents: 100_000,
      channel: FINANCE,
      createdBy: null,
    });
    const [post] = await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `invoice:${draft!.id}:post`));
    const message = post!.payload as Extract<OutboxMessage, { kind: 'post' }>;
    expect(message.channel).toBe(FINANCE);
    expect(message.content).toMatchObject({
      template: INVOICE_MESSAGE,
      model: {
        kind: 'topup',
        status: 'draft',
        customerCode: 'GLOBEX',
        minutes: 600,
        total: '$1,000.00',
        draftedBy: null,
      },
    });

    await approve('UM2', await submitted('UC2', 60, 0));
    // A purchase lifts the balance above the line (re-arming the alert); the next approval crosses again.
    await buy('5');
    await approve('UM1', await submitted('UC1', 4 * 60, 1));
    const alerts = await database.db.select().from(creditAlerts).where(eq(creditAlerts.kind, 'low_credit'));
    expect(alerts).toHaveLength(2);
    expect((await topups()).map((i) => [i.id, i.status])).toEqual([[draft!.id, 'draft']]);

    // Issued (and so credited) it is closed: the next crossing drafts the next top-up.
    expect(await issueInvoice(as('UFIN'), { invoiceId: draft!.id })).toMatchObject({ ok: true, number: '2026-0001' });
    expect(await remaining()).toBe((20 - 12 - 1 + 5 - 4 + 10) * 60);
    await approve('UM2', await submitted('UC2', 9 * 60, 1));
    expect((await topups()).map((i) => i.status)).toEqual(['issued', 'draft']);
  }, 120_000);

  it('two approvals at once, the crossing one held after drafting and the other waiting for it: one top-up draft', async () => {
    // Looked up before the hold: on PGlite a query outside the held transaction waits for it.
    const first = await approvalIdOf(database.db, await submitted('UC1', 12 * 60, 0), 'UM1');
    const second = await approvalIdOf(database.db, await submitted('UC2', 6 * 60, 0), 'UM2');
    const race = new Interleaving(database);
    const held = race.hold(as('UM1'), 'credit:topup-drafted');
    const firstDone = approveAs(held.ctx, first);
    await held.reached;
    const secondDone = approveAs(race.racer(as('UM2')), second);
    await race.waiting(1);
    held.release();
    await Promise.all([firstDone, secondDone]);
    expect(await remaining()).toBe(2 * 60);
    expect(await topups()).toHaveLength(1);
    const posts = await database.db.select().from(outbox).where(like(outbox.dedupeKey, 'invoice:%:post'));
    expect(posts).toHaveLength(1);
  }, 120_000);

  it('with automatic top-up off, the crossing alerts and drafts nothing', async () => {
    await database.db.update(customers).set({ autoInvoice: false }).where(eq(customers.id, globex));
    await approve('UM1', await submitted('UC1', 12 * 60, 0));
    expect(await database.db.select().from(creditAlerts)).toHaveLength(1);
    expect(await topups()).toEqual([]);
  }, 120_000);
});

describe('credit on issue', () => {
  async function draftedTopup(): Promise<number> {
    await approve('UM1', await submitted('UC1', 12 * 60, 0));
    const [draft] = await topups();
    return draft!.id;
  }

  it('twenty Issue clicks at once give one number and one purchase of the package, dated the issue day, noting the invoice', async () => {
    const invoiceId = await draftedTopup();
    const answers = await Promise.all(Array.from({ length: 20 }, () => issueInvoice(as('UFIN'), { invoiceId })));
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    expect(answers.filter((a) => !a.ok).map((a) => !a.ok && a.error.code)).toEqual(Array(19).fill('not_draft'));
    expect(await ledgerOfInvoices()).toEqual([
      { kind: 'purchase', minutes: 600, price: 100_000, note: 'Invoice 2026-0001', invoiceId },
    ]);
    const [purchase] = await database.db.select().from(creditLedger).where(eq(creditLedger.invoiceId, invoiceId));
    expect(purchase!.occurredOn).toBe('2026-11-20');
    expect(await remaining()).toBe(18 * 60);
    // The purchase lifted the balance above the threshold: the alert is re-armed.
    const [alert] = await database.db.select().from(creditAlerts);
    expect(alert!.rearmedAt).not.toBeNull();
  }, 120_000);

  it('voiding a credited top-up takes the hours back with the reason; a second void changes nothing', async () => {
    const invoiceId = await draftedTopup();
    await issueInvoice(as('UFIN'), { invoiceId });
    clock.advance({ days: 3 });
    expect(await voidInvoice(as('UFIN'), { invoiceId, reason: 'customer declined' })).toMatchObject({
      ok: true,
      outcome: 'voided',
    });
    expect(await voidInvoice(as('UFIN'), { invoiceId, reason: 'again' })).toMatchObject({ ok: false });
    expect(await ledgerOfInvoices()).toEqual([
      { kind: 'purchase', minutes: 600, price: 100_000, note: 'Invoice 2026-0001', invoiceId },
      {
        kind: 'adjustment',
        minutes: -600,
        price: null,
        note: 'Invoice 2026-0001 voided: customer declined',
        invoiceId,
      },
    ]);
    expect(await remaining()).toBe(8 * 60);
    // Back below the line: the void is a new crossing, and with no top-up open a fresh one is drafted.
    expect((await topups()).map((i) => i.status)).toEqual(['void', 'draft']);
  }, 120_000);

  it('with credit on issue off, issuing writes nothing and it stays open until a purchase is recorded; voiding it writes nothing', async () => {
    await database.db.update(customers).set({ creditOnIssue: false }).where(eq(customers.id, globex));
    const invoiceId = await draftedTopup();
    await issueInvoice(as('UFIN'), { invoiceId });
    expect(await ledgerOfInvoices()).toEqual([]);
    // An adjustment re-arms the alert but credits nothing: the next crossing finds the top-up open.
    expect((await adjustCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '+3', reason: 'goodwill' })).ok).toBe(
      true,
    );
    await approve('UM2', await submitted('UC2', 2 * 60, 0));
    expect(await database.db.select().from(creditAlerts)).toHaveLength(2);
    expect(await topups()).toHaveLength(1);
    // The administrator records the payment with Add credits: the top-up is credited, the next crossing drafts again.
    clock.advance({ minutes: 1 });
    await buy('10');
    await approve('UM1', await submitted('UC1', 10 * 60, 1));
    expect((await topups()).map((i) => i.status)).toEqual(['issued', 'draft']);
    expect(await voidInvoice(as('UFIN'), { invoiceId, reason: 'paid by card instead' })).toMatchObject({ ok: true });
    expect(await ledgerOfInvoices()).toEqual([]);
    expect(await remaining()).toBe((20 - 12 + 3 - 2 + 10 - 10) * 60);
  }, 120_000);
});
