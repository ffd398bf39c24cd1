import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('start-up and shutdown', () => {
  it('while Slack is unreachable: /healthz ok, /readyz 503 "slack: connecting"; once it answers: connected and ready', async () => {
    // auth.test fails (with the client's one retry) on the first attempt; the next, a second later, succeeds.
    h = await startAppHarness({
      waitForSlack: false,
      beforeStart: (fake) => fake.failNext('auth.test', { status: 500 }, 2),
    });
    await h.fake.waitFor('auth.test');

    expect((await fetch(`${h.appUrl}/healthz`)).status).toBe(200);
    const connecting = await fetch(`${h.appUrl}/readyz`);
    expect(connecting.status).toBe(503);
    expect(await connecting.json()).toEqual({
      status: 'not ready',
      checks: { database: 'ok', migrations: 'ok', slack: 'connecting' },
    });

    await h.app.initialised;
    expect(h.fake.callsTo('auth.test').length).toBeGreaterThanOrEqual(3);
    const ready = await fetch(`${h.appUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', slack: 'ok' } });
  });

  it('finishes a request already in flight before closing the database', async () => {
    // A user with rights: only theirs is a profile worth looking up (a stranger's writes nothing).
    h = await startAppHarness({ adminUserIds: ['U07SLOW'] });
    // The profile lookup hangs until the client gives up, so the request is still running at stop().
    h.fake.failNext('users.info', { hang: true }, 2);
    const pending = h.slack.slashCommand({ command: '/log', text: '1h NOPE-PRJ slow', userId: 'U07SLOW' });
    await h.fake.waitFor('users.info');
    const stopped = h.app.stop();
    const response = await pending;
    await stopped;

    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body)).toMatch(/not set up as a consultant/);
    await expect(fetch(`${h.appUrl}/healthz`)).rejects.toThrow();
  });
  it('stops trying when Slack refuses the token, and says which variable to fix and where the README explains it', async () => {
    h = await startAppHarness({
      waitForSlack: false,
      beforeStart: (fake) => fake.failNext('auth.test', { error: 'invalid_auth' }),
    });

    await expect(h.app.initialised).rejects.toThrow(
      /Slack refused the bot token \(invalid_auth\).*SLACK_BOT_TOKEN.*README\.md, section "Connect to Slack"/,
    );
    expect(h.fake.callsTo('auth.test')).toHaveLength(1);
  });

  it('answers Slack 503 "still connecting" until the token check passes, then serves the same request', async () => {
    const lines: string[] = [];
    h = await startAppHarness({
      waitForSlack: false,
      log: createLogger('debug', (line) => lines.push(line)),
      // The first check fails twice (the client retries once); the next one, a second later, passes.
      beforeStart: (fake) => fake.failNext('auth.test', { status: 500 }, 2),
    });
    await h.fake.waitFor('auth.test');

    const early = await h.slack.slashCommand({ command: '/log', text: '1h NOPE-PRJ early', userId: 'U01EARLY' });
    expect(early.status).toBe(503);
    expect(early.text).toMatch(/still connecting to Slack/);

    await h.app.initialised;
    const later = await h.slack.slashCommand({ command: '/log', text: '1h NOPE-PRJ later', userId: 'U01EARLY' });
    expect(later.status).toBe(200);
    // One line for the failed check, not one per HTTP attempt as well.
    const messages = lines.map((line) => (JSON.parse(line) as { message: string }).message);
    expect(messages.filter((message) => /reachable|request failed/.test(message))).toEqual([
      'Slack is not reachable (HTTP 500); retrying in 1 s',
    ]);
  });
});
