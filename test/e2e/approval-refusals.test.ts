/**
 * The approver's buttons and forms when the decision cannot be made, over signed HTTP against the
 * fake Slack: a principal who already decided, an approver who no longer manages the projects, a
 * reason too long, a stale button after an administrator deleted the sheet, nothing or too much
 * marked on /approvals. Each tells the person why and decides nothing.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import {
  approvals,
  creditLedger,
  employees,
  managers,
  outbox,
  slackMessages,
  timeEntries,
  timesheets,
} from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { approvalIdOf } from '../support/fixtures.js';

let h: AppHarness;
const [ALICE, BOB, DANA, ERIN, ADMIN] = ['U01ALICE', 'U02BOB', 'U03DANA', 'U05ERIN', 'U0ADMIN'];

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z', adminUserIds: [ADMIN] });
  for (const [id, name] of [
    [ALICE, 'Alice Doe'],
    [BOB, 'Bob Roe'],
    [DANA, 'Dana Lee'],
    ['U04CARL', 'Carl Poe'],
    [ERIN, 'Erin Ash'],
    [ADMIN, 'Ada Admin'],
  ] as const) {
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  }
  await importFixture(h, 'approvals-firm.yaml');
  await h.app.outbox.stop();
});
afterAll(async () => h.stop());
beforeEach(async () => {
  await h.app.settled();
  await h.database.db.update(managers).set({ archivedAt: null });
  await h.database.db.delete(outbox);
  await h.database.db.delete(slackMessages);
  await h.database.db.delete(approvals);
  await h.database.db.delete(creditLedger).where(eq(creditLedger.kind, 'deduction'));
  await h.database.db.delete(creditLedger).where(eq(creditLedger.kind, 'reversal'));
  await h.database.db.delete(timeEntries);
  await h.database.db.update(timesheets).set({ reopenedFrom: null });
  await h.database.db.delete(timesheets);
  h.fake.reset();
});

const sheetsOf = () => h.database.db.select().from(timesheets).orderBy(asc(timesheets.id));
const press = (userId: string, actionId: string, value: string) =>
  h.slack.blockAction({
    userId,
    actionId,
    value,
    responseUrl: h.fake.responseUrl(),
    container: { type: 'message', channelId: `D${userId}`, messageTs: '1.1' },
  });
/** Presses a DM button on the approval `approverId` holds on the sheet, and returns the reply to the presser alone. */
async function pressFor(userId: string, actionId: string, sheetId: number, approverId = userId): Promise<string> {
  h.fake.reset();
  await press(userId, actionId, String(await approvalIdOf(h.database.db, sheetId, approverId)));
  return JSON.stringify((await h.fake.waitFor('response_url')).args);
}
/** An approver approves their own decision from the DM; success shows through the outbox, not a reply. */
async function approves(userId: string, sheetId: number): Promise<void> {
  await press(userId, ids.approval.approve, String(await approvalIdOf(h.database.db, sheetId, userId)));
  await h.app.settled();
}
const approvalOf = async (sheetId: number, approverId: string) =>
  (
    await h.database.db
      .select()
      .from(approvals)
      .where(and(eq(approvals.timesheetId, sheetId), eq(approvals.approverId, approverId)))
  )[0]!;

/** Alice submits 3h on ACME-WEB, which Bob and Dana both manage. */
async function aliceSubmits(): Promise<number> {
  await h.slack.slashCommand({ command: '/log', text: '3h ACME-WEB 2026-11-20 design review', userId: ALICE });
  await h.slack.slashCommand({ command: '/timesheet', text: 'submit', userId: ALICE });
  await h.app.settled();
  const [sheet] = await sheetsOf();
  expect(sheet).toMatchObject({ status: 'submitted' });
  return sheet!.id;
}

async function archiveManager(userId: string): Promise<void> {
  const [employee] = await h.database.db.select().from(employees).where(eq(employees.userId, userId));
  await h.database.db
    .update(managers)
    .set({ archivedAt: new Date('2026-11-30T09:00:00Z') })
    .where(and(eq(managers.employeeId, employee!.id), isNull(managers.archivedAt)));
}

describe('a DM button that is no longer the presser’s to press', () => {
  it("a delegate pressing Approve on their principal's decision already made is told the principal already approved, and nothing changes", async () => {
    const sheetId = await aliceSubmits();
    await approves(DANA, sheetId);
    const before = await approvalOf(sheetId, DANA);
    expect(before).toMatchObject({ status: 'approved', decidedBy: DANA });
    expect(await pressFor(ERIN, ids.approval.approve, sheetId, DANA)).toContain(
      'Dana Lee already approved this timesheet; it is still waiting for the other approvers.',
    );
    expect(await approvalOf(sheetId, DANA)).toEqual(before);
    expect((await sheetsOf())[0]).toMatchObject({ status: 'submitted' });
  });

  it('an approver who is no longer a manager is told the decision is not theirs any more, deciding nothing', async () => {
    const sheetId = await aliceSubmits();
    await archiveManager(BOB);
    expect(await pressFor(BOB, ids.approval.approve, sheetId)).toContain(
      "You are no longer a manager of this timesheet's projects, so the decision is not yours any more.",
    );
    expect(await approvalOf(sheetId, BOB)).toMatchObject({ status: 'pending', decidedBy: null });
  });

  it("a delegate whose principal is no longer a manager is told the decision is not the principal's any more, deciding nothing", async () => {
    const sheetId = await aliceSubmits();
    await archiveManager(DANA);
    expect(await pressFor(ERIN, ids.approval.approve, sheetId, DANA)).toContain(
      "Dana Lee is no longer a manager of this timesheet's projects, so the decision is not theirs any more.",
    );
    expect(await approvalOf(sheetId, DANA)).toMatchObject({ status: 'pending', decidedBy: null });
  });

  it('Approve pressed on a sheet an administrator deleted after it was approved says so and changes nothing', async () => {
    const sheetId = await aliceSubmits();
    await approves(BOB, sheetId);
    await approves(DANA, sheetId);
    expect((await sheetsOf())[0]).toMatchObject({ status: 'approved' });
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.sheetDelete,
      value: String(sheetId),
      container: {
        type: 'view',
        viewId: 'VTS',
        view: { private_metadata: JSON.stringify({ timesheetId: sheetId, filter: {} }) },
      },
    });
    await h.app.settled();
    const dialog = h.fake.callsTo('views.push').at(-1)!.args.view as { private_metadata: string };
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.sheetsDecision,
      privateMetadata: dialog.private_metadata,
      values: {},
    });
    await h.app.settled();
    expect((await sheetsOf())[0]).toMatchObject({ status: 'cancelled', deletedAt: expect.any(Date) });

    expect(await pressFor(BOB, ids.approval.approve, sheetId)).toContain(
      'An administrator deleted this timesheet after it was approved; nothing to do.',
    );
    expect((await sheetsOf())[0]).toMatchObject({ status: 'cancelled' });
  });

  it('View pressed by someone who is not an approver of the sheet is refused in a reply to them alone, opening nothing', async () => {
    const sheetId = await aliceSubmits();
    h.fake.reset();
    await press('U04CARL', ids.approval.view, String(sheetId));
    const reply = JSON.stringify((await h.fake.waitFor('response_url')).args);
    expect(reply).toContain('You are not an approver of this timesheet, so you cannot see it.');
    expect(reply).not.toContain('design review');
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });
});

describe('the reject dialog', () => {
  it('a reason over 500 characters is refused in a DM saying how long it is, and the sheet stays submitted', async () => {
    const sheetId = await aliceSubmits();
    h.fake.reset();
    await h.slack.viewSubmission({
      userId: BOB,
      callbackId: ids.approval.rejectModal,
      privateMetadata: JSON.stringify({ approvalIds: [await approvalIdOf(h.database.db, sheetId, BOB)] }),
      values: { reason: { reason_input: { type: 'plain_text_input', value: 'x'.repeat(501) } } },
    });
    const told = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === BOB);
    expect(String(told.args.text)).toContain('Keep the reason to 500 characters; it has 501.');
    expect((await sheetsOf())[0]).toMatchObject({ status: 'submitted' });
    expect(await approvalOf(sheetId, BOB)).toMatchObject({ status: 'pending' });
  });

  it('sending back from the /approvals list redraws the list with what could not be sent back, and sends back the rest', async () => {
    const sheetId = await aliceSubmits();
    h.fake.reset();
    await h.slack.viewSubmission({
      userId: BOB,
      callbackId: ids.approval.rejectModal,
      privateMetadata: JSON.stringify({
        approvalIds: [await approvalIdOf(h.database.db, sheetId, BOB), 999_999],
        fromList: 'VLIST',
      }),
      values: { reason: { reason_input: { type: 'plain_text_input', value: 'split by day' } } },
    });
    await h.app.settled();
    const list = await h.fake.waitFor('views.update', (c) => c.args.view_id === 'VLIST');
    expect(JSON.stringify(list.args.view)).toContain('This decision is no longer waiting for you');
    expect((await sheetsOf())[0]).toMatchObject({ status: 'cancelled', rejectionReason: 'split by day' });
  });
});

describe('/approvals list buttons', () => {
  const pressOnMarked = (actionId: string, marked: string[]) =>
    h.slack.blockAction({
      userId: BOB,
      actionId,
      value: actionId,
      container: {
        type: 'view',
        viewId: 'VLIST',
        view: {
          callback_id: ids.approval.listModal,
          state: {
            values: {
              approvals_marked_0: {
                approvals_marked: { type: 'checkboxes', selected_options: marked.map((value) => ({ value })) },
              },
            },
          },
        },
      },
    });

  it('Approve marked with nothing ticked redraws the list asking for marks, approving nothing', async () => {
    const sheetId = await aliceSubmits();
    h.fake.reset();
    await pressOnMarked(ids.approval.approveMarked, []);
    const list = await h.fake.waitFor('views.update', (c) => c.args.view_id === 'VLIST');
    expect(JSON.stringify(list.args.view)).toContain('Mark the timesheets to approve first.');
    expect(await approvalOf(sheetId, BOB)).toMatchObject({ status: 'pending' });
  });

  it('Send back marked with one ticked asks the reason for 1 timesheet', async () => {
    const sheetId = await aliceSubmits();
    h.fake.reset();
    const approvalId = await approvalIdOf(h.database.db, sheetId, BOB);
    await pressOnMarked(ids.approval.rejectMarked, [String(approvalId)]);
    const dialog = (await h.fake.waitFor('views.push')).args.view as { private_metadata: string };
    expect(JSON.stringify(dialog)).toContain('Send back 1 timesheet?');
    expect(JSON.parse(dialog.private_metadata)).toEqual({ approvalIds: [approvalId], fromList: 'VLIST' });
  });

  it('Send back marked with more than 200 ticked asks to mark at most 200, opening no dialog', async () => {
    await aliceSubmits();
    h.fake.reset();
    await pressOnMarked(
      ids.approval.rejectMarked,
      Array.from({ length: 201 }, (_, i) => String(i + 1)),
    );
    const list = await h.fake.waitFor('views.update', (c) => c.args.view_id === 'VLIST');
    expect(JSON.stringify(list.args.view)).toContain('Mark at most 200 timesheets at a time (you marked 201).');
    expect(h.fake.callsTo('views.push')).toEqual([]);
  });
});
