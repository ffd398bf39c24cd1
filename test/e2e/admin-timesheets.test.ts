/** /admin > Timesheets over HTTP: filter, mark, approve over the managers, send back, delete (approved time too). */
import { eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { creditLedger, customers, employees, projects, timeEntries, timesheets } from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { addPeriod, approvalIdOf } from '../support/fixtures.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

let h: AppHarness;
const ADMIN = 'U0ADMIN';

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z', adminUserIds: [ADMIN] });
  for (const id of ['U01ALICE', 'U02BOB', ADMIN]) h.fake.users.set(id, { id, real_name: id, tz: 'UTC' });
  await importFixture(h, 'small-firm.yaml');
  await h.slack.slashCommand({ command: '/log', text: '2h ACME-WEB 2026-11-20 design', userId: 'U01ALICE' });
  await h.slack.slashCommand({ command: '/timesheet', text: 'submit', userId: 'U01ALICE' });
  await h.app.settled();
});
afterAll(async () => h.stop());

const lastCall = (method: string) => h.fake.callsTo(method).at(-1)!;
type View = {
  private_metadata: string;
  blocks: { block_id?: string; elements?: { options?: { value: string }[] }[] }[];
};
const marked = (sheetId: number) => ({
  admin_ts_marked_0: { admin_ts_marked: { type: 'checkboxes', selected_options: [{ value: String(sheetId) }] } },
});

describe('/admin > Timesheets', () => {
  it('filters, approves a marked sheet over the manager, and tells the manager’s DM', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openTimesheets,
      value: 'timesheets',
      container: { type: 'view', viewId: 'VHOME' },
    });
    await h.app.settled();
    const list = lastCall('views.push').args.view as View;
    expectWithinSlackLimits('modal', list);
    expect(JSON.stringify(list)).toContain('Alice Doe · Sun 1 Nov · submitted · 2h');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.filterCustomer,
      selectedOption: 'GLOBEX',
      container: { type: 'view', viewId: 'VTS', view: { private_metadata: '{}' } },
    });
    await h.app.settled();
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain('No timesheets match.');

    const [sheet] = await h.database.db.select().from(timesheets);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.approveSheets,
      value: 'approve',
      container: {
        type: 'view',
        viewId: 'VTS',
        view: { private_metadata: '{}', state: { values: marked(sheet!.id) } },
      },
    });
    await h.app.settled();
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain('Approved 1 of 1.');
    expect((await h.database.db.select().from(timesheets).where(eq(timesheets.id, sheet!.id)))[0]).toMatchObject({
      status: 'approved',
    });
    await h.fake.waitFor('chat.update');
    expect(JSON.stringify(h.fake.messages.get('DU02BOB'))).toContain('*Approved* by everyone');
  });

  it('will not send back an open sheet or delete a cancelled one, and says why', async () => {
    const { db } = h.database;
    const september = await addPeriod(db, '2026-09-01', '2026-09-30');
    const [alice] = await db.select().from(employees).where(eq(employees.userId, 'U01ALICE'));
    const [cancelled, open] = await db
      .insert(timesheets)
      .values([
        { consultantId: alice!.id, periodId: september, status: 'cancelled', rejectionReason: 'redo' },
        { consultantId: alice!.id, periodId: september, status: 'open' },
      ])
      .returning();
    const inList = (sheetId: number) => ({
      type: 'view' as const,
      viewId: 'VTS',
      view: { private_metadata: '{}', state: { values: marked(sheetId) } },
    });
    const pushes = h.fake.callsTo('views.push').length;
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.rejectSheets,
      value: 'reject',
      container: inList(open!.id),
    });
    await h.app.settled();
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain(
      'Only submitted and approved timesheets can be sent back.',
    );
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.deleteSheets,
      value: 'delete',
      container: inList(cancelled!.id),
    });
    await h.app.settled();
    expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain(
      'Cancelled timesheets are kept as the record of a rejection; there is nothing to delete.',
    );
    expect(await db.select().from(timesheets).where(eq(timesheets.periodId, september))).toMatchObject([
      { status: 'cancelled' },
      { status: 'open' },
    ]);
  });

  it('deletes an approved prepaid sheet from its page: the dialog says what goes and what is credited back, the ledger reverses it, the DMs say so and /credits shows the balance restored', async () => {
    const { db } = h.database;
    const august = await addPeriod(db, '2026-08-01', '2026-08-31');
    await h.slack.slashCommand({ command: '/log', text: '3h GLOBEX-OPS 2026-08-20 ops review', userId: 'U01ALICE' });
    await h.slack.slashCommand({ command: '/timesheet', text: 'submit 2026-08-01', userId: 'U01ALICE' });
    await h.app.settled();
    const [sheet] = await db.select().from(timesheets).where(eq(timesheets.periodId, august));
    expect(sheet).toMatchObject({ status: 'submitted' });
    await h.slack.blockAction({
      userId: 'U02BOB',
      actionId: ids.approval.approve,
      value: String(await approvalIdOf(db, sheet!.id, 'U02BOB')),
      container: { type: 'message', channelId: 'DU02BOB', messageTs: '1.1' },
    });
    await h.app.settled();
    const credits = async () =>
      JSON.stringify((await h.slack.slashCommand({ command: '/credits', text: 'GLOBEX', userId: ADMIN })).body);
    expect(await credits()).toContain('Globex: 37h of prepaid time left');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openSheet,
      selectedOption: String(sheet!.id),
      container: { type: 'view', viewId: 'VTS', view: { private_metadata: '{}' } },
    });
    await h.app.settled();
    const page = lastCall('views.update').args.view as View;
    expect(JSON.stringify(page)).toContain(ids.admin.sheetDelete);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.sheetDelete,
      value: String(sheet!.id),
      container: { type: 'view', viewId: 'VTS', view: { private_metadata: page.private_metadata } },
    });
    await h.app.settled();
    const dialog = lastCall('views.push').args.view as View;
    expectWithinSlackLimits('modal', dialog);
    const said = JSON.stringify(dialog);
    expect(said).toContain('Delete 1 timesheet (1 entry, 3h)?');
    expect(said).toContain('1 of them is *approved*: the approval is withdrawn and 3h of approved time is removed');
    expect(said).toContain('Prepaid hours are credited back: 3h to Globex.');

    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.sheetsDecision,
      privateMetadata: dialog.private_metadata,
      values: {},
    });
    await h.app.settled();
    const back = lastCall('views.update').args.view as View & { callback_id: string };
    expect(back.callback_id).toBe(ids.admin.timesheetsModal);
    expect(JSON.stringify(back)).toContain('Deleted 1 of 1.');
    expect(JSON.stringify(back)).not.toContain('Alice Doe · Sat 1 Aug');

    const ledger = await db
      .select()
      .from(creditLedger)
      .where(isNotNull(creditLedger.timeEntryId))
      .orderBy(creditLedger.id);
    expect(ledger.map((row) => [row.kind, row.minutes])).toEqual([
      ['deduction', -180],
      ['reversal', 180],
    ]);
    expect((await db.select().from(timesheets).where(eq(timesheets.id, sheet!.id)))[0]).toMatchObject({
      status: 'cancelled',
    });
    await h.fake.waitFor('chat.postMessage', (call) =>
      JSON.stringify(call.args).includes('deleted your approved timesheet'),
    );
    await h.fake.waitFor('chat.update', (call) => JSON.stringify(call.args).includes('after it was approved'));
    expect(JSON.stringify(h.fake.messages.get('DU02BOB'))).toContain(
      '*Deleted by U0ADMIN*, an administrator, after it was approved: its time no longer counts for pay, reports or invoices. Prepaid hours credited back: 3h to Globex.',
    );
    const aliceDm = JSON.stringify(h.fake.messages.get('DU01ALICE'));
    expect(aliceDm).toContain('U0ADMIN, an administrator, deleted your approved timesheet for');
    expect(aliceDm).toContain('its 3h (3h billable) was removed and no longer counts for pay or invoices.');
    expect(await credits()).toContain('Globex: 40h of prepaid time left');
  });

  it('opens one sheet to read its entries, sends it back from there, then deletes the open copy', async () => {
    const { db } = h.database;
    const october = await addPeriod(db, '2026-10-01', '2026-10-31');
    const [alice] = await db.select().from(employees).where(eq(employees.userId, 'U01ALICE'));
    const [web] = await db.select().from(projects).where(eq(projects.code, 'ACME-WEB'));
    const [sheet] = await db
      .insert(timesheets)
      .values({
        consultantId: alice!.id,
        periodId: october,
        status: 'submitted',
        submittedAt: new Date('2026-11-01T09:00:00Z'),
      })
      .returning();
    const entry = (workDate: string, minutes: number, description: string) => ({
      timesheetId: sheet!.id,
      projectId: web!.id,
      workDate,
      minutes,
      description,
      billable: true,
      source: 'command' as const,
      createdBy: 'U01ALICE',
    });
    await db.insert(timeEntries).values([entry('2026-10-20', 180, 'Audit <script>'), entry('2026-10-21', 45, 'Call')]);

    const list = { type: 'view' as const, viewId: 'VTS', view: { private_metadata: '{}' } };
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openSheet,
      selectedOption: String(sheet!.id),
      container: list,
    });
    await h.app.settled();
    const page = lastCall('views.update').args.view as View & { callback_id: string };
    expectWithinSlackLimits('modal', page);
    expect(page.callback_id).toBe(ids.admin.sheetPage);
    const text = JSON.stringify(page);
    expect(text).toContain('Audit &lt;script&gt;');
    expect(text).toContain('*Total 3h 45m*');
    expect(text).toContain(ids.admin.sheetApprove);

    const onPage = { type: 'view' as const, viewId: 'VTS', view: { private_metadata: page.private_metadata } };
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.sheetReject,
      value: String(sheet!.id),
      container: onPage,
    });
    await h.app.settled();
    const reject = lastCall('views.push').args.view as View;
    expect(JSON.stringify(reject)).toContain('Send back 1 timesheet?');
    const noReason = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.sheetsDecision,
      privateMetadata: reject.private_metadata,
      values: { reason: { reason_input: { type: 'plain_text_input', value: '' } } },
    });
    expect(noReason.body).toMatchObject({
      response_action: 'errors',
      errors: { reason: expect.stringMatching(/Say why/) },
    });
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.sheetsDecision,
      privateMetadata: reject.private_metadata,
      values: { reason: { reason_input: { type: 'plain_text_input', value: 'Split the audit by day' } } },
    });
    await h.app.settled();
    expect((await db.select().from(timesheets).where(eq(timesheets.id, sheet!.id)))[0]).toMatchObject({
      status: 'cancelled',
      rejectionReason: 'Split the audit by day',
    });
    const cancelled = JSON.stringify(lastCall('views.update').args.view);
    expect(cancelled).toContain('Sent back 1 of 1.');
    expect(cancelled).toContain('Cancelled');
    expect(cancelled).not.toContain(ids.admin.sheetDelete);

    const [copy] = await db.select().from(timesheets).where(eq(timesheets.reopenedFrom, sheet!.id));
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openSheet,
      selectedOption: String(copy!.id),
      container: list,
    });
    await h.app.settled();
    const copyPage = lastCall('views.update').args.view as View;
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.sheetDelete,
      value: String(copy!.id),
      container: { type: 'view', viewId: 'VTS', view: { private_metadata: copyPage.private_metadata } },
    });
    await h.app.settled();
    const dialog = lastCall('views.push').args.view as View;
    expect(JSON.stringify(dialog)).toContain('Delete 1 timesheet (2 entries, 3h 45m)?');
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.sheetsDecision,
      privateMetadata: dialog.private_metadata,
      values: {},
    });
    await h.app.settled();
    expect(await db.select().from(timesheets).where(eq(timesheets.id, copy!.id))).toEqual([]);
    const back = lastCall('views.update').args.view as View & { callback_id: string };
    expect(back.callback_id).toBe(ids.admin.timesheetsModal);
    expect(JSON.stringify(back)).toContain('Deleted 1 of 1.');
  });

  it('filters by any of more projects than a menu holds through a search, and by the one found', async () => {
    const { db } = h.database;
    const [acme] = await db.select().from(customers).where(eq(customers.code, 'ACME'));
    await db.insert(projects).values(
      Array.from({ length: 120 }, (_, i) => ({
        code: `BULK-${String(i).padStart(3, '0')}`,
        customerId: acme!.id,
        name: `Bulk ${i}`,
      })),
    );
    h.fake.reset();
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openTimesheets,
      value: 'timesheets',
      container: { type: 'view', viewId: 'VHOME' },
    });
    await h.app.settled();
    const list = lastCall('views.push').args.view as View;
    expectWithinSlackLimits('modal', list);
    expect(JSON.stringify(list)).toContain(`"type":"external_select","action_id":"${ids.admin.filterProject}"`);

    const found = await h.slack.blockSuggestion({
      userId: ADMIN,
      actionId: ids.admin.filterProject,
      blockId: 'admin_ts_filters',
      value: 'bulk-11',
      view: { id: 'VTS', callback_id: ids.admin.timesheetsModal, private_metadata: '{}' },
    });
    expect((found.body as { options: { value: string }[] }).options.map((o) => o.value)).toEqual(
      Array.from({ length: 10 }, (_, i) => `BULK-11${i}`),
    );
    const web = await h.slack.blockSuggestion({
      userId: ADMIN,
      actionId: ids.admin.filterProject,
      blockId: 'admin_ts_filters',
      value: 'ACME-W',
      view: { id: 'VTS', callback_id: ids.admin.timesheetsModal, private_metadata: '{}' },
    });
    expect(web.body).toEqual({ options: [{ text: { type: 'plain_text', text: 'ACME-WEB' }, value: 'ACME-WEB' }] });
    const notAdmin = await h.slack.blockSuggestion({
      userId: 'U01ALICE',
      actionId: ids.admin.filterProject,
      blockId: 'admin_ts_filters',
      value: 'bulk',
      view: { id: 'VTS', callback_id: ids.admin.timesheetsModal, private_metadata: '{}' },
    });
    expect(notAdmin.body).toEqual({ options: [] });

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.filterProject,
      selectedOption: 'BULK-110',
      container: { type: 'view', viewId: 'VTS', view: { private_metadata: '{}' } },
    });
    await h.app.settled();
    const filtered = lastCall('views.update').args.view as View;
    expect(JSON.stringify(filtered)).toContain('No timesheets match.');
    expect(JSON.stringify(filtered)).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"BULK-110"},"value":"BULK-110"}',
    );
  });
});
