/** /timesheet, its modal (paging, edit, delete, submit) and App Home, over HTTP against the fake Slack. */
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { employees, timeEntries, timesheets, users } from '../../src/db/schema.js';
import { silentLogger } from '../../src/logger.js';
import { importSetup } from '../../src/services/setup-import.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';
import { HOME_PUBLISH_INTERVAL_MS } from '../../src/services/outbox.js';

let h: AppHarness;
const ALICE = 'U01ALICE';

/** Loads a setup file as the command line does. */
const importFile = (yaml: string) =>
  importSetup(
    {
      db: h.database.db,
      actor: { kind: 'system', name: 'cli' },
      clock: h.clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    yaml,
  );

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-25T10:00:00Z', adminUserIds: ['U0ADMIN'] });
  h.fake.users.set(ALICE, { id: ALICE, real_name: 'Alice Doe', tz: 'Europe/Berlin' });
  const imported = await importFile(
    readFileSync(new URL('../fixtures/small-firm.yaml', import.meta.url), 'utf8') +
      '  - { starts: 2026-10-01, ends: 2026-10-31 }\n',
  );
  expect(imported.ok).toBe(true);
});
afterAll(async () => h.stop());
beforeEach(async () => {
  await h.app.settled();
  await h.database.db.delete(timeEntries);
  await h.database.db.delete(timesheets);
  h.fake.reset();
});

const log = (text: string) => h.slack.slashCommand({ command: '/log', text, userId: ALICE });
const timesheet = (text = '') => h.slack.slashCommand({ command: '/timesheet', text, userId: ALICE });
type View = { id?: string; private_metadata: string; blocks: Record<string, unknown>[] };
const lastView = (method: 'views.open' | 'views.update' | 'views.push') => {
  const calls = h.fake.callsTo(method);
  return calls[calls.length - 1]!.args.view as View;
};
const inModal = (viewId: string, view: View) => ({
  type: 'view' as const,
  viewId,
  view: { callback_id: ids.timesheet.callbackId, private_metadata: view.private_metadata, hash: 'h1' },
});

/** A timesheet modal's Submit button. */
const submitButton = (view: View) =>
  (view.blocks.find((b) => b.type === 'actions') as { elements: { action_id: string; value: string }[] }).elements.find(
    (e) => e.action_id === ids.timesheet.submit,
  )!;
/** Each sheet's status, by its consultant's user id. */
const sheetStatuses = () =>
  h.database.db
    .select({ status: timesheets.status, userId: employees.userId })
    .from(timesheets)
    .innerJoin(employees, eq(employees.id, timesheets.consultantId))
    .orderBy(employees.userId);

describe('/timesheet', () => {
  it('opens this period’s timesheet with entries by day, totals and Submit', async () => {
    await log('2h ACME-WEB design review');
    await log('nb 30m ACME-WEB yesterday internal sync');
    const response = await timesheet();
    expect(response.status).toBe(200);
    const view = await h.fake.waitFor('views.open');
    expectWithinSlackLimits('modal', view.args.view as object);
    const text = JSON.stringify(view.args.view);
    expect(text).toContain('Sun 1 Nov 2026 – Mon 30 Nov 2026');
    expect(text).toContain('*Total 2h 30m*\\n2h billable · 30m non-billable');
    expect(text).toContain('*Tue 24 Nov 2026* · 30m');
    expect(text).toContain('Submit timesheet');
  });

  it('moves to the previous period in place', async () => {
    await timesheet();
    const opened = lastView('views.open');
    const previous = (
      opened.blocks.find((b) => b.type === 'actions') as { elements: { action_id: string; value: string }[] }
    ).elements.find((e) => e.action_id === ids.timesheet.previous)!;
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.timesheet.previous,
      value: previous.value,
      container: inModal('VSHEET', opened),
    });
    const update = await h.fake.waitFor('views.update');
    expect(update.args).toMatchObject({ view_id: 'VSHEET', hash: 'h1' });
    expect(JSON.stringify(update.args.view)).toContain('Thu 1 Oct 2026 – Sat 31 Oct 2026');
  });

  it('submits from the modal: the sheet locks, the modal and App Home update, a second click changes nothing', async () => {
    await log('1h ACME-WEB ready');
    await timesheet();
    const opened = lastView('views.open');
    const submit = submitButton(opened);
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.timesheet.submit,
      value: submit.value,
      container: inModal('VSHEET', opened),
    });
    await h.app.settled();
    const [sheet] = await h.database.db.select().from(timesheets);
    expect(sheet).toMatchObject({ status: 'submitted', submittedBy: ALICE });
    expect(JSON.stringify(lastView('views.update'))).toContain('Submitted, waiting for approval');
    expect(await h.homeOf(ALICE)).toContain('submitted, waiting for approval');

    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.timesheet.submit,
      value: submit.value,
      container: inModal('VSHEET', opened),
    });
    await h.app.settled();
    expect(JSON.stringify(lastView('views.update'))).toContain('already submitted; nothing was changed');
    expect(await h.database.db.select().from(timesheets)).toHaveLength(1);
  });

  it('submits and opens the sheet a button showed, saying for whom, though App Home was switched meanwhile', async () => {
    const CAROL = 'U03CAROL';
    h.fake.users.set(CAROL, { id: CAROL, real_name: 'Carol Poe', tz: 'UTC' });
    const added = await importFile(
      `employees:
  - { user: ${CAROL}, name: Carol Poe, consultant: { cost_rate: '60.00', price_rate: '120.00' } }
projects:
  - { code: ACME-WEB, customer: ACME, name: Website relaunch, consultants: [{ user: ${ALICE}, price_rate: '150.00' }, { user: ${CAROL} }] }
users:
  - { user: ${ALICE}, roles: [Consultant], delegates: [U02BOB, ${CAROL}] }
  - { user: ${CAROL}, roles: [Consultant] }
`,
    );
    expect(added.ok).toBe(true);
    await log('30m ACME-WEB Alice’s own');
    await h.slack.slashCommand({ command: '/log', text: '1h ACME-WEB Carol’s own', userId: CAROL });
    await h.slack.slashCommand({ command: '/timesheet', text: '', userId: CAROL });
    const opened = lastView('views.open');
    expect(JSON.stringify(opened)).toContain('Carol’s own');
    const submit = submitButton(opened);
    // Carol switches App Home to act for Alice (on another device) before she clicks Submit.
    await h.database.db.update(users).set({ actingFor: ALICE }).where(eq(users.id, CAROL));
    try {
      await h.slack.blockAction({
        userId: CAROL,
        actionId: ids.timesheet.submit,
        value: submit.value,
        container: inModal('VCAROLSHEET', opened),
      });
      await h.app.settled();
      const sheets = await sheetStatuses();
      expect(sheets).toEqual([
        { status: 'open', userId: ALICE },
        { status: 'submitted', userId: CAROL },
      ]);
      // Alice's sheet, opened while acting for her, is submitted from its modal after Carol switched back, and says for whom.
      await h.slack.slashCommand({ command: '/timesheet', text: '', userId: CAROL });
      const alices = lastView('views.open');
      expect(JSON.stringify(alices)).toContain('Alice’s own');
      const submitAlices = submitButton(alices);
      await h.database.db.update(users).set({ actingFor: null }).where(eq(users.id, CAROL));
      await h.slack.blockAction({
        userId: CAROL,
        actionId: ids.timesheet.submit,
        value: submitAlices.value,
        container: inModal('VALICESHEET', alices),
      });
      await h.app.settled();
      expect(JSON.stringify(lastView('views.update'))).toContain('Acting for *Alice Doe*');
      const statuses = await sheetStatuses();
      expect(statuses).toEqual([
        { status: 'submitted', userId: ALICE },
        { status: 'submitted', userId: CAROL },
      ]);
      await h.database.db.update(users).set({ actingFor: ALICE }).where(eq(users.id, CAROL));

      // Her reminder's Open timesheet opens her own sheet too.
      const periodId = (JSON.parse(submit.value) as { periodId: number }).periodId;
      await h.slack.blockAction({
        userId: CAROL,
        actionId: ids.timesheet.open,
        value: JSON.stringify({ periodId, for: CAROL }),
      });
      await h.app.settled();
      expect(JSON.stringify(lastView('views.open'))).toContain('Carol’s own');
      expect(JSON.stringify(lastView('views.open'))).not.toContain('Alice’s own');
    } finally {
      await h.database.db.update(users).set({ actingFor: null }).where(eq(users.id, CAROL));
    }
  });

  it('edits an entry from the modal (stacked) and refreshes the timesheet after saving', async () => {
    await log('1h ACME-WEB first');
    await timesheet();
    const opened = lastView('views.open');
    const [entry] = await h.database.db.select().from(timeEntries);
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.timesheet.entryMenu,
      selectedOption: `edit:${entry!.id}`,
      container: inModal('VSHEET', opened),
    });
    const pushed = (await h.fake.waitFor('views.push')).args.view as View;
    expect(JSON.parse(pushed.private_metadata)).toMatchObject({
      entryId: entry!.id,
      returnTo: { viewId: 'VSHEET', page: 0 },
    });
    const values = {
      project: { project_select: { type: 'static_select', selected_option: { value: 'ACME-WEB' } } },
      date: { date_pick: { type: 'datepicker', selected_date: '2026-11-25' } },
      duration: { duration_input: { type: 'plain_text_input', value: '1h45m' } },
      description: { description_input: { type: 'plain_text_input', value: 'second' } },
      billable: { billable_check: { type: 'checkboxes', selected_options: [{ value: 'billable' }] } },
    };
    const saved = await h.slack.viewSubmission({
      userId: ALICE,
      callbackId: ids.logModal.callbackId,
      privateMetadata: pushed.private_metadata,
      values,
      viewId: 'VEDIT',
    });
    expect(saved.text).toBe('');
    await h.app.settled();
    expect(await h.database.db.select().from(timeEntries).where(eq(timeEntries.id, entry!.id))).toMatchObject([
      { minutes: 105, description: 'second' },
    ]);
    const refreshed = h.fake.callsTo('views.update').find((call) => call.args.view_id === 'VSHEET');
    expect(JSON.stringify(refreshed?.args.view)).toContain('second');
  });

  it('deletes an entry after a dialog that says exactly what goes', async () => {
    await log('45m ACME-WEB doomed');
    await timesheet();
    const opened = lastView('views.open');
    const [entry] = await h.database.db.select().from(timeEntries);
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.timesheet.entryMenu,
      selectedOption: `delete:${entry!.id}`,
      container: inModal('VSHEET', opened),
    });
    const dialog = (await h.fake.waitFor('views.push')).args.view as View;
    expect(JSON.stringify(dialog)).toContain('Delete *45m* on *ACME-WEB*, Wed 25 Nov 2026: doomed?');
    await h.slack.viewSubmission({
      userId: ALICE,
      callbackId: ids.timesheet.deleteConfirm,
      privateMetadata: dialog.private_metadata,
      values: {},
    });
    await h.app.settled();
    expect(await h.database.db.select().from(timeEntries)).toEqual([]);
    expect(
      JSON.stringify(h.fake.callsTo('views.update').find((call) => call.args.view_id === 'VSHEET')?.args.view),
    ).toContain('No time yet in this period');
  });

  it('`/timesheet submit` asks first when there is no time, then submits from the button', async () => {
    const asked = await timesheet('submit');
    expect(JSON.stringify(asked.body)).toContain('has no time. Submit it empty?');
    expect(await h.database.db.select().from(timesheets)).toEqual([]);
    const button = (asked.body as { blocks: { type: string; elements?: { value: string }[] }[] }).blocks.find(
      (b) => b.type === 'actions',
    )!.elements![0]!;
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.timesheet.submit,
      value: button.value,
      responseUrl: h.fake.responseUrl(),
      container: { type: 'message', channelId: 'DALICE', messageTs: '1.1' },
    });
    expect(JSON.stringify((await h.fake.waitFor('response_url')).args)).toContain(
      'Submitted your timesheet for Sun 1 Nov 2026 – Mon 30 Nov 2026 with no time',
    );
    expect(await h.database.db.select().from(timesheets)).toMatchObject([{ status: 'submitted' }]);
  });

  it('`/timesheet submit` with time submits at once; `/timesheet history` lists earlier periods; anything else gets help', async () => {
    await log('1h ACME-WEB 2026-10-20 october work');
    await log('2h ACME-WEB november work');
    expect(JSON.stringify((await timesheet('submit')).body)).toContain('with 2h in 1 entry');
    const history = await timesheet('history');
    expect(JSON.stringify(history.body)).toContain(
      'Thu 1 Oct 2026 – Sat 31 Oct 2026*\\n:pencil2: open, not submitted · 1h (1h billable)',
    );
    expect(JSON.stringify((await timesheet('frobnicate')).body)).toContain('/timesheet history');
  });
});

describe('App Home', () => {
  it('is published when opened, with this period and the last entries', async () => {
    await log('1h ACME-WEB home entry');
    // Every publish queued so far (this /log's, and one the previous test left in flight) is out
    // before the calls are cleared, so the one awaited below answers the opening.
    await h.homeOf(ALICE);
    h.fake.reset();
    // Opened a while later: a change within the publish interval would wait out the rest of it.
    h.clock.advance({ seconds: HOME_PUBLISH_INTERVAL_MS / 1000 });
    const response = await h.slack.event({ type: 'app_home_opened', user: ALICE, channel: 'DALICE', tab: 'home' });
    expect(response.status).toBe(200);
    // Others' App Homes may go out meanwhile (a DM about the sheet submitted earlier reached its managers).
    const published = await h.fake.waitFor('views.publish', (call) => call.args.user_id === ALICE);
    expectWithinSlackLimits('home', published.args.view as object);
    expect(JSON.stringify(published.args.view)).toContain('home entry');
    expect(JSON.stringify(published.args.view)).toContain('Globex: 40h of prepaid time left');
  });

  it('publishes a burst of changes right after a publish once, with all of them, when the publish interval has passed', async () => {
    await log('1h ACME-WEB first of the day');
    await h.homeOf(ALICE);
    const before = h.fake.publishedTo(ALICE).length;
    for (const text of ['burst one', 'burst two', 'burst three']) await log(`1h ACME-WEB ${text}`);
    await h.app.settled();
    await h.app.outbox.runOnce();
    expect(h.fake.publishedTo(ALICE)).toHaveLength(before);

    h.clock.advance({ seconds: HOME_PUBLISH_INTERVAL_MS / 1000 });
    await h.app.outbox.runOnce();
    const published = h.fake.publishedTo(ALICE);
    expect(published).toHaveLength(before + 1);
    for (const text of ['burst one', 'burst two', 'burst three'])
      expect(JSON.stringify(published.at(-1))).toContain(text);
  });

  it('welcomes someone who is not set up', async () => {
    await h.slack.event({ type: 'app_home_opened', user: 'U0STRANGER', channel: 'D9', tab: 'home' });
    const published = await h.fake.waitFor('views.publish', (call) => call.args.user_id === 'U0STRANGER');
    expect(JSON.stringify(published.args.view)).toContain('Welcome to ConsulTracker');
  });
});
