/**
 * What the user is told on an ordinary bad day. A request that fails after it committed a change
 * (the database drops the connection while the app reads what to show next) says the change was
 * saved and to look before trying again, instead of "nothing was saved": trying again would buy
 * credits twice. A redraw Slack refuses (a rate limit) sends the outcome it would have shown by DM.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { countingDatabase } from '../../src/db/client.js';
import {
  approvals,
  creditLedger,
  outbox,
  reportingPeriods,
  slackMessages,
  timeEntries,
  timesheets,
} from '../../src/db/schema.js';
import { OUR_FAULT, OUR_FAULT_AFTER_A_CHANGE } from '../../src/slack/edge/edge-receiver.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';

let h: AppHarness;
const [ALICE, CARL, ADMIN] = ['U01ALICE', 'U04CARL', 'U0ADMIN'];
const f = ids.credits.field;

/** Once a statement matching `after` has run, the first matching `fail` throws, as a dropped connection does. */
let dropPlan: { after: (sql: string) => boolean; fail: (sql: string) => boolean; armed: boolean } | undefined;
const dropConnection = (after: (sql: string) => boolean, fail: (sql: string) => boolean) => {
  dropPlan = { after, fail, armed: false };
};

beforeAll(async () => {
  h = await startAppHarness({
    now: '2026-11-30T10:00:00Z',
    adminUserIds: [ADMIN],
    connections: (database) => {
      const main = countingDatabase(database, (sql) => {
        if (!dropPlan) return;
        if (dropPlan.armed && dropPlan.fail(sql)) {
          dropPlan = undefined;
          throw new Error('Connection terminated unexpectedly');
        }
        if (dropPlan.after(sql)) dropPlan.armed = true;
      });
      return { connection: { ...database, db: main.db } };
    },
  });
  for (const [id, name] of [
    [ALICE, 'Alice Doe'],
    [CARL, 'Carl Poe'],
    [ADMIN, 'Ada Admin'],
  ] as const)
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  await importFixture(h, 'approvals-firm.yaml');
  await h.app.outbox.stop();
});
afterAll(async () => h.stop());
beforeEach(async () => {
  dropPlan = undefined;
  await h.app.settled();
  await h.database.db.delete(outbox);
  await h.database.db.delete(slackMessages);
  await h.database.db.delete(approvals);
  await h.database.db.delete(creditLedger).where(eq(creditLedger.kind, 'deduction'));
  await h.database.db.delete(timeEntries);
  await h.database.db.update(timesheets).set({ reopenedFrom: null });
  await h.database.db.delete(timesheets);
  h.fake.reset();
});

const command = (userId: string, name: string, text = '') => h.slack.slashCommand({ command: name, text, userId });
const toldDirectly = (userId: string) =>
  JSON.stringify(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === userId));

describe('a failure after the change committed', () => {
  it('Add credits: the form says the purchase was saved and to look before buying again', async () => {
    const text = (value: string) => ({ type: 'plain_text_input', value });
    dropConnection(
      (sql) => sql.includes('insert into "credit_ledger"'),
      // The redraw's first read: the access check of /credits.
      (sql) => sql.startsWith('select (select u.active from users u'),
    );
    const answer = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.credits.addModal,
      privateMetadata: JSON.stringify({ code: 'GLOBEX' }),
      values: {
        [f.hours.block]: { [f.hours.action]: text('10') },
        [f.price.block]: { [f.price.action]: text('1000.00') },
        [f.date.block]: { [f.date.action]: { type: 'datepicker', selected_date: '2026-11-30' } },
        [f.note.block]: { [f.note.action]: text('PO 2026-77') },
      },
    });
    await h.app.settled();
    expect(await h.database.db.select().from(creditLedger).where(eq(creditLedger.note, 'PO 2026-77'))).toHaveLength(1);
    expect(JSON.stringify(answer.body)).toContain(OUR_FAULT_AFTER_A_CHANGE);
    expect(JSON.stringify(answer.body)).not.toContain('nothing was saved');
  });

  it('/approvals Approve marked: one sheet approved before the connection dropped, and the DM says a change was saved', async () => {
    await command(ALICE, '/log', '1h INTERNAL 2026-11-20 team meeting');
    await command(ALICE, '/timesheet', 'submit');
    await command(CARL, '/log', '4h CARL-LAB 2026-11-20 experiments');
    await command(CARL, '/timesheet', 'submit');
    const marked = (await h.database.db.select().from(approvals).where(eq(approvals.approverId, ADMIN)))
      .map((row) => String(row.id))
      .sort();
    expect(marked).toHaveLength(2);
    h.fake.reset();
    dropConnection(
      (sql) => sql.startsWith('update "approvals"'),
      (sql) => sql.startsWith('select "timesheet_id", "approver_id" from "approvals"'),
    );
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.approval.approveMarked,
      value: ids.approval.approveMarked,
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
    await h.app.settled();
    const statuses = (await h.database.db.select().from(timesheets).orderBy(asc(timesheets.id))).map((s) => s.status);
    expect(statuses.filter((status) => status === 'approved')).toHaveLength(1);
    expect(toldDirectly(ADMIN)).toContain(OUR_FAULT_AFTER_A_CHANGE);
  });

  it('time logged from the log form over the timesheet, then the redraw fails: the DM says it was saved', async () => {
    const [period] = await h.database.db
      .select()
      .from(reportingPeriods)
      .where(eq(reportingPeriods.startsOn, '2026-11-01'));
    // Saved (on its own statement, or its transaction), then the timesheet's redraw reads and fails.
    dropConnection(
      (sql) => sql.includes('insert into "time_entries"') || sql.includes('insert into time_entries'),
      (sql) => sql.startsWith('select (select u.active from users u'),
    );
    await h.slack.viewSubmission({
      userId: ALICE,
      callbackId: ids.logModal.callbackId,
      viewId: 'VLOG',
      privateMetadata: JSON.stringify({
        source: 'modal',
        returnTo: { viewId: 'VSHEET', periodId: period!.id, page: 0 },
      }),
      values: {
        project: { project_select: { type: 'static_select', selected_option: { value: 'INTERNAL' } } },
        date: { date_pick: { type: 'datepicker', selected_date: '2026-11-20' } },
        duration: { duration_input: { type: 'plain_text_input', value: '1h' } },
        description: { description_input: { type: 'plain_text_input', value: 'team meeting' } },
        billable: { billable_check: { type: 'checkboxes', selected_options: [] } },
      },
    });
    await h.app.settled();
    expect(await h.database.db.select().from(timeEntries)).toHaveLength(1);
    expect(toldDirectly(ALICE)).toContain(OUR_FAULT_AFTER_A_CHANGE);
    expect(toldDirectly(ALICE)).not.toContain(OUR_FAULT);
  });

  it('a failure before anything committed still says nothing was saved', async () => {
    dropConnection(
      () => true,
      (sql) => sql.includes('insert into "time_entries"') || sql.includes('insert into time_entries'),
    );
    const answer = await command(ALICE, '/log', '9:00-10:00 INTERNAL 2026-11-20 range, through the transaction');
    await h.app.settled();
    expect(await h.database.db.select().from(timeEntries)).toHaveLength(0);
    expect(JSON.stringify(answer.body) + toldDirectly(ALICE)).toContain(OUR_FAULT);
  });
});

describe('a redraw Slack refuses', () => {
  type View = {
    private_metadata: string;
    blocks: { type: string; elements?: { action_id: string; value: string }[] }[];
  };

  it('a timesheet submitted from its modal: the consultant is told in a DM', async () => {
    await command(ALICE, '/log', '1h INTERNAL 2026-11-20 team meeting');
    await command(ALICE, '/timesheet');
    const view = (await h.fake.waitFor('views.open')).args.view as View;
    const submit = view.blocks
      .find((b) => b.type === 'actions')!
      .elements!.find((e) => e.action_id === ids.timesheet.submit)!;
    h.fake.reset();
    h.fake.failNext('views.update', { status: 429, retryAfterSeconds: 5 });
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.timesheet.submit,
      value: submit.value,
      container: {
        type: 'view',
        viewId: 'VSHEET',
        view: { callback_id: ids.timesheet.callbackId, private_metadata: view.private_metadata },
      },
    });
    await h.app.settled();
    expect((await h.database.db.select().from(timesheets)).map((s) => s.status)).toEqual(['submitted']);
    expect(toldDirectly(ALICE)).toContain('Submitted');
  });

  it('periods deleted from /admin: the administrator is told in a DM', async () => {
    const [period] = await h.database.db
      .insert(reportingPeriods)
      .values({ startsOn: '2027-04-01', endsOn: '2027-04-30' })
      .returning();
    h.fake.failNext('views.update', { status: 429, retryAfterSeconds: 5 });
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.deletePeriodsConfirm,
      privateMetadata: JSON.stringify({ periodIds: [period!.id], parentViewId: 'VPERIODS' }),
      values: {},
    });
    await h.app.settled();
    expect(await h.database.db.select().from(reportingPeriods).where(eq(reportingPeriods.id, period!.id))).toEqual([]);
    expect(toldDirectly(ADMIN)).toContain('Deleted 1 period');
  });
});
