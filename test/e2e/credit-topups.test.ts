/**
 * Automatic top-up over HTTP against the fake Slack: an administrator turns it on in the credit
 * Settings modal, an approval takes the balance below the threshold and one top-up draft is posted
 * to finance with Issue / Void; a second crossing while it is open drafts nothing; Issue credits the
 * package (credit on issue), /credits shows it, and Void of the issued top-up takes it back.
 */
import { asc, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { creditAlerts, creditLedger, customers, invoices, outbox, reportingPeriods } from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import type { StoredMessage } from '../support/fake-slack.js';
import { addUser, approvalIdOf } from '../support/fixtures.js';

let h: AppHarness;
const [ALICE, DANA, ADMIN, FIONA] = ['U01ALICE', 'U03DANA', 'U0ADMIN', 'UFIN'];
const [FINANCE, ALERTS] = ['C0FINANCE', 'C0ALERTS'];
const f = ids.credits.field;

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z', adminUserIds: [ADMIN], financeChannel: FINANCE });
  for (const [id, name] of [
    [ALICE, 'Alice Doe'],
    [DANA, 'Dana Lee'],
    [ADMIN, 'Ada Admin'],
    [FIONA, 'Fiona Finance'],
  ] as const)
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  // Globex: 40h bought, threshold 5h, Dana manages GLOBEX-OPS where Alice works.
  await importFixture(h, 'approvals-firm.yaml');
  await addUser(h.database.db, FIONA, { name: 'Fiona Finance', rights: ['receivable'] });
  await h.database.db.insert(reportingPeriods).values({ startsOn: '2026-10-01', endsOn: '2026-10-31' });
  // The test delivers the outbox itself, so it sees each step.
  await h.app.outbox.stop();
});
afterAll(async () => h.stop());

async function delivered(): Promise<void> {
  await h.app.settled();
  for (let i = 0; i < 50; i++) {
    await h.app.outbox.runOnce();
    const pending = await h.database.db.select().from(outbox).where(eq(outbox.status, 'pending'));
    if (pending.length === 0) return;
    h.clock.advance({ seconds: 5 });
  }
  throw new Error('the outbox did not drain');
}

const command = (userId: string, name: string, text = '') => h.slack.slashCommand({ command: name, text, userId });
const ackText = (response: { body: unknown }) => JSON.stringify(response.body);
const text = (value: string) => ({ type: 'plain_text_input', value });
const submitModal = (callbackId: string, values: Record<string, Record<string, unknown>>) =>
  h.slack.viewSubmission({ userId: ADMIN, callbackId, values, privateMetadata: JSON.stringify({ code: 'GLOBEX' }) });
/** The invoice messages in the finance channel (the PDFs in their threads left out). */
const invoiceMessages = () => (h.fake.messages.get(FINANCE) ?? []).filter((m) => !m.files);
const buttons = (message: StoredMessage) =>
  (message.blocks as { type: string; elements?: { action_id: string; value: string }[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
const pressOnInvoice = (actionId: string, message: StoredMessage) =>
  h.slack.blockAction({
    userId: FIONA,
    actionId,
    value: buttons(message).find((b) => b.action_id === actionId)!.value,
    responseUrl: h.fake.responseUrl(),
    container: { type: 'message', channelId: FINANCE, messageTs: message.ts },
  });
const topups = () => h.database.db.select().from(invoices).where(eq(invoices.kind, 'topup')).orderBy(asc(invoices.id));
const lowCreditAlerts = () =>
  h.database.db.select().from(creditAlerts).where(eq(creditAlerts.kind, 'low_credit')).orderBy(asc(creditAlerts.id));
const alertPosts = () =>
  (h.fake.messages.get(ALERTS) ?? []).filter((m) =>
    JSON.stringify(m.blocks).includes('fell below its low-credit threshold'),
  );
const invoiceMovements = () =>
  h.database.db
    .select({
      kind: creditLedger.kind,
      minutes: creditLedger.minutes,
      price: creditLedger.priceCents,
      note: creditLedger.note,
    })
    .from(creditLedger)
    .where(isNotNull(creditLedger.invoiceId))
    .orderBy(asc(creditLedger.id));

/** Alice logs `entries` on GLOBEX-OPS, submits the period holding them, and Dana approves with the DM's button. */
async function workedAndApproved(entries: string[], period: string): Promise<void> {
  for (const entry of entries) expect(ackText(await command(ALICE, '/log', entry))).toContain('Logged');
  expect(ackText(await command(ALICE, '/timesheet', `submit ${period}`))).toContain('Submitted');
  await delivered();
  const [approval] = await h.database.db.query.approvals.findMany({
    where: (a, { and: all, eq: is }) => all(is(a.approverId, DANA), is(a.status, 'pending')),
  });
  await h.slack.blockAction({
    userId: DANA,
    actionId: ids.approval.approve,
    value: String(await approvalIdOf(h.database.db, approval!.timesheetId, DANA)),
    container: { type: 'message', channelId: `D${DANA}`, messageTs: '1.1' },
  });
  await delivered();
}

const on = { type: 'checkboxes', selected_options: [{ value: 'on' }] };
/** The credit Settings modal as an administrator submits it: threshold 5h, alerts in ALERTS, a 10h package for `price`. */
const submitTopupSettings = (price: string) =>
  submitModal(ids.credits.settingsModal, {
    [f.threshold.block]: { [f.threshold.action]: text('5') },
    [f.alertChannel.block]: {
      [f.alertChannel.action]: { type: 'conversations_select', selected_conversation: ALERTS },
    },
    [f.autoTopup.block]: { [f.autoTopup.action]: on },
    [f.topupHours.block]: { [f.topupHours.action]: text('10') },
    [f.topupPrice.block]: { [f.topupPrice.action]: text(price) },
    [f.creditOnIssue.block]: { [f.creditOnIssue.action]: on },
  });

describe('automatic top-up in Slack', () => {
  it('an administrator turns it on in the credit Settings modal; a package without a price is refused inline', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.credits.settings,
      value: 'GLOBEX',
      responseUrl: h.fake.responseUrl(),
    });
    await h.fake.waitFor('views.open', (c) => JSON.stringify(c.args.view).includes(ids.credits.settingsModal));
    expect((await submitTopupSettings(' ')).body).toMatchObject({
      response_action: 'errors',
      errors: { [f.topupPrice.block]: 'Automatic top-up needs the package price in USD.' },
    });
    expect(JSON.stringify((await submitTopupSettings('1000.00')).body)).toContain('Settings saved');
    const [globex] = await h.database.db.select().from(customers).where(eq(customers.code, 'GLOBEX'));
    expect(globex).toMatchObject({
      lowCreditThresholdMinutes: 300,
      alertChannel: ALERTS,
      autoInvoice: true,
      topupMinutes: 600,
      topupPriceCents: 100_000,
      creditOnIssue: true,
    });
    expect(await topups()).toEqual([]);
  });

  it('with it on: one top-up draft per crossing, none while one is open; Issue credits the package, Void takes it back', async () => {
    expect(JSON.stringify((await submitTopupSettings('1000.00')).body)).toContain('Settings saved');

    // The approval that takes the balance from 40h to 4h, below the 5h threshold, drafts one top-up posted to finance.
    await workedAndApproved(
      [
        '12h GLOBEX-OPS 2026-11-02 migration',
        '12h GLOBEX-OPS 2026-11-03 migration',
        '12h GLOBEX-OPS 2026-11-04 cutover',
      ],
      '',
    );
    expect(ackText(await command(ADMIN, '/credits', 'GLOBEX'))).toContain('Globex: 4h of prepaid time left');

    const [draft, ...more] = await topups();
    expect(more).toEqual([]);
    expect(draft).toMatchObject({ status: 'draft', totalCents: 100_000, channel: FINANCE, createdBy: null });
    const [message, ...otherMessages] = invoiceMessages();
    expect(otherMessages).toEqual([]);
    const shown = JSON.stringify(message!.blocks);
    expect(shown).toContain('*Draft top-up invoice* for Globex (GLOBEX)');
    expect(shown).toContain('$1,000.00');
    expect(shown).toContain('Drafted automatically');
    expect(buttons(message!).map((b) => [b.action_id, b.value])).toEqual([
      [ids.invoice.issue, String(draft!.id)],
      [ids.invoice.void, String(draft!.id)],
    ]);
    // The crossing is alerted once, in the customer's alert channel and to the project's manager.
    expect(alertPosts()).toHaveLength(1);
    expect(JSON.stringify(h.fake.messages.get(`D${DANA}`))).toContain('fell below its low-credit threshold');

    // A purchase lifts the balance to 9h, re-arming the alert; the next approval crosses again while the draft is
    // open: alerted again, nothing drafted.
    const added = await submitModal(ids.credits.addModal, {
      [f.hours.block]: { [f.hours.action]: text('5') },
      [f.price.block]: { [f.price.action]: text('') },
      [f.date.block]: { [f.date.action]: { type: 'datepicker', selected_date: '2026-11-30' } },
      [f.note.block]: { [f.note.action]: text('PO 5000') },
    });
    expect(JSON.stringify(added.body)).toContain('Globex: 9h of prepaid time left');
    await workedAndApproved(['6h GLOBEX-OPS 2026-10-20 october ops'], '2026-10-01');

    expect(ackText(await command(ADMIN, '/credits', 'GLOBEX'))).toContain('Globex: 3h of prepaid time left');
    expect(await lowCreditAlerts()).toHaveLength(2);
    expect(alertPosts()).toHaveLength(2);
    expect((await topups()).map((i) => i.status)).toEqual(['draft']);
    expect(invoiceMessages()).toHaveLength(1);

    // Issue (credit on issue) adds the package to the ledger, and /credits shows the purchase.
    await pressOnInvoice(ids.invoice.issue, invoiceMessages()[0]!);
    await delivered();
    const [issued] = invoiceMessages();
    expect(JSON.stringify(issued!.blocks)).toContain('*Invoice 2026-0001* for Globex (GLOBEX)');
    expect(buttons(issued!).map((b) => b.action_id)).toEqual([ids.invoice.void]);
    expect(await invoiceMovements()).toEqual([
      { kind: 'purchase', minutes: 600, price: 100_000, note: 'Invoice 2026-0001' },
    ]);
    const afterIssue = ackText(await command(ADMIN, '/credits', 'GLOBEX'));
    expect(afterIssue).toContain('Globex: 13h of prepaid time left');
    expect(afterIssue).toContain('Invoice 2026-0001');
    // 13h is above the threshold again: the alert is re-armed.
    expect((await lowCreditAlerts()).filter((a) => a.rearmedAt === null)).toEqual([]);

    // Void of the issued top-up takes the credit back: 3h, below the threshold again, so a fresh top-up is drafted.
    await pressOnInvoice(ids.invoice.void, invoiceMessages()[0]!);
    await h.fake.waitFor('views.open', (c) => JSON.stringify(c.args.view).includes(ids.invoice.voidModal));
    const [first] = await topups();
    await h.slack.viewSubmission({
      userId: FIONA,
      callbackId: ids.invoice.voidModal,
      privateMetadata: JSON.stringify({ invoiceId: first!.id }),
      values: { [ids.invoice.reason.block]: { [ids.invoice.reason.action]: text('customer declined') } },
    });
    await delivered();

    expect(await invoiceMovements()).toEqual([
      { kind: 'purchase', minutes: 600, price: 100_000, note: 'Invoice 2026-0001' },
      { kind: 'adjustment', minutes: -600, price: null, note: 'Invoice 2026-0001 voided: customer declined' },
    ]);
    const afterVoid = ackText(await command(ADMIN, '/credits', 'GLOBEX'));
    expect(afterVoid).toContain('Globex: 3h of prepaid time left');
    expect(afterVoid).toContain('Invoice 2026-0001 voided: customer declined');
    const [voided, fresh] = invoiceMessages();
    expect(JSON.stringify(voided!.blocks)).toContain('is *void*');
    expect(JSON.stringify(fresh!.blocks)).toContain('*Draft top-up invoice* for Globex (GLOBEX)');
    expect((await topups()).map((i) => i.status)).toEqual(['void', 'draft']);
    // The void is a new crossing: alerted once more, and live until credit lifts it again.
    expect(alertPosts()).toHaveLength(3);
    expect((await lowCreditAlerts()).map((a) => [a.remainingMinutes, a.rearmedAt === null])).toEqual([
      [240, false],
      [180, false],
      [180, true],
    ]);
  }, 120_000);
});
