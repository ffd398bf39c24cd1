/**
 * Issue 11, rule 12: updates to one Slack message apply in order across app instances and
 * dispatcher rounds. Two dispatchers share one database; Slack answers slowly (a call is held
 * until the test answers it) or not at all. Every interleaving is forced: a call held at the fake
 * Slack, a dispatcher held at a pause point, the test clock moved past a lease.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outbox, slackMessages } from '../../src/db/schema.js';
import { silentLogger } from '../../src/logger.js';
import {
  enqueueHomeRefresh,
  enqueueMessage,
  HOME_PUBLISH_INTERVAL_MS,
  type OutboxMessage,
} from '../../src/services/outbox.js';
import { type DispatcherOptions, OutboxDispatcher, type OutboxPausePoint } from '../../src/slack/outbox-dispatcher.js';
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

const client = (timeout = 5_000) => testSlackClient(fake, timeout);
const render = renderAsText;
const LEASE_MS = 60_000;
/** One app instance's dispatcher; several share the test's database. */
const dispatcher = (overrides: Partial<DispatcherOptions> = {}) =>
  new OutboxDispatcher({
    db: database.db,
    client: client(),
    render,
    clock,
    log: silentLogger,
    leaseMs: LEASE_MS,
    unknownOutcomeWaitMs: 60_000,
    ...overrides,
  });
const REF = 'approval:7:U02BOB';
const enqueue = (key: string, message: OutboxMessage) => enqueueMessage(database.db, key, message, clock.now());
const update = (key: string, text: string) =>
  enqueue(key, { kind: 'update', ref: REF, content: { template: 'text', model: text } });
const rowOf = async (key: string) => (await database.db.select().from(outbox).where(eq(outbox.dedupeKey, key)))[0]!;

/** Bob's approval DM, posted: returns its ts. */
async function postedDm(): Promise<string> {
  await enqueue('post', { kind: 'post', ref: REF, channel: 'U02BOB', content: { template: 'text', model: 'v0' } });
  expect(await dispatcher().runOnce()).toBe(1);
  const [dm] = fake.messages.get('DU02BOB') ?? [];
  return dm!.ts;
}

/** Records the pause points a dispatcher passes; `hold` keeps it at the next one of a kind until released. */
function pausePoints() {
  const events: string[] = [];
  const holds = new Map<OutboxPausePoint, { reach: () => void; released: Promise<void> }>();
  const waiters: { point: OutboxPausePoint; resolve: () => void }[] = [];
  const pause = async (point: OutboxPausePoint): Promise<void> => {
    if (point !== 'outbox:renewed') events.push(point);
    for (const waiter of waiters.filter((w) => w.point === point)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const hold = holds.get(point);
    if (!hold) return;
    holds.delete(point);
    hold.reach();
    await hold.released;
    events.push(`${point} released`);
  };
  return {
    events,
    pause,
    hold(point: OutboxPausePoint) {
      let reach!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => (reach = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.set(point, { reach, released });
      return { reached, release };
    },
    next: (point: OutboxPausePoint) => new Promise<void>((resolve) => waiters.push({ point, resolve })),
  };
}

/** Waits for renewals until the row's lease reaches past the test clock (moved past the first lease). */
async function renewedPastNow(points: ReturnType<typeof pausePoints>, key: string): Promise<void> {
  while (!((await rowOf(key)).leasedUntil! > clock.now())) await points.next('outbox:renewed');
}

describe('updates of one message across two dispatchers', () => {
  it('while one instance’s chat.update waits for a slow Slack, the other sends nothing of that message; then only the newest of the two queued behind it goes out, after it', async () => {
    const ts = await postedDm();
    const a = dispatcher();
    const b = dispatcher();
    await update('u1', 'v1');
    fake.failNext('chat.update', { held: true });
    const aRound = a.runOnce();
    await fake.waitFor('chat.update');
    await update('u2', 'v2');
    await update('u3', 'v3');

    expect(await b.runOnce()).toBe(0);
    expect(fake.callsTo('chat.update')).toHaveLength(1);

    expect(fake.answerHeld()).toBe(1);
    expect(await aRound).toBe(1);
    expect(await b.runOnce()).toBe(1);
    expect(fake.updatesOf(ts)).toEqual(['v1', 'v3']);
    expect(await rowOf('u2')).toMatchObject({ status: 'sent', result: { superseded: true }, attempts: 0 });
    expect(await rowOf('u3')).toMatchObject({ status: 'sent', attempts: 1, leasedUntil: null });
  });

  it('a claim held past its lease by a slow Slack is renewed, and the other instance does not send it again', async () => {
    const ts = await postedDm();
    const points = pausePoints();
    const a = dispatcher({ renewEveryMs: 20, pause: points.pause });
    const b = dispatcher();
    await update('u1', 'v1');
    fake.failNext('chat.update', { held: true });
    const aRound = a.runOnce();
    await fake.waitFor('chat.update');
    const claimed = (await rowOf('u1')).leasedUntil!;
    expect(claimed).toEqual(new Date(clock.now().getTime() + LEASE_MS));

    clock.advance({ seconds: 90 });
    await renewedPastNow(points, 'u1');
    expect(await b.runOnce()).toBe(0);
    expect(fake.callsTo('chat.update')).toHaveLength(1);

    fake.answerHeld();
    await aRound;
    expect(fake.updatesOf(ts)).toEqual(['v1']);
    expect(await rowOf('u1')).toMatchObject({ status: 'sent', attempts: 1, leasedUntil: null });
  });

  it('two claims racing for one message: the one that locked its ref claims it, the other claims none of its steps', async () => {
    const upload = (key: string, comment: string) =>
      enqueue(key, {
        kind: 'upload',
        ref: 'report:3',
        channel: 'C0REPORTS',
        inThread: false,
        file: { template: 'text', model: comment },
        comment,
      });
    await upload('f1', 'first file');
    await upload('f2', 'second file');
    const points = pausePoints();
    const renderFile = () => Promise.resolve(undefined);
    // A claims one step at a time: the first file, and holds its claim's transaction open.
    const a = dispatcher({ batchSize: 1, pause: points.pause, renderFile });
    const b = dispatcher({ renderFile });
    const locked = points.hold('outbox:refs-locked');
    const aRound = a.runOnce();
    await locked.reached;
    const bRound = b.runOnce();
    if (database.kind === 'pglite') {
      // One connection, one transaction at a time: B's claim runs once A's has committed.
      locked.release();
    }
    expect(await bRound).toBe(0);
    locked.release();
    expect(await aRound).toBe(1);
    expect(await rowOf('f1')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await rowOf('f2')).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await b.runOnce()).toBe(1);
    expect(await rowOf('f2')).toMatchObject({ status: 'sent', attempts: 1 });
  });
});

describe('rounds of one dispatcher', () => {
  it('never overlap: a round started while another is claiming waits until that one has put its messages in their lanes', async () => {
    await enqueue('p1', {
      kind: 'post',
      ref: 'decided:1',
      channel: 'U01ALICE',
      content: { template: 'text', model: 'hi' },
    });
    const points = pausePoints();
    const d = dispatcher({ pause: points.pause });
    const held = points.hold('outbox:claimed');
    const first = d.runOnce();
    await held.reached;
    const waits = points.next('outbox:round-waits');
    const second = d.runOnce();
    await waits;
    expect(points.events).toEqual(['outbox:refs-locked', 'outbox:claimed', 'outbox:round-waits']);
    held.release();
    expect(await first).toBe(1);
    expect(await second).toBe(0);
    expect(points.events).toEqual([
      'outbox:refs-locked',
      'outbox:claimed',
      'outbox:round-waits',
      'outbox:claimed released',
      'outbox:claimed',
    ]);
    expect(fake.messages.get('DU01ALICE')).toHaveLength(1);
  });
});

describe('a call that got no answer', () => {
  it('is not sent again before the wait, and then once', async () => {
    const ts = await postedDm();
    await update('u1', 'v1');
    fake.failNext('chat.update', { reset: true });
    const a = dispatcher();
    const b = dispatcher();
    expect(await a.runOnce()).toBe(1);
    expect(await rowOf('u1')).toMatchObject({ status: 'pending', attempts: 1 });

    clock.advance({ seconds: 59 });
    expect(await a.runOnce()).toBe(0);
    expect(await b.runOnce()).toBe(0);
    expect(fake.callsTo('chat.update')).toHaveLength(1);

    clock.advance({ seconds: 1 });
    expect(await b.runOnce()).toBe(1);
    expect(fake.callsTo('chat.update')).toHaveLength(2);
    expect(fake.updatesOf(ts)).toEqual(['v1']);
    expect(await rowOf('u1')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('holds its message: a newer update waits until Slack is done with the unanswered one, then goes out after it', async () => {
    const ts = await postedDm();
    await update('u1', 'v1');
    // No answer: the client gives up after a second, Slack applies it later.
    fake.failNext('chat.update', { lateCommit: true });
    const a = dispatcher({ client: client(1_000) });
    const b = dispatcher();
    expect(await a.runOnce()).toBe(1);
    await update('u2', 'v2');

    clock.advance({ seconds: 30 });
    expect(await b.runOnce()).toBe(0);
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    expect(fake.commitLate()).toBe(1);

    clock.advance({ seconds: 31 });
    expect(await b.runOnce()).toBe(1);
    expect(fake.updatesOf(ts)).toEqual(['v1', 'v2']);
    expect(await rowOf('u1')).toMatchObject({ status: 'sent', result: { superseded: true } });
    expect(await rowOf('u2')).toMatchObject({ status: 'sent', attempts: 1 });
  });
});

describe('App Home across two dispatchers', () => {
  it('publishes in order: a slow publish past its lease keeps its claim, and the newer state follows it', async () => {
    const state = { version: 1 };
    const renderHome = () =>
      Promise.resolve({ type: 'home', blocks: [], private_metadata: `v${state.version}` } as object);
    const points = pausePoints();
    const a = dispatcher({ renderHome, renewEveryMs: 20, pause: points.pause });
    const b = dispatcher({ renderHome });
    await enqueueHomeRefresh(database.db, 'U01ALICE', clock.now());
    fake.failNext('views.publish', { held: true });
    const aRound = a.runOnce();
    await fake.waitFor('views.publish');
    state.version = 2;
    await enqueueHomeRefresh(database.db, 'U01ALICE', clock.now());

    clock.advance({ seconds: 90 });
    await renewedPastNow(points, 'home:U01ALICE');
    expect(await b.runOnce()).toBe(0);
    expect(fake.callsTo('views.publish')).toHaveLength(1);

    fake.answerHeld();
    await aRound;
    // The newer state waits out the publish interval after the first publish, then goes out.
    expect(await b.runOnce()).toBe(0);
    clock.advance({ seconds: HOME_PUBLISH_INTERVAL_MS / 1000 });
    expect(await b.runOnce()).toBe(1);
    const published = fake
      .publishedTo('U01ALICE')
      .map((view) => (view as { private_metadata: string }).private_metadata);
    expect(published).toEqual(['v1', 'v2']);
    expect(await rowOf('home:U01ALICE')).toMatchObject({ status: 'sent', revision: 1 });
  });
});
