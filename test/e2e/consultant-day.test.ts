/**
 * A consultant's day over real HTTP: /log in every form of the issue, the log-time modal, Edit and
 * Undo, the message shortcut and the timer, against the fake Slack.
 */
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import {
  customers,
  delegates,
  employees,
  outbox,
  projectConsultants,
  projects,
  timeEntries,
  timers,
} from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { addConsultant, addUser } from '../support/fixtures.js';

let h: AppHarness;
const ALICE = 'U01ALICE';
const CAROL = 'U03CAROL';

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-25T10:00:00Z' });
  h.fake.users.set(ALICE, { id: ALICE, real_name: 'Alice Doe', tz: 'Europe/Berlin' });
  h.fake.users.set('U02BOB', { id: 'U02BOB', real_name: 'Bob Roe', tz: 'Europe/Berlin' });
  await importFixture(h, 'small-firm.yaml');
  // Carol consults on ACME-WEB too, with the entry right: only the ownership check keeps her off Alice's entries.
  h.fake.users.set(CAROL, { id: CAROL, real_name: 'Carol Poe', tz: 'Europe/Berlin' });
  await addUser(h.database.db, CAROL, { rights: ['entry'], name: 'Carol Poe' });
  const carol = await addConsultant(h.database.db, CAROL);
  const [web] = await h.database.db.select().from(projects).where(eq(projects.code, 'ACME-WEB'));
  await h.database.db.insert(projectConsultants).values({ projectId: web!.id, consultantId: carol });
});
afterAll(async () => h.stop());
beforeEach(async () => {
  // Work the previous test's requests still do after their acks must not land in this test.
  await h.app.settled();
  await h.database.db.delete(timeEntries);
  await h.database.db.delete(timers);
  // A refresh still queued was due at the previous test's clock, hours ahead of the one set below;
  // left pending, it would hold back this test's refreshes of the same App Home until then.
  await h.database.db.delete(outbox);
  h.fake.reset();
  h.clock.set('2026-11-25T10:00:00Z');
});

const entries = () => h.database.db.select().from(timeEntries).orderBy(timeEntries.id);
const log = (text: string, userId = ALICE, extra: { triggerId?: string } = {}) =>
  h.slack.slashCommand({ command: '/log', text, userId, ...extra });
const replyText = (response: { body: unknown }) => JSON.stringify(response.body);
const openedView = async () =>
  (await h.fake.waitFor('views.open')).args.view as {
    private_metadata: string;
    blocks: { block_id?: string; element?: Record<string, unknown> }[];
  };

/** Submits the log-time modal the way Slack sends its state. */
function submitLogModal(
  view: { private_metadata: string },
  fields: {
    project: string;
    date: string;
    duration?: string;
    begins?: string;
    ends?: string;
    description: string;
    billable?: boolean;
  },
  viewId = 'VLOG1',
  userId = ALICE,
) {
  return h.slack.viewSubmission({
    userId,
    callbackId: ids.logModal.callbackId,
    viewId,
    privateMetadata: view.private_metadata,
    values: {
      project: { project_select: { type: 'static_select', selected_option: { value: fields.project } } },
      date: { date_pick: { type: 'datepicker', selected_date: fields.date } },
      begins: { begins_pick: { type: 'timepicker', selected_time: fields.begins ?? null } },
      ends: { ends_pick: { type: 'timepicker', selected_time: fields.ends ?? null } },
      duration: { duration_input: { type: 'plain_text_input', value: fields.duration ?? null } },
      description: { description_input: { type: 'plain_text_input', value: fields.description } },
      billable: {
        billable_check: {
          type: 'checkboxes',
          selected_options: fields.billable === false ? [] : [{ value: 'billable' }],
        },
      },
    },
  });
}

describe('/log with text', () => {
  it.each([
    [
      '2h30m ACME-WEB design review',
      { workDate: '2026-11-25', minutes: 150, description: 'design review', billable: true, source: 'command' },
    ],
    ['1.5h acme-web yesterday fixed login', { workDate: '2026-11-24', minutes: 90, description: 'fixed login' }],
    [
      '9:00-11:30 ACME-WEB 2026-11-20 workshop',
      { workDate: '2026-11-20', minutes: 150, beginsAt: '09:00:00', endsAt: '11:30:00', description: 'workshop' },
    ],
    [
      'meeting 45m GLOBEX-OPS kickoff call',
      { workDate: '2026-11-25', minutes: 45, source: 'meeting', description: 'kickoff call' },
    ],
    [
      'nb 2h ACME-WEB mon internal training',
      { workDate: '2026-11-23', minutes: 120, billable: false, description: 'internal training' },
    ],
  ])('`/log %s` saves it and confirms with Edit and Undo', async (text, expected) => {
    const response = await log(text);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ response_type: 'ephemeral' });
    const [saved] = await entries();
    expect(saved).toMatchObject(expected);
    const buttons = (
      response.body as { blocks: { type: string; elements?: { action_id: string; value: string }[] }[] }
    ).blocks.find((b) => b.type === 'actions')?.elements;
    expect(buttons?.map((b) => [b.action_id, b.value])).toEqual([
      [ids.entry.edit, String(saved!.id)],
      [ids.entry.undo, String(saved!.id)],
    ]);
  });

  it('shows the prepaid hours left for a prepaid customer, and a calendar for a meeting', async () => {
    const response = await log('meeting 45m GLOBEX-OPS kickoff call');
    expect(replyText(response)).toContain(':calendar:');
    expect(replyText(response)).toContain('Globex: 40h of prepaid time left');
  });

  it('answers an unknown project with the closest codes the consultant may use, writing nothing', async () => {
    const response = await log('2h ACME-WBE design review');
    expect(replyText(response)).toMatch(/There is no project `ACME-WBE`. Did you mean `ACME-WEB`/);
    expect(await entries()).toHaveLength(0);
  });

  it('refuses an ambiguous date with a hint to use ISO', async () => {
    const response = await log('2h ACME-WEB 20/11 design review');
    expect(replyText(response)).toMatch(/ambiguous|YYYY-MM-DD|2026-11-20/i);
    expect(await entries()).toHaveLength(0);
  });

  it('saves a command Slack retries only once', async () => {
    const triggerId = 'retry.trigger.1';
    await log('1h ACME-WEB once', ALICE, { triggerId });
    const again = await h.slack.slashCommand(
      { command: '/log', text: '1h ACME-WEB once', userId: ALICE, triggerId },
      { retryNum: 1 },
    );
    expect(again.status).toBe(200);
    expect(await entries()).toHaveLength(1);
  });
});

describe('the log-time modal', () => {
  it('opens on /log alone with the consultant’s projects and today, saves on submit, and confirms', async () => {
    const response = await log('');
    expect(response.status).toBe(200);
    const view = await openedView();
    expect(JSON.stringify(view)).toContain('ACME-WEB · Website relaunch (Acme Corp)');
    expect(JSON.stringify(view)).toContain('"initial_date":"2026-11-25"');

    const submitted = await submitLogModal(view, {
      project: 'ACME-WEB',
      date: '2026-11-24',
      begins: '13:15',
      ends: '14:00',
      description: 'pairing',
      billable: false,
    });
    expect(submitted.status).toBe(200);
    expect(submitted.text).toBe('');
    expect(await entries()).toMatchObject([
      { workDate: '2026-11-24', minutes: 45, billable: false, source: 'modal', beginsAt: '13:15:00' },
    ]);
    const confirmation = await h.fake.waitFor('response_url');
    expect(JSON.stringify(confirmation.args)).toContain('Logged *45m* on *ACME-WEB*');

    // Slack delivering the same submission twice saves nothing more.
    await submitLogModal(view, {
      project: 'ACME-WEB',
      date: '2026-11-24',
      begins: '13:15',
      ends: '14:00',
      description: 'pairing',
      billable: false,
    });
    expect(await entries()).toHaveLength(1);
  });

  it('shows what is wrong inline, on the field, and saves nothing', async () => {
    await log('');
    const view = await openedView();
    const future = await submitLogModal(view, {
      project: 'ACME-WEB',
      date: '2026-11-27',
      duration: '1h',
      description: 'later',
    });
    expect(future.body).toMatchObject({
      response_action: 'errors',
      errors: { date: expect.stringMatching(/in the future/) },
    });
    const bad = await submitLogModal(view, {
      project: 'ACME-WEB',
      date: '2026-11-25',
      duration: 'an hour',
      description: 'x',
    });
    expect(bad.body).toMatchObject({
      response_action: 'errors',
      errors: { duration: expect.stringMatching(/not a duration/) },
    });
    expect(await entries()).toHaveLength(0);
  });

  it('opens from the message shortcut with the message as the description', async () => {
    const response = await h.slack.messageShortcut({
      userId: ALICE,
      callbackId: ids.shortcut.logMessage,
      channelId: 'C0GENERAL',
      message: { ts: '1700000000.000100', text: 'Can you look at &lt;the bug&gt; for <@U02BOB>?' },
    });
    expect(response.status).toBe(200);
    const view = await openedView();
    const description = view.blocks.find((block) => block.block_id === 'description');
    expect(description?.element?.initial_value).toBe('Can you look at <the bug> for @U02BOB?');
    await submitLogModal(
      view,
      {
        project: 'ACME-WEB',
        date: '2026-11-25',
        duration: '20m',
        description: 'Can you look at <the bug> for @U02BOB?',
      },
      'VSHORT',
    );
    expect(await entries()).toMatchObject([{ source: 'shortcut', minutes: 20 }]);
  });
});

describe('logging for someone else', () => {
  it('a delegate who logs no time of their own gets the principal’s form, and the entry records both', async () => {
    await h.slack.slashCommand({ command: '/log', text: '', userId: 'U02BOB' });
    const view = await openedView();
    expect(JSON.parse(view.private_metadata)).toMatchObject({ forUserId: ALICE });
    const response = await h.slack.viewSubmission({
      userId: 'U02BOB',
      callbackId: ids.logModal.callbackId,
      viewId: 'VBOB',
      privateMetadata: view.private_metadata,
      values: {
        project: { project_select: { type: 'static_select', selected_option: { value: 'ACME-WEB' } } },
        date: { date_pick: { type: 'datepicker', selected_date: '2026-11-25' } },
        duration: { duration_input: { type: 'plain_text_input', value: '1h' } },
        description: { description_input: { type: 'plain_text_input', value: 'entered by Bob' } },
        billable: { billable_check: { type: 'checkboxes', selected_options: [{ value: 'billable' }] } },
      },
    });
    expect(response.text).toBe('');
    expect(await entries()).toMatchObject([{ createdBy: 'U02BOB', actingFor: ALICE, description: 'entered by Bob' }]);
  });
  it('the "log for" picker: a delegate with time of their own switches the form to the principal’s projects', async () => {
    await h.database.db.insert(delegates).values({ principalId: ALICE, delegateId: CAROL });
    try {
      await log('', CAROL);
      const view = await openedView();
      const picker = view.blocks.find((block) => block.block_id === ids.logModal.logFor.block);
      expect(JSON.stringify(picker?.element)).toContain(ALICE);
      expect(JSON.parse(view.private_metadata)).toMatchObject({ forUserId: CAROL });
      expect(JSON.stringify(view.blocks)).not.toContain('GLOBEX-OPS');

      const pick = (userId: string) =>
        h.slack.blockAction({
          userId: CAROL,
          actionId: ids.logModal.logFor.action,
          blockId: ids.logModal.logFor.block,
          selectedOption: userId,
          container: { type: 'view', viewId: 'VCAROLLOG', view: { private_metadata: view.private_metadata } },
        });
      await pick(ALICE);
      const reloaded = (await h.fake.waitFor('views.update')).args as {
        view_id: string;
        view: { private_metadata: string; blocks: unknown[] };
      };
      expect(reloaded.view_id).toBe('VCAROLLOG');
      expect(JSON.parse(reloaded.view.private_metadata)).toMatchObject({ forUserId: ALICE });
      // Alice's projects now: GLOBEX-OPS is hers, not Carol's.
      expect(JSON.stringify(reloaded.view.blocks)).toContain('GLOBEX-OPS');
      await submitLogModal(
        reloaded.view,
        { project: 'GLOBEX-OPS', date: '2026-11-25', duration: '45m', description: 'for Alice' },
        'VCAROLLOG',
        CAROL,
      );
      expect(await entries()).toMatchObject([
        { createdBy: CAROL, actingFor: ALICE, minutes: 45, description: 'for Alice' },
      ]);

      // Someone she does not stand in for is refused, and the form stays as it was.
      const updates = h.fake.callsTo('views.update').length;
      await pick('U02BOB');
      const refusal = await h.fake.waitFor(
        'chat.postMessage',
        (call) => call.args.channel === CAROL && String(call.args.text).includes('not a delegate'),
      );
      expect(String(refusal.args.text)).toContain('You are not a delegate of Bob Roe');
      expect(h.fake.callsTo('views.update')).toHaveLength(updates);
      await h.app.settled();
    } finally {
      await h.database.db.delete(delegates).where(eq(delegates.delegateId, CAROL));
    }
  });
});

describe('Edit and Undo on the confirmation', () => {
  it('Edit opens the modal prefilled and replaces the confirmation with the updated entry', async () => {
    const logged = await log('2h ACME-WEB first draft');
    const [entry] = await entries();
    const responseUrl = h.fake.responseUrl();
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.entry.edit,
      value: String(entry!.id),
      container: { type: 'message', channelId: 'DALICE', messageTs: '1.1' },
      responseUrl,
    });
    const view = await openedView();
    expect(JSON.stringify(view)).toContain('"initial_value":"2h"');
    expect(JSON.stringify(view)).toContain('"initial_value":"first draft"');
    expect(logged.status).toBe(200);

    await submitLogModal(
      view,
      { project: 'GLOBEX-OPS', date: '2026-11-25', duration: '2h15m', description: 'final draft' },
      'VEDIT',
    );
    expect(await entries()).toMatchObject([{ id: entry!.id, minutes: 135, description: 'final draft' }]);
    const replaced = await h.fake.waitFor('response_url', (call) =>
      String(call.args.url).endsWith(responseUrl.split('/').pop()!),
    );
    expect(replaced.args).toMatchObject({ replace_original: true });
    expect(JSON.stringify(replaced.args)).toContain('Updated *2h 15m* on *GLOBEX-OPS*');
  });

  it('Undo deletes the entry and says so in place; pressing it again changes nothing', async () => {
    await log('30m ACME-WEB oops');
    const [entry] = await entries();
    const press = () =>
      h.slack.blockAction({
        userId: ALICE,
        actionId: ids.entry.undo,
        value: String(entry!.id),
        container: { type: 'message', channelId: 'DALICE', messageTs: '1.2' },
        responseUrl: h.fake.responseUrl(),
      });
    expect((await press()).status).toBe(200);
    await h.app.settled(); // buttons are acked first, then handled
    expect(await entries()).toHaveLength(0);
    expect(JSON.stringify((await h.fake.waitFor('response_url')).args)).toContain('Deleted 30m on ACME-WEB');
    h.fake.reset();
    await press();
    expect(JSON.stringify((await h.fake.waitFor('response_url')).args)).toContain('no longer exists');
  });

  it('Undo whose response_url drops the connection says Deleted in a DM instead', async () => {
    await log('30m ACME-WEB dropped reply');
    const [entry] = await entries();
    h.fake.reset();
    h.fake.failNext('response_url', { reset: true });
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.entry.undo,
      value: String(entry!.id),
      container: { type: 'message', channelId: 'DALICE', messageTs: '1.2' },
      responseUrl: h.fake.responseUrl(),
    });
    await h.app.settled();
    expect(await entries()).toHaveLength(0);
    const dm = h.fake.callsTo('chat.postMessage').filter((call) => call.args.channel === ALICE);
    expect(JSON.stringify(dm)).toContain('Deleted 30m on ACME-WEB');
  });

  it('nobody else can undo or edit Alice’s entry, not even a consultant on the same project', async () => {
    await log('30m ACME-WEB mine');
    const [entry] = await entries();
    const press = async (actionId: string) => {
      const responseUrl = h.fake.responseUrl();
      await h.slack.blockAction({
        userId: CAROL,
        actionId,
        value: String(entry!.id),
        responseUrl,
        container: { type: 'message', channelId: 'DCAROL', messageTs: '1.3' },
      });
      const reply = await h.fake.waitFor('response_url', (call) =>
        String(call.args.url).endsWith(responseUrl.split('/').pop()!),
      );
      return JSON.stringify(reply.args);
    };
    expect(await press(ids.entry.undo)).toContain('You can only delete your own entries');
    expect(await press(ids.entry.edit)).toContain('You can only change your own entries');
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
    // A modal submission naming her entry (as if the Edit had opened) is refused as well.
    await submitLogModal(
      { private_metadata: JSON.stringify({ source: 'modal', entryId: entry!.id }) },
      { project: 'ACME-WEB', date: '2026-11-25', duration: '8h', description: 'taken over' },
      'VCAROL',
      CAROL,
    );
    await h.app.settled();
    expect(await entries()).toMatchObject([{ id: entry!.id, minutes: 30, description: 'mine' }]);
  });
});

describe('the timer', () => {
  it('starts with /log start and saves the elapsed time with /log stop', async () => {
    const started = await log('start ACME-WEB standup');
    expect(replyText(started)).toContain('Timer running on *ACME-WEB*');
    expect(replyText(started)).toContain(ids.timer.stop);
    h.clock.advance({ minutes: 25 });
    const stopped = await log('stop');
    expect(replyText(stopped)).toContain('Logged *25m* on *ACME-WEB*');
    expect(await entries()).toMatchObject([
      { minutes: 25, source: 'timer', description: 'standup', workDate: '2026-11-25' },
    ]);
  });

  it('starting another timer saves the first; the Stop button saves the second', async () => {
    await log('start ACME-WEB review');
    h.clock.advance({ minutes: 40 });
    const second = await log('start GLOBEX-OPS ops call');
    expect(replyText(second)).toContain('Logged *40m* on *ACME-WEB*');
    h.clock.advance({ minutes: 10 });
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.timer.stop,
      value: 'stop',
      responseUrl: h.fake.responseUrl(),
      container: { type: 'message', channelId: 'DALICE', messageTs: '1.4' },
    });
    expect(JSON.stringify((await h.fake.waitFor('response_url')).args)).toContain('Logged *10m* on *GLOBEX-OPS*');
    expect((await entries()).map((e) => e.minutes)).toEqual([40, 10]);
  });

  it('asks before saving more than 10 hours, then saves what the user chose', async () => {
    await log('start ACME-WEB forgot to stop');
    h.clock.advance({ hours: 12 });
    const asked = await log('stop');
    expect(replyText(asked)).toContain('has run *12h*');
    expect(await entries()).toHaveLength(0);
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.timer.saveTenHours,
      value: 'ten-hours',
      responseUrl: h.fake.responseUrl(),
      container: { type: 'message', channelId: 'DALICE', messageTs: '1.5' },
    });
    await h.fake.waitFor('response_url');
    expect(await entries()).toMatchObject([{ minutes: 600, source: 'timer' }]);
    expect(await h.database.db.select().from(timers).where(eq(timers.userId, ALICE))).toHaveLength(0);
  });

  it('Discard on the long-timer question throws the timer away and saves nothing; a second Discard says there is none', async () => {
    await log('start ACME-WEB forgot again');
    h.clock.advance({ hours: 11 });
    expect(replyText(await log('stop'))).toContain(ids.timer.discard);
    const discard = async () => {
      const responseUrl = h.fake.responseUrl();
      await h.slack.blockAction({
        userId: ALICE,
        actionId: ids.timer.discard,
        value: 'discard',
        responseUrl,
        container: { type: 'message', channelId: 'DALICE', messageTs: '1.6' },
      });
      const reply = await h.fake.waitFor('response_url', (call) =>
        String(call.args.url).endsWith(responseUrl.split('/').pop()!),
      );
      return JSON.stringify(reply.args);
    };
    expect(await discard()).toContain('Discarded the timer on ACME-WEB (11h); nothing was saved.');
    expect(await entries()).toEqual([]);
    expect(await h.database.db.select().from(timers).where(eq(timers.userId, ALICE))).toEqual([]);
    expect(await discard()).toContain(':warning:');
  });
});

describe('App Home follows every change', () => {
  it('republishes the home after a /log', async () => {
    await log('1h ACME-WEB home check');
    const published = await h.fake.waitFor(
      'views.publish',
      (call) => call.args.user_id === ALICE && JSON.stringify(call.args.view).includes('home check'),
    );
    expect(JSON.stringify(published.args.view)).toContain('1h logged (1h billable) · open');
  });
});

// Last in this file: it gives Alice more projects than a menu holds, and takes them away again.
describe('a consultant on more than 100 projects', () => {
  it('gets a project search in the modal that answers what she types', async () => {
    const { db } = h.database;
    const [alice] = await db.select().from(employees).where(eq(employees.userId, ALICE));
    const [acme] = await db.select().from(customers).where(eq(customers.code, 'ACME'));
    const added = await db
      .insert(projects)
      .values(
        Array.from({ length: 101 }, (_, i) => ({
          code: `MANY-${String(i).padStart(3, '0')}`,
          name: i === 77 ? 'Lighthouse audit' : `Stream ${i}`,
          customerId: acme!.id,
        })),
      )
      .returning();
    await db.insert(projectConsultants).values(added.map((p) => ({ projectId: p.id, consultantId: alice!.id })));
    try {
      await log('');
      const view = await openedView();
      expect(JSON.stringify(view)).toContain('"type":"external_select"');
      const found = await h.slack.blockSuggestion({
        userId: ALICE,
        actionId: ids.logModal.project.action,
        blockId: ids.logModal.project.block,
        value: 'lighthouse',
        view: { id: 'VLOG1', callback_id: ids.logModal.callbackId, private_metadata: view.private_metadata },
      });
      expect(found.body).toMatchObject({
        options: [{ text: { text: expect.stringContaining('MANY-077 · Lighthouse audit') }, value: 'MANY-077' }],
      });
    } finally {
      await db.delete(projects).where(
        inArray(
          projects.id,
          added.map((p) => p.id),
        ),
      );
    }
  });
});

describe('the log form on the night the clocks go back', () => {
  it('takes the duration the range really lasted and names the one it did not, on the duration field', async () => {
    const night = await startAppHarness({ now: '2026-11-02T15:00:00Z' });
    try {
      night.fake.users.set(ALICE, { id: ALICE, real_name: 'Alice Doe', tz: 'America/New_York' });
      await importFixture(night, 'small-firm.yaml');
      const submit = (duration: string, description: string) =>
        night.slack.viewSubmission({
          userId: ALICE,
          callbackId: ids.logModal.callbackId,
          viewId: `V${description}`,
          privateMetadata: JSON.stringify({ source: 'modal' }),
          values: {
            project: { project_select: { type: 'static_select', selected_option: { value: 'ACME-WEB' } } },
            date: { date_pick: { type: 'datepicker', selected_date: '2026-11-01' } },
            begins: { begins_pick: { type: 'timepicker', selected_time: '00:30' } },
            ends: { ends_pick: { type: 'timepicker', selected_time: '02:30' } },
            duration: { duration_input: { type: 'plain_text_input', value: duration } },
            description: { description_input: { type: 'plain_text_input', value: description } },
            billable: { billable_check: { type: 'checkboxes', selected_options: [{ value: 'billable' }] } },
          },
        });
      // 00:30 to 02:30 in New York that night is three hours: 01:00 to 02:00 came twice.
      expect((await submit('2h', 'clock span')).body).toEqual({
        response_action: 'errors',
        errors: {
          duration:
            '2h does not match 00:30–02:30 (3h, the clocks changed that night). Clear the duration or fix the times.',
        },
      });
      expect((await submit('3h', 'real time')).text).toBe('');
      await night.app.settled();
      const saved = await night.database.db
        .select({ description: timeEntries.description, minutes: timeEntries.minutes })
        .from(timeEntries);
      expect(saved).toEqual([{ description: 'real time', minutes: 180 }]);
    } finally {
      await night.stop();
    }
  });
});
