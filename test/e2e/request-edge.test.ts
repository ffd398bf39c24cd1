/** Issue 20, one test per finding: hostile or malformed signed requests are answered in time, and change nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.js';
import { type AppHarness, SIGNING_SECRET, startAppHarness } from '../support/app-harness.js';
import { signSlackRequest } from '../support/slack-requests.js';

let h: AppHarness;
const ADMIN = 'UADMIN01';

beforeAll(async () => {
  h = await startAppHarness({ adminUserIds: [ADMIN] });
  h.fake.users.set(ADMIN, { id: ADMIN, real_name: 'Ada Admin', tz: 'UTC' });
});
afterAll(async () => h.stop());

async function signedPost(body: string, contentType: string): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${h.appUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(SIGNING_SECRET, timestamp, body),
    },
    body,
  });
  await response.text();
  return response.status;
}

const payload = (value: unknown) => new URLSearchParams({ payload: JSON.stringify(value) }).toString();

describe('the process keeps serving', () => {
  it('answers a signed `payload=null` and a JSON `null` body with 400 and still answers the next request', async () => {
    expect(await signedPost('payload=null', 'application/x-www-form-urlencoded')).toBe(400);
    expect(await signedPost('null', 'application/json')).toBe(400);
    const next = await h.slack.slashCommand({ command: '/log', text: 'nonsense', userId: ADMIN });
    expect(next.status).toBe(200);
  });
});

describe('no 5xx for shapes Bolt cannot read', () => {
  it('acks block_actions with `actions: null`, without a user, and an event `null` with 200', async () => {
    for (const body of [
      payload({ type: 'block_actions', user: { id: ADMIN }, actions: null }),
      payload({ type: 'block_actions', actions: [{ action_id: 'entry_undo', type: 'button', value: '1' }] }),
    ])
      expect(await signedPost(body, 'application/x-www-form-urlencoded')).toBe(200);
    expect(
      await signedPost(
        JSON.stringify({ type: 'event_callback', team_id: 'T0TEST01', event: null }),
        'application/json',
      ),
    ).toBe(200);
  });
});

describe('answers in time', () => {
  it('answers a view submission with unreadable private_metadata at once, with an error on the form', async () => {
    const answer = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: 'admin_period_form',
      privateMetadata: '{bad',
      values: { starts: { value: { type: 'datepicker', selected_date: '2026-12-01' } } },
    });
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).toContain('could not be read');
  });
});

describe('control characters and unsound ids never reach the database', () => {
  it('refuses `/log 1h ACME-WEB a\\0b` and `/log start ACME-WEB a\\0b` naming the text', async () => {
    for (const text of ['1h ACME-WEB a\u0000b', 'start ACME-WEB a\u0000b']) {
      const answer = await h.slack.slashCommand({ command: '/log', text, userId: ADMIN });
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).toContain('The text after /log contains a control character (U+0000)');
    }
  });

  it('refuses a command whose user_id carries a NUL, and writes no user row for it', async () => {
    const answer = await h.slack.slashCommand({ command: '/log', text: '', userId: 'UADMIN01\u0000' });
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).toContain('could not be read');
    const rows = await h.database.db.select({ id: users.id }).from(users);
    expect(rows.map((row) => row.id)).not.toContain('UADMIN01\u0000');
  });
});

describe('a DM only ever goes to a real user', () => {
  it('posts nothing for a block action whose user id is null or 5', async () => {
    h.fake.reset();
    for (const id of [null, 5])
      await signedPost(
        payload({
          type: 'block_actions',
          user: { id },
          actions: [{ action_id: 'entry_undo', type: 'button', value: 'x' }],
        }),
        'application/x-www-form-urlencoded',
      );
    expect(
      h.fake.callsTo('chat.postMessage').filter((call) => ['null', '5'].includes(String(call.args.channel))),
    ).toEqual([]);
  });
});

describe('commands', () => {
  it('answers a command no listener handles at once, saying so', async () => {
    const answer = await h.slack.slashCommand({ command: '/nothing', text: '', userId: ADMIN });
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).toContain('does not answer /nothing');
  });
});
