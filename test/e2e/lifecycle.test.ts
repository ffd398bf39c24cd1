import { afterEach, describe, expect, it } from 'vitest';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('start-up and shutdown', () => {
  it('serves health checks while Slack is unreachable, and connects once it answers', async () => {
    // auth.test fails (with the client's one retry) on the first attempt, then succeeds.
    h = await startAppHarness({
      waitForSlack: false,
      beforeStart: (fake) => fake.failNext('auth.test', { status: 500 }, 2),
    });

    const health = await fetch(`${h.appUrl}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${h.appUrl}/readyz`)).status).toBe(200);

    await h.app.initialised;
    expect(h.fake.callsTo('auth.test').length).toBeGreaterThanOrEqual(3);
  });

  it('finishes a request already in flight before closing the database', async () => {
    h = await startAppHarness();
    // The profile lookup hangs until the client gives up, so the request is still running at stop().
    h.fake.failNext('users.info', { hang: true }, 2);
    const pending = h.slack.slashCommand({ command: '/log', text: '1h NOPE-PRJ slow', userId: 'U07SLOW' });
    await h.fake.waitFor('users.info');
    const stopped = h.app.stop();
    const response = await pending;
    await stopped;

    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body)).toMatch(/does not know you/);
    await expect(fetch(`${h.appUrl}/healthz`)).rejects.toThrow();
  });
});
