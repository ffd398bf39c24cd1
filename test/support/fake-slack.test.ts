/** The fake must behave like Slack where the app depends on it, or the e2e tests prove nothing. */
import { LogLevel, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { signSlackRequest } from './slack-requests.js';

let fake: FakeSlack;
let client: WebClient;

beforeAll(async () => {
  fake = await startFakeSlack();
  client = new WebClient('xoxb-test', {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
});
afterAll(async () => fake.close());

describe('fake Slack Web API', () => {
  it('records calls with their decoded arguments, blocks included', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }];
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'hi', blocks });
    expect(posted.ok).toBe(true);
    const call = await fake.waitFor('chat.postMessage');
    expect(call.args).toMatchObject({ channel: 'C1', text: 'hi', blocks });
    expect(call.token).toBe('xoxb-test');
  });

  it('answers users.info from its user table', async () => {
    fake.users.set('U1', { id: 'U1', real_name: 'Una', tz: 'Europe/Berlin' });
    expect((await client.users.info({ user: 'U1' })).user).toMatchObject({ id: 'U1', tz: 'Europe/Berlin' });
    await expect(client.users.info({ user: 'U404' })).rejects.toThrow(/user_not_found/);
  });

  it('answers 429 with Retry-After, then 500, then normally', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'v1' });
    fake.failNext('chat.update', { status: 429, retryAfterSeconds: 7 });
    fake.failNext('chat.update', { status: 500 });
    const update = () => client.chat.update({ channel: 'C1', ts: posted.ts!, text: 'v2' });
    await expect(update()).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
    await expect(update()).rejects.toThrow();
    expect((await update()).ok).toBe(true);
    expect(fake.messages.get('C1')?.find((m) => m.ts === posted.ts)).toMatchObject({ text: 'v2', updates: 1 });
  });

  it('keeps DMs per user conversation, with their metadata for history lookups', async () => {
    const posted = await client.chat.postMessage({
      channel: 'U7',
      text: 'hello',
      metadata: { event_type: 'test', event_payload: { n: 1 } },
    });
    expect(posted.channel).toBe('DU7');
    const history = await client.conversations.history({ channel: 'DU7', include_all_metadata: true });
    expect(history.messages).toMatchObject([
      { ts: posted.ts, metadata: { event_type: 'test', event_payload: { n: 1 } } },
    ]);
    await expect(client.chat.update({ channel: 'DU7', ts: '9.9', text: 'x' })).rejects.toThrow(/message_not_found/);
  });

  it('can hang a call until the client gives up', async () => {
    const impatient = new WebClient('xoxb-test', {
      slackApiUrl: fake.apiUrl,
      timeout: 200,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
    });
    fake.failNext('views.publish', { hang: true });
    await expect(impatient.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } })).rejects.toThrow();
  });

  it('accepts a file through the external upload flow and keeps its bytes', async () => {
    const bytes = Buffer.from('%PDF-1.7 fake');
    await client.filesUploadV2({ channel_id: 'C9', file: bytes, filename: 'report.pdf', title: 'Report' });
    const [fileId] = [...fake.uploads.keys()];
    expect(fake.uploads.get(fileId!)?.bytes.equals(bytes)).toBe(true);
    expect((await fake.waitFor('files.completeUploadExternal')).args).toMatchObject({ channel_id: 'C9' });
  });

  it('records posts to a response_url', async () => {
    await fetch(fake.responseUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'done', replace_original: true }),
    });
    expect((await fake.waitFor('response_url')).args).toMatchObject({ text: 'done', replace_original: true });
  });
});

describe('request signer', () => {
  it('computes Slack’s documented v0 signature', () => {
    // The example from Slack's "Verifying requests from Slack" guide.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });
});
