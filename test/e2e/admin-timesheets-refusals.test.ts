/**
 * /admin > Timesheets when the click cannot do what it asks, over signed HTTP against the fake Slack:
 * nothing marked, a sheet gone or changed since the list was drawn, a refused right, a deleted
 * period. Each says why in the view (or a DM) and changes no sheet.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { approvals, employees, reportingPeriods, timesheets } from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { addPeriod, addTimesheet, approvalIdOf } from '../support/fixtures.js';

let h: AppHarness;
const ADMIN = 'U0ADMIN';
const BOB = 'U02BOB';
const ALICE = 'U01ALICE';

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z', adminUserIds: [ADMIN] });
  for (const id of [ALICE, BOB, ADMIN]) h.fake.users.set(id, { id, real_name: id, tz: 'UTC' });
  await importFixture(h, 'small-firm.yaml');
  await h.app.settled();
});
afterAll(async () => h.stop());

const lastCall = (method: string) => h.fake.callsTo(method).at(-1)!;
const lastViewText = (method: string) => JSON.stringify(lastCall(method).args.view);
const marked = (...sheetIds: number[]) => ({
  admin_ts_marked_0: {
    admin_ts_marked: { type: 'checkboxes', selected_options: sheetIds.map((id) => ({ value: String(id) })) },
  },
});
const inList = (sheetIds: number[] = [], filter: object = {}) => ({
  type: 'view' as const,
  viewId: 'VTS',
  view: { private_metadata: JSON.stringify(filter), state: { values: marked(...sheetIds) } },
});
const onPage = (timesheetId: number) => ({
  type: 'view' as const,
  viewId: 'VTS',
  view: { private_metadata: JSON.stringify({ timesheetId, filter: {} }) },
});
const statusOf = async (sheetId: number) =>
  (await h.database.db.select().from(timesheets).where(eq(timesheets.id, sheetId)))[0]?.status;
const aliceId = async () => (await h.database.db.select().from(employees).where(eq(employees.userId, ALICE)))[0]!.id;

/** Alice logs an hour in a fresh period and submits it; returns the sheet. */
async function submittedSheet(startsOn: string, endsOn: string): Promise<number> {
  const periodId = await addPeriod(h.database.db, startsOn, endsOn);
  await h.slack.slashCommand({ command: '/log', text: `1h ACME-WEB ${startsOn} review`, userId: ALICE });
  await h.slack.slashCommand({ command: '/timesheet', text: `submit ${startsOn}`, userId: ALICE });
  await h.app.settled();
  const [sheet] = await h.database.db.select().from(timesheets).where(eq(timesheets.periodId, periodId));
  expect(sheet).toMatchObject({ status: 'submitted' });
  return sheet!.id;
}

describe('the Timesheets list', () => {
  it('tells someone without the administration right who opens Timesheets why, in a DM, pushing no list', async () => {
    const pushes = h.fake.callsTo('views.push').length;
    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.admin.openTimesheets,
      value: 'timesheets',
      container: { type: 'view', viewId: 'VHOME' },
    });
    await h.app.settled();
    expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
    const told = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === BOB);
    expect(String(told.args.text)).toContain('You do not have the administration right.');
  });

  it("picking a filter's 'none yet' placeholder drops that filter and lists every sheet again", async () => {
    const sheetId = await submittedSheet('2026-06-01', '2026-06-30');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.filterProject,
      selectedOption: '-',
      container: inList([], { projectCode: 'NOPE' }),
    });
    await h.app.settled();
    const list = lastCall('views.update').args.view as { private_metadata: string };
    expect(JSON.parse(list.private_metadata)).toEqual({});
    expect(JSON.stringify(list)).toContain('Alice Doe · Mon 1 Jun · submitted · 1h');
    expect(await statusOf(sheetId)).toBe('submitted');
  });

  it('Approve, Send back and Delete with nothing marked ask for marks first, deciding nothing and opening no dialog', async () => {
    const pushes = h.fake.callsTo('views.push').length;
    for (const [actionId, said] of [
      [ids.admin.approveSheets, 'Mark the timesheets to approve first.'],
      [ids.admin.rejectSheets, 'Mark the timesheets to reject first.'],
      [ids.admin.deleteSheets, 'Mark the timesheets to delete first.'],
    ] as const) {
      await h.slack.blockAction({ userId: ADMIN, actionId, value: actionId, container: inList() });
      await h.app.settled();
      expect(lastViewText('views.update')).toContain(said);
    }
    expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
  });

  it('tells someone without the administration right who sends back marked sheets why, in a DM, opening no dialog', async () => {
    const sheetId = await submittedSheet('2026-05-01', '2026-05-31');
    const pushes = h.fake.callsTo('views.push').length;
    const dms = h.fake.callsTo('chat.postMessage').length;
    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.admin.rejectSheets,
      value: 'reject',
      container: inList([sheetId]),
    });
    await h.app.settled();
    expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
    const told = h.fake
      .callsTo('chat.postMessage')
      .slice(dms)
      .filter((c) => c.args.channel === BOB);
    expect(told.map((c) => String(c.args.text))).toContainEqual(
      expect.stringContaining('You do not have the administration right.'),
    );
    expect(await statusOf(sheetId)).toBe('submitted');
  });

  it('approving a marked open sheet approves 0 of 1 and says only a submitted one can be approved', async () => {
    const periodId = await addPeriod(h.database.db, '2026-04-01', '2026-04-30');
    const sheetId = await addTimesheet(h.database.db, await aliceId(), periodId, 'open');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.approveSheets,
      value: 'approve',
      container: inList([sheetId]),
    });
    await h.app.settled();
    expect(lastViewText('views.update')).toContain(
      'Approved 0 of 1. That timesheet is open; only a submitted one can be approved or sent back.',
    );
    expect(await statusOf(sheetId)).toBe('open');
  });

  it('opening a sheet that no longer exists shows the list saying so', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openSheet,
      selectedOption: '999999',
      container: inList(),
    });
    await h.app.settled();
    const view = lastCall('views.update').args.view as { callback_id: string };
    expect(view.callback_id).toBe(ids.admin.timesheetsModal);
    expect(JSON.stringify(view)).toContain('That timesheet no longer exists.');
  });
});

describe("a sheet's page", () => {
  it('Back shows the list with the filter the page was opened from', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.backToSheets,
      value: 'back',
      container: {
        type: 'view',
        viewId: 'VTS',
        view: { private_metadata: JSON.stringify({ timesheetId: 1, filter: { customerCode: 'GLOBEX' } }) },
      },
    });
    await h.app.settled();
    const view = lastCall('views.update').args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe(ids.admin.timesheetsModal);
    expect(JSON.parse(view.private_metadata)).toEqual({ customerCode: 'GLOBEX' });
    expect(JSON.stringify(view)).toContain('No timesheets match.');
  });

  it('Approve on the page approves the sheet over its manager and redraws the page saying so', async () => {
    const sheetId = await submittedSheet('2026-03-01', '2026-03-31');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.sheetApprove,
      value: String(sheetId),
      container: onPage(sheetId),
    });
    await h.app.settled();
    const view = lastCall('views.update').args.view as { callback_id: string };
    expect(view.callback_id).toBe(ids.admin.sheetPage);
    expect(JSON.stringify(view)).toContain('Approved 1 of 1.');
    expect(await statusOf(sheetId)).toBe('approved');
    const [bobs] = await h.database.db.select().from(approvals).where(eq(approvals.timesheetId, sheetId));
    expect(bobs).toMatchObject({ status: 'approved', decidedBy: ADMIN });
  });

  it('Send back on the page of a sheet deleted meanwhile shows the list saying it no longer exists, opening no dialog', async () => {
    const pushes = h.fake.callsTo('views.push').length;
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.sheetReject,
      value: '999999',
      container: onPage(999_999),
    });
    await h.app.settled();
    expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
    const view = lastCall('views.update').args.view as { callback_id: string };
    expect(view.callback_id).toBe(ids.admin.timesheetsModal);
    expect(JSON.stringify(view)).toContain('That timesheet no longer exists.');
  });
});

describe('a dialog the sheet has moved on from', () => {
  it('a delete dialog submitted after the manager sent the sheet back deletes nothing and says a cancelled sheet is kept', async () => {
    const sheetId = await submittedSheet('2026-02-01', '2026-02-28');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.sheetDelete,
      value: String(sheetId),
      container: onPage(sheetId),
    });
    await h.app.settled();
    const dialog = lastCall('views.push').args.view as { private_metadata: string };
    expect(JSON.stringify(dialog)).toContain('Delete 1 timesheet');

    await h.slack.viewSubmission({
      userId: BOB,
      callbackId: ids.approval.rejectModal,
      privateMetadata: JSON.stringify({ approvalIds: [await approvalIdOf(h.database.db, sheetId, BOB)] }),
      values: { reason: { reason_input: { type: 'plain_text_input', value: 'wrong project' } } },
    });
    await h.app.settled();
    expect(await statusOf(sheetId)).toBe('cancelled');

    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.sheetsDecision,
      privateMetadata: dialog.private_metadata,
      values: {},
    });
    await h.app.settled();
    expect(lastViewText('views.update')).toContain(
      'Deleted 0 of 1. A cancelled timesheet is kept as the record of a rejection.',
    );
    expect(await statusOf(sheetId)).toBe('cancelled');
  });

  it('sending back an approved sheet whose period was deleted is refused with how to restore the period, and the sheet stays approved', async () => {
    const sheetId = await submittedSheet('2026-01-01', '2026-01-31');
    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.approval.approve,
      value: String(await approvalIdOf(h.database.db, sheetId, BOB)),
      container: { type: 'message', channelId: 'DU02BOB', messageTs: '1.1' },
    });
    await h.app.settled();
    expect(await statusOf(sheetId)).toBe('approved');
    await h.database.db
      .update(reportingPeriods)
      .set({ archivedAt: new Date('2026-11-30T09:00:00Z') })
      .where(eq(reportingPeriods.startsOn, '2026-01-01'));

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.sheetReject,
      value: String(sheetId),
      container: onPage(sheetId),
    });
    await h.app.settled();
    const dialog = lastCall('views.push').args.view as { private_metadata: string };
    expect(JSON.stringify(dialog)).toContain('Send back 1 timesheet');
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.sheetsDecision,
      privateMetadata: dialog.private_metadata,
      values: { reason: { reason_input: { type: 'plain_text_input', value: 'wrong month' } } },
    });
    await h.app.settled();
    const said = lastViewText('views.update');
    expect(said).toContain('Sent back 0 of 1. The reporting period Thu 1 Jan 2026 – Sat 31 Jan 2026 was deleted');
    expect(said).toContain('An administrator can restore the period');
    expect(await statusOf(sheetId)).toBe('approved');
  });
});

describe('approved time on a live invoice', () => {
  it('marking an invoiced approved sheet for deletion opens no dialog and says which invoice to void first', async () => {
    const sheetId = await submittedSheet('2025-12-01', '2025-12-31');
    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.approval.approve,
      value: String(await approvalIdOf(h.database.db, sheetId, BOB)),
      container: { type: 'message', channelId: 'DU02BOB', messageTs: '1.1' },
    });
    await h.app.settled();
    expect(await statusOf(sheetId)).toBe('approved');
    const drafted = await h.slack.slashCommand({ command: '/invoice', text: 'draft 2025-12-01', userId: ADMIN });
    await h.app.settled();
    expect(JSON.stringify(drafted.body)).not.toContain('do not have');

    const pushes = h.fake.callsTo('views.push').length;
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.deleteSheets,
      value: 'delete',
      container: inList([sheetId]),
    });
    await h.app.settled();
    expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
    expect(lastViewText('views.update')).toMatch(
      /Alice Doe's approved timesheet has time on [^"]+ \(ACME\): void that invoice first\./,
    );
    expect(await statusOf(sheetId)).toBe('approved');
  });
});

describe('marks the filter no longer shows', () => {
  it('Send back on a marked sheet the current filter leaves out opens no dialog and asks to look at the list again', async () => {
    const sheetId = await submittedSheet('2025-11-01', '2025-11-30');
    const pushes = h.fake.callsTo('views.push').length;
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.rejectSheets,
      value: 'reject',
      container: inList([sheetId], { customerCode: 'GLOBEX' }),
    });
    await h.app.settled();
    expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
    expect(lastViewText('views.update')).toContain(
      'Those timesheets no longer match the filter; look at the list again.',
    );
    expect(await statusOf(sheetId)).toBe('submitted');
  });
});
