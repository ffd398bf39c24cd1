import type { WebClient } from '@slack/web-api';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countingDatabase } from '../../src/db/client.js';
import { outbox, slackMessages } from '../../src/db/schema.js';
import { silentLogger } from '../../src/logger.js';
import { enqueueMessage, type OutboxMessage } from '../../src/services/outbox.js';
import { OutboxDispatcher } from '../../src/slack/outbox-dispatcher.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { renderAsText, testSlackClient } from '../support/outbox-testbed.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let fake: FakeSlack;
let clock: TestClock;

beforeAll(async () => {
  database = await createTestDatabase();
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
  await database.drop();
});
beforeEach(async () => {
  await database.db.delete(outbox);
  await database.db.delete(slackMessages);
  fake.reset();
  clock = new TestClock('2026-11-25T10:00:00Z');
});

const client = () => testSlackClient(fake, 2_000);
const dispatcher = (overrides: Partial<ConstructorParameters<typeof OutboxDispatcher>[0]> = {}) =>
  new OutboxDispatcher({ db: database.db, client: client(), render, clock, log: silentLogger, ...overrides });
const render = renderAsText;
const post = (ref: string, text = `post ${ref}`): OutboxMessage => ({
  kind: 'post',
  ref,
  channel: 'U02BOB',
  content: { template: 'text', model: text },
});
const update = (ref: string, text: string): OutboxMessage => ({
  kind: 'update',
  ref,
  content: { template: 'text', model: text },
});
const enqueue = (key: string, message: OutboxMessage) => enqueueMessage(database.db, key, message, clock.now());
const posts = () => fake.messages.get('DU02BOB') ?? [];
const rows = () => database.db.select().from(outbox).orderBy(outbox.id);

/** Runs rounds, moving the clock past every backoff, until nothing is due. */
async function drain(d: OutboxDispatcher, rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await d.runOnce();
    clock.advance({ minutes: 6 });
  }
}

describe('outbox dispatcher', () => {
  it('posts once, records where, and applies the latest update in place', async () => {
    await enqueue('p1', post('approval:1:U02BOB', 'v1'));
    await enqueue('p1', post('approval:1:U02BOB', 'duplicate of the same change'));
    await enqueue('u1', update('approval:1:U02BOB', 'v2'));
    await enqueue('u2', update('approval:1:U02BOB', 'v3'));
    await drain(dispatcher(), 3);

    expect(posts()).toHaveLength(1);
    expect(posts()[0]).toMatchObject({ text: 'v3' });
    expect(posts()[0]!.metadata).toMatchObject({ event_type: 'consultracker_outbox' });
    const [recorded] = await database.db.select().from(slackMessages);
    expect(recorded).toMatchObject({ ref: 'approval:1:U02BOB', channel: 'DU02BOB', ts: posts()[0]!.ts });
    expect((await rows()).map((row) => row.status)).toEqual(['sent', 'sent', 'sent']);
    // The older update was superseded, not sent.
    expect(fake.callsTo('chat.update')).toHaveLength(1);
  });

  it('waits out a 429 for as long as Retry-After says, without spending attempts', async () => {
    await enqueue('p', post('r:429'));
    fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 30 });
    const d = dispatcher();
    await d.runOnce();
    expect(posts()).toHaveLength(0);
    const [waiting] = await rows();
    expect(waiting).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: new Date('2026-11-25T10:00:30Z') });
    clock.advance({ seconds: 29 });
    await d.runOnce();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    clock.advance({ seconds: 1 });
    await d.runOnce();
    expect(posts()).toHaveLength(1);
  });

  it('retries 500s and a hang with backoff and delivers exactly once', async () => {
    await enqueue('p', post('r:flaky'));
    fake.failNext('chat.postMessage', { status: 500 });
    fake.failNext('chat.postMessage', { hang: true });
    // The hang ends at the client's timeout; a short one also cut off answers that were only slow on a busy machine.
    const d = dispatcher();
    await drain(d, 4);
    expect(posts()).toHaveLength(1);
    expect(await rows()).toMatchObject([{ status: 'sent', attempts: 3 }]);
  });

  it('never posts twice when it died after Slack accepted the post but before recording it', async () => {
    await enqueue('p', post('r:crash'));
    const real = client();
    let crashed = false;
    const chat = {
      ...real.chat,
      postMessage: async (args: Parameters<WebClient['chat']['postMessage']>[0]) => {
        const answer = await real.chat.postMessage(args);
        if (!crashed) {
          crashed = true;
          throw new Error('process killed before the commit');
        }
        return answer;
      },
    };
    const crashing = Object.create(real, { chat: { value: chat } }) as WebClient;
    await dispatcher({ client: crashing }).runOnce();
    expect(posts()).toHaveLength(1);
    expect(await database.db.select().from(slackMessages)).toHaveLength(0);

    // A restarted dispatcher finds the post in the conversation instead of posting again.
    clock.advance({ minutes: 1 });
    await dispatcher().runOnce();
    expect(posts()).toHaveLength(1);
    expect(await database.db.select().from(slackMessages)).toMatchObject([{ ref: 'r:crash', ts: posts()[0]!.ts }]);
    expect(await rows()).toMatchObject([{ status: 'sent' }]);
  });

  it('gives up at once on what no retry fixes, and on transient failures only after the delivery window, keeping the error', async () => {
    await enqueue('bad', post('r:bad'));
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await dispatcher().runOnce();
    expect(await rows()).toMatchObject([
      { status: 'dead', attempts: 1, lastError: 'Slack refused: channel_not_found' },
    ]);

    await enqueue('down', post('r:down'));
    fake.outage({ status: 500 }, ['chat.postMessage']);
    const d = dispatcher({ deliveryWindowMs: 60 * 60_000 });
    // 59 minutes of 500s: still pending, retried at most 5 minutes apart.
    for (let minute = 0; minute < 59; minute++) {
      await d.runOnce();
      clock.advance({ minutes: 1 });
    }
    const waiting = (await rows()).find((row) => row.dedupeKey === 'down')!;
    expect(waiting.status).toBe('pending');
    expect(waiting.attempts).toBeGreaterThan(8);
    expect(waiting.nextAttemptAt.getTime() - clock.now().getTime()).toBeLessThanOrEqual(5 * 60_000);
    clock.advance({ minutes: 2 });
    await d.runOnce();
    const down = (await rows()).find((row) => row.dedupeKey === 'down');
    expect(down).toMatchObject({
      status: 'dead',
      lastError: 'not delivered within 1 h; last error: An HTTP protocol error occurred: statusCode = 500',
    });
    expect(posts()).toHaveLength(0);
  });

  it('holds an update until its post is out', async () => {
    await enqueue('u', update('r:later', 'v2'));
    await enqueue('p', post('r:later', 'v1'));
    await drain(dispatcher(), 3);
    expect(posts()).toMatchObject([{ text: 'v2', updates: 1 }]);
  });

  it('lets several dispatchers run side by side, each message still going out once', async () => {
    for (let i = 0; i < 40; i++) await enqueue(`m${i}`, post(`r:${i}`));
    const dispatchers = [dispatcher({ batchSize: 5 }), dispatcher({ batchSize: 5 }), dispatcher({ batchSize: 5 })];
    for (let round = 0; round < 6; round++) await Promise.all(dispatchers.map((d) => d.runOnce()));
    expect(posts()).toHaveLength(40);
    expect(
      new Set(posts().map((m) => (m.metadata as { event_payload: { outbox_id: number } }).event_payload.outbox_id))
        .size,
    ).toBe(40);
    expect((await rows()).every((row) => row.status === 'sent' && row.attempts === 1)).toBe(true);
  });
});

describe('outbox dispatcher running on its own', () => {
  it('delivers after wake() without waiting for the poll, and stops cleanly', async () => {
    const d = dispatcher({ pollMs: 60_000 });
    d.start();
    await enqueue('w', post('r:wake'));
    d.wake();
    await fake.waitFor('chat.postMessage');
    await d.stop();
    const [row] = await database.db.select().from(outbox).where(eq(outbox.dedupeKey, 'w'));
    expect(row!.status).toBe('sent');
  });

  it('claims nothing more after a delivery that kept nothing back', async () => {
    let claims = 0;
    const { db } = countingDatabase(database, (query) => {
      if (/skip locked/i.test(query)) claims++;
    });
    await enqueue('lone', post('r:lone'));
    const d = dispatcher({ db, pollMs: 60_000 });
    d.start();
    await fake.waitFor('chat.postMessage');
    await until(async () => (await rows())[0]?.status === 'sent');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await d.stop();

    expect(claims).toBe(1);
  });

  it('claims the next step of a message as soon as its lane is free when a round passed it by, without waiting for the poll', async () => {
    let rounds = 0;
    fake.failNext('chat.postMessage', { held: true });
    await enqueue('p', post('r:lane', 'v1'));
    const d = dispatcher({
      pollMs: 60_000,
      pause: (point) => {
        if (point === 'outbox:claimed') rounds++;
        return Promise.resolve();
      },
    });
    d.start();
    await fake.waitFor('chat.postMessage');
    // Queued while the post is being sent: the round it wakes leaves it, the message being busy.
    await enqueue('u', update('r:lane', 'v2'));
    d.wake();
    await until(() => rounds === 2);
    expect(fake.answerHeld()).toBe(1);

    await fake.waitFor('chat.update', undefined, 5_000);
    await d.stop();
    expect(posts()[0]).toMatchObject({ text: 'v2' });
  });
});

/** Polls `done` every 10 ms, for up to 5 s. */
async function until(done: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('timed out');
}
