/** Drafting, issuing and voiding invoices: which time, which amounts, which numbers, and who may. */
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { consultants, invoiceLines, invoices, outbox, timesheets } from '../../src/db/schema.js';
import { adminDecide } from '../../src/services/approval-decisions.js';
import { invoiceExport } from '../../src/services/invoice-documents.js';
import { draftInvoices, draftTopupInvoice, listInvoices, repostInvoicePdf } from '../../src/services/invoices.js';
import { issueInvoice, voidInvoice } from '../../src/services/invoice-decisions.js';
import { saveSettings } from '../../src/services/settings.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addPeriod, asUser, serviceContext } from '../support/fixtures.js';
import { approvedSheet, entry, type InvoiceFirm, seedInvoiceFirm, sheetWith } from '../support/invoice-firm.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let firm: InvoiceFirm;
let clock: TestClock;
const LAST = { periods: [], customerCodes: [], channel: 'C0FINANCE' };
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeEach(async () => {
  database = await createTestDatabase();
  firm = await seedInvoiceFirm(database.db);
  clock = new TestClock('2026-12-10T12:00:00Z');
});
afterEach(async () => database.drop());

async function linesOf(invoiceId: number) {
  return database.db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId)).orderBy(invoiceLines.id);
}

async function onlyDraft(code: 'ACME' | 'BETA') {
  const rows = await database.db.select().from(invoices).where(eq(invoices.customerId, firm.customers[code]));
  const live = rows.filter((r) => r.status === 'draft');
  expect(live).toHaveLength(1);
  return live[0]!;
}

describe('drafting', () => {
  it('drafts one invoice per hourly customer from approved billable time of last period, and says what it skipped', async () => {
    const { db } = database;
    const nov = await approvedSheet(db, firm.consultants.alice, firm.periods.nov);
    const web = await entry(db, {
      sheet: nov,
      project: firm.projects['ACME-WEB'],
      date: '2026-11-03',
      minutes: 60,
      rate: 15000,
    });
    const app = await entry(db, {
      sheet: nov,
      project: firm.projects['ACME-APP'],
      date: '2026-11-04',
      minutes: 30,
      rate: 15000,
    });
    await entry(db, { sheet: nov, project: firm.projects['BETA-OPS'], date: '2026-11-05', minutes: 45, rate: 10000 });
    await entry(db, {
      sheet: nov,
      project: firm.projects['ACME-WEB'],
      date: '2026-11-06',
      minutes: 90,
      rate: 15000,
      billable: false,
    });
    await entry(db, { sheet: nov, project: firm.projects['PRE-SUP'], date: '2026-11-06', minutes: 90, rate: 15000 });
    // Time that is not approved, or in another period, stays out.
    const submitted = await sheetWith(db, firm.consultants.bob, firm.periods.nov, 'submitted');
    await entry(db, {
      sheet: submitted,
      project: firm.projects['ACME-WEB'],
      date: '2026-11-07',
      minutes: 60,
      rate: 15000,
    });
    const dec = await approvedSheet(db, firm.consultants.bob, firm.periods.dec);
    await entry(db, { sheet: dec, project: firm.projects['ACME-WEB'], date: '2026-12-02', minutes: 60, rate: 15000 });

    const result = await draftInvoices(as('UFIN'), LAST);
    expect(result).toMatchObject({
      ok: true,
      periods: '1–30 Nov 2026',
      drafted: [
        { customerCode: 'ACME', minutes: 90, total: '$225.00', lines: 2 },
        { customerCode: 'BETA', minutes: 45, total: '€75.00', lines: 1 },
      ],
      skipped: [{ customerCode: 'PRE', reason: 'prepaid: its time draws on credits' }],
    });
    const acme = await onlyDraft('ACME');
    expect(acme).toMatchObject({
      kind: 'hourly',
      currency: 'USD',
      totalCents: 22500,
      number: null,
      channel: 'C0FINANCE',
    });
    expect((await linesOf(acme.id)).map((l) => l.timeEntryId)).toEqual([app, web]);
    // One message per draft, and its DRAFT PDF queued for the message's thread.
    const queued = await db.select().from(outbox).orderBy(outbox.id);
    expect(queued.map((m) => m.dedupeKey)).toEqual([
      `invoice:${acme.id}:post`,
      `invoice:${acme.id}:pdf:draft`,
      expect.stringMatching(/^invoice:\d+:post$/),
      expect.stringMatching(/^invoice:\d+:pdf:draft$/),
    ]);
    expect(queued[0]!.payload).toMatchObject({
      kind: 'post',
      channel: 'C0FINANCE',
      content: { template: 'invoice', model: { status: 'draft', customerCode: 'ACME', minutes: 90, total: '$225.00' } },
    });

    // Running it again drafts nothing; time approved since is drafted alone.
    expect(await draftInvoices(as('UFIN'), LAST)).toMatchObject({ ok: true, drafted: [] });
    // More time on the approved sheet since (as after an admin approval of late time).
    const lateEntry = await entry(db, {
      sheet: nov,
      project: firm.projects['ACME-WEB'],
      date: '2026-11-20',
      minutes: 15,
      rate: 20000,
    });
    const again = await draftInvoices(as('UFIN'), { ...LAST, customerCodes: ['ACME', 'BETA'] });
    expect(again).toMatchObject({
      ok: true,
      drafted: [{ customerCode: 'ACME', minutes: 15, total: '$50.00', lines: 1 }],
      skipped: [{ customerCode: 'BETA', reason: 'no approved billable time left to invoice' }],
    });
    const drafts = await db.select().from(invoices).where(eq(invoices.customerId, firm.customers.ACME));
    expect(drafts).toHaveLength(2);
    expect((await linesOf(drafts[1]!.id)).map((l) => l.timeEntryId)).toEqual([lateEntry]);
  });

  it('rounds each entry up to the customer increment on awkward minutes; the total is the sum of the lines', async () => {
    const { db } = database;
    const nov = await approvedSheet(db, firm.consultants.alice, firm.periods.nov);
    const awkward = [1, 7, 14, 15, 16, 59, 61];
    for (const [i, minutes] of awkward.entries())
      await entry(db, {
        sheet: nov,
        project: firm.projects['ACME-WEB'],
        date: `2026-11-${String(i + 1).padStart(2, '0')}`,
        minutes,
        rate: 13010,
      });
    for (const [i, minutes] of awkward.entries())
      await entry(db, {
        sheet: nov,
        project: firm.projects['BETA-OPS'],
        date: `2026-11-${String(i + 1).padStart(2, '0')}`,
        minutes,
        rate: 13010,
      });
    expect((await draftInvoices(as('UFIN'), LAST)).ok).toBe(true);

    // ACME rounds to 15 minutes: 15, 15, 15, 15, 30, 60, 75 at 130.10/h, each rounded half up once.
    const acme = await linesOf((await onlyDraft('ACME')).id);
    expect(acme.map((l) => [l.minutes, l.roundedMinutes, l.amountCents])).toEqual([
      [1, 15, 3253],
      [7, 15, 3253],
      [14, 15, 3253],
      [15, 15, 3253],
      [16, 30, 6505],
      [59, 60, 13010],
      [61, 75, 16263],
    ]);
    expect((await onlyDraft('ACME')).totalCents).toBe(3253 * 4 + 6505 + 13010 + 16263);
    // BETA bills exact minutes: 1 min = 2.168 -> 2.17, 7 min = 15.178 -> 15.18, ...
    const beta = await linesOf((await onlyDraft('BETA')).id);
    expect(beta.map((l) => [l.roundedMinutes, l.amountCents])).toEqual([
      [1, 217],
      [7, 1518],
      [14, 3036],
      [15, 3253],
      [16, 3469],
      [59, 12793],
      [61, 13227],
    ]);
    expect((await onlyDraft('BETA')).totalCents).toBe(beta.reduce((sum, l) => sum + l.amountCents, 0));
    // With 6-minute rounding, 7 minutes bill as 12.
    await db.execute(sql`update customers set invoice_rounding_minutes = 6 where code = 'BETA'`);
    const six = await approvedSheet(db, firm.consultants.bob, firm.periods.nov);
    await entry(db, { sheet: six, project: firm.projects['BETA-OPS'], date: '2026-11-20', minutes: 7, rate: 13010 });
    await draftInvoices(as('UFIN'), LAST);
    const [sixLine] = await queryRows<{ rounded: number; amount: string }>(
      db,
      sql`select rounded_minutes as "rounded", amount_cents::text as "amount" from invoice_lines where minutes = 7 order by id desc limit 1`,
    );
    expect([Number(sixLine!.rounded), Number(sixLine!.amount)]).toEqual([12, 2602]);
  });

  it('prices with the rate frozen at approval: a rate change afterwards leaves drafts and issued invoices alone', async () => {
    const { db } = database;
    const nov = await approvedSheet(db, firm.consultants.alice, firm.periods.nov);
    await entry(db, { sheet: nov, project: firm.projects['BETA-OPS'], date: '2026-11-03', minutes: 60, rate: 10000 });
    await db
      .update(consultants)
      .set({ defaultPriceRateCents: 99_900 })
      .where(eq(consultants.employeeId, firm.consultants.alice));
    await draftInvoices(as('UFIN'), LAST);
    const draft = await onlyDraft('BETA');
    expect(draft.totalCents).toBe(10000);
    expect(await issueInvoice(as('UFIN'), { invoiceId: draft.id })).toMatchObject({ ok: true });
    await db
      .update(consultants)
      .set({ defaultPriceRateCents: 1 })
      .where(eq(consultants.employeeId, firm.consultants.alice));
    const [issued] = await db.select().from(invoices).where(eq(invoices.id, draft.id));
    expect(issued!.totalCents).toBe(10000);
    expect((await linesOf(draft.id))[0]).toMatchObject({ rateCents: 10000, amountCents: 10000 });
  });

  it('skips a customer whose approved time has no frozen price rate, naming the entry', async () => {
    const nov = await approvedSheet(database.db, firm.consultants.alice, firm.periods.nov);
    const broken = await entry(database.db, {
      sheet: nov,
      project: firm.projects['BETA-OPS'],
      date: '2026-11-03',
      minutes: 60,
      rate: null,
    });
    expect(await draftInvoices(as('UFIN'), LAST)).toMatchObject({
      ok: true,
      drafted: [],
      skipped: [
        {
          customerCode: 'BETA',
          reason: expect.stringContaining(`time entry ${broken} is approved without a frozen price rate`),
        },
      ],
    });
    expect(await database.db.select().from(invoices)).toEqual([]);
  });

  it('names approved time of earlier periods still on no invoice, per period with its hourly customers, until it is drafted', async () => {
    const { db } = database;
    const oct = await addPeriod(db, '2026-10-01', '2026-10-31');
    // October's sheet was approved after October was drafted.
    const late = await approvedSheet(db, firm.consultants.alice, oct);
    await entry(db, { sheet: late, project: firm.projects['ACME-WEB'], date: '2026-10-20', minutes: 90, rate: 15000 });
    await entry(db, { sheet: late, project: firm.projects['BETA-OPS'], date: '2026-10-21', minutes: 30, rate: 10000 });
    await entry(db, { sheet: late, project: firm.projects['PRE-SUP'], date: '2026-10-22', minutes: 60, rate: null });
    const nov = await approvedSheet(db, firm.consultants.alice, firm.periods.nov);
    await entry(db, { sheet: nov, project: firm.projects['ACME-WEB'], date: '2026-11-03', minutes: 60, rate: 15000 });

    const october = { startsOn: '2026-10-01', endsOn: '2026-10-31' };
    expect(await draftInvoices(as('UFIN'), LAST)).toMatchObject({
      ok: true,
      drafted: [{ customerCode: 'ACME', minutes: 60 }],
      earlier: [{ ...october, minutes: 120, customerCodes: ['ACME', 'BETA'] }],
    });
    expect(await draftInvoices(as('UFIN'), { ...LAST, customerCodes: ['BETA'] })).toMatchObject({
      ok: true,
      drafted: [],
      earlier: [{ ...october, minutes: 30, customerCodes: ['BETA'] }],
    });
    expect(await draftInvoices(as('UFIN'), { ...LAST, periods: [{ kind: 'starts', on: '2026-10-01' }] })).toMatchObject(
      { ok: true, drafted: [{ customerCode: 'ACME' }, { customerCode: 'BETA' }], earlier: [] },
    );
    expect(await draftInvoices(as('UFIN'), LAST)).toMatchObject({ ok: true, drafted: [], earlier: [] });
  });

  it('refuses an unknown customer code with suggestions', async () => {
    expect(await draftInvoices(as('UFIN'), { ...LAST, customerCodes: ['ACMEE'] })).toMatchObject({
      ok: false,
      error: { code: 'unknown_customer', message: expect.stringContaining('`ACME`') },
    });
  });
});

describe('issuing and voiding', () => {
  async function draftAcme(minutes = 60) {
    const nov = await approvedSheet(database.db, firm.consultants.alice, firm.periods.nov);
    const entryId = await entry(database.db, {
      sheet: nov,
      project: firm.projects['ACME-WEB'],
      date: '2026-11-03',
      minutes,
      rate: 15000,
    });
    await draftInvoices(as('UFIN'), { ...LAST, customerCodes: ['ACME'] });
    return { invoice: await onlyDraft('ACME'), entryId, sheet: nov };
  }

  it('draft -> issue -> void -> redraft: the same entry is billed once at a time, numbers are never reused', async () => {
    const { db } = database;
    const { invoice, entryId } = await draftAcme();
    const issued = await issueInvoice(as('UFIN'), { invoiceId: invoice.id });
    // Issued on 10 Dec 2026; ACME pays in 14 days.
    expect(issued).toEqual({ ok: true, number: '2026-0001', dueOn: '2026-12-24', customerCode: 'ACME' });
    const [row] = await db.select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(row).toMatchObject({
      status: 'issued',
      year: 2026,
      sequence: 1,
      issuedOn: '2026-12-10',
      issuedBy: 'UFIN',
      paymentTermsDays: 14,
    });
    // A second click on the same button changes nothing and says who issued it.
    expect(await issueInvoice(as('UFIN2'), { invoiceId: invoice.id })).toMatchObject({
      ok: false,
      error: {
        code: 'not_draft',
        message: 'Invoice 2026-0001 was already issued by Fiona Finance on 2026-12-10; nothing changed.',
      },
    });
    // Nothing new to draft while it stands.
    expect(await draftInvoices(as('UFIN'), LAST)).toMatchObject({ ok: true, drafted: [] });

    expect(await voidInvoice(as('UFIN'), { invoiceId: invoice.id, reason: '  ' })).toMatchObject({
      ok: false,
      error: { code: 'reason_required', field: 'reason' },
    });
    expect(await voidInvoice(as('UFIN'), { invoiceId: invoice.id, reason: 'wrong PO number' })).toEqual({
      ok: true,
      outcome: 'voided',
      number: '2026-0001',
    });
    const [voided] = await db.select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(voided).toMatchObject({
      status: 'void',
      number: '2026-0001',
      voidReason: 'wrong PO number',
      voidedBy: 'UFIN',
    });
    expect((await linesOf(invoice.id)).map((l) => l.invoiceVoid)).toEqual([true]);
    expect(await voidInvoice(as('UFIN'), { invoiceId: invoice.id, reason: 'again' })).toMatchObject({
      ok: false,
      error: { code: 'already_void' },
    });

    const redraft = await draftInvoices(as('UFIN'), LAST);
    expect(redraft).toMatchObject({ ok: true, drafted: [{ customerCode: 'ACME', lines: 1 }] });
    const second = await onlyDraft('ACME');
    expect((await linesOf(second.id)).map((l) => l.timeEntryId)).toEqual([entryId]);
    expect(await issueInvoice(as('UFIN'), { invoiceId: second.id })).toMatchObject({ ok: true, number: '2026-0002' });
    const live = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from invoice_lines where time_entry_id = ${entryId} and not invoice_void`,
    );
    expect(Number(live[0]!.n)).toBe(1);
    // The message was posted once and updated on issue and on void; the PDFs went to its thread.
    const keys = (await db.select({ key: outbox.dedupeKey }).from(outbox)).map((r) => r.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        `invoice:${invoice.id}:post`,
        `invoice:${invoice.id}:pdf:draft`,
        `invoice:${invoice.id}:issued`,
        `invoice:${invoice.id}:pdf:issued`,
        `invoice:${invoice.id}:void`,
        `invoice:${invoice.id}:pdf:void`,
      ]),
    );
  });

  it('discarding a draft removes it and frees its time at once', async () => {
    const { invoice, entryId } = await draftAcme();
    expect(await voidInvoice(as('UFIN'), { invoiceId: invoice.id, reason: 'drafted too early' })).toEqual({
      ok: true,
      outcome: 'discarded',
      number: null,
    });
    expect(await database.db.select().from(invoices).where(eq(invoices.id, invoice.id))).toEqual([]);
    const [update] = await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `invoice:${invoice.id}:discarded`));
    expect(update!.payload).toMatchObject({
      kind: 'update',
      content: { model: { status: 'discarded', voidedBy: 'Fiona Finance', voidReason: 'drafted too early' } },
    });
    expect(await issueInvoice(as('UFIN'), { invoiceId: invoice.id })).toMatchObject({
      ok: false,
      error: { code: 'gone' },
    });
    await draftInvoices(as('UFIN'), LAST);
    expect((await linesOf((await onlyDraft('ACME')).id)).map((l) => l.timeEntryId)).toEqual([entryId]);
  });

  it('an entry is never on two live invoices: the database refuses a second live line', async () => {
    const { invoice, entryId } = await draftAcme();
    const [other] = await database.db
      .insert(invoices)
      .values({ customerId: firm.customers.ACME, kind: 'hourly', currency: 'USD', totalCents: 0 })
      .returning();
    const refused = await database.db
      .insert(invoiceLines)
      .values({ invoiceId: other!.id, timeEntryId: entryId, description: 'again', amountCents: 0 })
      .then(
        () => undefined,
        (error: { cause?: { constraint?: string } }) => error.cause?.constraint,
      );
    expect(refused).toBe('invoice_lines_entry_once');
    // Once the first is void, the entry may go on another invoice.
    await issueInvoice(as('UFIN'), { invoiceId: invoice.id });
    await voidInvoice(as('UFIN'), { invoiceId: invoice.id, reason: 'redo' });
    await database.db
      .insert(invoiceLines)
      .values({ invoiceId: other!.id, timeEntryId: entryId, description: 'again', amountCents: 0 });
  });

  it('two drafts at once for the same customer carry each entry once', async () => {
    const nov = await approvedSheet(database.db, firm.consultants.alice, firm.periods.nov);
    const ids = [];
    for (let day = 1; day <= 5; day++)
      ids.push(
        await entry(database.db, {
          sheet: nov,
          project: firm.projects['ACME-WEB'],
          date: `2026-11-0${day}`,
          minutes: 30,
          rate: 15000,
        }),
      );
    const results = await Promise.all([draftInvoices(as('UFIN'), LAST), draftInvoices(as('UFIN2'), LAST)]);
    expect(results.every((r) => r.ok)).toBe(true);
    const lines = await database.db.select().from(invoiceLines);
    expect(lines.map((l) => l.timeEntryId).sort()).toEqual(ids.sort());
    expect(await database.db.select().from(invoices)).toHaveLength(1);
  });

  it('due date from the firm default terms when the customer has none; number in the firm format', async () => {
    const { db } = database;
    expect(
      await saveSettings(as('UADMIN'), { invoice_number_format: 'INV/{YY}/{NNNNN}', payment_terms_days: '45' }),
    ).toMatchObject({ ok: true });
    const nov = await approvedSheet(db, firm.consultants.alice, firm.periods.nov);
    await entry(db, { sheet: nov, project: firm.projects['BETA-OPS'], date: '2026-11-03', minutes: 60, rate: 10000 });
    await draftInvoices(as('UFIN'), LAST);
    expect(await issueInvoice(as('UFIN'), { invoiceId: (await onlyDraft('BETA')).id })).toMatchObject({
      ok: true,
      number: 'INV/26/00001',
      dueOn: '2027-01-24',
    });
  });

  it('numbers restart at 1 each year of the org time zone, gapless across the boundary', async () => {
    const { db } = database;
    const nov = await approvedSheet(db, firm.consultants.alice, firm.periods.nov);
    for (const project of ['ACME-WEB', 'BETA-OPS'] as const)
      for (let day = 1; day <= 2; day++)
        await entry(db, {
          sheet: nov,
          project: firm.projects[project],
          date: `2026-11-0${day}`,
          minutes: 60,
          rate: 10000,
        });
    // One draft per customer: ACME, then BETA.
    await draftInvoices(as('UFIN'), LAST);
    const drafts = await db.select().from(invoices).orderBy(invoices.id);
    // Auckland is 13 hours ahead: 10:59 UTC on 31 Dec is still 2026 there, 11:00 UTC is 1 Jan 2027.
    const auckland = (userId: string) => ({ ...as(userId), org: { timeZone: 'Pacific/Auckland', currency: 'USD' } });
    clock.set('2026-12-31T10:59:00Z');
    expect(await issueInvoice(auckland('UFIN'), { invoiceId: drafts[0]!.id })).toMatchObject({ number: '2026-0001' });
    clock.set('2026-12-31T11:00:00Z');
    expect(await issueInvoice(auckland('UFIN'), { invoiceId: drafts[1]!.id })).toMatchObject({ number: '2027-0001' });
    // A refused issue (an unusable number) takes no number: the next one is still 0002.
    await db.insert(invoices).values({
      customerId: firm.customers.BETA,
      kind: 'hourly',
      currency: 'EUR',
      totalCents: 0,
      status: 'void',
      number: '2027-0002',
      issuedOn: '2027-01-01',
      dueOn: '2027-01-01',
      voidReason: 'imported from the old system',
    });
    const another = await approvedSheet(db, firm.consultants.bob, firm.periods.nov);
    await entry(db, {
      sheet: another,
      project: firm.projects['ACME-WEB'],
      date: '2026-11-09',
      minutes: 60,
      rate: 10000,
    });
    await draftInvoices(as('UFIN'), LAST);
    const third = (await db.select().from(invoices).where(eq(invoices.status, 'draft')).orderBy(invoices.id))[0]!;
    expect(await issueInvoice(auckland('UFIN'), { invoiceId: third.id })).toMatchObject({
      ok: false,
      error: { code: 'number_taken' },
    });
    await saveSettings(as('UADMIN'), { invoice_number_format: 'A-{YYYY}-{NNNN}' });
    expect(await issueInvoice(auckland('UFIN'), { invoiceId: third.id })).toMatchObject({ number: 'A-2027-0002' });
    const counters = await queryRows<{ year: number; last: number }>(
      db,
      sql`select year, last_sequence as "last" from invoice_counters order by year`,
    );
    expect(counters.map((c) => [Number(c.year), Number(c.last)])).toEqual([
      [2026, 1],
      [2027, 2],
    ]);
  });

  it('an admin cannot delete or send back approved time on a live invoice; the refusal names the invoice', async () => {
    const { invoice, sheet } = await draftAcme();
    expect(await adminDecide(as('UADMIN'), { timesheetId: sheet, decision: 'delete' })).toMatchObject({
      ok: false,
      error: { code: 'invoiced', message: expect.stringContaining(`the draft invoice ${invoice.id} (ACME)`) },
    });
    await issueInvoice(as('UFIN'), { invoiceId: invoice.id });
    expect(await adminDecide(as('UADMIN'), { timesheetId: sheet, decision: 'reject', reason: 'wrong' })).toMatchObject({
      ok: false,
      error: {
        code: 'invoiced',
        message: expect.stringContaining(
          'invoice 2026-0001 (ACME), so it cannot be deleted or sent back: void that invoice first',
        ),
      },
    });
    expect(await database.db.select().from(timesheets).where(eq(timesheets.id, sheet))).toHaveLength(1);
  });

  it('a top-up invoice drafted for a prepaid customer is one line of the package, issued like any other', async () => {
    const result = await database.db.transaction((tx) =>
      draftTopupInvoice(tx, as('UFIN'), {
        customerId: firm.customers.PRE,
        minutes: 1200,
        priceMinor: 200000,
        channel: 'C0FINANCE',
      }),
    );
    expect(result.ok).toBe(true);
    const invoiceId = result.ok ? result.invoiceId : 0;
    expect(await linesOf(invoiceId)).toMatchObject([
      { timeEntryId: null, minutes: 1200, amountCents: 200000, description: 'Prepaid time: 20h' },
    ]);
    expect(await issueInvoice(as('UFIN'), { invoiceId })).toMatchObject({ ok: true, number: '2026-0001' });
  });
});

describe('rights', () => {
  it('only the receivable right drafts, issues, voids, lists, re-posts and exports; a forged Issue click changes nothing', async () => {
    const nov = await approvedSheet(database.db, firm.consultants.alice, firm.periods.nov);
    await entry(database.db, {
      sheet: nov,
      project: firm.projects['ACME-WEB'],
      date: '2026-11-03',
      minutes: 60,
      rate: 15000,
    });
    await draftInvoices(as('UFIN'), LAST);
    const draft = await onlyDraft('ACME');
    for (const userId of ['UADMIN', 'UPAY', 'U01ALICE', 'UNOBODY']) {
      const ctx = as(userId);
      const answers = [
        await draftInvoices(ctx, LAST),
        await issueInvoice(ctx, { invoiceId: draft.id }),
        await voidInvoice(ctx, { invoiceId: draft.id, reason: 'forged' }),
        await listInvoices(ctx, { status: undefined, customerCodes: [] }),
        await repostInvoicePdf(ctx, { invoiceId: draft.id }),
        await invoiceExport(ctx, { periods: [] }),
      ];
      for (const answer of answers)
        expect(answer).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^(forbidden|not_a_user)$/) } });
    }
    const [still] = await database.db.select().from(invoices).where(eq(invoices.id, draft.id));
    expect(still).toMatchObject({ status: 'draft', number: null });
    expect(await queryRows(database.db, sql`select * from invoice_counters`)).toEqual([]);
    expect(await listInvoices(as('UFIN'), { status: 'draft', customerCodes: ['ACME'] })).toMatchObject({
      ok: true,
      matched: 1,
      rows: [{ invoiceId: draft.id, status: 'draft', customerCode: 'ACME', total: '$150.00', minutes: 60 }],
    });
  });
});
