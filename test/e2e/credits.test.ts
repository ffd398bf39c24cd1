/** /credits, its admin forms, the approval DM's deduction line and the prepaid log, over HTTP against the fake Slack. */
import { parse } from 'csv-parse/sync';
import { asc, eq } from 'drizzle-orm';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { creditLedger, customers, outbox, reportingPeriods, timesheets } from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { approvalIdOf } from '../support/fixtures.js';

let h: AppHarness;
const [ALICE, BOB, DANA, ADMIN] = ['U01ALICE', 'U02BOB', 'U03DANA', 'U0ADMIN'];
const f = ids.credits.field;

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z', adminUserIds: [ADMIN] });
  for (const [id, name] of [
    [ALICE, 'Alice Doe'],
    [BOB, 'Bob Roe'],
    [DANA, 'Dana Lee'],
    [ADMIN, 'Ada Admin'],
  ] as const)
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  await importFixture(h, 'approvals-firm.yaml');
  await h.database.db.insert(reportingPeriods).values({ startsOn: '2026-10-01', endsOn: '2026-10-31' });
  await h.app.outbox.stop();
});
afterAll(async () => h.stop());

const command = (userId: string, name: string, text = '') => h.slack.slashCommand({ command: name, text, userId });
const ackText = (response: { body: unknown }) => JSON.stringify(response.body);
async function delivered(): Promise<void> {
  await h.app.settled();
  for (let i = 0; i < 50; i++) {
    await h.app.outbox.runOnce();
    const pending = await h.database.db.select().from(outbox).where(eq(outbox.status, 'pending'));
    if (pending.length === 0) return;
    h.clock.advance({ minutes: 5 });
  }
  throw new Error('the outbox did not drain');
}
const dmText = (userId: string) => JSON.stringify(h.fake.messages.get(`D${userId}`) ?? []);
const submit = (userId: string, callbackId: string, values: Record<string, Record<string, unknown>>) =>
  h.slack.viewSubmission({ userId, callbackId, values, privateMetadata: JSON.stringify({ code: 'GLOBEX' }) });
const text = (value: string) => ({ type: 'plain_text_input', value });

describe('/credits', () => {
  it('shows a consultant the balance and forecast of the prepaid customers they work for, without admin buttons', async () => {
    const answer = await command(ALICE, '/credits');
    expect(ackText(answer)).toContain('Globex: 40h of prepaid time left');
    expect(ackText(answer)).toContain('no recent use');
    expect(ackText(answer)).not.toContain(ids.credits.add);
  });

  it('refuses a customer the user does not work for, an hourly one, and an unknown code with suggestions', async () => {
    expect(ackText(await command(BOB, '/credits', 'GLOBEX'))).toContain('You do not work for GLOBEX');
    expect(ackText(await command(ADMIN, '/credits', 'acme'))).toContain('ACME is billed by the hour');
    expect(ackText(await command(ADMIN, '/credits', 'GLOBE'))).toContain('Did you mean GLOBEX');
  });

  it('gives an administrator the last movements and Add credits, Adjust, Settings and Export prepaid log', async () => {
    const answer = await command(ADMIN, '/credits', 'globex');
    for (const action of [ids.credits.add, ids.credits.adjust, ids.credits.settings, ids.credits.export])
      expect(ackText(answer)).toContain(action);
    expect(ackText(answer)).toContain('purchase');
    expect(ackText(answer)).toContain('PO 4711');
  });
});

describe('the approval DM', () => {
  it('says what approving deducts and what is left, and updates when another approval changes the balance', async () => {
    await command(ALICE, '/log', '6h GLOBEX-OPS 2026-11-20 ops review');
    await command(ALICE, '/log', '2h GLOBEX-OPS 2026-10-20 october ops');
    await command(ALICE, '/log', 'nb 1h GLOBEX-OPS 2026-10-21 not billed');
    expect(ackText(await command(ALICE, '/timesheet', 'submit'))).toContain('Submitted');
    expect(ackText(await command(ALICE, '/timesheet', 'submit 2026-10-01'))).toContain('Submitted');
    await delivered();
    expect(dmText(DANA)).toContain('Approving deducts 6h from Globex: 34h left after');
    expect(dmText(DANA)).toContain('Approving deducts 2h from Globex: 38h left after');

    const [october, november] = await h.database.db
      .select()
      .from(timesheets)
      .orderBy(asc(timesheets.periodId))
      .then((rows) => [rows.find((r) => r.periodId === 2)!, rows.find((r) => r.periodId === 1)!]);
    await h.slack.blockAction({
      userId: DANA,
      actionId: ids.approval.approve,
      value: String(await approvalIdOf(h.database.db, october!.id, DANA)),
      container: { type: 'message', channelId: `D${DANA}`, messageTs: '1.1' },
    });
    await delivered();
    const ledger = await h.database.db.select().from(creditLedger).where(eq(creditLedger.kind, 'deduction'));
    expect(ledger.map((l) => l.minutes)).toEqual([-120]);
    // The November sheet's DM now counts the October deduction.
    expect(dmText(DANA)).toContain('Approving deducts 6h from Globex: 32h left after');
    expect(november).toBeDefined();
    expect(ackText(await command(ALICE, '/credits', 'GLOBEX'))).toContain(
      'Globex: 38h of prepaid time left (6h pending approval)',
    );
  });
});

describe('bulk approval', () => {
  it('Approve all marked in /approvals deducts the sheet once, and pressing it again deducts nothing more', async () => {
    await command(DANA, '/approvals');
    const list = (
      await h.fake.waitFor('views.open', (c) => JSON.stringify(c.args.view).includes(ids.approval.listModal))
    ).args.view as { blocks: { elements?: { options?: { value: string }[] }[] }[] };
    const marked = list.blocks.flatMap((b) => b.elements ?? []).flatMap((e) => e.options ?? []);
    expect(marked).toHaveLength(1);
    const press = () =>
      h.slack.blockAction({
        userId: DANA,
        actionId: ids.approval.approveMarked,
        value: 'approve',
        container: {
          type: 'view',
          viewId: 'VLIST',
          view: {
            callback_id: ids.approval.listModal,
            state: {
              values: {
                approvals_marked_0: {
                  approvals_marked: { type: 'checkboxes', selected_options: marked.map(({ value }) => ({ value })) },
                },
              },
            },
          },
        },
      });
    await press();
    await press();
    await h.app.settled();
    const ledger = await h.database.db.select().from(creditLedger).where(eq(creditLedger.kind, 'deduction'));
    expect(ledger.map((l) => l.minutes).sort()).toEqual([-120, -360]);
    expect(ackText(await command(ALICE, '/credits', 'GLOBEX'))).toContain('Globex: 32h of prepaid time left');
  });
});

describe('admin forms', () => {
  it('Settings opens a modal; a bad threshold is an inline error; a good one is saved', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.credits.settings,
      value: 'GLOBEX',
      responseUrl: h.fake.responseUrl(),
    });
    const opened = await h.fake.waitFor('views.open', (c) =>
      JSON.stringify(c.args.view).includes(ids.credits.settingsModal),
    );
    expect(JSON.stringify(opened.args.view)).toContain('"initial_value":"5"');
    const values = (threshold: string) => ({
      [f.threshold.block]: { [f.threshold.action]: text(threshold) },
      [f.alertChannel.block]: {
        [f.alertChannel.action]: { type: 'conversations_select', selected_conversation: 'C0ALERTS' },
      },
      [f.autoTopup.block]: { [f.autoTopup.action]: { type: 'checkboxes', selected_options: [] } },
      [f.topupHours.block]: { [f.topupHours.action]: text('') },
      [f.topupPrice.block]: { [f.topupPrice.action]: text('') },
      [f.creditOnIssue.block]: {
        [f.creditOnIssue.action]: { type: 'checkboxes', selected_options: [{ value: 'on' }] },
      },
    });
    const bad = await submit(ADMIN, ids.credits.settingsModal, values('lots'));
    expect(bad.body).toMatchObject({
      response_action: 'errors',
      errors: { [f.threshold.block]: expect.stringContaining('"lots" is not a number of hours') },
    });
    const good = await submit(ADMIN, ids.credits.settingsModal, values('12.5'));
    expect(good.body).toMatchObject({ response_action: 'update' });
    const [globex] = await h.database.db.select().from(customers).where(eq(customers.code, 'GLOBEX'));
    expect([globex!.lowCreditThresholdMinutes, globex!.alertChannel, globex!.creditOnIssue]).toEqual([
      750,
      'C0ALERTS',
      true,
    ]);
  });

  it('a prepaid customer’s page in /admin carries the same buttons, whose forms stack on the page', async () => {
    const [globex] = await h.database.db.select().from(customers).where(eq(customers.code, 'GLOBEX'));
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openCustomer,
      selectedOption: String(globex!.id),
      container: { type: 'view', viewId: 'VADMIN', view: { callback_id: ids.admin.customersModal } },
    });
    const page = await h.fake.waitFor('views.update', (c) => JSON.stringify(c.args.view).includes(ids.credits.add));
    for (const action of [ids.credits.adjust, ids.credits.settings, ids.credits.export])
      expect(JSON.stringify(page.args.view)).toContain(action);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.credits.add,
      value: 'GLOBEX',
      container: { type: 'view', viewId: 'VPAGE', view: { callback_id: ids.admin.customerPage } },
    });
    const form = await h.fake.waitFor('views.push', (c) => JSON.stringify(c.args.view).includes(ids.credits.addModal));
    expect(JSON.stringify(form.args.view)).toContain('Hours bought');
  });

  it('Add credits records the purchase with its price; a fraction of a minute is refused inline', async () => {
    const values = (hours: string) => ({
      [f.hours.block]: { [f.hours.action]: text(hours) },
      [f.price.block]: { [f.price.action]: text('1000.00') },
      [f.date.block]: { [f.date.action]: { type: 'datepicker', selected_date: '2026-11-30' } },
      [f.note.block]: { [f.note.action]: text('PO 99') },
    });
    const bad = await submit(ADMIN, ids.credits.addModal, values('0.01'));
    expect(bad.body).toMatchObject({
      response_action: 'errors',
      errors: { [f.hours.block]: expect.stringContaining('whole number of minutes') },
    });
    const good = await submit(ADMIN, ids.credits.addModal, values('10'));
    expect(JSON.stringify(good.body)).toContain('Credits added. Globex: 42h of prepaid time left');
    const purchases = await h.database.db.select().from(creditLedger).where(eq(creditLedger.note, 'PO 99'));
    expect(purchases.map((p) => [p.kind, p.minutes, p.priceCents, p.actorId])).toEqual([
      ['purchase', 600, 100000, ADMIN],
    ]);
  });

  it('Export prepaid log uploads a PDF and a CSV whose running balance ends on the balance', async () => {
    const answer = await submit(ADMIN, ids.credits.exportModal, {
      [f.from.block]: { [f.from.action]: { type: 'datepicker', selected_date: '2026-11-01' } },
      [f.to.block]: { [f.to.action]: { type: 'datepicker', selected_date: '2026-11-30' } },
      [f.channel.block]: { [f.channel.action]: { type: 'conversations_select', selected_conversation: null } },
    });
    expect(answer.body).toMatchObject({ response_action: 'update' });
    await h.app.settled();
    const message = await h.fake.waitFor('files.completeUploadExternal');
    expect(message).toBeDefined();
    const shared = (h.fake.messages.get(`D${ADMIN}`) ?? []).filter((m) => m.files);
    const [pdf, csv] = shared.at(-1)!.files!.map((file) => h.fake.uploads.get(file.id)!);
    expect(pdf!.filename).toBe('prepaid-log-GLOBEX-2026-11-01-to-2026-11-30.pdf');
    const csvText = csv!.bytes.toString('utf8');
    expect(csvText.split('\r\n')[0]).toBe(
      '\uFEFFdate,kind,entry_id,consultant_id,consultant_name,project_code,description,minutes,balance_minutes,note',
    );
    const rows = parse<Record<string, string>>(csvText, { bom: true, columns: true });
    expect(rows.map((r) => [r.kind, r.minutes, r.balance_minutes])).toEqual([
      ['opening_balance', '', '0'],
      ['purchase', '2400', '2400'],
      ['deduction', '-120', '2280'],
      ['deduction', '-360', '1920'],
      ['purchase', '600', '2520'],
      ['closing_balance', '', '2520'],
    ]);
    expect(rows[2]).toMatchObject({ consultant_id: ALICE, consultant_name: 'Alice Doe', project_code: 'GLOBEX-OPS' });
    const pdfText = (await extractText(await getDocumentProxy(new Uint8Array(pdf!.bytes)), { mergePages: true })).text;
    expect(pdfText).toContain('Prepaid log — Globex (GLOBEX)');
    expect(pdfText).toContain('Closing balance on');
    expect(pdfText).toContain('42.00');
  });
});
