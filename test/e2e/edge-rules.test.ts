/** Issue 11 over HTTP: the hostile decisions, current authority, time past midnight, the acting-as switch, paging and periods. */
import { readFileSync } from 'node:fs';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import {
  approvals,
  delegates,
  employees,
  outbox,
  projectManagers,
  projects,
  reportingPeriods,
  slackMessages,
  timeEntries,
  timesheets,
  users,
} from '../../src/db/schema.js';
import { silentLogger } from '../../src/logger.js';
import type { ServiceContext } from '../../src/services/context.js';
import { removeFromProjects } from '../../src/services/employee-assignments.js';
import { deactivateUser } from '../../src/services/security.js';
import { importSetup } from '../../src/services/setup-import.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import { approvalIdOf } from '../support/fixtures.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

let h: AppHarness;
const [ALICE, BOB, DANA, ERIN, ADMIN] = ['U01ALICE', 'U02BOB', 'U03DANA', 'U05ERIN', 'U0ADMIN'];
const admin = (): ServiceContext => ({
  db: h.database.db,
  actor: { kind: 'user', userId: ADMIN },
  clock: h.clock,
  log: silentLogger,
  org: { timeZone: 'UTC', currency: 'USD' },
});

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z', adminUserIds: [ADMIN] });
  for (const [id, name] of [
    [ALICE, 'Alice Doe'],
    [BOB, 'Bob Roe'],
    [DANA, 'Dana Lee'],
    [ERIN, 'Erin Ash'],
    [ADMIN, 'Ada Admin'],
  ] as const) {
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  }
  const imported = await importSetup(
    { ...admin(), actor: { kind: 'system', name: 'cli' } },
    readFileSync(new URL('../fixtures/approvals-firm.yaml', import.meta.url), 'utf8'),
  );
  expect(imported.ok).toBe(true);
  await h.database.db.insert(reportingPeriods).values({ startsOn: '2026-10-01', endsOn: '2026-10-31' });
  await h.app.outbox.stop();
});
afterAll(async () => h.stop());
beforeEach(async () => {
  const { db } = h.database;
  await h.app.settled();
  await db.delete(outbox);
  await db.delete(slackMessages);
  await db.delete(approvals);
  await db.delete(timeEntries);
  await db.update(timesheets).set({ reopenedFrom: null });
  await db.delete(timesheets);
  await db.update(users).set({ active: true, actingFor: null });
  await db.delete(delegates);
  await db.insert(delegates).values({ principalId: DANA, delegateId: ERIN });
  h.fake.reset();
});

const command = (userId: string, name: string, text = '') => h.slack.slashCommand({ command: name, text, userId });
const replyText = async (userId: string, name: string, text = '') =>
  JSON.stringify((await command(userId, name, text)).body);
async function delivered(): Promise<void> {
  await h.app.settled();
  for (let i = 0; i < 50; i++) {
    await h.app.outbox.runOnce();
    if ((await h.database.db.select().from(outbox).where(eq(outbox.status, 'pending'))).length === 0) return;
    h.clock.advance({ minutes: 5 });
  }
  throw new Error('the outbox did not drain');
}
/** A button in a DM (or one forged to look like it), answered on its response_url. */
async function press(userId: string, actionId: string, value: string): Promise<string> {
  h.fake.reset();
  await h.slack.blockAction({
    userId,
    actionId,
    value,
    responseUrl: h.fake.responseUrl(),
    container: { type: 'message', channelId: `D${userId}`, messageTs: '1.1' },
  });
  return JSON.stringify((await h.fake.waitFor('response_url')).args);
}
const approvalStates = async (sheetId: number) =>
  (
    await h.database.db
      .select()
      .from(approvals)
      .where(eq(approvals.timesheetId, sheetId))
      .orderBy(asc(approvals.approverId))
  ).map((a) => [a.approverId, a.status]);
async function aliceSubmits(): Promise<number> {
  await command(ALICE, '/log', '3h ACME-WEB 2026-11-20 design review');
  expect(await replyText(ALICE, '/timesheet', 'submit')).toContain('Submitted your timesheet');
  await delivered();
  return (await h.database.db.select().from(timesheets))[0]!.id;
}
const homeOf = (userId: string) => h.homeOf(userId);

describe('nobody decides their own timesheet (1)', () => {
  it('a delegate of their manager cannot approve their own sheet by click, by bulk or by a forged payload, and is not offered it', async () => {
    await h.database.db.insert(delegates).values({ principalId: BOB, delegateId: ALICE });
    const sheet = await aliceSubmits();
    const bobs = await approvalIdOf(h.database.db, sheet, BOB);

    // A forged click on Bob's button, and the same from App Home.
    expect(await press(ALICE, ids.approval.approve, String(bobs))).toContain('Nobody decides on their own timesheet');
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.approval.approve,
      value: String(bobs),
      container: { type: 'view', viewId: 'VHOME', view: { type: 'home' } },
    });
    await h.app.settled();
    // Bulk: a hand-made /approvals list that ticks Bob's approval.
    await h.slack.blockAction({
      userId: ALICE,
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
                approvals_marked: { type: 'checkboxes', selected_options: [{ value: String(bobs) }] },
              },
            },
          },
        },
      },
    });
    await h.app.settled();
    expect(JSON.stringify(h.fake.callsTo('views.update').at(-1)!.args.view)).toContain(
      'Nobody decides on their own timesheet',
    );
    expect(await approvalStates(sheet)).toEqual([
      [BOB, 'pending'],
      [DANA, 'pending'],
    ]);

    // Neither /approvals nor App Home offers it.
    h.fake.reset();
    await command(ALICE, '/approvals');
    expect(JSON.stringify((await h.fake.waitFor('views.open')).args.view)).toContain(
      'Nothing is waiting for your decision',
    );
    await h.slack.event({ type: 'app_home_opened', user: ALICE, channel: `D${ALICE}`, tab: 'home' });
    expect(await homeOf(ALICE)).not.toContain('Waiting for your decision');
  });
});

describe('a decision needs current authority (2)', () => {
  it("a removed manager's old button does nothing and their DM says the request was withdrawn", async () => {
    const sheet = await aliceSubmits();
    const bobs = await approvalIdOf(h.database.db, sheet, BOB);
    const [bob] = await h.database.db.select().from(employees).where(eq(employees.userId, BOB));
    const [web] = await h.database.db.select().from(projects).where(eq(projects.code, 'ACME-WEB'));
    expect(await removeFromProjects(admin(), bob!.id, [{ projectId: web!.id, as: 'manager' }])).toMatchObject({
      ok: true,
    });
    await delivered();
    const bobsDm = JSON.stringify(h.fake.messages.get(`D${BOB}`));
    expect(bobsDm).toContain('Nothing for you to decide');
    expect(bobsDm).not.toContain(ids.approval.approve);

    expect(await press(BOB, ids.approval.approve, String(bobs))).toContain('no longer waiting for you');
    expect(await approvalStates(sheet)).toEqual([[DANA, 'pending']]);
    // Put back for the other tests.
    await h.database.db.insert(projectManagers).values({ projectId: web!.id, managerId: bob!.id });
  });

  it("a deactivated delegate's old button decides nothing", async () => {
    const sheet = await aliceSubmits();
    const danas = await approvalIdOf(h.database.db, sheet, DANA);
    expect(await deactivateUser(admin(), { userId: ERIN })).toMatchObject({ ok: true });
    expect(await press(ERIN, ids.approval.approve, String(danas))).toContain('does not know you');
    expect(await approvalStates(sheet)).toEqual([
      [BOB, 'pending'],
      [DANA, 'pending'],
    ]);
  });
});

describe('time past midnight (11)', () => {
  it('/log 22:00-01:30 saves one entry per day and the reply says so', async () => {
    const reply = await replyText(ALICE, '/log', '22:00-01:30 ACME-WEB 2026-11-20 deploy');
    expect(reply).toContain('Logged *3h 30m* on *ACME-WEB*');
    expect(reply).toContain('Past midnight, so saved as one entry per day:');
    expect(reply).toContain('Fri 20 Nov 2026 (22:00–24:00) · *2h*');
    expect(reply).toContain('Sat 21 Nov 2026 (00:00–01:30) · *1h 30m*');
    const saved = await h.database.db.select().from(timeEntries).orderBy(asc(timeEntries.workDate));
    expect(saved.map((e) => [e.workDate, e.beginsAt, e.endsAt, e.minutes])).toEqual([
      ['2026-11-20', '22:00:00', '24:00:00', 120],
      ['2026-11-21', '00:00:00', '01:30:00', 90],
    ]);
    // Undo takes back both.
    const undo = (JSON.parse(reply) as { blocks: { type: string; elements?: { value: string }[] }[] }).blocks.find(
      (b) => b.type === 'actions',
    )!.elements![0]!.value;
    expect(await press(ALICE, ids.entry.undo, undo)).toContain('Deleted 3h 30m on ACME-WEB');
    expect(await h.database.db.select().from(timeEntries)).toEqual([]);
  });
});

describe('acting as a principal from App Home (14)', () => {
  it('a delegate switches to their principal: App Home, /log and /timesheet act for them and say so, until switched back', async () => {
    await h.database.db.insert(delegates).values({ principalId: ALICE, delegateId: ERIN });
    await h.slack.event({ type: 'app_home_opened', user: ERIN, channel: `D${ERIN}`, tab: 'home' });
    const before = await homeOf(ERIN);
    expect(before).toContain(ids.home.actAs);
    expect(before).toContain('Alice Doe');

    h.fake.reset();
    await h.slack.blockAction({
      userId: ERIN,
      actionId: ids.home.actAs,
      selectedOption: ALICE,
      container: { type: 'view', viewId: 'VHOME', view: { type: 'home' } },
    });
    const home = await homeOf(ERIN);
    expectWithinSlackLimits('home', JSON.parse(home) as object);
    expect(home).toContain('*Acting for Alice Doe*');
    expect(home).toContain('Hi Alice Doe'); // Alice's week, timer and entries

    const logged = await replyText(ERIN, '/log', '2h ACME-WEB 2026-11-20 notes for Alice');
    expect(logged).toContain('for Alice Doe on');
    expect(logged).toContain('Acting for *Alice Doe*');
    const [entry] = await h.database.db.select().from(timeEntries);
    expect(entry).toMatchObject({ createdBy: ERIN, actingFor: ALICE, minutes: 120 });
    const [sheet] = await h.database.db.select().from(timesheets);
    const [alice] = await h.database.db.select().from(employees).where(eq(employees.userId, ALICE));
    expect(sheet).toMatchObject({ consultantId: alice!.id });
    // Alice's sheet is there now: the next /log reads Erin, her switch and Alice's sheet in one statement.
    const again = await replyText(ERIN, '/log', '1h ACME-WEB 2026-11-20 more for Alice');
    expect(again).toContain('Acting for *Alice Doe*');
    expect(await h.database.db.select().from(timeEntries)).toMatchObject([
      { createdBy: ERIN, actingFor: ALICE, timesheetId: sheet!.id, minutes: 120 },
      { createdBy: ERIN, actingFor: ALICE, timesheetId: sheet!.id, minutes: 60 },
    ]);

    h.fake.reset();
    await command(ERIN, '/timesheet');
    const modal = JSON.stringify((await h.fake.waitFor('views.open')).args.view);
    expect(modal).toContain('Acting for *Alice Doe*');
    expect(modal).toContain('notes for Alice');

    // Back to herself: Erin logs no time of her own.
    await h.slack.blockAction({
      userId: ERIN,
      actionId: ids.home.actAs,
      selectedOption: 'myself',
      container: { type: 'view', viewId: 'VHOME', view: { type: 'home' } },
    });
    await h.app.settled();
    expect(await replyText(ERIN, '/log', '1h ACME-WEB 2026-11-20 mine')).toContain(
      'You do not have the time entry right',
    );
    expect(await h.database.db.select().from(timeEntries)).toHaveLength(2);
  });

  it("a delegate acting for a principal saves the log modal from App Home's Log time: the entry is the principal's and the reply names them", async () => {
    await h.database.db.insert(delegates).values({ principalId: ALICE, delegateId: ERIN });
    await h.slack.blockAction({
      userId: ERIN,
      actionId: ids.home.actAs,
      selectedOption: ALICE,
      container: { type: 'view', viewId: 'VHOME', view: { type: 'home' } },
    });
    await h.app.settled();
    h.fake.reset();
    await h.slack.blockAction({
      userId: ERIN,
      actionId: ids.home.logTime,
      value: 'log',
      container: { type: 'view', viewId: 'VHOME', view: { type: 'home' } },
    });
    const view = (await h.fake.waitFor('views.open')).args.view as { private_metadata: string };
    expect(JSON.parse(view.private_metadata)).toMatchObject({ forUserId: ALICE });

    h.fake.reset();
    const submitted = await h.slack.viewSubmission({
      userId: ERIN,
      callbackId: ids.logModal.callbackId,
      viewId: 'VERINLOG',
      privateMetadata: view.private_metadata,
      values: {
        project: { project_select: { type: 'static_select', selected_option: { value: 'ACME-WEB' } } },
        date: { date_pick: { type: 'datepicker', selected_date: '2026-11-20' } },
        duration: { duration_input: { type: 'plain_text_input', value: '90m' } },
        description: { description_input: { type: 'plain_text_input', value: 'modal notes for Alice' } },
        billable: { billable_check: { type: 'checkboxes', selected_options: [{ value: 'billable' }] } },
      },
    });
    expect(submitted.status).toBe(200);
    expect(submitted.text).toBe('');

    const [entry] = await h.database.db.select().from(timeEntries);
    expect(entry).toMatchObject({ createdBy: ERIN, actingFor: ALICE, minutes: 90, source: 'modal' });
    const [sheet] = await h.database.db.select().from(timesheets).where(eq(timesheets.id, entry!.timesheetId));
    const [alice] = await h.database.db.select().from(employees).where(eq(employees.userId, ALICE));
    expect(sheet).toMatchObject({ consultantId: alice!.id });

    const reply = await h.fake.waitFor('chat.postMessage', (call) => call.args.channel === ERIN);
    const said = JSON.stringify(reply.args);
    expect(said).toContain('*1h 30m* for Alice Doe on');
    expect(said).toContain('Acting for *Alice Doe* · switch back in App Home');
  });

  it('lapses by itself when the delegation ends', async () => {
    await h.database.db.insert(delegates).values({ principalId: ALICE, delegateId: ERIN });
    await h.database.db.update(users).set({ actingFor: ALICE }).where(eq(users.id, ERIN));
    await h.database.db.delete(delegates).where(and(eq(delegates.principalId, ALICE), eq(delegates.delegateId, ERIN)));
    const reply = await replyText(ERIN, '/log', '1h ACME-WEB 2026-11-20 after');
    expect(reply).toContain('You do not have the time entry right');
    expect(reply).not.toContain('Acting for');
  });
});

describe('View timesheet pages (15) and /timesheet periods (16)', () => {
  it("an approver's View timesheet pages through every entry, not the first 40", async () => {
    const sheet = await aliceSubmits();
    const [web] = await h.database.db.select().from(projects).where(eq(projects.code, 'ACME-WEB'));
    await h.database.db.insert(timeEntries).values(
      Array.from({ length: 44 }, (_, i) => ({
        timesheetId: sheet,
        projectId: web!.id,
        workDate: '2026-11-21',
        minutes: 5,
        description: `entry number ${i + 2}`,
        billable: true,
        source: 'command' as const,
        createdBy: ALICE,
      })),
    );
    h.fake.reset();
    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.approval.view,
      value: String(sheet),
      container: { type: 'message', channelId: `D${BOB}`, messageTs: '1.1' },
    });
    const first = JSON.stringify((await h.fake.waitFor('views.open')).args.view);
    expect(first).toContain('Entries 41–45 →');
    expect(first).not.toContain('entry number 45');
    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.approval.viewPageOn,
      value: JSON.stringify({ timesheetId: sheet, page: 1 }),
      container: { type: 'view', viewId: 'VSHEET' },
    });
    const second = await h.fake.waitFor('views.update');
    expect(second.args.view_id).toBe('VSHEET');
    expect(JSON.stringify(second.args.view)).toContain('entry number 45');
    expect(JSON.stringify(second.args.view)).toContain('← Entries 1–40');
    // Someone who does not decide on the sheet cannot page through it.
    h.fake.reset();
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.approval.viewPageOn,
      value: JSON.stringify({ timesheetId: sheet, page: 1 }),
      container: { type: 'view', viewId: 'VSHEET' },
    });
    expect(JSON.stringify((await h.fake.waitFor('chat.postMessage')).args)).toContain(
      'You are not an approver of this timesheet',
    );
    expect(h.fake.callsTo('views.update')).toEqual([]);
  });

  it('/timesheet last and /timesheet submit last reach the period before, so late time is submitted from text', async () => {
    await command(ALICE, '/log', '2h ACME-WEB 2026-10-30 late notes');
    h.fake.reset();
    await command(ALICE, '/timesheet', 'last');
    expect(JSON.stringify((await h.fake.waitFor('views.open')).args.view)).toContain(
      'Thu 1 Oct 2026 – Sat 31 Oct 2026',
    );
    expect(await replyText(ALICE, '/timesheet', 'submit last')).toContain(
      'Submitted your timesheet for Thu 1 Oct 2026 – Sat 31 Oct 2026 with 2h in 1 entry',
    );
    expect(await replyText(ALICE, '/timesheet', 'submit 2026-10-01')).toContain('is already submitted');
    expect(await replyText(ALICE, '/timesheet', 'submit octobre')).toContain(
      '`/timesheet 2026-10-01` or `/timesheet last`',
    );
  });
});
