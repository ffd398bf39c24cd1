/**
 * The refusals a user meets on the credit and invoice buttons and forms, over signed HTTP against
 * the fake Slack: a forged admin button answered in a DM, form errors on the field they are about,
 * a void or a PDF asked for an invoice that is gone. Nothing is written by a refusal.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { creditLedger, customers, invoices } from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { changedTables, digestTables } from '../support/database-digest.js';

let h: AppHarness;
const [ALICE, ADMIN] = ['U01ALICE', 'U0ADMIN'];
const f = ids.credits.field;
const text = (value: string) => ({ type: 'plain_text_input', value });
const fromMessage = { type: 'message' as const, channelId: 'C0GENERAL', messageTs: '1.1' };

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z', adminUserIds: [ADMIN] });
  for (const [id, name] of [
    [ALICE, 'Alice Doe'],
    [ADMIN, 'Ada Admin'],
  ] as const)
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  await importFixture(h, 'approvals-firm.yaml');
});
afterAll(async () => h.stop());

/** The DM the app sent the user after `since` calls to chat.postMessage, as text. */
const dmAfter = async (userId: string, since: number) => {
  await h.app.settled();
  return JSON.stringify(
    h.fake
      .callsTo('chat.postMessage')
      .slice(since)
      .filter((c) => c.args.channel === userId),
  );
};
const posts = () => h.fake.callsTo('chat.postMessage').length;

describe('credit buttons and forms', () => {
  it('answers a forged Adjust button from a consultant in a DM, opening no form', async () => {
    const since = posts();
    const opened = h.fake.callsTo('views.open').length;
    await h.slack.blockAction({ userId: ALICE, actionId: ids.credits.adjust, value: 'GLOBEX', container: fromMessage });
    expect(await dmAfter(ALICE, since)).toContain('You do not have the administration right.');
    expect(h.fake.callsTo('views.open')).toHaveLength(opened);
  });

  it('opens Export prepaid log from a message as a new modal, from the first of the month to today', async () => {
    await h.slack.blockAction({ userId: ADMIN, actionId: ids.credits.export, value: 'GLOBEX', container: fromMessage });
    const form = await h.fake.waitFor('views.open', (c) =>
      JSON.stringify(c.args.view).includes(ids.credits.exportModal),
    );
    expect(JSON.stringify(form.args.view)).toContain('2026-11-01');
    expect(JSON.stringify(form.args.view)).toContain('2026-11-30');
  });

  it('shows an hourly customer on the Credits button as a problem in place of the message', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.credits.open,
      value: 'ACME',
      responseUrl: h.fake.responseUrl(),
      container: fromMessage,
    });
    const reply = await h.fake.waitFor('response_url', (c) => JSON.stringify(c.args).includes('billed by the hour'));
    expect(JSON.stringify(reply.args)).toContain('ACME is billed by the hour, so it has no prepaid credit.');
  });

  it('puts an adjustment refusal on the field it is about, writing nothing, and adjusts once it is right', async () => {
    const adjust = (hours: string, reason: string) =>
      h.slack.viewSubmission({
        userId: ADMIN,
        callbackId: ids.credits.adjustModal,
        privateMetadata: JSON.stringify({ code: 'GLOBEX' }),
        values: {
          [f.hours.block]: { [f.hours.action]: text(hours) },
          [f.reason.block]: { [f.reason.action]: text(reason) },
        },
      });
    const before = await digestTables(h.database.db);
    expect((await adjust('-2', ' ')).body).toEqual({
      response_action: 'errors',
      errors: { [f.reason.block]: 'Say why the credit is adjusted: the reason is shown in the prepaid log.' },
    });
    expect((await adjust('lots', 'refund')).body).toMatchObject({
      response_action: 'errors',
      errors: { [f.hours.block]: expect.any(String) },
    });
    expect(changedTables(before, await digestTables(h.database.db))).toEqual([]);
    const done = await adjust('-2', 'refund for a bad week');
    expect(JSON.stringify(done.body)).toContain('Credits adjusted. Globex: 38h of prepaid time left');
    const rows = await h.database.db.select().from(creditLedger).where(eq(creditLedger.kind, 'adjustment'));
    expect(rows.map((r) => [r.minutes, r.note, r.actorId])).toEqual([[-120, 'refund for a bad week', ADMIN]]);
  });
});

describe('credit form refusals, each on its field', () => {
  const date = (selected: string | null) => ({ type: 'datepicker', selected_date: selected });
  const submit = (callbackId: string, values: Record<string, Record<string, unknown>>, code = 'GLOBEX') =>
    h.slack.viewSubmission({ userId: ADMIN, callbackId, privateMetadata: JSON.stringify({ code }), values });
  const purchase = (fields: { hours?: string; price?: string; date?: string | null; note?: string }, code?: string) =>
    submit(
      ids.credits.addModal,
      {
        [f.hours.block]: { [f.hours.action]: text(fields.hours ?? '5') },
        [f.price.block]: { [f.price.action]: text(fields.price ?? '') },
        [f.date.block]: { [f.date.action]: date(fields.date === undefined ? '2026-11-30' : fields.date) },
        [f.note.block]: { [f.note.action]: text(fields.note ?? 'PO 1') },
      },
      code,
    );
  const settings = (fields: { threshold?: string; autoTopup?: boolean; topupHours?: string; topupPrice?: string }) =>
    submit(ids.credits.settingsModal, {
      [f.threshold.block]: { [f.threshold.action]: text(fields.threshold ?? '5') },
      [f.alertChannel.block]: {
        [f.alertChannel.action]: { type: 'conversations_select', selected_conversation: null },
      },
      [f.autoTopup.block]: {
        [f.autoTopup.action]: { type: 'checkboxes', selected_options: fields.autoTopup ? [{ value: 'on' }] : [] },
      },
      [f.topupHours.block]: { [f.topupHours.action]: text(fields.topupHours ?? '') },
      [f.topupPrice.block]: { [f.topupPrice.action]: text(fields.topupPrice ?? '') },
      [f.creditOnIssue.block]: { [f.creditOnIssue.action]: { type: 'checkboxes', selected_options: [] } },
    });
  const exportLog = (from: string | null, to: string | null, channel: string | null = null) =>
    submit(ids.credits.exportModal, {
      [f.from.block]: { [f.from.action]: date(from) },
      [f.to.block]: { [f.to.action]: date(to) },
      [f.channel.block]: { [f.channel.action]: { type: 'conversations_select', selected_conversation: channel } },
    });
  const errorsOf = (response: { body: unknown }) => (response.body as { errors?: Record<string, string> }).errors;

  it('Add credits: a missing date, a long note, a bad price and an hourly customer are refused where they belong, writing nothing', async () => {
    const before = await digestTables(h.database.db);
    expect(errorsOf(await purchase({ date: null }))).toEqual({ [f.date.block]: 'Pick the date of the purchase.' });
    expect(errorsOf(await purchase({ note: 'x'.repeat(501) }))).toEqual({
      [f.note.block]: 'Keep the note to 500 characters; it has 501.',
    });
    expect(errorsOf(await purchase({ price: 'ten dollars' }))).toEqual({ [f.price.block]: expect.any(String) });
    expect(errorsOf(await purchase({}, 'ACME'))).toEqual({
      [f.hours.block]:
        'ACME is billed by the hour, so it has no prepaid credit. An administrator can make it prepaid in /admin > Customers.',
    });
    expect(changedTables(before, await digestTables(h.database.db))).toEqual([]);
  });

  it('Adjust: a reason over 500 characters is refused on the reason, writing nothing', async () => {
    const before = await digestTables(h.database.db);
    const refused = await submit(ids.credits.adjustModal, {
      [f.hours.block]: { [f.hours.action]: text('-1') },
      [f.reason.block]: { [f.reason.action]: text('y'.repeat(501)) },
    });
    expect(errorsOf(refused)).toEqual({ [f.reason.block]: 'Keep the reason to 500 characters; it has 501.' });
    expect(changedTables(before, await digestTables(h.database.db))).toEqual([]);
  });

  it('Settings: a bad threshold, bad package hours, a top-up without hours and a bad package price are each refused on their field', async () => {
    const before = await digestTables(h.database.db);
    expect(errorsOf(await settings({ threshold: 'lots' }))).toEqual({ [f.threshold.block]: expect.any(String) });
    expect(errorsOf(await settings({ topupHours: 'many' }))).toEqual({ [f.topupHours.block]: expect.any(String) });
    expect(errorsOf(await settings({ autoTopup: true, topupPrice: '100' }))).toEqual({
      [f.topupHours.block]: 'Automatic top-up needs the package: how many hours each top-up invoice buys.',
    });
    expect(errorsOf(await settings({ topupHours: '10', topupPrice: 'cheap' }))).toEqual({
      [f.topupPrice.block]: expect.any(String),
    });
    expect(changedTables(before, await digestTables(h.database.db))).toEqual([]);
  });

  it('Settings with the threshold and alert channel left empty turns the low-credit alert off', async () => {
    expect(JSON.stringify((await settings({ threshold: '' })).body)).toContain('Settings saved');
    const [globex] = await h.database.db.select().from(customers).where(eq(customers.code, 'GLOBEX'));
    expect(globex).toMatchObject({ lowCreditThresholdMinutes: null, alertChannel: null, autoInvoice: false });
  });

  it('Export prepaid log: a missing first or last day and reversed days are refused on their field', async () => {
    expect(errorsOf(await exportLog(null, '2026-11-30'))).toEqual({ [f.from.block]: 'Pick the first day of the log.' });
    expect(errorsOf(await exportLog('2026-11-01', null))).toEqual({ [f.to.block]: 'Pick the last day of the log.' });
    expect(errorsOf(await exportLog('2026-11-30', '2026-11-01'))).toEqual({
      [f.to.block]: 'The first day comes after the last one: swap them.',
    });
    expect(h.fake.callsTo('files.getUploadURLExternal')).toEqual([]);
  });

  it('Export prepaid log to a chosen channel says so and posts the PDF and CSV there', async () => {
    h.fake.conversations.set('C0LEDGER', { kind: 'public', appIsMember: true });
    const answer = await exportLog('2026-11-01', '2026-11-30', 'C0LEDGER');
    expect(JSON.stringify(answer.body)).toContain('the PDF and CSV come in <#C0LEDGER>');
    await h.fake.waitFor('files.completeUploadExternal');
    const [posted] = (h.fake.messages.get('C0LEDGER') ?? []).filter((m) => m.files);
    expect(posted!.files!.map((file) => h.fake.uploads.get(file.id)!.filename)).toEqual([
      'prepaid-log-GLOBEX-2026-11-01-to-2026-11-30.pdf',
      'prepaid-log-GLOBEX-2026-11-01-to-2026-11-30.csv',
    ]);
  });
});

describe('the Credits button and /credits', () => {
  it('the Credits button without a response_url sends the balance in a DM', async () => {
    const since = posts();
    await h.slack.blockAction({ userId: ADMIN, actionId: ids.credits.open, value: 'GLOBEX' });
    expect(await dmAfter(ADMIN, since)).toMatch(/Globex: \d+h of prepaid time left/);
  });

  it('/credits with text that is not a customer code answers with the usage', async () => {
    const answer = await h.slack.slashCommand({ command: '/credits', text: 'GLOBEX please', userId: ALICE });
    expect((answer.body as { text: string }).text).toBe(
      'Name one customer by its code, like `/credits GLOBEX`, or nothing for all your prepaid customers.',
    );
  });

  it('/credits from someone who works for no prepaid customer says there is no credit to show', async () => {
    const answer = await h.slack.slashCommand({ command: '/credits', text: '', userId: 'U04CARL' });
    expect((answer.body as { text: string }).text).toBe(
      'You do not work for any prepaid customer, so there is no credit to show.',
    );
  });

  it('/credits from someone ConsulTracker does not know says to ask an administrator', async () => {
    const answer = await h.slack.slashCommand({ command: '/credits', text: '', userId: 'U0NOBODY' });
    expect(JSON.stringify(answer.body)).toContain(
      'ConsulTracker does not know you yet. Ask an administrator to add you.',
    );
  });
});

describe('invoice forms and buttons', () => {
  const voidReason = (userId: string, reason: string) =>
    h.slack.viewSubmission({
      userId,
      callbackId: ids.invoice.voidModal,
      privateMetadata: JSON.stringify({ invoiceId: 999_999 }),
      values: {
        [ids.invoice.reason.block]: { [ids.invoice.reason.action]: { type: 'plain_text_input', value: reason } },
      },
    });

  it('closes the Void form and tells the user in a DM when the draft is already gone', async () => {
    const since = posts();
    const answer = await voidReason(ADMIN, 'duplicate');
    expect(answer.body).toBeFalsy();
    expect(await dmAfter(ADMIN, since)).toContain('That draft was already discarded.');
  });

  it('tells someone without the receivable right in a DM that they cannot void', async () => {
    const since = posts();
    await voidReason(ALICE, 'duplicate');
    expect(await dmAfter(ALICE, since)).toContain('Accounts Receivable');
  });

  it('keeps the Void form open with the error on the reason when it is left empty', async () => {
    const answer = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.invoice.voidModal,
      privateMetadata: JSON.stringify({ invoiceId: 999_999 }),
      // Slack sends an empty text input as null.
      values: {
        [ids.invoice.reason.block]: { [ids.invoice.reason.action]: { type: 'plain_text_input', value: null } },
      },
    });
    expect(answer.body).toEqual({
      response_action: 'errors',
      errors: { [ids.invoice.reason.block]: 'Say why the invoice is voided; the reason is kept with it.' },
    });
  });

  it('tells the user in a DM when Issue is pressed on a draft that is gone and Slack gives no response_url', async () => {
    const since = posts();
    await h.slack.blockAction({ userId: ADMIN, actionId: ids.invoice.issue, value: '999999' });
    expect(await dmAfter(ADMIN, since)).toContain('That draft was discarded, so there is nothing to issue.');
  });

  it('refuses /invoice list, draft and export to someone without the receivable right, drafting nothing', async () => {
    const invoice = (text: string) =>
      h.slack.slashCommand({ command: '/invoice', text, userId: ALICE, responseUrl: h.fake.responseUrl() });
    const refusal = 'You do not have the Accounts Receivable';
    expect(JSON.stringify((await invoice('list')).body)).toContain(refusal);
    expect(JSON.stringify((await invoice('export 2026-11-01')).body)).toContain(refusal);
    const draft = await invoice('draft 2026-11-01');
    expect(JSON.stringify(draft.body)).toContain('Drafting invoices from approved time');
    const told = await h.fake.waitFor('response_url', (c) => JSON.stringify(c.args).includes(refusal));
    expect(JSON.stringify(told.args)).toContain(':warning:');
    expect(await h.database.db.select().from(invoices)).toEqual([]);
  });

  it('keeps the Void form open with the error on the reason when it is over 500 characters', async () => {
    expect((await voidReason(ADMIN, 'r'.repeat(501))).body).toEqual({
      response_action: 'errors',
      errors: { [ids.invoice.reason.block]: 'Keep the reason to 500 characters.' },
    });
  });

  it('/invoice draft for a period that does not exist or a customer nobody has says so and drafts nothing', async () => {
    const draft = async (text: string, expected: string) => {
      const responseUrl = h.fake.responseUrl();
      await h.slack.slashCommand({ command: '/invoice', text, userId: ADMIN, responseUrl });
      const told = await h.fake.waitFor('response_url', (c) =>
        String(c.args.url).endsWith(new URL(responseUrl).pathname),
      );
      expect(JSON.stringify(told.args)).toContain(expected);
    };
    await draft('draft 2026-05-01', 'No reporting period starts on 2026-05-01. Periods start on 2026-11-01.');
    await draft('draft 2026-11-01 customer:NOPE', 'There is no customer `NOPE`.');
    expect(await h.database.db.select().from(invoices)).toEqual([]);
  });

  it('tells a second Issue or Void of an invoice already decided who decided it, changing nothing', async () => {
    const [globex] = await h.database.db.select().from(customers).where(eq(customers.code, 'GLOBEX'));
    const decided = { customerId: globex!.id, kind: 'topup' as const, currency: 'USD', totalCents: 50_000, year: 2026 };
    const [issued, voided] = await h.database.db
      .insert(invoices)
      .values([
        {
          ...decided,
          sequence: 98,
          number: '2026-0098',
          status: 'issued',
          issuedBy: ADMIN,
          issuedOn: '2026-11-20',
          dueOn: '2026-12-20',
        },
        {
          ...decided,
          sequence: 99,
          number: '2026-0099',
          status: 'void',
          issuedBy: ADMIN,
          issuedOn: '2026-11-21',
          dueOn: '2026-12-21',
          voidReason: 'sent twice',
        },
      ])
      .returning();
    try {
      const ledger = await h.database.db.select().from(creditLedger);
      const since = posts();
      await h.slack.blockAction({ userId: ADMIN, actionId: ids.invoice.issue, value: String(issued!.id) });
      await h.slack.viewSubmission({
        userId: ADMIN,
        callbackId: ids.invoice.voidModal,
        privateMetadata: JSON.stringify({ invoiceId: voided!.id }),
        values: { [ids.invoice.reason.block]: { [ids.invoice.reason.action]: text('duplicate') } },
      });
      const told = await dmAfter(ADMIN, since);
      expect(told).toContain('Invoice 2026-0098 was already issued by Ada Admin on 2026-11-20; nothing changed.');
      expect(told).toContain('Invoice 2026-0099 is already void (sent twice); nothing changed.');
      expect(await h.database.db.select().from(invoices).orderBy(invoices.id)).toEqual([issued, voided]);
      expect(await h.database.db.select().from(creditLedger)).toEqual(ledger);
    } finally {
      await h.database.db.delete(invoices);
    }
  });

  it('answers the PDF button of an invoice that is gone in place of the message', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.invoice.repost,
      value: '999999',
      responseUrl: h.fake.responseUrl(),
      container: fromMessage,
    });
    const reply = await h.fake.waitFor('response_url', (c) => JSON.stringify(c.args).includes('no PDF any more'));
    expect(JSON.stringify(reply.args)).toContain('That draft was discarded, so it has no PDF any more.');
  });
});
