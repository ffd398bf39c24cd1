/** Submit -> every manager's DM -> decisions, over HTTP against the fake Slack, delivered by the outbox. */
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import {
  approvals,
  auditLog,
  creditLedger,
  outbox,
  slackMessages,
  timeEntries,
  timesheets,
} from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { approvalIdOf } from '../support/fixtures.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

let h: AppHarness;
const [ALICE, BOB, DANA, CARL, ERIN, ADMIN] = ['U01ALICE', 'U02BOB', 'U03DANA', 'U04CARL', 'U05ERIN', 'U0ADMIN'];

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z', adminUserIds: [ADMIN] });
  for (const [id, name] of [
    [ALICE, 'Alice Doe'],
    [BOB, 'Bob Roe'],
    [DANA, 'Dana Lee'],
    [CARL, 'Carl Poe'],
    [ERIN, 'Erin Ash'],
    [ADMIN, 'Ada Admin'],
  ] as const) {
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  }
  await importFixture(h, 'approvals-firm.yaml');
  // The tests deliver the outbox themselves, moving the clock past backoffs, so no round runs behind their backs.
  await h.app.outbox.stop();
});
afterAll(async () => h.stop());
beforeEach(async () => {
  await h.app.settled();
  await h.database.db.delete(outbox);
  await h.database.db.delete(slackMessages);
  await h.database.db.delete(approvals);
  // Approved Globex time was deducted from its prepaid credit; the deductions go with the entries.
  await h.database.db.delete(creditLedger).where(eq(creditLedger.kind, 'deduction'));
  await h.database.db.delete(timeEntries);
  await h.database.db.update(timesheets).set({ reopenedFrom: null });
  await h.database.db.delete(timesheets);
  h.fake.reset();
});

const command = (userId: string, name: string, text = '') => h.slack.slashCommand({ command: name, text, userId });
/** Waits until the outbox has nothing left to send. */
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
const dm = (userId: string) => h.fake.messages.get(`D${userId}`) ?? [];
const dmText = (userId: string) => JSON.stringify(dm(userId));
const press = (userId: string, actionId: string, value: string) =>
  h.slack.blockAction({
    userId,
    actionId,
    value,
    responseUrl: h.fake.responseUrl(),
    container: { type: 'message', channelId: `D${userId}`, messageTs: '1.1' },
  });
/** Presses a DM button on the approval this approver (by default the presser) holds on the sheet. */
const decide = async (userId: string, actionId: string, sheetId: number, approverId = userId) =>
  press(userId, actionId, String(await approvalIdOf(h.database.db, sheetId, approverId)));
const sheetsOf = () => h.database.db.select().from(timesheets).orderBy(asc(timesheets.id));

/** Opens /approvals as `userId` and returns the approvals it offers to mark. */
async function approvalsListOptions(userId: string): Promise<string[]> {
  await command(userId, '/approvals');
  const list = (await h.fake.waitFor('views.open')).args.view as {
    blocks: { type: string; elements?: { type: string; options?: { value: string }[] }[] }[];
  };
  expectWithinSlackLimits('modal', list);
  return list.blocks
    .flatMap((b) => b.elements ?? [])
    .flatMap((e) => e.options ?? [])
    .map((o) => o.value);
}

/** The administrator presses a button of the /approvals list with these approvals ticked. */
const pressOnMarked = (actionId: string, marked: string[]) =>
  h.slack.blockAction({
    userId: ADMIN,
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

async function aliceSubmits(): Promise<number> {
  await command(ALICE, '/log', '3h ACME-WEB 2026-11-20 design review');
  await command(ALICE, '/log', '2h GLOBEX-OPS 2026-11-21 ops call');
  await command(ALICE, '/log', 'nb 1h INTERNAL 2026-11-22 team meeting');
  const submitted = await command(ALICE, '/timesheet', 'submit');
  expect(JSON.stringify(submitted.body)).toContain('Submitted your timesheet');
  await delivered();
  return (await sheetsOf())[0]!.id;
}

describe('routing', () => {
  it('sends every manager one DM with only their projects; a project without a manager goes to admins, who are told why', async () => {
    await aliceSubmits();
    expect(dm(BOB)).toHaveLength(1);
    expect(dmText(BOB)).toContain('ACME-WEB');
    expect(dmText(BOB)).not.toContain('GLOBEX-OPS');
    expect(dmText(BOB)).toContain('Whole timesheet: *6h*');
    expect(dmText(DANA)).toContain('ACME-WEB');
    expect(dmText(DANA)).toContain('GLOBEX-OPS');
    expect(dmText(ADMIN)).toContain('INTERNAL');
    expect(dmText(ADMIN)).toContain('You get this as an administrator');
    expect(dm(CARL)).toHaveLength(0);
    for (const user of [BOB, DANA, ADMIN])
      expectWithinSlackLimits('message', { text: dm(user)[0]!.text, blocks: dm(user)[0]!.blocks });
    expect((await h.database.db.select().from(approvals)).map((a) => [a.approverId, a.route]).sort()).toEqual(
      [
        [ADMIN, 'admin_fallback'],
        [BOB, 'manager'],
        [DANA, 'manager'],
      ].sort(),
    );
  });

  it('never asks a manager to approve their own time: it goes to the admins', async () => {
    await command(CARL, '/log', '4h CARL-LAB 2026-11-20 experiments');
    await command(CARL, '/timesheet', 'submit');
    await delivered();
    expect(dm(CARL)).toHaveLength(0);
    expect(dmText(ADMIN)).toContain('CARL-LAB');
  });
});

describe('App Homes of the others', () => {
  const home = (userId: string) => JSON.stringify(h.fake.publishedTo(userId).at(-1) ?? null);

  it('list a submitted sheet for its approvers and their delegates, drop it once decided, and show the consultant the decision', async () => {
    const sheetId = await aliceSubmits();
    for (const user of [BOB, DANA, ERIN, ADMIN]) {
      expect(home(user)).toContain('Waiting for your decision* (1)');
      expect(home(user)).toContain('Alice Doe');
    }
    expect(home(ERIN)).toContain('for Dana Lee');
    expect(home(CARL)).toBe('null');

    await decide(DANA, ids.approval.approve, sheetId);
    await delivered();
    expect(home(DANA)).not.toContain('Waiting for your decision');
    expect(home(ERIN)).not.toContain('Waiting for your decision');
    expect(home(BOB)).toContain('Waiting for your decision* (1)');

    await decide(BOB, ids.approval.approve, sheetId);
    await decide(ADMIN, ids.approval.approve, sheetId);
    await delivered();
    expect((await sheetsOf())[0]).toMatchObject({ status: 'approved' });
    expect(home(ALICE)).toContain('approved');
    expect(home(ALICE)).not.toContain('waiting for approval');
  });
});

describe('decisions', () => {
  it('approval by every approver approves the sheet, freezes rates, tells the consultant and updates every DM in place', async () => {
    const sheetId = await aliceSubmits();
    await decide(BOB, ids.approval.approve, sheetId);
    await delivered();
    expect(dmText(DANA)).toContain(':white_check_mark: Bob Roe approved');
    expect(dmText(BOB)).toContain('You approved. Waiting for the others.');
    expect(dmText(BOB)).not.toContain(ids.approval.approve);
    await decide(DANA, ids.approval.approve, sheetId);
    await decide(ADMIN, ids.approval.approve, sheetId);
    await delivered();

    expect((await sheetsOf())[0]).toMatchObject({ status: 'approved' });
    const rates = await h.database.db
      .select({ minutes: timeEntries.minutes, cost: timeEntries.costRateCents, price: timeEntries.priceRateCents })
      .from(timeEntries)
      .orderBy(asc(timeEntries.workDate));
    expect(rates).toEqual([
      { minutes: 180, cost: 7550, price: 15000 }, // ACME-WEB overrides
      { minutes: 120, cost: 7000, price: 14000 }, // GLOBEX-OPS: Alice's defaults
      { minutes: 60, cost: 7000, price: 14000 },
    ]);
    for (const user of [BOB, DANA, ADMIN]) {
      expect(dm(user)).toHaveLength(1); // updated in place, never posted twice
      expect(dmText(user)).toContain('*Approved* by everyone');
    }
    expect(dmText(ALICE)).toContain(
      'Your timesheet for Sun 1 Nov 2026 – Mon 30 Nov 2026 is approved: 6h (5h billable).',
    );
  });

  it('one rejection sends the sheet back: cancelled, an open copy with the same entries, the reason delivered', async () => {
    const sheetId = await aliceSubmits();
    await decide(BOB, ids.approval.approve, sheetId);
    await decide(DANA, ids.approval.reject, sheetId);
    const modal = await h.fake.waitFor('views.open');
    expect(JSON.stringify(modal.args.view)).toContain('Send back this timesheet?');
    const meta = (modal.args.view as { private_metadata: string }).private_metadata;
    const empty = await h.slack.viewSubmission({
      userId: DANA,
      callbackId: ids.approval.rejectModal,
      privateMetadata: meta,
      values: { reason: { reason_input: { type: 'plain_text_input', value: '  ' } } },
    });
    expect(empty.body).toMatchObject({
      response_action: 'errors',
      errors: { reason: expect.stringMatching(/Say why/) },
    });
    await h.slack.viewSubmission({
      userId: DANA,
      callbackId: ids.approval.rejectModal,
      privateMetadata: meta,
      values: { reason: { reason_input: { type: 'plain_text_input', value: 'GLOBEX call was 1h' } } },
    });
    await delivered();

    const [cancelled, copy] = await sheetsOf();
    expect(cancelled).toMatchObject({ id: sheetId, status: 'cancelled', rejectionReason: 'GLOBEX call was 1h' });
    expect(copy).toMatchObject({ status: 'open', reopenedFrom: sheetId, periodId: cancelled!.periodId });
    const copied = await h.database.db.select().from(timeEntries).where(eq(timeEntries.timesheetId, copy!.id));
    expect(copied.map((e) => [e.workDate, e.minutes, e.description]).sort()).toEqual([
      ['2026-11-20', 180, 'design review'],
      ['2026-11-21', 120, 'ops call'],
      ['2026-11-22', 60, 'team meeting'],
    ]);
    for (const user of [BOB, DANA, ADMIN])
      expect(dmText(user)).toContain('*Rejected by Dana Lee*: GLOBEX call was 1h — nothing to do.');
    expect(dmText(ALICE)).toContain('sent back your timesheet');
    expect(dmText(ALICE)).toContain(ids.timesheet.open);
    // Its Open timesheet opens her sheet, whomever App Home acts for by then.
    expect(dmText(ALICE)).toContain(
      JSON.stringify(JSON.stringify({ periodId: copy!.periodId, for: ALICE })).slice(1, -1),
    );
  });

  it('a double click, a stale message after resubmission, a stranger and a forged value change nothing and are told why', async () => {
    const sheetId = await aliceSubmits();
    await decide(BOB, ids.approval.approve, sheetId);
    await h.app.settled();
    h.fake.reset();
    await decide(BOB, ids.approval.approve, sheetId);
    expect(JSON.stringify((await h.fake.waitFor('response_url')).args)).toContain(
      'You already approved this timesheet',
    );

    h.fake.reset();
    await decide(CARL, ids.approval.approve, sheetId, DANA); // a manager, but not of this sheet: Dana's button
    expect(JSON.stringify((await h.fake.waitFor('response_url')).args)).toContain(
      "This decision is Dana Lee's, and you are not their delegate",
    );
    h.fake.reset();
    await press(BOB, ids.approval.approve, '999999'); // an edited button value
    expect(JSON.stringify((await h.fake.waitFor('response_url')).args)).toContain('no longer waiting for you');

    // Sent back and resubmitted: Bob's old message now points at a cancelled sheet.
    await h.slack.viewSubmission({
      userId: DANA,
      callbackId: ids.approval.rejectModal,
      privateMetadata: JSON.stringify({ approvalIds: [await approvalIdOf(h.database.db, sheetId, DANA)] }),
      values: { reason: { reason_input: { type: 'plain_text_input', value: 'fix it' } } },
    });
    await h.app.settled(); // the rejection is saved after the modal's ack
    await command(ALICE, '/timesheet', 'submit');
    await delivered();
    h.fake.reset();
    await decide(BOB, ids.approval.approve, sheetId);
    expect(JSON.stringify((await h.fake.waitFor('response_url')).args)).toContain('already sent back by Dana Lee');
    const [, resubmitted] = await sheetsOf();
    expect(resubmitted).toMatchObject({ status: 'submitted' });
    expect(
      await h.database.db
        .select()
        .from(approvals)
        .where(and(eq(approvals.timesheetId, resubmitted!.id), eq(approvals.status, 'approved'))),
    ).toEqual([]);
  });

  it('a delegate decides as the manager, and the audit row names both', async () => {
    const sheetId = await aliceSubmits();
    await decide(ERIN, ids.approval.approve, sheetId, DANA);
    await h.app.settled();
    const [dana] = await h.database.db
      .select()
      .from(approvals)
      .where(and(eq(approvals.timesheetId, sheetId), eq(approvals.approverId, DANA)));
    expect(dana).toMatchObject({ status: 'approved', decidedBy: ERIN });
    const [audit] = await h.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'approval.approve'), eq(auditLog.entityId, String(sheetId))));
    expect(audit).toMatchObject({ actorId: ERIN, actingFor: DANA });
    await delivered();
    expect(dmText(BOB)).toContain('Dana Lee approved');
    expect(dmText(BOB)).toContain('(by Erin Ash)');
  });
});

describe('/approvals', () => {
  it('lists my pending sheets with checkboxes and approves all marked', async () => {
    const sheetId = await aliceSubmits();
    await command(CARL, '/log', '4h CARL-LAB 2026-11-20 experiments');
    await command(CARL, '/timesheet', 'submit');
    await delivered();
    h.fake.reset();
    const options = await approvalsListOptions(ADMIN);
    expect(options).toHaveLength(2);
    const carlSheet = (await sheetsOf()).find((s) => s.id !== sheetId)!.id;
    await pressOnMarked(ids.approval.approveMarked, options);
    await h.app.settled();
    expect((await sheetsOf()).find((s) => s.id === carlSheet)).toMatchObject({ status: 'approved' });
    expect(
      await h.database.db
        .select()
        .from(approvals)
        .where(and(eq(approvals.approverId, ADMIN), eq(approvals.status, 'approved'))),
    ).toHaveLength(2);
    expect(JSON.stringify(h.fake.callsTo('views.update').at(-1)!.args.view)).toContain('Approved 2.');
  });

  it('sends back all marked with one reason, and asks for marks first when none are ticked', async () => {
    const sheetId = await aliceSubmits();
    await command(CARL, '/log', '4h CARL-LAB 2026-11-20 experiments');
    await command(CARL, '/timesheet', 'submit');
    await delivered();
    h.fake.reset();
    const options = await approvalsListOptions(ADMIN);
    expect(options).toHaveLength(2);
    await pressOnMarked(ids.approval.rejectMarked, []);
    await h.app.settled();
    expect(JSON.stringify(h.fake.callsTo('views.update').at(-1)!.args.view)).toContain(
      'Mark the timesheets to send back first.',
    );
    expect(h.fake.callsTo('views.push')).toHaveLength(0);

    await pressOnMarked(ids.approval.rejectMarked, options);
    await h.app.settled();
    const dialog = h.fake.callsTo('views.push').at(-1)!.args.view as { private_metadata: string };
    expect(JSON.stringify(dialog)).toContain('2 timesheets');
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.approval.rejectModal,
      privateMetadata: dialog.private_metadata,
      values: { reason: { reason_input: { type: 'plain_text_input', value: 'November needs project codes' } } },
    });
    await delivered();
    const carlSheet = (await sheetsOf()).find((s) => s.id !== sheetId && s.reopenedFrom === null)!.id;
    for (const id of [sheetId, carlSheet]) {
      expect((await sheetsOf()).find((s) => s.id === id)).toMatchObject({
        status: 'cancelled',
        rejectionReason: 'November needs project codes',
      });
      expect((await sheetsOf()).filter((s) => s.reopenedFrom === id)).toMatchObject([{ status: 'open' }]);
    }
  });
});

describe('App Home and View timesheet', () => {
  it('lists what waits for the manager, with Approve, and View shows every entry read-only', async () => {
    const sheetId = await aliceSubmits();
    h.fake.reset();
    await h.slack.event({ type: 'app_home_opened', user: BOB, channel: `D${BOB}`, tab: 'home' });
    const home = await h.homeOf(BOB);
    expectWithinSlackLimits('home', JSON.parse(home) as object);
    expect(home).toContain('*Waiting for your decision* (1)');
    expect(home).toContain('*Alice Doe* · Sun 1 Nov 2026 – Mon 30 Nov 2026 · 6h');

    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.approval.view,
      value: String(sheetId),
      container: { type: 'view', viewId: 'VHOME', view: { type: 'home' } },
    });
    const opened = await h.fake.waitFor('views.open');
    const text = JSON.stringify(opened.args.view);
    expect(text).toContain('GLOBEX-OPS'); // every entry, not only Bob's projects
    expect(text).not.toContain(ids.timesheet.entryMenu);
    expect(text).not.toContain(ids.timesheet.submit);

    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.approval.approve,
      value: String(await approvalIdOf(h.database.db, sheetId, BOB)),
      container: { type: 'view', viewId: 'VHOME', view: { type: 'home' } },
    });
    await h.app.settled();
    expect(
      await h.database.db
        .select()
        .from(approvals)
        .where(and(eq(approvals.approverId, BOB), eq(approvals.status, 'approved'))),
    ).toHaveLength(1);
    expect(await h.homeOf(BOB)).not.toContain('Waiting for your decision');
  });

  it('shows administrators the messages that could not be delivered, with the error', async () => {
    h.fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await aliceSubmits();
    await h.slack.event({ type: 'app_home_opened', user: ADMIN, channel: `D${ADMIN}`, tab: 'home' });
    const home = await h.homeOf(ADMIN);
    expect(home).toContain('1 Slack message not delivered');
    expect(home).toContain('gave up after 1 attempt: Slack refused: channel_not_found');
  });
});

describe('delivery through a flaky Slack', () => {
  it('delivers every DM exactly once through a 429 with Retry-After and a 500', async () => {
    h.fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 2 });
    h.fake.failNext('chat.postMessage', { status: 500 });
    await aliceSubmits();
    for (const user of [BOB, DANA, ADMIN]) expect(dm(user)).toHaveLength(1);
    expect((await h.database.db.select().from(outbox)).every((row) => row.status === 'sent')).toBe(true);
  });
});
