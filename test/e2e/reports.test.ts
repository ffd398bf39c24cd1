/**
 * /report and the Reports form over HTTP against the fake Slack: the ack, the files arriving in one
 * message, joining a public channel, falling back to the asker's DM, and every refusal or failure
 * reaching the asker.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { customers, projects } from '../../src/db/schema.js';
import { readSettings } from '../../src/services/settings.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import type { SlackCall } from '../support/fake-slack.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';
import { seedReportFirm } from '../support/report-firm.js';

let h: AppHarness;
const FINANCE = 'UFINANCE';

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-12-05T09:00:00Z' });
  await seedReportFirm(h.database.db);
  for (const [id, name] of [
    [FINANCE, 'Fiona Finance'],
    ['UADMIN', 'Ada Admin'],
    ['UPAYABLE', 'Paul Payable'],
  ] as const)
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  h.fake.conversations.set('C0PUBLIC', { kind: 'public', appIsMember: false });
  h.fake.conversations.set('C0SECRET', { kind: 'private', appIsMember: false });
  h.fake.conversations.set('D0PEOPLE', { kind: 'people-dm', appIsMember: false });
});
afterAll(async () => h.stop());
beforeEach(() => h.fake.reset());

const ackText = (response: { body: unknown }) => (response.body as { text?: string }).text ?? '';
const report = (text: string, channelId: string, userId = FINANCE) =>
  h.slack.slashCommand({ command: '/report', text, userId, channelId });
/** The ephemeral follow-up sent to the command's response_url. */
const followUp = (): Promise<SlackCall> => h.fake.waitFor('response_url');
const sharedIn = (conversation: string) => (h.fake.messages.get(conversation) ?? []).filter((m) => m.files);

describe('/report', () => {
  it('acks at once, joins the public channel, and posts the PDF and CSV in one message with a comment', async () => {
    const response = await report('ar detail 2026-11-01 customer:ACME', 'C0PUBLIC');
    expect(ackText(response)).toBe('Building the AR detail for 1–15 Nov 2026…');
    expect((await followUp()).args.text).toBe(
      'Posted the AR detail for 1–15 Nov 2026 (ar-detail-2026-11-01.pdf and ar-detail-2026-11-01.csv) in <#C0PUBLIC>.',
    );
    expect(h.fake.callsTo('conversations.join').map((c) => c.args.channel)).toEqual(['C0PUBLIC']);
    expect(h.fake.callsTo('files.completeUploadExternal')).toHaveLength(1);
    const [message] = sharedIn('C0PUBLIC');
    expect(message!.files).toHaveLength(2);
    expect(message!.text).toBe(
      '*AR detail* for 1–15 Nov 2026, asked for by <@UFINANCE>\n> Approved billable time matching all of:\n> Customers: ACME (Acme Corp)',
    );
    const [pdf, csv] = message!.files!.map((f) => h.fake.uploads.get(f.id)!);
    expect(pdf!.filename).toBe('ar-detail-2026-11-01.pdf');
    expect(pdf!.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(csv!.filename).toBe('ar-detail-2026-11-01.csv');
    expect(csv!.bytes.toString('utf8')).toMatch(/^\uFEFFentry_id,date,customer_code,.*\r\n.*,ACME,Acme Corp,ACME-APP,/);
    expect(csv!.bytes.toString('utf8').trim().split('\r\n')).toHaveLength(4);
  });

  it('typed in a direct message between people, the files go to the asker’s DM and the reply says so', async () => {
    await report('ap summary 2026-11-01 consultant:<@U01ALICE|alice>', 'D0PEOPLE');
    expect((await followUp()).args.text).toContain('I cannot post in that conversation');
    const [message] = sharedIn(`D${FINANCE}`);
    expect(message!.files!.map((f) => f.title)).toEqual([
      'Accounts Payable — Summary · 1–15 Nov 2026',
      'Accounts Payable — Summary · 1–15 Nov 2026 (CSV)',
    ]);
    expect(message!.text).toContain('Consultants: Alice Doe');
    expect(sharedIn('D0PEOPLE')).toEqual([]);
  });

  it('in a private channel the app is not in, it cannot join: the files go to the asker’s DM', async () => {
    await report('ar summary 2026-11-01', 'C0SECRET');
    expect((await followUp()).args.text).toContain('I cannot post in that conversation');
    expect(sharedIn('C0SECRET')).toEqual([]);
    expect(sharedIn(`D${FINANCE}`)).toHaveLength(1);
  });

  it('refuses without the right, naming it, and builds nothing', async () => {
    const response = await report('ar summary 2026-11-01', 'C0PUBLIC', 'UPAYABLE');
    expect(ackText(response)).toContain('You do not have the Accounts Receivable reports right');
    expect(h.fake.callsTo('files.getUploadURLExternal')).toEqual([]);
  });

  it('an unknown code gets suggestions; bad text gets the usage', async () => {
    expect(ackText(await report('ar summary customer:ACM', 'C0PUBLIC'))).toContain(
      'There is no customer `ACM`. Did you mean `ACME`',
    );
    expect(ackText(await report('ar sumary', 'C0PUBLIC'))).toContain('I did not understand “sumary”');
  });

  it('nothing matching: says so and posts no file', async () => {
    await report('ar detail 2026-11-16', 'C0PUBLIC');
    expect((await followUp()).args.text).toBe(
      'No approved billable time matches the AR detail for 16–30 Nov 2026, so nothing was posted.',
    );
    expect(h.fake.callsTo('files.getUploadURLExternal')).toEqual([]);
  });

  it('an upload Slack refuses reaches the asker', async () => {
    h.fake.failNext('files.completeUploadExternal', { error: 'internal_error' });
    await report('ar summary 2026-11-01', 'C0PUBLIC');
    expect((await followUp()).args.text).toContain('could not be built or posted (internal_error)');
  });
});

describe('the Reports form', () => {
  it('/report alone opens it; submitting posts the chosen report where asked', async () => {
    await report('', 'C0PUBLIC');
    const modal = (await h.fake.waitFor('views.open')).args.view as {
      callback_id: string;
      blocks: { block_id?: string }[];
    };
    expectWithinSlackLimits('modal', modal);
    expect(modal.callback_id).toBe(ids.reports.modal);
    expect(modal.blocks.map((b) => b.block_id)).toEqual([
      ids.reports.kind.block,
      ids.reports.level.block,
      ids.reports.periods.block,
      ids.reports.customers.block,
      ids.reports.projects.block,
      ids.reports.consultants.block,
      ids.reports.channel.block,
    ]);
    const r = ids.reports;
    const submitted = await h.slack.viewSubmission({
      userId: FINANCE,
      callbackId: r.modal,
      values: {
        [r.kind.block]: { [r.kind.action]: { type: 'radio_buttons', selected_option: { value: 'ap' } } },
        [r.level.block]: { [r.level.action]: { type: 'radio_buttons', selected_option: { value: 'detail' } } },
        [r.periods.block]: {
          [r.periods.action]: { type: 'multi_static_select', selected_options: [{ value: '2026-11-01' }] },
        },
        [r.projects.block]: {
          [r.projects.action]: { type: 'multi_static_select', selected_options: [{ value: 'KW-AUDIT' }] },
        },
        [r.channel.block]: { [r.channel.action]: { type: 'conversations_select', selected_conversation: 'C0PUBLIC' } },
      },
    });
    expect(submitted.body).toMatchObject({ response_action: 'update' });
    await h.fake.waitFor('files.completeUploadExternal');
    const [message] = sharedIn('C0PUBLIC');
    const csv = h.fake.uploads.get(message!.files![1]!.id)!.bytes.toString('utf8');
    expect(
      csv
        .trim()
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(',').slice(5, 6)[0]),
    ).toEqual(['KW-AUDIT']);
  });

  it('shows a refusal under the field it is about', async () => {
    const r = ids.reports;
    const submitted = await h.slack.viewSubmission({
      userId: FINANCE,
      callbackId: r.modal,
      values: {
        [r.kind.block]: { [r.kind.action]: { type: 'radio_buttons', selected_option: { value: 'ar' } } },
        [r.level.block]: { [r.level.action]: { type: 'radio_buttons', selected_option: { value: 'summary' } } },
        [r.periods.block]: {
          [r.periods.action]: { type: 'multi_static_select', selected_options: [{ value: '2026-11-02' }] },
        },
      },
    });
    expect(submitted.body).toMatchObject({
      response_action: 'errors',
      errors: { [r.periods.block]: expect.stringContaining('No reporting period starts on 2026-11-02') },
    });
  });
});

describe('where the Reports button is', () => {
  type Button = { action_id?: string; elements?: Button[]; accessory?: Button };
  const buttonsOf = (view: unknown) =>
    ((view as { blocks: Button[] }).blocks ?? [])
      .flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])])
      .map((e) => e.action_id);

  it('/admin shows a finance person only Reports, and pushes the form from there', async () => {
    await h.slack.slashCommand({ command: '/admin', text: '', userId: FINANCE });
    const home = (await h.fake.waitFor('views.open')).args.view;
    expect(buttonsOf(home)).toEqual([ids.reports.open]);
    await h.slack.blockAction({
      userId: FINANCE,
      actionId: ids.reports.open,
      container: { type: 'view', viewId: 'V0ADMIN' },
    });
    expect(((await h.fake.waitFor('views.push')).args.view as { callback_id: string }).callback_id).toBe(
      ids.reports.modal,
    );
  });

  it('App Home has a Reports button for holders of a report right, and none for others', async () => {
    const publishedTo = async (userId: string) =>
      (await h.fake.waitFor('views.publish', (call) => call.args.user_id === userId)).args.view;
    await h.slack.event({ type: 'app_home_opened', user: 'UPAYABLE', tab: 'home' });
    expect(buttonsOf(await publishedTo('UPAYABLE'))).toContain(ids.reports.open);
    h.fake.reset();
    await h.slack.event({ type: 'app_home_opened', user: 'UADMIN', tab: 'home' });
    expect(buttonsOf(await publishedTo('UADMIN'))).not.toContain(ids.reports.open);
  });

  it('an AP-only person’s form offers only the AP report', async () => {
    await report('', 'C0PUBLIC', 'UPAYABLE');
    const form = (await h.fake.waitFor('views.open')).args.view as {
      blocks: { block_id?: string; element?: { options?: { value: string }[] } }[];
    };
    expect(
      form.blocks.find((b) => b.block_id === ids.reports.kind.block)!.element!.options!.map((o) => o.value),
    ).toEqual(['ap']);
  });
});

describe('/admin > Settings', () => {
  it('an admin saves the firm name, trimmed; someone without the administration right is refused', async () => {
    await h.slack.blockAction({
      userId: 'UADMIN',
      actionId: ids.admin.openSettings,
      container: { type: 'view', viewId: 'V0HOME' },
    });
    const form = (await h.fake.waitFor('views.push')).args.view as { callback_id: string };
    expect(form.callback_id).toBe(ids.admin.settingsModal);
    const saved = await h.slack.viewSubmission({
      userId: 'UADMIN',
      callbackId: ids.admin.settingsModal,
      values: { firm_name: { firm_name: { type: 'plain_text_input', value: '  Doe & Partners  ' } } },
    });
    expect(saved.status).toBe(200);
    expect((await readSettings(h.database.db)).firm_name).toBe('Doe & Partners');
    const refused = await h.slack.viewSubmission({
      userId: FINANCE,
      callbackId: ids.admin.settingsModal,
      values: { firm_name: { firm_name: { type: 'plain_text_input', value: 'Not mine' } } },
    });
    expect(refused.body).toMatchObject({
      response_action: 'errors',
      errors: { firm_name: expect.stringContaining('administration right') },
    });
  });
});

describe('past 100 choices', () => {
  it('the projects menu searches as you type', async () => {
    const [acme] = await h.database.db.select().from(customers).where(eq(customers.code, 'ACME'));
    await h.database.db
      .insert(projects)
      .values(
        Array.from({ length: 101 }, (_, i) => ({ code: `BULK-${i}`, name: `Bulk project ${i}`, customerId: acme!.id })),
      );
    await report('', 'C0PUBLIC');
    const form = (await h.fake.waitFor('views.open')).args.view as {
      blocks: { block_id?: string; element?: { type: string } }[];
    };
    expect(form.blocks.find((b) => b.block_id === ids.reports.projects.block)!.element!.type).toBe(
      'multi_external_select',
    );
    const answer = await h.slack.blockSuggestion({
      userId: FINANCE,
      actionId: ids.reports.projects.action,
      blockId: ids.reports.projects.block,
      value: 'bulk project 10',
      view: { id: 'V0REPORTS', callback_id: ids.reports.modal },
    });
    expect((answer.body as { options: { value: string }[] }).options.map((o) => o.value)).toEqual([
      'BULK-10',
      'BULK-100',
    ]);
  });
});

describe('the Reports form refusing', () => {
  const r = ids.reports;
  const radio = (value: string) => ({ type: 'radio_buttons', selected_option: value ? { value } : null });
  const submit = (values: Record<string, Record<string, unknown>>, userId = FINANCE) =>
    h.slack.viewSubmission({ userId, callbackId: r.modal, values });
  const november = {
    [r.periods.block]: {
      [r.periods.action]: { type: 'multi_static_select', selected_options: [{ value: '2026-11-01' }] },
    },
  };

  it('/report alone tells someone with neither report right that they lack it, opening no form', async () => {
    expect(ackText(await report('', 'C0PUBLIC', 'UADMIN'))).toBe(
      'Reports need the Accounts Receivable or the Accounts Payable reports right. An administrator can give you a role with one in /admin &gt; Users.',
    );
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });

  it('a Reports button pressed by someone with neither report right is answered in a DM, opening no form', async () => {
    await h.slack.blockAction({ userId: 'UADMIN', actionId: r.open });
    await h.app.settled();
    const dms = JSON.stringify(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'UADMIN'));
    expect(dms).toContain('Reports need the Accounts Receivable or the Accounts Payable reports right.');
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });

  it('asks for the report, then the level, when either is not chosen', async () => {
    expect(
      (
        await submit({
          [r.kind.block]: { [r.kind.action]: radio('') },
          [r.level.block]: { [r.level.action]: radio('summary') },
          ...november,
        })
      ).body,
    ).toEqual({
      response_action: 'errors',
      errors: { [r.kind.block]: 'Choose a report.' },
    });
    expect(
      (
        await submit({
          [r.kind.block]: { [r.kind.action]: radio('ar') },
          [r.level.block]: { [r.level.action]: radio('') },
          ...november,
        })
      ).body,
    ).toEqual({
      response_action: 'errors',
      errors: { [r.level.block]: 'Choose a level.' },
    });
    expect((await submit({ ...november })).body).toEqual({
      response_action: 'errors',
      errors: { [r.kind.block]: 'Choose a report and a level.' },
    });
    expect(h.fake.callsTo('files.getUploadURLExternal')).toEqual([]);
  });

  it('puts a report the user has no right to under the report choice', async () => {
    const refused = await submit(
      {
        [r.kind.block]: { [r.kind.action]: radio('ar') },
        [r.level.block]: { [r.level.action]: radio('summary') },
        ...november,
      },
      'UPAYABLE',
    );
    expect(refused.body).toEqual({
      response_action: 'errors',
      errors: { [r.kind.block]: expect.stringContaining('You do not have the Accounts Receivable reports right') },
    });
  });

  it('puts a project or a consultant that no longer exists under its own menu', async () => {
    const chosen = (block: { block: string; action: string }, value: string) => ({
      [block.block]: { [block.action]: { type: 'multi_static_select', selected_options: [{ value }] } },
    });
    const ar = {
      [r.kind.block]: { [r.kind.action]: radio('ar') },
      [r.level.block]: { [r.level.action]: radio('summary') },
    };
    expect((await submit({ ...ar, ...november, ...chosen(r.projects, 'GONE-1') })).body).toEqual({
      response_action: 'errors',
      errors: { [r.projects.block]: expect.stringMatching(/^There is no project `GONE-1`\./) },
    });
    expect((await submit({ ...ar, ...november, ...chosen(r.consultants, 'U0NOBODY') })).body).toEqual({
      response_action: 'errors',
      errors: {
        [r.consultants.block]:
          'One of the people chosen is not a consultant, so no time of theirs is in any report. Pick someone set up in /admin > Employees.',
      },
    });
    // Someone ConsulTracker knows is named (a form's error shows no mentions).
    expect((await submit({ ...ar, ...november, ...chosen(r.consultants, 'UADMIN') })).body).toMatchObject({
      errors: { [r.consultants.block]: expect.stringMatching(/^Ada Admin is not a consultant,/) },
    });
  });

  it('without a channel chosen, says the report comes in a DM and posts it there', async () => {
    const started = await submit({
      [r.kind.block]: { [r.kind.action]: radio('ar') },
      [r.level.block]: { [r.level.action]: radio('summary') },
      ...november,
    });
    expect(JSON.stringify(started.body)).toContain('It will be posted in a direct message to you.');
    await h.fake.waitFor('files.completeUploadExternal');
    expect(sharedIn(`D${FINANCE}`).at(-1)!.text).toContain('*AR summary* for 1–15 Nov 2026');
  });

  it('the periods, customers and consultants menus search as you type; someone without a report right is offered nothing', async () => {
    const suggest = (action: { block: string; action: string }, value: string, userId = FINANCE) =>
      h.slack
        .blockSuggestion({
          userId,
          actionId: action.action,
          blockId: action.block,
          value,
          view: { id: 'V0REPORTS', callback_id: r.modal },
        })
        .then((answer) => (answer.body as { options: { value: string }[] }).options.map((o) => o.value));
    expect(await suggest(r.periods, '16')).toEqual(['2026-11-16']);
    expect(await suggest(r.customers, 'acme')).toEqual(['ACME']);
    expect(await suggest(r.consultants, 'alice')).toEqual(['U01ALICE']);
    expect(await suggest(r.customers, 'acme', 'UADMIN')).toEqual([]);
  });
});

describe('the Reports form in a firm without reporting periods', () => {
  it('puts the refusal on a block the form has, since it has no periods menu', async () => {
    const bare = await startAppHarness({ now: '2026-12-05T09:00:00Z', adminUserIds: ['UADMIN'] });
    try {
      bare.fake.users.set('UADMIN', { id: 'UADMIN', real_name: 'Ada Admin', tz: 'UTC' });
      await bare.slack.slashCommand({ command: '/report', text: '', userId: 'UADMIN' });
      const form = (await bare.fake.waitFor('views.open')).args.view as { blocks: { block_id?: string }[] };
      const r = ids.reports;
      expect(form.blocks.map((b) => b.block_id)).not.toContain(r.periods.block);
      const answer = await bare.slack.viewSubmission({
        userId: 'UADMIN',
        callbackId: r.modal,
        values: {
          [r.kind.block]: { [r.kind.action]: { type: 'radio_buttons', selected_option: { value: 'ar' } } },
          [r.level.block]: { [r.level.action]: { type: 'radio_buttons', selected_option: { value: 'summary' } } },
        },
      });
      expect(answer.body).toEqual({
        response_action: 'errors',
        errors: {
          [r.kind.block]:
            'There are no reporting periods yet. An administrator adds them in /admin > Reporting periods.',
        },
      });
    } finally {
      await bare.stop();
    }
  });
});
