/**
 * Plays two weeks of a small firm against the real app, with a local Slack standing in for
 * Slack (the test suite's fake Web API, signed requests over HTTP), and writes down what each
 * person saw. No Slack workspace, network or database server is needed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { ids } from '../blocks/ids.js';
import { loadConfig } from '../src/config.js';
import { openPglite } from '../src/db/client.js';
import { outbox } from '../src/db/schema.js';
import { silentLogger } from '../src/logger.js';
import { projectRoot } from '../src/project-root.js';
import { startConsulTracker } from '../src/server.js';
import { importSetup } from '../src/services/setup-import.js';
import { type SlackCall, startFakeSlack } from '../test/support/fake-slack.js';
import { type SlackResponse, SlackClientSimulator } from '../test/support/slack-requests.js';
import { TestClock } from '../test/support/test-clock.js';
import { entry, plain, renderBlocks } from './transcript.js';

const SIGNING_SECRET = 'demo-signing-secret';
const FINANCE_CHANNEL = 'C0FINANCE';
const PEOPLE = {
  U01ALICE: 'Alice Doe',
  U02BOB: 'Bob Roe',
  U03CARL: 'Carl Poe',
  U04DANA: 'Dana Lee',
  U05ERIN: 'Erin Finance',
  U06ADA: 'Ada Admin',
} as const;
type Person = keyof typeof PEOPLE;
const names = new Map<string, string>([...Object.entries(PEOPLE), [FINANCE_CHANNEL, 'finance']]);

type BlockMessage = { text?: string; blocks?: Parameters<typeof renderBlocks>[0] };

/** A screen as Slack showed it, kept as Block Kit for `scripts/screen-pictures.ts`. */
export type DemoScreen = {
  name: string;
  caption: string;
  frame: 'message' | 'modal' | 'home';
  title: string;
  blocks: unknown[];
};

export type DemoResult = {
  transcript: string;
  files: string[];
  screens: DemoScreen[];
  /** Display names of the demo's people and channels, by Slack id. */
  names: ReadonlyMap<string, string>;
};

export async function runDemo(outputDir: string): Promise<DemoResult> {
  mkdirSync(outputDir, { recursive: true });
  const fake = await startFakeSlack();
  for (const [id, name] of Object.entries(PEOPLE)) fake.users.set(id, { id, real_name: name, tz: 'Europe/Berlin' });
  fake.conversations.set(FINANCE_CHANNEL, { kind: 'public', appIsMember: true });
  const clock = new TestClock('2026-11-16T07:00:00Z');
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-demo',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    ORG_TIMEZONE: 'Europe/Berlin',
    ADMIN_USER_IDS: 'U06ADA',
    FINANCE_CHANNEL,
  });
  const connection = await openPglite({ inMemory: true });
  const app = await startConsulTracker({ config, connection, clock, log: silentLogger });
  await app.initialised;
  // The demo delivers queued messages itself, step by step, so the transcript reads in order.
  await app.outbox.stop();
  const slack = new SlackClientSimulator({
    appUrl: `http://127.0.0.1:${app.port}`,
    signingSecret: SIGNING_SECRET,
    responseUrl: fake.responseUrl,
  });

  const transcript: string[] = [];
  const screens: DemoScreen[] = [];
  let seen = 0;
  const say = (text: string) => transcript.push(text);

  async function delivered(): Promise<void> {
    await app.settled();
    for (let round = 0; round < 20; round++) {
      await app.outbox.runOnce();
      const pending = await connection.db.select({ id: outbox.id }).from(outbox).where(eq(outbox.status, 'pending'));
      if (pending.length === 0) return;
    }
  }

  /** One thing a person does, then everything Slack showed because of it. */
  async function step(actor: Person, what: string, act: () => Promise<SlackResponse>, quiet = false) {
    const response = await act();
    await delivered();
    if (quiet) {
      seen = fake.calls.length;
      return response;
    }
    say(`\n> ${PEOPLE[actor]}: ${what}`);
    const body = response.body as (BlockMessage & { response_action?: string; errors?: object }) | undefined;
    if (body && (body.blocks || body.text)) say(entry(`  ${PEOPLE[actor]} sees (only them):`, message(body)));
    if (body?.response_action === 'errors') say(entry(`  ${PEOPLE[actor]} sees in the form:`, lines(body.errors)));
    for (const call of fake.calls.slice(seen)) {
      const shown = describeCall(call, actor);
      if (shown) say(shown);
    }
    seen = fake.calls.length;
    return response;
  }

  const command = (actor: Person, name: string, text: string, channelId?: string) =>
    step(actor, `${name} ${text}`.trim(), () =>
      slack.slashCommand({ command: name, text, userId: actor, ...(channelId ? { channelId } : {}) }),
    );
  const quietly = (actor: Person, name: string, text: string) =>
    step(actor, '', () => slack.slashCommand({ command: name, text, userId: actor }), true);

  /** Presses the button `actionId` on the latest message in `conversation` that mentions `about`. */
  async function pressIn(conversation: string, person: Person, label: string, actionId: string, about: string) {
    const messages = [...(fake.messages.get(conversation) ?? [])].reverse();
    const message = messages.find((m) => JSON.stringify([m.text, m.blocks]).includes(about));
    const value = findButton(message?.blocks, actionId);
    if (!message || value === undefined) throw new Error(`no ${actionId} button for ${about} in ${conversation}`);
    const where =
      conversation === `D${person}` ? 'the DM' : `the message in ${names.get(conversation) ?? conversation}`;
    return step(person, `presses [${label}] on ${where} about ${about}`, () =>
      slack.blockAction({
        userId: person,
        actionId,
        value,
        responseUrl: fake.responseUrl(),
        container: { type: 'message', channelId: conversation, messageTs: message.ts },
      }),
    );
  }
  const pressInDm = (person: Person, label: string, actionId: string, about: string) =>
    pressIn(`D${person}`, person, label, actionId, about);

  /** A scheduled job runs at the clock's time, as the app's minute tick would; then what Slack showed. */
  async function scheduled(what: string) {
    await app.jobs.tick(clock.now());
    await delivered();
    say(`
> (scheduled) ${what}`);
    for (const call of fake.calls.slice(seen)) {
      const shown = describeCall(call, 'U06ADA');
      if (shown) say(shown);
    }
    seen = fake.calls.length;
  }

  /** Waits for the uploads a command queued, then shows them. */
  async function uploadsOf(actor: Person, before: number, count: number) {
    await fake.waitFor('files.completeUploadExternal', () => true, 60_000);
    while (fake.callsTo('files.completeUploadExternal').length < before + count) {
      await delivered();
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const call of fake.calls.slice(seen)) {
      const shown = describeCall(call, actor);
      if (shown) say(shown);
    }
    seen = fake.calls.length;
  }

  const day = (iso: string, heading: string) => {
    clock.set(`${iso}T16:30:00Z`);
    say(`\n## ${heading}`);
  };

  say('# ConsulTracker demo: two weeks at Example Consulting');
  say('Everything below went through the real app over HTTP; a local stand-in played Slack.');

  // The firm's setup, loaded as an administrator would with `consultracker import`.
  const imported = await importSetup(
    {
      db: connection.db,
      actor: { kind: 'system', name: 'cli' },
      clock,
      log: silentLogger,
      org: { timeZone: 'Europe/Berlin', currency: 'USD' },
    },
    readFileSync(join(projectRoot(), 'examples', 'setup.yaml'), 'utf8'),
  );
  if (!imported.ok) throw new Error(`the example setup did not import: ${imported.errors.join('; ')}`);
  say(
    '\nSetup: examples/setup.yaml (customers ACME, hourly, and GLOBEX, prepaid with 40h; projects ACME-WEB and ' +
      'GLOBEX-OPS; Alice and Carl consult, Bob manages both projects, Dana manages GLOBEX-OPS and consults on it; ' +
      'Erin is finance; Ada administers).',
  );

  day('2026-11-16', 'Monday 16 November');
  const logged = await command('U01ALICE', '/log', '3h ACME-WEB wireframes for the checkout');
  screens.push({
    name: 'log-reply',
    caption: "Alice's /log, answered",
    frame: 'message',
    title: 'Only visible to you',
    blocks: (logged.body as BlockMessage).blocks ?? [],
  });
  await command('U04DANA', '/log', '2h30m GLOBEX-OPS incident review');
  await step('U03CARL', '/log (opens the form)', () =>
    slack.slashCommand({ command: '/log', text: '', userId: 'U03CARL' }),
  );
  const form = fake.callsTo('views.open').at(-1)!.args.view as { private_metadata: string } & BlockMessage;
  screens.push({
    name: 'log-form',
    caption: 'The /log form',
    frame: 'modal',
    title: 'Log time',
    blocks: form.blocks ?? [],
  });
  await step('U03CARL', 'fills in the form: ACME-WEB, today, 4h, "API pairing with Alice", billable', () =>
    slack.viewSubmission({
      userId: 'U03CARL',
      callbackId: ids.logModal.callbackId,
      privateMetadata: form.private_metadata,
      values: {
        project: { project_select: { type: 'static_select', selected_option: { value: 'ACME-WEB' } } },
        date: { date_pick: { type: 'datepicker', selected_date: '2026-11-16' } },
        duration: { duration_input: { type: 'plain_text_input', value: '4h' } },
        description: { description_input: { type: 'plain_text_input', value: 'API pairing with Alice' } },
        billable: { billable_check: { type: 'checkboxes', selected_options: [{ value: 'billable' }] } },
      },
    }),
  );
  await command('U01ALICE', '/log', '1h ACME-WBE code review');
  await command('U01ALICE', '/log', '1h ACME-WEB code review');
  await command('U01ALICE', '/log', 'meeting 9:00-9:45 GLOBEX-OPS standup with ops');

  say('\n(The rest of the two weeks goes the same way: each working day Alice, Carl and Dana log their time.');
  say(' Carl forgets Friday 27 November.)');
  const workdays = ['17', '18', '19', '20', '23', '24', '25', '26', '27'].map((d) => `2026-11-${d}`);
  for (const date of workdays) {
    clock.set(`${date}T16:30:00Z`);
    await quietly('U01ALICE', '/log', `5h ACME-WEB ${date} checkout build`);
    await quietly('U01ALICE', '/log', `1h GLOBEX-OPS ${date} ops support`);
    if (date !== '2026-11-27') await quietly('U03CARL', '/log', `6h ACME-WEB ${date} API work`);
    await quietly('U04DANA', '/log', `3h GLOBEX-OPS ${date} on-call`);
  }

  // 16:00 in Berlin on the period's last working day: whoever has not submitted is reminded.
  clock.set('2026-11-30T15:00:00Z');
  say('\n## Monday 30 November, 16:00: the last working day of November');
  await scheduled('period-end reminder');

  day('2026-12-01', 'Tuesday 1 December: November is over');
  await command('U01ALICE', '/timesheet', 'submit last');
  await command('U03CARL', '/timesheet', 'submit last');
  await command('U04DANA', '/timesheet', 'submit last');

  day('2026-12-02', 'Wednesday 2 December: the managers decide');
  const approvalDm = (fake.messages.get('DU02BOB') ?? []).find((m) => JSON.stringify(m.blocks).includes('Alice Doe'));
  screens.push({
    name: 'approval-dm',
    caption: "Bob's DM: Alice's timesheet to decide",
    frame: 'message',
    title: 'Direct message',
    blocks: (approvalDm?.blocks as unknown[] | undefined) ?? [],
  });
  await pressInDm('U02BOB', 'Approve', ids.approval.approve, 'Alice Doe');
  await pressInDm('U04DANA', 'Approve', ids.approval.approve, 'Alice Doe');
  await pressInDm('U02BOB', 'Approve', ids.approval.approve, 'Dana Lee');
  await pressInDm('U02BOB', 'Reject', ids.approval.reject, 'Carl Poe');
  const rejectForm = fake.callsTo('views.open').at(-1)!.args.view as { private_metadata: string };
  await step('U02BOB', 'gives the reason: "Friday 27 November is missing"', () =>
    slack.viewSubmission({
      userId: 'U02BOB',
      callbackId: ids.approval.rejectModal,
      privateMetadata: rejectForm.private_metadata,
      values: { reason: { reason_input: { type: 'plain_text_input', value: 'Friday 27 November is missing' } } },
    }),
  );

  day('2026-12-02', 'Later that day: Carl fixes his timesheet');
  await command('U03CARL', '/log', '6h ACME-WEB 2026-11-27 API work');
  await command('U03CARL', '/timesheet', 'submit last');
  await pressInDm('U02BOB', 'Approve', ids.approval.approve, 'Carl Poe');

  day('2026-12-03', 'Thursday 3 December: finance closes November');
  const files: string[] = [];
  for (const text of ['ar summary last', 'ar detail last', 'ap summary last', 'ap detail last']) {
    const before = fake.callsTo('files.completeUploadExternal').length;
    await command('U05ERIN', '/report', text, FINANCE_CHANNEL);
    await fake.waitFor('files.completeUploadExternal', () => true, 60_000);
    while (fake.callsTo('files.completeUploadExternal').length <= before) await new Promise((r) => setTimeout(r, 50));
    await delivered();
    for (const call of fake.calls.slice(seen)) {
      const shown = describeCall(call, 'U05ERIN');
      if (shown) say(shown);
    }
    seen = fake.calls.length;
  }
  day('2026-12-03', 'Thursday 3 December: finance invoices the hourly customer');
  const invoiceUploads = fake.callsTo('files.completeUploadExternal').length;
  await command('U05ERIN', '/invoice', 'draft last', FINANCE_CHANNEL);
  await uploadsOf('U05ERIN', invoiceUploads, 1);
  await pressIn(FINANCE_CHANNEL, 'U05ERIN', 'Issue', ids.invoice.issue, 'Acme Corp');
  await uploadsOf('U05ERIN', invoiceUploads, 2);

  day('2026-12-03', "Alice opens the app's Home tab");
  await slack.event({ type: 'app_home_opened', user: 'U01ALICE', channel: 'DU01ALICE', tab: 'home' });
  await delivered();
  const home = fake
    .callsTo('views.publish')
    .filter((call) => call.args.user_id === 'U01ALICE')
    .at(-1);
  if (!home) throw new Error("Alice's Home tab was not published");
  screens.push({
    name: 'app-home',
    caption: "Alice's App Home",
    frame: 'home',
    title: 'Home',
    blocks: (home.args.view as BlockMessage).blocks ?? [],
  });
  say(entry('  Alice Doe — App Home:', renderBlocks((home.args.view as BlockMessage).blocks, names)));
  for (const upload of fake.uploads.values()) {
    if (!upload.filename) continue;
    writeFileSync(join(outputDir, upload.filename), upload.bytes);
    files.push(upload.filename);
  }
  say(`\nFiles finance received, saved in ${outputDir}: ${files.sort().join(', ')}`);

  await app.stop();
  await fake.close();
  const text = transcript.join('\n') + '\n';
  writeFileSync(join(outputDir, 'transcript.txt'), text);
  return { transcript: text, files, screens, names };
}

function describeCall(call: SlackCall, actor: Person): string | undefined {
  const args = call.args as Record<string, unknown> & BlockMessage;
  const who = (channel: unknown) => {
    const id = String(channel);
    // A post to a user id (or to the DM channel the fake names after them) lands in their DM.
    const person = names.get(id.startsWith('D') ? id.slice(1) : id);
    if (person && id !== FINANCE_CHANNEL) return `${person} — DM from ConsulTracker`;
    return id === FINANCE_CHANNEL ? '#finance' : `channel ${id}`;
  };
  switch (call.method) {
    case 'chat.postMessage':
      return entry(`  ${who(args.channel)}:`, message(args));
    case 'chat.update':
      return entry(`  ${who(args.channel)} (the message changes in place):`, shortened(message(args)));
    case 'chat.postEphemeral':
      return entry(`  ${names.get(String(args.user)) ?? String(args.user)} sees (only them):`, message(args));
    case 'response_url':
      return entry(
        `  ${PEOPLE[actor]} sees${args.replace_original ? ' (replacing the message)' : ' (only them)'}:`,
        message(args),
      );
    case 'views.open':
    case 'views.push': {
      const view = args.view as BlockMessage & { title?: { text?: string } };
      return entry(`  ${PEOPLE[actor]} — form "${plain(view.title?.text)}":`, renderBlocks(view.blocks, names));
    }
    case 'files.completeUploadExternal': {
      const uploaded = (args.files as { title?: string }[]).map((f) => f.title ?? 'file').join(', ');
      return entry(`  ${who(args.channel_id)} — files:`, [
        ...plain(typeof args.initial_comment === 'string' ? args.initial_comment : '', names).split('\n'),
        `[${uploaded}]`,
      ]);
    }
    default:
      return undefined;
  }
}

function message(body: BlockMessage): string[] {
  return body.blocks ? renderBlocks(body.blocks, names) : plain(body.text, names).split('\n');
}

/** An updated message keeps its heading and its changed end; the unchanged middle was shown when it was posted. */
function shortened(lines: string[]): string[] {
  return lines.length <= 8 ? lines : [lines[0]!, '…', ...lines.slice(-3)];
}

function lines(errors: object | undefined): string[] {
  return Object.values(errors ?? {}).map(String);
}

function findButton(blocks: unknown, actionId: string): string | undefined {
  if (Array.isArray(blocks)) {
    for (const block of blocks) {
      const found = findButton(block, actionId);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof blocks !== 'object' || blocks === null) return undefined;
  const element = blocks as { action_id?: unknown; value?: unknown; elements?: unknown; accessory?: unknown };
  if (element.action_id === actionId && typeof element.value === 'string') return element.value;
  return findButton(element.elements, actionId) ?? findButton(element.accessory, actionId);
}
