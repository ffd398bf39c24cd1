/** An administrator deleting or sending back approved time: reversals of its prepaid deductions, in the same transaction. */
import { desc, eq, like } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  approvals,
  auditLog,
  creditAlerts,
  creditLedger,
  customers,
  invoiceLines,
  outbox,
  roles,
  timeEntries,
  timesheets,
  userRoles,
} from '../../src/db/schema.js';
import { buildPrepaidLogFiles } from '../../src/reports/prepaid-log-files.js';
import { adminDecide, decideTimesheet } from '../../src/services/approval-decisions.js';
import { adminTimesheets, approvedRemovalPreview } from '../../src/services/approval-views.js';
import { creditStanding } from '../../src/services/credit-ledger.js';
import { addCredits, prepaidLog } from '../../src/services/credits.js';
import { draftInvoices } from '../../src/services/invoices.js';
import type { OutboxMessage } from '../../src/services/outbox.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { changedTables, digestTables } from '../support/database-digest.js';
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

let database: TestDatabase;
let clock: TestClock;
let globex: number;
let period: number;

const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeEach(async () => {
  database = await createTestDatabase();
  clock = new TestClock('2026-11-20T12:00:00Z');
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UMGR', { rights: ['approval'] });
  await addUser(db, 'UC1', { rights: ['entry'] });
  const manager = await addManager(db, 'UMGR');
  const c1 = await addConsultant(db, 'UC1');
  globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  await db
    .update(customers)
    .set({ lowCreditThresholdMinutes: 10 * 60, alertChannel: 'CALERTS' })
    .where(eq(customers.id, globex));
  await addProject(db, 'GLOBEX-OPS', globex, { consultants: [c1], managers: [manager] });
  await addProject(db, 'ACME-WEB', await addCustomer(db, 'ACME'), { consultants: [c1], managers: [manager] });
  period = await addPeriod(db, '2026-11-01', '2026-11-14');
  const bought = await addCredits(as('UADMIN'), {
    customerCode: 'GLOBEX',
    hours: '20',
    price: '2000.00',
    date: '2026-11-02',
    note: 'PO 4711',
  });
  expect(bought.ok).toBe(true);
});
afterEach(async () => database.drop());

/** Logs the entries (on consecutive days from 2 Nov), submits the sheet and has the manager approve it; answers its id. */
async function approvedSheet(entries: { minutes: number; project?: string; billable?: boolean }[]): Promise<number> {
  for (const [i, e] of entries.entries()) {
    const logged = await logTime(as('UC1'), {
      projectCode: e.project ?? 'GLOBEX-OPS',
      date: { kind: 'iso', date: `2026-11-0${2 + i}` },
      minutes: e.minutes,
      description: `work ${i}`,
      billable: e.billable ?? true,
      source: 'command',
    });
    expect(logged.ok, JSON.stringify(logged)).toBe(true);
  }
  expect((await submitTimesheet(as('UC1'), { periodId: period })).ok).toBe(true);
  const sheet = await submittedSheet();
  const decided = await decideTimesheet(as('UMGR'), {
    approvalId: await approvalIdOf(database.db, sheet, 'UMGR'),
    decision: 'approve',
  });
  expect(decided.ok, JSON.stringify(decided)).toBe(true);
  return sheet;
}

async function submittedSheet(): Promise<number> {
  const [sheet] = await database.db
    .select()
    .from(timesheets)
    .where(eq(timesheets.status, 'submitted'))
    .orderBy(desc(timesheets.id));
  return sheet!.id;
}

const ledger = (kind: 'deduction' | 'reversal') =>
  database.db.select().from(creditLedger).where(eq(creditLedger.kind, kind)).orderBy(creditLedger.timeEntryId);
const remaining = async () => (await creditStanding(database.db, as('UADMIN'), globex)).remainingMinutes;
const outboxRows = async (prefix: string) =>
  (
    await database.db
      .select()
      .from(outbox)
      .where(like(outbox.dedupeKey, `${prefix}%`))
  ).map((row) => row.payload as OutboxMessage);

describe('deleting approved time', () => {
  it('reverses each deduction, gives the balance back, takes the sheet out of every list, and audits the reversed minutes', async () => {
    const sheet = await approvedSheet([{ minutes: 360 }, { minutes: 90 }, { minutes: 60, billable: false }]);
    expect(await remaining()).toBe(1200 - 450);
    const preview = await approvedRemovalPreview(as('UADMIN'), [sheet]);
    expect(preview).toEqual({
      ok: true,
      preview: { removable: [sheet], invoiced: [], creditBack: [{ customerName: 'GLOBEX Inc', minutes: 450 }] },
    });

    expect(await adminDecide(as('UADMIN'), { timesheetId: sheet, decision: 'delete' })).toEqual({
      ok: true,
      status: 'deleted',
    });
    const deducted = await ledger('deduction');
    const reversed = await ledger('reversal');
    expect(reversed.map((r) => [r.timeEntryId, r.minutes, r.customerId, r.actorId, r.note])).toEqual(
      deducted.map((d) => [d.timeEntryId, -d.minutes, globex, 'UADMIN', 'Approved time deleted']),
    );
    expect(await remaining()).toBe(1200);

    // Kept as the record the ledger points at, but no longer approved time and in no list.
    const [after] = await database.db.select().from(timesheets).where(eq(timesheets.id, sheet));
    expect(after).toMatchObject({ status: 'cancelled', reopenedFrom: null });
    expect(after!.deletedAt).not.toBeNull();
    expect(await database.db.select().from(timesheets).where(eq(timesheets.reopenedFrom, sheet))).toEqual([]);
    expect(await database.db.select().from(timesheets).where(eq(timesheets.status, 'approved'))).toEqual([]);
    const listed = await adminTimesheets(as('UADMIN'));
    expect(listed.ok && listed.sheets).toEqual([]);
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.timesheetId, sheet))).toHaveLength(3);
    expect((await database.db.select().from(approvals).where(eq(approvals.timesheetId, sheet)))[0]).toMatchObject({
      status: 'approved',
      decidedBy: 'UMGR',
    });

    const audit = await database.db.select().from(auditLog).where(eq(auditLog.action, 'timesheet.delete'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorId: 'UADMIN',
      entityId: String(sheet),
      after: { afterApproval: true, entries: 3, minutes: 510, reversed: [{ customerCode: 'GLOBEX', minutes: 450 }] },
    });
    const creditAudit = await database.db.select().from(auditLog).where(eq(auditLog.action, 'credit.reversal'));
    expect(creditAudit.map((a) => [a.entityId, a.after])).toEqual([
      [String(globex), { timesheetId: sheet, minutes: 450, note: 'Approved time deleted' }],
    ]);

    // The manager's DM says so; the consultant hears the time was removed.
    const updates = await outboxRows(`update:approval:${sheet}:UMGR:removed`);
    expect(updates).toMatchObject([
      {
        kind: 'update',
        content: {
          model: {
            sheetStatus: 'deleted',
            removedAfterApproval: {
              action: 'deleted',
              byName: 'UADMIN',
              creditedBack: [{ customerName: 'GLOBEX Inc', minutes: 450 }],
            },
          },
        },
      },
    ]);
    expect(await outboxRows(`removed:${sheet}`)).toMatchObject([
      {
        kind: 'post',
        channel: 'UC1',
        content: { model: { outcome: 'deleted', afterApproval: true, totalMinutes: 510, billableMinutes: 450 } },
      },
    ]);

    // Deleting it again finds nothing to delete and reverses nothing more.
    expect(await adminDecide(as('UADMIN'), { timesheetId: sheet, decision: 'delete' })).toMatchObject({
      ok: false,
      error: { code: 'no_timesheet' },
    });
    expect(await ledger('reversal')).toHaveLength(2);
  });

  it('a reversal lifting the balance back above the threshold re-arms the low-credit alert', async () => {
    const sheet = await approvedSheet([{ minutes: 660 }]);
    expect(await remaining()).toBe(540);
    const alerts = () => database.db.select().from(creditAlerts).where(eq(creditAlerts.customerId, globex));
    expect((await alerts()).map((a) => [a.kind, a.rearmedAt])).toEqual([['low_credit', null]]);
    expect((await adminDecide(as('UADMIN'), { timesheetId: sheet, decision: 'delete' })).ok).toBe(true);
    expect((await alerts()).map((a) => [a.kind, a.rearmedAt !== null])).toEqual([['low_credit', true]]);
  });

  it('an hourly customer’s approved sheet is deleted with no ledger rows', async () => {
    const sheet = await approvedSheet([{ minutes: 120, project: 'ACME-WEB' }]);
    expect(await approvedRemovalPreview(as('UADMIN'), [sheet])).toEqual({
      ok: true,
      preview: { removable: [sheet], invoiced: [], creditBack: [] },
    });
    expect(await adminDecide(as('UADMIN'), { timesheetId: sheet, decision: 'delete' })).toEqual({
      ok: true,
      status: 'deleted',
    });
    expect((await database.db.select().from(creditLedger)).map((r) => r.kind)).toEqual(['purchase']);
    expect((await database.db.select().from(timesheets).where(eq(timesheets.id, sheet)))[0]).toMatchObject({
      status: 'cancelled',
    });
    expect(await outboxRows(`update:approval:${sheet}:UMGR:removed`)).toMatchObject([
      { content: { model: { removedAfterApproval: { action: 'deleted', creditedBack: [] } } } },
    ]);
  });

  it('is refused, naming the invoice, while the time is on a live invoice, and nothing is written', async () => {
    const sheet = await approvedSheet([{ minutes: 120, project: 'ACME-WEB' }]);
    await addUser(database.db, 'UFIN', { rights: ['receivable'] });
    const drafted = await draftInvoices(as('UFIN'), { periods: [], customerCodes: [], channel: 'C0FINANCE' });
    expect(drafted.ok && drafted.drafted.map((d) => d.customerCode)).toEqual(['ACME']);
    const invoiceId = drafted.ok ? drafted.drafted[0]!.invoiceId : 0;
    expect(await approvedRemovalPreview(as('UADMIN'), [sheet])).toMatchObject({
      preview: { removable: [], invoiced: [{ timesheetId: sheet, label: `the draft invoice ${invoiceId}` }] },
    });
    const before = await digestTables(database.db);
    for (const decision of [
      { timesheetId: sheet, decision: 'delete' as const },
      { timesheetId: sheet, decision: 'reject' as const, reason: 'wrong project' },
    ]) {
      const refused = await adminDecide(as('UADMIN'), decision);
      expect(refused).toMatchObject({ ok: false, error: { code: 'invoiced' } });
      expect(refused.ok || refused.error.message).toContain(`the draft invoice ${invoiceId} (ACME)`);
    }
    expect(changedTables(before, await digestTables(database.db))).toEqual([]);
  });

  it('the prepaid log lists the reversal after its deduction, with the entry and a running balance back to the purchase', async () => {
    const sheet = await approvedSheet([{ minutes: 90 }]);
    clock.advance({ days: 1 });
    expect((await adminDecide(as('UADMIN'), { timesheetId: sheet, decision: 'delete' })).ok).toBe(true);
    const log = await prepaidLog(as('UADMIN'), { customerCode: 'GLOBEX', from: '2026-11-01', to: '2026-11-30' });
    expect(log.ok).toBe(true);
    if (!log.ok) return;
    expect(log.log.movements.map((m) => [m.occurredOn, m.kind, m.minutes, m.balanceMinutes])).toEqual([
      ['2026-11-02', 'purchase', 1200, 1200],
      ['2026-11-20', 'deduction', -90, 1110],
      ['2026-11-21', 'reversal', 90, 1200],
    ]);
    const [deduction, reversal] = log.log.movements.slice(1);
    expect(reversal!.entry).toEqual(deduction!.entry);
    expect(reversal!.entry).toMatchObject({ consultantId: 'UC1', projectCode: 'GLOBEX-OPS', description: 'work 0' });
    const csv = (await buildPrepaidLogFiles(log.log, 'UTC')).find((f) => f.filename.endsWith('.csv'))!;
    const lines = csv.bytes.toString('utf8').split('\r\n');
    expect(lines).toContain(
      `2026-11-21,reversal,${reversal!.entry!.id},UC1,UC1,GLOBEX-OPS,work 0,90,1200,Approved time deleted`,
    );
    expect(lines).toContain('2026-11-30,closing_balance,,,,,,,1200,');
  });
});

describe('sending back approved time', () => {
  it('reverses the deductions and opens a copy; resubmitted and approved again, it deducts once more and the balance adds up', async () => {
    const sheet = await approvedSheet([{ minutes: 300 }, { minutes: 120 }]);
    expect(await remaining()).toBe(780);
    expect(
      await adminDecide(as('UADMIN'), { timesheetId: sheet, decision: 'reject', reason: 'split the workshop' }),
    ).toEqual({ ok: true, status: 'cancelled' });
    expect(await remaining()).toBe(1200);
    const stale = await decideTimesheet(as('UMGR'), {
      approvalId: await approvalIdOf(database.db, sheet, 'UMGR'),
      decision: 'approve',
    });
    expect(stale.ok || stale.error.message).toContain('already sent back by an administrator (split the workshop)');
    expect((await ledger('reversal')).map((r) => [r.minutes, r.note])).toEqual([
      [300, 'Approved time sent back for correction'],
      [120, 'Approved time sent back for correction'],
    ]);

    const [cancelled] = await database.db.select().from(timesheets).where(eq(timesheets.id, sheet));
    expect(cancelled).toMatchObject({ status: 'cancelled', rejectionReason: 'split the workshop', deletedAt: null });
    const [copy] = await database.db.select().from(timesheets).where(eq(timesheets.reopenedFrom, sheet));
    expect(copy).toMatchObject({ status: 'open' });
    const entriesOf = async (timesheetId: number) =>
      (await database.db.select().from(timeEntries).where(eq(timeEntries.timesheetId, timesheetId))).map((e) => ({
        minutes: e.minutes,
        description: e.description,
        priceRateCents: e.priceRateCents,
      }));
    // The cancelled sheet keeps its frozen rates as the record; the copy is priced again when approved again.
    expect(await entriesOf(sheet)).toEqual([
      { minutes: 300, description: 'work 0', priceRateCents: 14000 },
      { minutes: 120, description: 'work 1', priceRateCents: 14000 },
    ]);
    expect(await entriesOf(copy!.id)).toEqual([
      { minutes: 300, description: 'work 0', priceRateCents: null },
      { minutes: 120, description: 'work 1', priceRateCents: null },
    ]);
    expect((await database.db.select().from(auditLog).where(eq(auditLog.action, 'timesheet.reject')))[0]).toMatchObject(
      {
        actorId: 'UADMIN',
        after: {
          reason: 'split the workshop',
          reopenedAs: copy!.id,
          afterApproval: true,
          reversed: [{ minutes: 420 }],
        },
      },
    );
    expect(await outboxRows(`update:approval:${sheet}:UMGR:removed`)).toMatchObject([
      {
        content: {
          model: {
            sheetStatus: 'cancelled',
            removedAfterApproval: { action: 'sent_back', reason: 'split the workshop' },
          },
        },
      },
    ]);
    expect(await outboxRows(`removed:${sheet}`)).toMatchObject([
      {
        channel: 'UC1',
        content: {
          model: { outcome: 'rejected', afterApproval: true, reason: 'split the workshop', periodId: period },
        },
      },
    ]);

    expect((await submitTimesheet(as('UC1'), { periodId: period })).ok).toBe(true);
    const resubmitted = await submittedSheet();
    expect(resubmitted).toBe(copy!.id);
    expect((await creditStanding(database.db, as('UADMIN'), globex)).pendingMinutes).toBe(420);
    const decided = await decideTimesheet(as('UMGR'), {
      approvalId: await approvalIdOf(database.db, resubmitted, 'UMGR'),
      decision: 'approve',
    });
    expect(decided.ok).toBe(true);
    expect(await remaining()).toBe(780);
    const deductions = await ledger('deduction');
    expect(deductions).toHaveLength(4);
    const copyEntries = await database.db.select().from(timeEntries).where(eq(timeEntries.timesheetId, copy!.id));
    expect(deductions.filter((d) => copyEntries.some((e) => e.id === d.timeEntryId)).map((d) => d.minutes)).toEqual([
      -300, -120,
    ]);
    const sum = (await database.db.select().from(creditLedger)).reduce((total, row) => total + row.minutes, 0);
    expect(sum).toBe(780);
  });

  it('an administrator cannot send back or delete their own approved time; another administrator can', async () => {
    const sheet = await approvedSheet([{ minutes: 60 }]);
    const [role] = await database.db
      .insert(roles)
      .values({ name: 'admins-too', rights: ['admin'] })
      .returning();
    await database.db.insert(userRoles).values({ userId: 'UC1', roleId: role!.id });
    for (const decision of [
      { timesheetId: sheet, decision: 'delete' as const },
      { timesheetId: sheet, decision: 'reject' as const, reason: 'mine' },
    ])
      expect(await adminDecide(as('UC1'), decision)).toMatchObject({ ok: false, error: { code: 'own_timesheet' } });
    expect(await ledger('reversal')).toEqual([]);
    expect((await adminDecide(as('UADMIN'), { timesheetId: sheet, decision: 'delete' })).ok).toBe(true);
    expect(await ledger('reversal')).toHaveLength(1);
  });
});

describe('removing approved time racing an invoice draft', () => {
  const draft = (ctx: ReturnType<typeof as>) =>
    draftInvoices(ctx, { periods: [], customerCodes: [], channel: 'C0FINANCE' });

  it('a delete holding the customer makes the draft wait, and the draft then finds the time gone', async () => {
    const sheet = await approvedSheet([{ minutes: 120, project: 'ACME-WEB' }]);
    await addUser(database.db, 'UFIN', { rights: ['receivable'] });
    const race = new Interleaving(database);
    const held = race.hold(as('UADMIN'), 'admin-decide:customers-locked');
    const deleting = adminDecide(held.ctx, { timesheetId: sheet, decision: 'delete' });
    await held.reached;
    const drafting = draft(race.racer(as('UFIN')));
    await race.waiting(1);
    held.release();
    expect(await deleting).toEqual({ ok: true, status: 'deleted' });
    const drafted = await drafting;
    expect(drafted.ok && drafted.drafted).toEqual([]);
    expect(await database.db.select().from(invoiceLines)).toEqual([]);
  });

  it('a draft holding the customer makes the delete wait, and the delete is then refused naming the invoice', async () => {
    const sheet = await approvedSheet([{ minutes: 120, project: 'ACME-WEB' }]);
    await addUser(database.db, 'UFIN', { rights: ['receivable'] });
    const race = new Interleaving(database);
    const held = race.hold(as('UFIN'), 'draft:customers-locked');
    const drafting = draft(held.ctx);
    await held.reached;
    const deleting = adminDecide(race.racer(as('UADMIN')), { timesheetId: sheet, decision: 'delete' });
    await race.waiting(1);
    held.release();
    const drafted = await drafting;
    expect(drafted.ok && drafted.drafted.map((d) => d.customerCode)).toEqual(['ACME']);
    const refused = await deleting;
    expect(refused).toMatchObject({ ok: false, error: { code: 'invoiced' } });
    expect(refused.ok || refused.error.message).toContain(
      `the draft invoice ${drafted.ok ? drafted.drafted[0]!.invoiceId : 0} (ACME)`,
    );
    expect((await database.db.select().from(timesheets).where(eq(timesheets.id, sheet)))[0]).toMatchObject({
      status: 'approved',
    });
  });
});
