/**
 * The outbox against a Slack having a bad day (issue 19): long outages, a refused token, a post
 * Slack finishes after the client gave up, a hung call, and rate limits. Time is the test clock;
 * where a call must time out, the client's timeout is a second, so nothing waits long for real.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outbox, slackMessages } from '../../src/db/schema.js';
import { countingDatabase } from '../../src/db/client.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { enqueueHomeRefresh, enqueueMessage, type OutboxMessage, resendDead } from '../../src/services/outbox.js';
import { type DispatcherOptions, OutboxDispatcher } from '../../src/slack/outbox-dispatcher.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type Fault, type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
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

/** Generous by default: a loaded test machine must not turn a slow answer into a timeout. */
const client = (timeout = 5_000) => testSlackClient(fake, timeout);
const render = renderAsText;
const dispatcher = (overrides: Partial<DispatcherOptions> = {}) =>
  new OutboxDispatcher({
    db: database.db,
    client: client(),
    render,
    clock,
    log: silentLogger,
    batchSize: 30,
    ...overrides,
  });
const managers = Array.from({ length: 30 }, (_, i) => `U${String(i + 1).padStart(2, '0')}MGR`);
const approvalDm = (manager: string): OutboxMessage => ({
  kind: 'post',
  ref: `approval:7:${manager}`,
  channel: manager,
  content: { template: 'text', model: `Alice asks you to approve timesheet 7` },
});
const enqueue = (key: string, message: OutboxMessage) => enqueueMessage(database.db, key, message, clock.now());
const fanOut = async () => {
  for (const manager of managers) await enqueue(`approval:7:${manager}`, approvalDm(manager));
};
const rows = () => database.db.select().from(outbox).orderBy(outbox.id);
const dmsTo = (user: string) => fake.messages.get(`D${user}`) ?? [];

/** Rounds every `step` seconds of the test clock for `seconds`. */
async function runFor(d: OutboxDispatcher, seconds: number, step = 5): Promise<void> {
  for (let t = 0; t < seconds; t += step) {
    await d.runOnce();
    clock.advance({ seconds: step });
  }
}

/** Rounds until nothing is pending (at most `limit` rounds of `step` seconds). */
async function drain(d: OutboxDispatcher, step = 5, limit = 200): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await d.runOnce();
    const pending = (await rows()).filter((row) => row.status === 'pending');
    if (pending.length === 0) return;
    clock.advance({ seconds: step });
  }
  throw new Error('the outbox did not drain');
}

function expectEachManagerGotOneDm() {
  for (const manager of managers) expect(dmsTo(manager), manager).toHaveLength(1);
}

describe('a 150-second Slack outage, then recovery', () => {
  const outages: [string, Fault][] = [
    ['500s', { status: 500 }],
    ['reset connections', { reset: true }],
    ['hung calls', { hang: true }],
  ];
  it.each(outages)('of %s: all 30 approval DMs delivered exactly once, none dead', async (_name, fault) => {
    await fanOut();
    const d = dispatcher({ client: client('hang' in fault ? 1_000 : 5_000) });
    fake.outage(fault);
    await runFor(d, 150);
    // Every DM kept being tried (a retry looks for an earlier post first) and none died.
    expect((await rows()).every((row) => row.status === 'pending' && row.attempts >= 3)).toBe(true);

    fake.outage(undefined);
    // After hangs, a restarted instance with the usual generous timeout: on a loaded test machine a
    // 1 s timeout would turn slow answers into late commits, which the test clock (racing ahead of
    // real time) would look for before they land. Production waits a real minute for that.
    await drain('hang' in fault ? dispatcher() : d);
    expectEachManagerGotOneDm();
    expect((await rows()).map((row) => row.status)).toEqual(managers.map(() => 'sent'));
    const recorded = await database.db.select().from(slackMessages);
    expect(recorded).toHaveLength(30);
  });
});

describe('a refused token', () => {
  it('pauses delivery for 60 s of invalid_auth with one error line, checks with auth.test, then delivers all 30', async () => {
    await fanOut();
    const lines: string[] = [];
    const d = dispatcher({ log: createLogger('info', (line) => lines.push(line)), probeMs: 30_000 });
    fake.outage({ error: 'invalid_auth' });
    await runFor(d, 60);

    expect(d.delivery()).toMatchObject({ state: 'paused', reason: expect.stringContaining('invalid_auth') });
    const all = await rows();
    expect(all.every((row) => row.status === 'pending')).toBe(true);
    // Not the messages' fault: no attempt spent on them.
    expect(all.every((row) => row.attempts === 0)).toBe(true);
    // The DMs went out side by side into the refused token, each once; then only auth.test asked, every 30 s.
    expect(fake.callsTo('chat.postMessage').length).toBeLessThanOrEqual(30);
    expect(fake.callsTo('auth.test').length).toBeGreaterThanOrEqual(1);
    expect(fake.callsTo('auth.test').length).toBeLessThanOrEqual(2);
    const errors = lines.map((line) => JSON.parse(line) as { level: string; message: string });
    expect(errors.filter((line) => line.level === 'error')).toHaveLength(1);

    fake.outage(undefined);
    await drain(d);
    expect(d.delivery()).toEqual({ state: 'running' });
    expectEachManagerGotOneDm();
    expect(errors.filter((line) => line.level === 'error')).toHaveLength(1);
  });

  it.each(['token_revoked', 'account_inactive', 'not_authed', 'missing_scope'])(
    'treats %s as account-wide: the message waits, nothing dies',
    async (error) => {
      await enqueue('one', approvalDm(managers[0]!));
      const d = dispatcher();
      fake.failNext('chat.postMessage', { error });
      await d.runOnce();
      expect(d.delivery()).toMatchObject({ state: 'paused', reason: expect.stringContaining(error) });
      expect(await rows()).toMatchObject([{ status: 'pending', attempts: 0 }]);
      clock.advance({ seconds: 30 });
      await drain(d);
      expect(dmsTo(managers[0]!)).toHaveLength(1);
    },
  );
});

describe('a post Slack finishes after the client gave up', () => {
  it('is looked up once Slack is done with it, and delivered once', async () => {
    await enqueue('late', approvalDm(managers[0]!));
    const d = dispatcher({ client: client(1_000), unknownOutcomeWaitMs: 60_000 });
    fake.failNext('chat.postMessage', { lateCommit: true });
    // The client gives up after its timeout (10 s in production, 1 s here).
    await d.runOnce();
    expect(dmsTo(managers[0]!)).toHaveLength(0);

    // 1 s later (when the old dispatcher looked) nothing is retried yet.
    clock.advance({ seconds: 1 });
    await d.runOnce();
    expect(fake.callsTo('conversations.history')).toHaveLength(0);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);

    // Slack commits the post 5 s after the client timeout.
    clock.advance({ seconds: 14 });
    expect(fake.commitLate()).toBe(1);
    await d.runOnce();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);

    clock.advance({ seconds: 45 });
    await drain(d);
    expect(fake.callsTo('conversations.history').length).toBeGreaterThanOrEqual(1);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(dmsTo(managers[0]!)).toHaveLength(1);
    const [recorded] = await database.db.select().from(slackMessages);
    expect(recorded).toMatchObject({ ref: `approval:7:${managers[0]}`, ts: dmsTo(managers[0]!)[0]!.ts });
  });
});

describe('a dead post whose last call Slack finished unanswered', () => {
  it('is looked up, not posted again, when an administrator resends it', async () => {
    await enqueue('late', approvalDm(managers[0]!));
    const d = dispatcher({ client: client(1_000), deliveryWindowMs: 60 * 60_000 });
    fake.failNext('chat.postMessage', { status: 500 });
    await d.runOnce();
    clock.advance({ minutes: 61 });
    // The last try within the window gets no answer; Slack posts it all the same.
    fake.failNext('chat.postMessage', { lateCommit: true });
    await d.runOnce();
    const [dead] = await rows();
    expect(dead).toMatchObject({ status: 'dead' });
    expect(fake.commitLate()).toBe(1);
    expect(dmsTo(managers[0]!)).toHaveLength(1);

    const looked = fake.callsTo('conversations.history').length;
    expect(await resendDead(database.db, [dead!.id], clock.now())).toEqual([dead!.id]);
    await drain(d);
    expect(fake.callsTo('conversations.history')).toHaveLength(looked + 1);
    expect(dmsTo(managers[0]!)).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ status: 'sent' });
  });
});

describe('a retried post to a conversation whose history the install may not read', () => {
  it('fails that post alone, with the missing scope named, while delivery goes on without pausing', async () => {
    fake.conversations.set('C0FINANCE', { kind: 'private', appIsMember: true });
    // Slack's answer to an install without groups:history.
    fake.outage({ error: 'missing_scope' }, ['conversations.history']);
    const close: OutboxMessage = {
      kind: 'post',
      ref: 'period-close:2026-11-30',
      channel: 'C0FINANCE',
      content: { template: 'text', model: 'November is closed' },
    };
    await enqueue('close', close);
    const d = dispatcher({ probeMs: 30_000 });
    fake.failNext('chat.postMessage', { status: 500 });
    await d.runOnce();
    await enqueue('dm', approvalDm(managers[0]!));
    await runFor(d, 120);

    expect(dmsTo(managers[0]!)).toHaveLength(1);
    expect(fake.callsTo('auth.test')).toHaveLength(0);
    expect(fake.messages.get('C0FINANCE') ?? []).toHaveLength(0);
    const [row] = (await rows()).filter((r) => r.dedupeKey === 'close');
    expect(row).toMatchObject({ status: 'pending', lastError: expect.stringContaining('missing_scope') });
    expect(row!.lastError).toContain('could not look in C0FINANCE for an earlier copy before posting again');
  });
});

describe('lanes', () => {
  it('keep sending while one call hangs in its own lane', async () => {
    const d = dispatcher({ client: client(60_000), batchSize: 4, pollMs: 50 });
    await enqueue('stuck', approvalDm(managers[0]!));
    fake.failNext('chat.postMessage', { hang: true });
    d.start();
    await fake.waitFor('chat.postMessage');
    for (const manager of managers.slice(1, 13)) await enqueue(`m:${manager}`, approvalDm(manager));
    d.wake();
    // Every other manager's DM goes out while the first call is still hanging.
    for (const manager of managers.slice(1, 13)) {
      await fake.waitFor('chat.postMessage', (call) => call.args.channel === manager);
    }
    await expect.poll(async () => (await rows()).filter((row) => row.status === 'sent').length).toBe(12);
    expect(dmsTo(managers[0]!)).toHaveLength(0);
    fake.releaseHangs();
    await d.stop();
    expect((await rows()).find((row) => row.dedupeKey === 'stuck')).toMatchObject({ status: 'pending' });
  });
});

describe('what matters goes first under rate limits', () => {
  it('with 50 chat.update a minute, the consultant’s decision DM goes out at once behind 900 queued updates, and each DM ends on its newest state', async () => {
    // 30 approvers' DMs are out; each of 30 approval clicks re-renders every approver's DM.
    await fanOut();
    const d = dispatcher();
    await drain(d);
    fake.rateLimit('chat.update', 50, clock);
    for (let click = 1; click <= 30; click++) {
      for (const manager of managers) {
        await enqueue(`update:${click}:${manager}`, {
          kind: 'update',
          ref: `approval:7:${manager}`,
          content: { template: 'text', model: `${click} of 30 approved` },
        });
      }
    }
    await d.runOnce();
    await enqueue('decided', {
      kind: 'post',
      ref: 'decided:7',
      channel: 'U00ALICE',
      content: { template: 'text', model: 'Your timesheet is approved' },
    });
    clock.advance({ seconds: 1 });
    await d.runOnce();
    expect(dmsTo('U00ALICE')).toMatchObject([{ text: 'Your timesheet is approved' }]);

    await drain(d, 5);
    for (const manager of managers) expect(dmsTo(manager)).toMatchObject([{ text: '30 of 30 approved' }]);
    // Coalesced: each DM took its newest state, not 30 renders.
    expect(fake.callsTo('chat.update').length).toBeLessThan(100);
  });

  it('holds back only the method Slack limited: posts go on while chat.update waits out its Retry-After', async () => {
    await fanOut();
    const d = dispatcher();
    await drain(d);
    await enqueue('u', {
      kind: 'update',
      ref: `approval:7:${managers[0]}`,
      content: { template: 'text', model: 'v2' },
    });
    fake.failNext('chat.update', { status: 429, retryAfterSeconds: 60 });
    await d.runOnce();
    await enqueue('p', approvalDm('U00ALICE'));
    await d.runOnce();
    expect(dmsTo('U00ALICE')).toHaveLength(1);
    expect(fake.callsTo('chat.update')).toHaveLength(1);
  });
});

describe('App Home through the outbox', () => {
  it('publishes the latest state once per user after views.publish failed for 60 s, one row per user', async () => {
    const state = new Map<string, number>();
    const d = dispatcher({
      renderHome: (userId) => Promise.resolve({ type: 'home', blocks: [], private_metadata: `v${state.get(userId)}` }),
    });
    const users = ['U01ALICE', 'U02BOB', 'U03DANA'];
    fake.outage({ status: 500 }, ['views.publish']);
    for (let change = 1; change <= 12; change++) {
      for (const user of users) {
        state.set(user, change);
        await enqueueHomeRefresh(database.db, user, clock.now());
      }
      await d.runOnce();
      clock.advance({ seconds: 5 });
    }
    expect(await rows()).toHaveLength(3);
    expect((await rows()).every((row) => row.status === 'pending')).toBe(true);

    fake.outage(undefined);
    await drain(d);
    for (const user of users) {
      const last = fake
        .callsTo('views.publish')
        .filter((call) => call.args.user_id === user)
        .at(-1);
      expect((last?.args.view as { private_metadata: string }).private_metadata).toBe('v12');
    }
    expect((await rows()).map((row) => row.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('reads, renders and publishes two App Homes at once while the other claimed ones wait, then all of them', async () => {
    const users = ['U01ALICE', 'U02BOB', 'U03DANA', 'U04EVE', 'U05FRED'];
    let rendering = 0;
    let mostAtOnce = 0;
    let started = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const d = dispatcher({
      renderHome: async (userId) => {
        started++;
        mostAtOnce = Math.max(mostAtOnce, ++rendering);
        await released;
        rendering--;
        return { type: 'home', blocks: [], private_metadata: userId };
      },
    });
    for (const user of users) await enqueueHomeRefresh(database.db, user, clock.now());

    const round = d.runOnce();
    while (started < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    // Time for the other three to start, if they could.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toBe(2);
    release();
    await round;

    expect(mostAtOnce).toBe(2);
    expect(
      fake
        .callsTo('views.publish')
        .map((call) => call.args.user_id)
        .sort(),
    ).toEqual(users);
    expect((await rows()).map((row) => row.status)).toEqual(users.map(() => 'sent'));
  });

  it('publishes again when the home changed while it was being published', async () => {
    let version = 1;
    const d = dispatcher({
      renderHome: async () => {
        const seen = version;
        // A change lands while this publish is under way.
        if (seen === 1) {
          version = 2;
          await enqueueHomeRefresh(database.db, 'U01ALICE', clock.now());
        }
        return { type: 'home', blocks: [], private_metadata: `v${seen}` };
      },
    });
    await enqueueHomeRefresh(database.db, 'U01ALICE', clock.now());
    await drain(d);
    const published = fake
      .callsTo('views.publish')
      .map((call) => (call.args.view as { private_metadata: string }).private_metadata);
    expect(published).toEqual(['v1', 'v2']);
    expect(await rows()).toMatchObject([{ status: 'sent', revision: 1 }]);
  });
});

describe('App Homes at Slack’s pace', () => {
  const users = ['U01ALICE', 'U02BOB', 'U03DANA', 'U04EVE', 'U05FRED'];
  const homeView = (userId: string) => Promise.resolve({ type: 'home', blocks: [], private_metadata: userId });
  const publishedTo = () => fake.callsTo('views.publish').map((call) => call.args.user_id);

  it('publishes a burst of two, then one every ten seconds at six a minute, the longest waiting first, while DMs go out at once', async () => {
    const d = dispatcher({ renderHome: homeView, homesPerMinute: 6, homeBurst: 2 });
    // Queued in this order; how long each has waited follows neither it nor its reverse.
    const waitedSeconds = [3, 1, 5, 2, 4];
    for (const [i, user] of users.entries()) {
      await enqueueHomeRefresh(database.db, user, new Date(clock.now().getTime() - waitedSeconds[i]! * 1000));
    }
    for (const manager of managers.slice(0, 3)) await enqueue(`approval:7:${manager}`, approvalDm(manager));

    await d.runOnce();
    await d.runOnce();
    expect(publishedTo()).toEqual(['U03DANA', 'U05FRED']);
    expect(managers.slice(0, 3).map((manager) => dmsTo(manager).length)).toEqual([1, 1, 1]);

    clock.advance({ seconds: 9 });
    await d.runOnce();
    expect(publishedTo()).toHaveLength(2);
    clock.advance({ seconds: 1 });
    await d.runOnce();
    expect(publishedTo()).toEqual(['U03DANA', 'U05FRED', 'U01ALICE']);

    clock.advance({ seconds: 20 });
    await d.runOnce();
    expect(publishedTo()).toEqual(['U03DANA', 'U05FRED', 'U01ALICE', 'U04EVE', 'U02BOB']);
    expect((await rows()).every((row) => row.status === 'sent')).toBe(true);
  });

  it('bursts no more homes than its rate a minute, so a low rate holds from the first minute', async () => {
    const d = dispatcher({ renderHome: homeView, homesPerMinute: 1 });
    for (const user of users) await enqueueHomeRefresh(database.db, user, clock.now());
    await d.runOnce();
    await d.runOnce();
    expect(publishedTo()).toHaveLength(1);
    clock.advance({ seconds: 60 });
    await d.runOnce();
    expect(publishedTo()).toHaveLength(2);
  });

  it('is woken by a home due now only while one may be published: a home that must wait costs no claim until one may', async () => {
    const { db, counter } = countingDatabase(database);
    const d = dispatcher({ db, renderHome: homeView, homesPerMinute: 6, homeBurst: 1, pollMs: 60_000 });
    d.start();
    try {
      await enqueueHomeRefresh(database.db, 'U01ALICE', clock.now());
      d.wakeForHome();
      await fake.waitFor('views.publish', (call) => call.args.user_id === 'U01ALICE');
      // Alice's settle may still be on its way.
      await new Promise((resolve) => setTimeout(resolve, 100));

      counter.reset();
      await enqueueHomeRefresh(database.db, 'U02BOB', clock.now());
      d.wakeForHome();
      // Time enough for a woken dispatcher to claim, as it did for Alice.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(counter.transactions).toBe(0);
      expect(publishedTo()).toEqual(['U01ALICE']);

      clock.advance({ seconds: 10 });
      d.wakeForHome();
      await fake.waitFor('views.publish', (call) => call.args.user_id === 'U02BOB');
    } finally {
      await d.stop();
    }
  });
});
