/**
 * Issue 20, one test per finding, each with its minimal input: the request is answered in time,
 * the user (or Slack) hears what was wrong, it is logged once at warn (never at error), and no row
 * of any table changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { users } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { UNREADABLE } from '../../src/slack/edge/request-shapes.js';
import { type AppHarness, SIGNING_SECRET, startAppHarness } from '../support/app-harness.js';
import { changedTables, digestTables } from '../support/database-digest.js';
import { TEAM_ID } from '../support/fake-slack.js';
import { seedReportFirm } from '../support/report-firm.js';
import { signSlackRequest, type SlackResponse } from '../support/slack-requests.js';

let h: AppHarness;
const ADMIN = 'UADMIN';
const ALICE = 'U01ALICE';
/** Known to Slack, holds no right in ConsulTracker. */
const STRANGER = 'UNOBODY1';
/** Slack drops an answer after 3 s: a later one is a request the user saw fail. */
const SLACK_TIMEOUT_MS = 3_000;
type LogLine = { level: string; message: string; problems?: string[] };
const logLines: LogLine[] = [];

beforeAll(async () => {
  h = await startAppHarness({
    now: '2026-11-24T12:00:00Z',
    log: createLogger('debug', (line) => logLines.push(JSON.parse(line) as LogLine)),
  });
  await seedReportFirm(h.database.db);
  for (const id of [ADMIN, ALICE, STRANGER]) h.fake.users.set(id, { id, real_name: `Edge ${id}`, tz: 'UTC' });
  // Each user's stored profile is refreshed on their first request: done here, not in a refusal.
  for (const userId of [ADMIN, ALICE]) await h.slack.slashCommand({ command: '/approvals', text: '', userId });
  await h.app.settled();
});
afterAll(async () => h.stop());

/**
 * Sends one request that must be refused, and checks what every refusal owes: an answer within
 * Slack's 3 s, no 5xx, no error-level log line, and every table as it was. Returns the answer, the
 * log lines it caused and the direct messages it sent, for the test's own checks.
 */
async function refused(send: () => Promise<SlackResponse>) {
  h.fake.reset();
  const before = await digestTables(h.database.db);
  const firstLine = logLines.length;
  const answer = await send();
  await h.app.settled();
  // Every request leaves its access line ("acknowledged", with status and time); the rest is what it caused.
  const lines = logLines.slice(firstLine).filter((line) => line.message !== 'acknowledged');
  expect(answer.status).toBeLessThan(500);
  expect(answer.ms).toBeLessThan(SLACK_TIMEOUT_MS);
  expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  expect(changedTables(before, await digestTables(h.database.db))).toEqual([]);
  const dms = h.fake.callsTo('chat.postMessage').map((call) => ({ to: call.args.channel, text: call.args.text }));
  return { answer, lines, warnings: lines.filter((line) => line.level === 'warn').map((line) => line.message), dms };
}

async function signedPost(body: string, contentType: string): Promise<SlackResponse> {
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(`${h.appUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(SIGNING_SECRET, timestamp, body),
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, text, ms: performance.now() - started };
}

const FORM = 'application/x-www-form-urlencoded';
const postPayload = (value: unknown) =>
  signedPost(new URLSearchParams({ payload: JSON.stringify(value) }).toString(), FORM);

/** A click in an open modal (the filters of /admin's lists live in one), as Slack sends it. */
function clickInView(
  userId: string,
  element: Record<string, unknown>,
  view: { callback_id: string; private_metadata?: string },
) {
  return postPayload({
    type: 'block_actions',
    user: { id: userId, team_id: TEAM_ID },
    team: { id: TEAM_ID },
    trigger_id: '1.2.edge',
    container: { type: 'view', view_id: 'V0EDGE01' },
    view: { id: 'V0EDGE01', type: 'modal', private_metadata: '{}', ...view },
    actions: [{ block_id: 'actions', ...element }],
  });
}

const unreadableDm = (userId: string) => [{ to: userId, text: UNREADABLE }];

describe('the process keeps serving', () => {
  it('answers a signed `payload=null` and a JSON `null` body with 400, logs a warning, and still answers the next request', async () => {
    for (const [body, contentType] of [
      ['payload=null', FORM],
      ['null', 'application/json'],
    ] as const) {
      const { answer, warnings, dms } = await refused(() => signedPost(body, contentType));
      expect(answer.status).toBe(400);
      expect(warnings).toEqual(['request body is not a Slack payload']);
      expect(dms).toEqual([]);
    }
    const next = await h.slack.slashCommand({ command: '/log', text: 'nonsense', userId: ADMIN });
    expect(next.status).toBe(200);
  });
});

describe('no 5xx for shapes Bolt cannot read', () => {
  it('acks block_actions with `actions: null` and tells its user the request could not be read', async () => {
    const { answer, lines, dms } = await refused(() =>
      postPayload({ type: 'block_actions', user: { id: ADMIN }, actions: null }),
    );
    expect(answer.status).toBe(200);
    expect(lines).toMatchObject([
      { level: 'warn', message: 'request could not be read', problems: [expect.stringMatching(/^actions: /)] },
    ]);
    expect(dms).toEqual(unreadableDm(ADMIN));
  });

  it('acks block_actions without a user, and tells nobody', async () => {
    const { answer, warnings, dms } = await refused(() =>
      postPayload({ type: 'block_actions', actions: [{ action_id: ids.entry.undo, type: 'button', value: '1' }] }),
    );
    expect(answer.status).toBe(200);
    expect(warnings).toEqual(['request could not be read']);
    expect(dms).toEqual([]);
  });

  it('acks an event `null` with 200', async () => {
    const { answer, warnings } = await refused(() =>
      signedPost(JSON.stringify({ type: 'event_callback', team_id: TEAM_ID, event: null }), 'application/json'),
    );
    expect(answer.status).toBe(200);
    expect(warnings).toEqual(['request could not be read']);
  });
});

describe('answers in time', () => {
  it('answers a view submission with unreadable private_metadata at once, with an error on the form', async () => {
    const { answer, warnings } = await refused(() =>
      h.slack.viewSubmission({
        userId: ADMIN,
        callbackId: ids.admin.periodForm,
        privateMetadata: '{bad',
        values: { starts: { starts_pick: { type: 'datepicker', selected_date: '2026-12-01' } } },
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ response_action: 'errors', errors: { starts: UNREADABLE } });
    expect(warnings).toEqual(['request could not be read']);
  });
});

describe('view_closed', () => {
  it('acks a closed form nobody listens for, logged at info only', async () => {
    const { answer, lines } = await refused(() =>
      postPayload({
        type: 'view_closed',
        user: { id: ADMIN, team_id: TEAM_ID },
        team: { id: TEAM_ID },
        view: { id: 'V0EDGE01', type: 'modal', callback_id: ids.admin.periodForm, private_metadata: '{bad' },
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(lines.filter((line) => line.level !== 'debug')).toMatchObject([
      { level: 'info', message: 'no listener answered the request' },
    ]);
  });
});

describe('control characters and unsound ids never reach the database', () => {
  it('refuses `/log 1h ACME-WEB a\\0b` and `/log start ACME-WEB a\\0b` naming the text', async () => {
    for (const text of ['1h ACME-WEB a\u0000b', 'start ACME-WEB a\u0000b']) {
      const { answer, warnings } = await refused(() => h.slack.slashCommand({ command: '/log', text, userId: ALICE }));
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).toContain('The text after /log contains a control character (U+0000)');
      expect(warnings).toEqual(['request could not be read']);
    }
  });

  it('refuses a /log description past 500 characters, at and past Slack’s 3,000, saying how long it is', async () => {
    for (const description of ['x'.repeat(501), 'é'.repeat(3_000), '😀'.repeat(3_001)]) {
      const { answer } = await refused(() =>
        h.slack.slashCommand({ command: '/log', text: `1h ACME-WEB ${description}`, userId: ALICE }),
      );
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).toContain(
        `The description has ${description.length} characters; keep it to 500.`,
      );
    }
  });

  it('refuses a command whose user_id carries a NUL, and writes no user row for it', async () => {
    const { answer, warnings } = await refused(() =>
      h.slack.slashCommand({ command: '/log', text: '', userId: 'UADMIN01\u0000' }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', text: UNREADABLE });
    expect(warnings).toEqual(['request could not be read']);
  });

  it('refuses admin_role_delete with the value 9007199254740994 before it reaches a query', async () => {
    const { warnings, dms } = await refused(() =>
      clickInView(
        ADMIN,
        { action_id: ids.admin.deleteRole, type: 'button', value: '9007199254740994' },
        { callback_id: ids.admin.rolesModal },
      ),
    );
    expect(warnings).toEqual(['request could not be read']);
    expect(dms).toEqual(unreadableDm(ADMIN));
    expect(h.fake.callsTo('views.update')).toEqual([]);
  });

  it("refuses the audit filter's date `2026-01-01'--`, whether chosen or carried in the filter", async () => {
    const chosen = await refused(() =>
      clickInView(
        ADMIN,
        { action_id: ids.admin.auditFrom, type: 'datepicker', selected_date: "2026-01-01'--" },
        { callback_id: ids.admin.auditModal },
      ),
    );
    expect(chosen.warnings).toEqual(['request could not be read']);
    expect(chosen.dms).toEqual(unreadableDm(ADMIN));
    expect(h.fake.callsTo('views.update')).toEqual([]);

    const carried = await refused(() =>
      clickInView(
        ADMIN,
        { action_id: ids.admin.auditTo, type: 'datepicker', selected_date: '2026-11-30' },
        { callback_id: ids.admin.auditModal, private_metadata: JSON.stringify({ from: "2026-01-01'--" }) },
      ),
    );
    expect(carried.warnings).toEqual(['request could not be read']);
    expect(carried.dms).toEqual(unreadableDm(ADMIN));
    expect(h.fake.callsTo('views.update')).toEqual([]);
  });

  it('refuses a junk admin_ts_period value', async () => {
    const { warnings, dms } = await refused(() =>
      clickInView(
        ADMIN,
        { action_id: ids.admin.filterPeriod, type: 'static_select', selected_option: { value: "1' or '1'='1" } },
        { callback_id: ids.admin.timesheetsModal },
      ),
    );
    expect(warnings).toEqual(['request could not be read']);
    expect(dms).toEqual(unreadableDm(ADMIN));
    expect(h.fake.callsTo('views.update')).toEqual([]);
  });
});

describe('bad input is the sender’s problem: a warning and "could not be read", never an error', () => {
  it('entry_undo with the value x', async () => {
    const { warnings, dms } = await refused(() =>
      h.slack.blockAction({ userId: ALICE, actionId: ids.entry.undo, value: 'x' }),
    );
    expect(warnings).toEqual(['request could not be read']);
    expect(dms).toEqual(unreadableDm(ALICE));
  });

  it('timesheet_next with the value {}', async () => {
    const { warnings, dms } = await refused(() =>
      clickInView(
        ALICE,
        { action_id: ids.timesheet.next, type: 'button', value: '{}' },
        { callback_id: ids.timesheet.callbackId },
      ),
    );
    expect(warnings).toEqual(['request could not be read']);
    expect(dms).toEqual(unreadableDm(ALICE));
    expect(h.fake.callsTo('views.update')).toEqual([]);
  });

  it('a select without its selected_option', async () => {
    const { warnings, dms } = await refused(() =>
      clickInView(
        ADMIN,
        { action_id: ids.admin.filterPeriod, type: 'static_select' },
        { callback_id: ids.admin.timesheetsModal },
      ),
    );
    expect(warnings).toEqual(['request could not be read']);
    expect(dms).toEqual(unreadableDm(ADMIN));
  });

  it('a command without a trigger_id', async () => {
    const form = new URLSearchParams({
      team_id: TEAM_ID,
      channel_id: `D${ADMIN}`,
      user_id: ADMIN,
      command: '/admin',
      text: '',
      response_url: h.fake.responseUrl(),
    });
    const { answer, warnings } = await refused(() => signedPost(form.toString(), FORM));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ response_type: 'ephemeral', text: UNREADABLE });
    expect(warnings).toEqual(['request could not be read']);
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });
});

describe('shortcuts', () => {
  it('refuses "Log time for this message" sent as a global shortcut, without a message', async () => {
    const { warnings, dms } = await refused(() =>
      postPayload({
        type: 'shortcut',
        callback_id: ids.shortcut.logMessage,
        user: { id: ALICE },
        team: { id: TEAM_ID },
        trigger_id: '1.2.edge',
      }),
    );
    expect(warnings).toEqual(['request could not be read']);
    expect(dms).toEqual(unreadableDm(ALICE));
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });
});

describe('a DM only ever goes to a real user', () => {
  it('posts nothing for a block action whose user id is null or 5', async () => {
    for (const id of [null, 5]) {
      const { answer, warnings, dms } = await refused(() =>
        postPayload({
          type: 'block_actions',
          user: { id },
          actions: [{ action_id: ids.entry.undo, type: 'button', value: 'x' }],
        }),
      );
      expect(answer.status).toBe(200);
      expect(warnings).toEqual(['request could not be read']);
      expect(dms).toEqual([]);
    }
  });
});

describe('commands', () => {
  it('answers a command no listener handles at once, saying so', async () => {
    const { answer, warnings } = await refused(() =>
      h.slack.slashCommand({ command: '/nothing', text: '', userId: ADMIN }),
    );
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).toContain('does not answer /nothing');
    expect(warnings).toEqual(['no listener answered the request']);
  });

  it('answers /credits and /report (declared in the manifest), each at once', async () => {
    const credits = await refused(() => h.slack.slashCommand({ command: '/credits', text: '', userId: ALICE }));
    expect(credits.answer.body).toMatchObject({
      response_type: 'ephemeral',
      text: 'Prepaid credit is for people who log time, approve it or run the firm, and your roles give none of those rights. An administrator can give you a role with one in /admin &gt; Users.',
    });
    const report = await refused(() =>
      h.slack.slashCommand({ command: '/report', text: 'ar summary last', userId: ALICE }),
    );
    expect(report.answer.status).toBe(200);
    expect(report.answer.body).toMatchObject({
      response_type: 'ephemeral',
      text: 'You do not have the Accounts Receivable reports right. An administrator can give you a role with it in /admin &gt; Users.',
    });
    expect(report.lines.filter((line) => line.level !== 'debug')).toEqual([]);
  });
});

describe('a stranger leaves no row behind', () => {
  it('refuses /log from a user with no rights without writing their profile', async () => {
    const { answer } = await refused(() =>
      h.slack.slashCommand({ command: '/log', text: '1h ACME-WEB design', userId: STRANGER }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      response_type: 'ephemeral',
      text: 'ConsulTracker does not know you yet. Ask an administrator to add you.',
    });
    const rows = await h.database.db.select({ id: users.id }).from(users);
    expect(rows.map((row) => row.id)).not.toContain(STRANGER);
  });

  it('shows App Home to a user with no rights without writing their profile', async () => {
    const { answer } = await refused(() => h.slack.event({ type: 'app_home_opened', user: STRANGER, tab: 'home' }));
    expect(answer.status).toBe(200);
    // App Home is published through the outbox, after the answer.
    await h.fake.waitFor('views.publish', (call) => call.args.user_id === STRANGER);
    const rows = await h.database.db.select({ id: users.id }).from(users);
    expect(rows.map((row) => row.id)).not.toContain(STRANGER);
  });
});
