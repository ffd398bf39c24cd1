/**
 * Issue 20's "done when": signed hostile requests of every kind, sent over HTTP to the real app,
 * are each answered in time, never with a 5xx, never end the process, never log an error, never
 * echo a mention or link unescaped, and never change a row.
 *
 * Every request here is one the app must refuse: its envelope or values are malformed, or it comes
 * from someone who holds no right (a stranger may only read, and reads write nothing), or it is an
 * administrator's request carrying values no listener may accept. So the database must equal its
 * first digest after every single request, table by table: audit and outbox included, since a
 * refusal writes neither; only the outbox's App Home publishes (kind `home`) are left out, as
 * opening App Home or a form queues one whether or not anything changed.
 *
 * FUZZ_RUNS sets how many requests (default 300, a short CI run); FUZZ_SEED replays another seed.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ids } from '../../blocks/ids.js';
import { createLogger } from '../../src/logger.js';
import { type AppHarness, SIGNING_SECRET, startAppHarness } from '../support/app-harness.js';
import { changedTables, digestTables, type TableDigest } from '../support/database-digest.js';
import { TEAM_ID } from '../support/fake-slack.js';
import { seedReportFirm } from '../support/report-firm.js';
import { signSlackRequest } from '../support/slack-requests.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20);
/** Slack gives up on an answer after 3 s: a later one is a request the user saw fail. */
const SLACK_TIMEOUT_MS = 3_000;

/** Holds no right: every state change must be refused, every read writes nothing. */
const STRANGER = 'UNOBODY1';
/** Known to nobody, not even the fake Slack's users.info. */
const GHOST = 'UGHOST99';
const ADMIN = 'UADMIN';
/** The seeded firm's administrator, a consultant on ACME-WEB, and finance. */
const PRIVILEGED = [ADMIN, 'U01ALICE', 'UFINANCE'];

/** Mentions and links that must never come back unescaped in anything Slack renders as mrkdwn. */
const MARKERS = [
  '<@UEVIL01>',
  '<!channel>',
  '<!here>',
  '<!subteam^S0EVIL>',
  '<#C0EVIL01>',
  '<https://evil.invalid/x|click>',
];

/** Values no listener may accept as an id, a page, a date or JSON it expects. */
const JUNK = [
  '',
  'x',
  '{}',
  '[]',
  'null',
  '{bad',
  '-1',
  '0',
  '1.5',
  '1e3',
  ' 1',
  '9007199254740994',
  '2147483648',
  '99999999999999999999',
  "2026-01-01'--",
  '1; drop table users;--',
  '2026-02-30',
  '99999-01-01',
  'a\u0000b',
  '\u0007',
  '\u001b[2J',
  '\ud800',
  '%00',
  '{"periodId":"1"}',
  '{"periodId":9007199254740994,"page":-1}',
  '{"__proto__":{"x":1}}',
  'edit:x',
  'delete:9007199254740994',
  // Unicode edge cases: right-to-left override and text, combining marks, joined emoji, a BOM.
  '\u202eGOLDEN-RE\u202c',
  'مشروع ٣',
  'e\u0301\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '\ufeff1',
  // Slack's maxima and past them: a text input's 3,000 characters, a message's 40,000 (as 4-byte characters).
  'x'.repeat(3_000),
  'é'.repeat(3_001),
  '😀'.repeat(10_001),
  ...MARKERS,
];

/** Whole JSON values that replace a field Slack always sends (null user, actions: null, …). */
const WEIRD_VALUES: unknown[] = [
  null,
  5,
  -1,
  2 ** 53 + 2,
  Number.MAX_VALUE,
  true,
  '',
  'a\u0000b',
  [],
  {},
  [null],
  { id: null },
];

const SLASH_COMMANDS = (
  parseYaml(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as {
    features: { slash_commands: { command: string }[] };
  }
).features.slash_commands.map((entry) => entry.command);

/** Every action, callback and block id the app knows, from blocks/ids.ts. */
const KNOWN_IDS = [...new Set(leaves(ids))].sort();

function leaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Object.values(value as Record<string, unknown>).flatMap(leaves);
}

const junk = fc.constantFrom(...JUNK);
const words = fc.constantFrom('1h', '2h30m', '0m', '25h', 'ACME-WEB', 'NOPE', 'start', 'stop', 'submit', 'history');
const hostileText = fc
  .array(fc.oneof(junk, words, fc.string({ maxLength: 12, unit: 'binary' })), { maxLength: 6 })
  .map((parts) => parts.join(' '));
const idOf = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KNOWN_IDS) }, { weight: 1, arbitrary: junk });
const weird = fc.constantFrom(...WEIRD_VALUES);
const soundStranger = fc.constantFrom(STRANGER, GHOST);

type RawRequest = { label: string; body: string; contentType: string };

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const asPayload = (label: string, payload: unknown): RawRequest => ({
  label,
  body: form({ payload: JSON.stringify(payload) }),
  contentType: 'application/x-www-form-urlencoded',
});

/** Sometimes one field of a well-made payload replaced by a value Slack never sends there (or dropped). */
function mutated<T extends Record<string, unknown>>(payload: fc.Arbitrary<T>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(payload, fc.option(fc.tuple(fc.nat(), fc.option(weird, { freq: 4 })), { freq: 2 }))
    .map(([base, change]) => {
      if (!change) return base;
      const keys = Object.keys(base);
      const key = keys[change[0] % keys.length]!;
      const copy: Record<string, unknown> = { ...base };
      if (change[1] === null) delete copy[key];
      else copy[key] = change[1];
      return copy;
    });
}

/**
 * A value as a listener would read it: mostly ones that parse (real row ids of the seeded firm,
 * the JSON a button carries), so requests reach the listeners and services, sometimes junk.
 */
const plausible = fc.constantFrom(
  '1',
  '2',
  '3',
  '{"periodId":1,"page":0}',
  '{"timesheetId":1,"page":1}',
  'edit:1',
  'delete:2',
  'myself',
  ADMIN,
  'consultant:1',
  'manager:2',
  '0',
);
const value = fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 2, arbitrary: hostileText });
const day = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('2026-11-03', '2026-11-16', '2026-12-01') },
  { weight: 1, arbitrary: junk },
);
const person = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(STRANGER, GHOST, ADMIN, 'U01ALICE') },
  { weight: 1, arbitrary: junk },
);

const element = fc.record(
  {
    type: fc.constantFrom(
      'button',
      'static_select',
      'external_select',
      'overflow',
      'checkboxes',
      'datepicker',
      'multi_users_select',
      'users_select',
      'plain_text_input',
    ),
    value,
    selected_option: fc.record({ value }),
    selected_options: fc.array(fc.record({ value }), { maxLength: 3 }),
    selected_date: day,
    selected_users: fc.array(person, { maxLength: 3 }),
    selected_user: person,
  },
  { requiredKeys: ['type'] },
);

const state = fc.dictionary(idOf, fc.dictionary(idOf, element, { maxKeys: 2 }), { maxKeys: 3 });
const view = fc.record({
  id: fc.constant('V0FUZZ01'),
  type: fc.constant('modal'),
  callback_id: idOf,
  private_metadata: fc.oneof(
    fc.constantFrom(
      '',
      '{"parentViewId":"V0PARENT"}',
      '{"customerId":1,"parentViewId":"V0PARENT"}',
      '{"timesheetId":1,"filter":{}}',
    ),
    junk,
    hostileText,
    fc.jsonValue().map((json) => JSON.stringify(json)),
  ),
  state: fc.record({ values: state }),
});

const command = (userId: fc.Arbitrary<string>) =>
  fc
    .record({
      command: fc.constantFrom(...SLASH_COMMANDS, '/nothing'),
      text: hostileText,
      user_id: userId,
      trigger_id: fc.constantFrom('1.2.fuzz', ''),
    })
    .chain((fields) =>
      mutated(
        fc.constant({
          token: 'legacy',
          team_id: TEAM_ID,
          channel_id: `D${fields.user_id}`,
          response_url: 'RESPONSE_URL',
          ...fields,
        }),
      ).map((mutatedFields) => ({
        label: `command ${fields.command}`,
        body: form(Object.fromEntries(Object.entries(mutatedFields).map(([key, value]) => [key, String(value)]))),
        contentType: 'application/x-www-form-urlencoded',
      })),
    );

const blockAction = (userId: fc.Arbitrary<string>) =>
  mutated(
    fc.record({
      type: fc.constant('block_actions'),
      user: userId.map((id) => ({ id, team_id: TEAM_ID })),
      team: fc.constant({ id: TEAM_ID }),
      trigger_id: fc.constant('1.2.fuzz'),
      actions: fc.tuple(idOf, element).map(([action_id, values]) => [{ action_id, block_id: 'actions', ...values }]),
      response_url: fc.constant('RESPONSE_URL'),
      view: fc.option(view, { nil: undefined }),
    }),
  ).map((payload) => asPayload(`block_actions ${actionIdOf(payload)}`, payload));

const viewPayload = (userId: fc.Arbitrary<string>) =>
  mutated(
    fc.record({
      type: fc.constantFrom('view_submission', 'view_closed'),
      user: userId.map((id) => ({ id, team_id: TEAM_ID })),
      team: fc.constant({ id: TEAM_ID }),
      trigger_id: fc.constant('1.2.fuzz'),
      view,
    }),
  ).map((payload) => asPayload(`${String(payload.type)} ${callbackOf(payload)}`, payload));

const shortcut = mutated(
  fc.record({
    type: fc.constantFrom('shortcut', 'message_action'),
    callback_id: fc.oneof(fc.constant(ids.shortcut.logMessage), idOf),
    user: soundStranger.map((id) => ({ id })),
    team: fc.constant({ id: TEAM_ID }),
    channel: fc.constant({ id: 'C0GENERAL' }),
    message: hostileText.map((text) => ({ type: 'message', ts: '1700000000.000100', text })),
    trigger_id: fc.constantFrom('1.2.fuzz', ''),
    response_url: fc.constant('RESPONSE_URL'),
  }),
).map((payload) => asPayload(`${String(payload.type)} ${String(payload.callback_id)}`, payload));

const options = mutated(
  fc.record({
    type: fc.constant('block_suggestion'),
    user: soundStranger.map((id) => ({ id })),
    team: fc.constant({ id: TEAM_ID }),
    action_id: idOf,
    block_id: idOf,
    value: hostileText,
    view: fc.option(view, { nil: undefined }),
  }),
).map((payload) => asPayload(`block_suggestion ${String(payload.action_id)}`, payload));

const event = mutated(
  fc.record({
    type: fc.constant('event_callback'),
    team_id: fc.constant(TEAM_ID),
    event_id: fc.constant('Ev0FUZZ'),
    event: mutated(
      fc.record({
        type: fc.constantFrom('app_home_opened', 'message', 'app_mention', 'team_join', 'x\u0000'),
        user: soundStranger,
        tab: fc.constantFrom('home', 'messages', 'x'),
        text: hostileText,
      }),
    ),
  }),
).map((payload) => ({ label: 'event', body: JSON.stringify(payload), contentType: 'application/json' }));

/** Bodies that are not a Slack payload at all, under every content type. */
const malformed = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(
        'payload=null',
        'null',
        '[]',
        '"x"',
        '5',
        'payload=%7Bbad',
        'payload=',
        '',
        'payload=%00',
        'a=b&c',
      ),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.jsonValue().map((value) => form({ payload: JSON.stringify(value) })),
      fc.string({ maxLength: 40, unit: 'binary' }),
    ),
    fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/json',
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
    ),
  )
  .map(([body, contentType]) => ({ label: `malformed ${contentType}`, body, contentType }));

/**
 * People with rights (an administrator, a consultant, finance) may change things, so their clicks
 * carry only values no listener accepts: as a button's value or as the option a menu chose.
 */
const privilegedAction = fc
  .tuple(
    fc.constantFrom(...PRIVILEGED),
    fc.constantFrom(...KNOWN_IDS),
    junk,
    fc.boolean(),
    fc.option(fc.constantFrom(...KNOWN_IDS), { nil: undefined }),
  )
  .map(([userId, actionId, value, asMenu, inView]) =>
    asPayload(`privileged block_actions ${actionId}`, {
      type: 'block_actions',
      user: { id: userId, team_id: TEAM_ID },
      team: { id: TEAM_ID },
      trigger_id: '1.2.fuzz',
      // Most of /admin's buttons and filters act on the modal they sit in.
      ...(inView && {
        container: { type: 'view', view_id: 'V0FUZZ01' },
        view: { id: 'V0FUZZ01', type: 'modal', callback_id: inView, private_metadata: '{}' },
      }),
      actions: [
        asMenu
          ? { action_id: actionId, block_id: 'actions', type: 'static_select', selected_option: { value } }
          : { action_id: actionId, block_id: 'actions', type: 'button', value },
      ],
    }),
  );
const privilegedView = fc
  .tuple(fc.constantFrom(...PRIVILEGED), fc.constantFrom(...KNOWN_IDS), junk, fc.constantFrom('name\u0000', 'a\u0007b'))
  .map(([userId, callbackId, metadata, text]) =>
    asPayload(`privileged view_submission ${callbackId}`, {
      type: 'view_submission',
      user: { id: userId, team_id: TEAM_ID },
      team: { id: TEAM_ID },
      view: {
        id: 'V0FUZZ01',
        callback_id: callbackId,
        private_metadata: metadata,
        state: {
          values: {
            [ids.admin.roleName.block]: { [ids.admin.roleName.action]: { type: 'plain_text_input', value: text } },
          },
        },
      },
    }),
  );

const anyRequest: fc.Arbitrary<RawRequest> = fc.oneof(
  command(soundStranger),
  command(fc.constantFrom('UADMIN\u0000', 'u lower', '<@UEVIL01>', 'X'.repeat(60), '')),
  blockAction(soundStranger),
  viewPayload(soundStranger),
  shortcut,
  options,
  event,
  malformed,
  privilegedAction,
  privilegedView,
);

function actionIdOf(payload: Record<string, unknown>): string {
  const actions = payload.actions as { action_id?: unknown }[] | undefined;
  return Array.isArray(actions) ? String(actions[0]?.action_id) : String(actions);
}
function callbackOf(payload: Record<string, unknown>): string {
  return String((payload.view as { callback_id?: unknown } | undefined)?.callback_id);
}

/** Strings Slack renders as mrkdwn: every `text` that is not inside a plain_text object. */
function mrkdwnTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) mrkdwnTexts(item, out);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [key, child] of Object.entries(record)) {
      if (key === 'text' && typeof child === 'string') {
        if (record.type !== 'plain_text') out.push(child);
      } else mrkdwnTexts(child, out);
    }
  }
  return out;
}

let h: AppHarness;
let baseline: TableDigest[];
const logLines: { level: string; message: string }[] = [];
const escaped: unknown[] = [];
const exits: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);

beforeAll(async () => {
  h = await startAppHarness({
    now: '2026-11-24T12:00:00Z',
    log: createLogger('debug', (line) => logLines.push(JSON.parse(line) as { level: string; message: string })),
  });
  await seedReportFirm(h.database.db);
  // What admins typed earlier is input too: every stored name the app shows carries the markers.
  const marked = `' ${MARKERS.join(' ')}'`;
  for (const [table, column] of [
    ['users', 'display_name'],
    ['employees', 'name'],
    ['customers', 'name'],
    ['projects', 'name'],
    ['time_entries', 'description'],
  ])
    await h.database.db.execute(sql.raw(`update ${table} set ${column} = ${column} || ${marked}`));
  // Display names are input too: every name the app shows carries the mentions and links.
  for (const id of [...PRIVILEGED, STRANGER])
    h.fake.users.set(id, { id, real_name: `Fuzz ${MARKERS.join(' ')} ${id}`, tz: 'UTC' });
  // A stored profile is refreshed from Slack on its user's first request (a legitimate write,
  // once a day); it happens here, before the digest every request is held to.
  for (const userId of PRIVILEGED)
    expect((await h.slack.slashCommand({ command: '/approvals', text: '', userId })).status).toBe(200);
  await h.app.settled();
  baseline = await digestTables(h.database.db);
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    exits.push(code);
    return undefined as never;
  });
});

afterAll(async () => {
  process.off('unhandledRejection', onEscape);
  process.off('uncaughtException', onEscape);
  vi.restoreAllMocks();
  await h?.stop();
});

async function post(request: RawRequest): Promise<{ status: number; text: string; ms: number }> {
  const body = request.body.replaceAll('RESPONSE_URL', encodeURIComponent(h.fake.responseUrl()));
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(`${h.appUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': request.contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(SIGNING_SECRET, timestamp, body),
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

describe('signed hostile requests of every kind', () => {
  it(`are answered in time, change nothing, and keep the process serving (${RUNS} requests, seed ${SEED})`, async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(anyRequest, async (request) => {
        const kind = request.label.split(' ')[0]!;
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
        const firstLog = logLines.length;
        h.fake.reset();
        const answer = await post(request);
        await h.app.settled();

        expect(answer.status, request.label).toBeLessThan(500);
        expect(answer.ms, `${request.label} answered after ${Math.round(answer.ms)} ms`).toBeLessThan(SLACK_TIMEOUT_MS);
        expect(exits, 'process.exit called').toEqual([]);
        expect(escaped, 'unhandled rejection or uncaught exception').toEqual([]);
        expect(logLines.slice(firstLog).filter((line) => line.level === 'error')).toEqual([]);

        const shown = [answer.text, ...h.fake.calls.map((call) => call.args)].flatMap((value) =>
          typeof value === 'string' ? mrkdwnTexts(parseJson(value)) : mrkdwnTexts(value),
        );
        expect(shown.filter((text) => MARKERS.some((marker) => text.includes(marker)))).toEqual([]);
        const dmTargets = h.fake.callsTo('chat.postMessage').map((call) => String(call.args.channel));
        expect(dmTargets.filter((channel) => !/^[A-Z][A-Z0-9]{1,49}$/.test(channel))).toEqual([]);

        expect(changedTables(baseline, await digestTables(h.database.db)), request.label).toEqual([]);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false },
    );
    // Every kind of request was actually sent.
    expect([...seen.keys()].sort()).toEqual(
      expect.arrayContaining(['privileged', 'block_actions', 'block_suggestion', 'command', 'event', 'malformed']),
    );
  }, 600_000);
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}
