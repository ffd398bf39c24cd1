/**
 * An automatic top-up drafted where neither FINANCE_CHANNEL nor the customer's alert channel is set
 * has no message, so no Issue or Void button. `/invoice list draft` offers it with **Post to me**,
 * which posts it with its buttons to the asker's DM: finance can issue it (and a later crossing's
 * top-up is not blocked by a draft nobody can reach).
 */
import { and, asc, desc, eq, like } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invoiceListMessage } from '../../blocks/invoice-messages.js';
import { ids } from '../../blocks/ids.js';
import { customers, invoices, outbox, timesheets } from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import type { ServiceContext } from '../../src/services/context.js';
import { addCredits } from '../../src/services/credits.js';
import { issueInvoice } from '../../src/services/invoice-decisions.js';
import { listInvoices, repostInvoicePdf } from '../../src/services/invoices.js';
import type { MessageContent } from '../../src/services/outbox.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { renderOutboxMessage } from '../../src/slack/outbox-messages.js';
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
let periods: number[];

// No FINANCE_CHANNEL (a supported set-up: drafts then go to the drafter's DM).
const as = (userId: string): ServiceContext => serviceContext(database.db, asUser(userId), clock);

beforeEach(async () => {
  database = await createTestDatabase();
  clock = new TestClock('2026-11-20T12:00:00Z');
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UFIN', { name: 'Fiona Finance', rights: ['receivable'] });
  await addUser(db, 'UM1', { rights: ['approval'] });
  await addUser(db, 'UC1', { rights: ['entry'] });
  globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  // No alert channel either: the settings form leaves it optional.
  await db
    .update(customers)
    .set({ lowCreditThresholdMinutes: 600, autoInvoice: true, topupMinutes: 600, topupPriceCents: 100_000 })
    .where(eq(customers.id, globex));
  await addProject(db, 'GLOBEX-A', globex, {
    consultants: [await addConsultant(db, 'UC1')],
    managers: [await addManager(db, 'UM1')],
  });
  periods = [];
  for (const [from, to] of [
    ['2026-11-01', '2026-11-07'],
    ['2026-11-08', '2026-11-14'],
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

async function approvedWeek(minutes: number, week: number) {
  const logged = await logTime(as('UC1'), {
    projectCode: 'GLOBEX-A',
    date: { kind: 'iso', date: `2026-11-${String(2 + 7 * week).padStart(2, '0')}` },
    minutes,
    description: 'ops',
    billable: true,
    source: 'command',
  });
  expect(logged.ok, JSON.stringify(logged)).toBe(true);
  expect((await submitTimesheet(as('UC1'), { periodId: periods[week] })).ok).toBe(true);
  const [sheet] = await database.db
    .select()
    .from(timesheets)
    .where(and(eq(timesheets.status, 'submitted'), eq(timesheets.periodId, periods[week]!)))
    .orderBy(desc(timesheets.id));
  const decided = await decideTimesheet(as('UM1'), {
    approvalId: await approvalIdOf(database.db, sheet!.id, 'UM1'),
    decision: 'approve',
  });
  expect(decided.ok, JSON.stringify(decided)).toBe(true);
}

const topups = () => database.db.select().from(invoices).where(eq(invoices.kind, 'topup')).orderBy(asc(invoices.id));

describe('automatic top-up with no finance channel and no alert channel', () => {
  it('is listed with Post to me, which posts it with Issue and Void to the asker, who can issue it', async () => {
    await approvedWeek(12 * 60, 0);
    const [draft] = await topups();
    expect(draft).toMatchObject({ status: 'draft', channel: null });
    expect(
      await database.db
        .select()
        .from(outbox)
        .where(like(outbox.dedupeKey, `invoice:${draft!.id}:%`)),
    ).toEqual([]);

    const listed = await listInvoices(as('UFIN'), { status: 'draft', customerCodes: [] });
    if (!listed.ok) throw new Error(listed.error.message);
    const list = JSON.stringify(invoiceListMessage(listed.rows, listed.matched).blocks);
    expect(list).toContain('"text":"Post to me"');

    expect(await repostInvoicePdf(as('UFIN'), { invoiceId: draft!.id })).toEqual({ ok: true, number: null });
    const posted = await database.db
      .select()
      .from(outbox)
      .where(like(outbox.dedupeKey, `invoice:${draft!.id}:%`));
    const message = posted.find((row) => row.dedupeKey === `invoice:${draft!.id}:post`);
    expect(message?.payload).toMatchObject({ kind: 'post', channel: 'UFIN' });
    const rendered = JSON.stringify(renderOutboxMessage((message!.payload as { content: MessageContent }).content));
    expect(rendered).toContain(ids.invoice.issue);
    expect(rendered).toContain(ids.invoice.void);
    // Clicked again (or by someone else), it is posted once: the button now sends the PDF.
    await repostInvoicePdf(as('UFIN'), { invoiceId: draft!.id });
    expect(
      (
        await database.db
          .select()
          .from(outbox)
          .where(eq(outbox.dedupeKey, `invoice:${draft!.id}:post`))
      ).length,
    ).toBe(1);

    expect(await issueInvoice(as('UFIN'), { invoiceId: draft!.id })).toMatchObject({ ok: true });
  }, 120_000);
});
