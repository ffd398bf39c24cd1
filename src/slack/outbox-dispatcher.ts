import type { WebClient } from '@slack/web-api';
import type { Database } from '../db/client.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../logger.js';
import { runInRequest } from '../request-context.js';
import {
  type ClaimedMessage,
  type MessageContent,
  type OutboxKind,
  type OutboxMessage,
  type OutboxUpload,
  type Claim,
  claimDueMessages,
  hasNewerUpdate,
  markDead,
  markRetry,
  markSent,
  postedMessage,
  postState,
  renewLeases,
  resendChanged,
} from '../services/outbox.js';
import { PublishPace, SLACK_HOME_PUBLISHES_PER_MINUTE } from './publish-pace.js';
import { classifySlackFailure } from './slack-failures.js';

export type DispatcherOptions = {
  db: Database;
  /** A client without its own retries: the dispatcher decides when to try again. */
  client: WebClient;
  /** Turns a message's template and model into what Slack shows. */
  render: (content: MessageContent) => { text: string; blocks: unknown[] };
  /** An update's content as it stands when it is sent (approval DMs are read again); as queued by default. */
  currentContent?: (content: MessageContent) => Promise<MessageContent>;
  /** Renders an upload's file (a PDF) when it is sent; undefined when what it shows is gone. */
  renderFile?: (content: MessageContent) => Promise<RenderedFile | undefined>;
  /** A user's App Home as it stands now; undefined when there is nothing to publish for them. */
  renderHome?: (userId: string) => Promise<object | undefined>;
  /** A post or update naming `homeOf` was delivered: queue that user's App Home (never throws). */
  homeAfterNotice?: (userId: string) => Promise<void>;
  /**
   * How many App Homes are read, rendered and published at once; the rest wait in their lanes. A
   * home is the costliest message to prepare on the app's thread and nobody waits for it, and the
   * poll finds every home whose publish interval has ended at once: ten at a time kept the
   * requests arriving meanwhile waiting (bench/README.md, 2026-12-07 (later)). Two at a time
   * still publish several a second, more than Slack's limit for views.publish (Tier 4: 100+ a
   * minute).
   */
  homesAtOnce?: number;
  /**
   * How many App Homes are published a minute at most, after a burst of `homeBurst`: Slack takes
   * views.publish at Tier 4 (100+ a minute per workspace) and answers a faster pace with 429s. Under
   * a burst of changes each user's home waits its turn with every change since folded in, and the
   * app's thread is not taken by waves of renders while requests wait for it.
   */
  homesPerMinute?: number;
  homeBurst?: number;
  clock: Clock;
  log: Logger;
  pollMs?: number;
  /**
   * How many messages may be in flight at once. Each Slack message (ref) is a lane: its steps go
   * one after another, different messages go side by side.
   */
  batchSize?: number;
  /** How long a claim holds its message (ref) before another instance may take it over. */
  leaseMs?: number;
  /** While claims are being sent, their leases are renewed this often (well within leaseMs). */
  renewEveryMs?: number;
  /** How long a message keeps being retried through transient failures before it is dead. */
  deliveryWindowMs?: number;
  maxBackoffMs?: number;
  /**
   * After a call that got no answer (timeout, reset), how long to wait before looking for what it
   * may have posted: longer than the client's timeout, so Slack has finished what it accepted.
   */
  unknownOutcomeWaitMs?: number;
  /** While delivery is paused by an account-wide error, how often to ask Slack (auth.test) again. */
  probeMs?: number;
  /** Tests hold the dispatcher here to force an interleaving (see OutboxPausePoint). */
  pause?: (point: OutboxPausePoint) => Promise<void>;
};

/**
 * Where a test can hold the dispatcher: `outbox:refs-locked` inside a claim's transaction once it
 * locked the refs it claims; `outbox:claimed` after a round's claim committed, before its messages
 * go into their lanes; `outbox:round-waits` when a round starts while the previous one is still
 * claiming (it waits for it); `outbox:renewed` after the leases in flight were renewed.
 */
export type OutboxPausePoint = 'outbox:refs-locked' | 'outbox:claimed' | 'outbox:round-waits' | 'outbox:renewed';

export type RenderedFile = { bytes: Buffer; filename: string; title: string };

/** What an operator sees in /healthz and the metrics. */
export type DeliveryState =
  { state: 'running' } | { state: 'paused'; reason: string; since: string; nextCheckAt: string };

/** Tags every post, so a post whose answer was lost can be found in the conversation afterwards. */
export const OUTBOX_EVENT_TYPE = 'consultracker_outbox';
export const DEFAULT_DELIVERY_WINDOW_MS = 24 * 60 * 60_000;
const HISTORY_LOOKBACK = 50;
const WAIT_FOR_POST_MS = 1_000;
const METHOD_OF: Record<OutboxKind, string> = {
  post: 'chat.postMessage',
  update: 'chat.update',
  home: 'views.publish',
  upload: 'files.uploadV2',
};

/**
 * Delivers the outbox: posts and updates Slack messages and publishes App Homes, records where
 * posts landed, and retries transient failures with capped backoff for a delivery window.
 * Account-wide errors pause delivery until Slack accepts the token again; rate limits pause only
 * the method they hit. Lanes run independently: a hung call holds only its own lane. Several
 * instances may run side by side.
 */
export class OutboxDispatcher {
  readonly #o: Required<DispatcherOptions>;
  #pump: Promise<void> | undefined;
  #stopped = true;
  #woken = false;
  #wakeUp: (() => void) | undefined;
  /** The last step queued for each message (ref) in flight; its lane is free once it is gone. */
  readonly #lanes = new Map<string, Promise<void>>();
  #inFlight = 0;
  /** Claims in lanes, not yet settled: their leases are renewed while they wait and are sent. */
  readonly #claims = new Map<number, Claim>();
  #renewal: NodeJS.Timeout | undefined;
  #renewing = false;
  /** Messages (refs) whose last call got no answer: their next steps wait until then. */
  readonly #heldRefs = new Map<string, Date>();
  /** The last round: a round claims only after the previous one has. */
  #lastRound: Promise<void> = Promise.resolve();
  #roundsOpen = 0;
  /** Rounds begun so far: a lane that saw none begin while it ran has left nothing unclaimed behind it. */
  #roundsBegun = 0;
  /** After a 429 nothing of that kind is sent until Slack's Retry-After has passed. */
  readonly #pausedUntil = new Map<OutboxKind, number>();
  #circuit: { reason: string; since: Date; nextProbeAt: Date } | undefined;
  /** App Homes being published, and the lanes waiting for one of them to finish (homesAtOnce). */
  #homesPublishing = 0;
  readonly #homesWaiting: (() => void)[] = [];
  readonly #homePace: PublishPace;

  constructor(options: DispatcherOptions) {
    this.#o = {
      renderHome: () => Promise.resolve(undefined),
      homeAfterNotice: () => Promise.resolve(),
      currentContent: (content) => Promise.resolve(content),
      homesAtOnce: 2,
      homesPerMinute: SLACK_HOME_PUBLISHES_PER_MINUTE,
      homeBurst: 20,
      renderFile: () => Promise.reject(new Error('this dispatcher renders no files')),
      pollMs: 1_000,
      batchSize: 10,
      leaseMs: 60_000,
      renewEveryMs: 20_000,
      deliveryWindowMs: DEFAULT_DELIVERY_WINDOW_MS,
      maxBackoffMs: 5 * 60_000,
      unknownOutcomeWaitMs: 60_000,
      probeMs: 30_000,
      pause: () => Promise.resolve(),
      ...options,
    };
    if (this.#o.renewEveryMs >= this.#o.leaseMs) throw new Error('renewEveryMs must be shorter than leaseMs');
    // A burst never goes past the rate a minute, so a lower rate (one instance's share) holds from the start.
    const burst = Math.min(this.#o.homeBurst, this.#o.homesPerMinute);
    this.#homePace = new PublishPace(this.#o.homesPerMinute, burst, this.#o.clock.now());
  }

  /** Whether messages are going out, or paused with the reason. */
  delivery(): DeliveryState {
    const circuit = this.#circuit;
    return circuit
      ? {
          state: 'paused',
          reason: circuit.reason,
          since: circuit.since.toISOString(),
          nextCheckAt: circuit.nextProbeAt.toISOString(),
        }
      : { state: 'running' };
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    // Started again before a stop finished: the new loop begins once the old one has ended.
    this.#pump = (this.#pump ?? Promise.resolve()).then(() => this.#run());
  }

  /** Stops claiming and waits for the messages in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.wake();
    await this.#pump;
    await this.#lastRound;
    await Promise.all(this.#lanes.values());
  }

  /** Claims now (after a commit that queued messages) instead of at the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /** Wakes for an App Home due now if one may be published now; otherwise the poll finds it once one may. */
  wakeForHome(): void {
    if (this.#homePace.available(this.#o.clock.now()) >= 1) this.wake();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      this.#woken = false;
      // Only whether more may be due is kept: each lane delivers on its own, and stop() waits for them.
      let moreMayBeDue = false;
      try {
        ({ moreMayBeDue } = await this.#round());
      } catch (error) {
        this.#o.log.error('outbox round failed', { error });
      }
      if (!moreMayBeDue || this.#inFlight >= this.#o.batchSize) await this.#idle();
    }
  }

  /** Until wake(), a lane finishing, or the poll interval. */
  async #idle(): Promise<void> {
    if (this.#woken || this.#stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#o.pollMs);
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wakeUp = undefined;
  }

  /** Claims what is due now and delivers it; resolves when those messages are handled. Returns how many. */
  async runOnce(): Promise<number> {
    const { lanes } = await this.#round();
    await Promise.all(lanes);
    return lanes.length;
  }

  /**
   * One round: claims what is due and puts each message in its lane, resolving with the lanes'
   * deliveries and whether the claim took as many as it could (more may be due). Rounds of one
   * dispatcher never overlap: a round (a poll, a wake, runOnce) started while another is claiming
   * waits for it, so it sees that round's lanes as busy.
   */
  #round(): Promise<{ lanes: Promise<void>[]; moreMayBeDue: boolean }> {
    const previous = this.#lastRound;
    const overlapping = this.#roundsOpen > 0;
    this.#roundsOpen++;
    this.#roundsBegun++;
    const round = (async () => {
      try {
        if (overlapping) await this.#o.pause('outbox:round-waits');
        await previous;
        const { claimed, moreMayBeDue } = await this.#claim();
        await this.#o.pause('outbox:claimed');
        return { lanes: claimed.map((item) => this.#inLane(item)), moreMayBeDue };
      } finally {
        this.#roundsOpen--;
      }
    })();
    this.#lastRound = round.then(
      () => undefined,
      () => undefined,
    );
    return round;
  }

  async #claim(): ReturnType<typeof claimDueMessages> {
    const { db, clock, batchSize, leaseMs } = this.#o;
    const none = { claimed: [], moreMayBeDue: false };
    if (this.#circuit && !(await this.#probe())) return none;
    const free = batchSize - this.#inFlight;
    if (free <= 0) return none;
    const now = clock.now();
    const pausedKinds = [...this.#pausedUntil].filter(([, until]) => until > now.getTime()).map(([kind]) => kind);
    const homeLimit = this.#homePace.available(now);
    if (homeLimit < 1) pausedKinds.push('home');
    const round = await claimDueMessages(db, {
      now,
      leaseUntil: new Date(now.getTime() + leaseMs),
      limit: free,
      busyRefs: [...this.#lanes.keys()],
      pausedKinds,
      homeLimit,
      refsLocked: () => this.#o.pause('outbox:refs-locked'),
    });
    this.#homePace.take(round.claimed.filter((item) => item.message.kind === 'home').length, now);
    return round;
  }

  #inLane(item: ClaimedMessage): Promise<void> {
    const lane = item.message.ref;
    const roundsBefore = this.#roundsBegun;
    this.#inFlight++;
    this.#track(item);
    const run = (this.#lanes.get(lane) ?? Promise.resolve()).then(() => this.#deliverForRequest(item));
    const settled = run.finally(() => {
      // Claim again if this lane kept something back: a round skipped its message's next steps
      // while it ran, or the dispatcher was full. Otherwise that claim would find nothing.
      const keptBack = this.#roundsBegun !== roundsBefore || this.#inFlight >= this.#o.batchSize;
      this.#inFlight--;
      this.#untrack(item);
      if (this.#lanes.get(lane) === settled) {
        this.#lanes.delete(lane);
        this.#heldRefs.delete(lane);
      }
      if (keptBack) this.wake();
    });
    this.#lanes.set(lane, settled);
    return settled;
  }

  /** Keeps renewing the claim's lease (with the others in flight) until it is settled. */
  #track(claim: Claim): void {
    this.#claims.set(claim.id, { id: claim.id, attempts: claim.attempts, revision: claim.revision });
    if (this.#renewal) return;
    this.#renewal = setInterval(() => void this.#renew(), this.#o.renewEveryMs);
    this.#renewal.unref();
  }

  #untrack(claim: Claim): void {
    this.#claims.delete(claim.id);
    if (this.#claims.size > 0 || !this.#renewal) return;
    clearInterval(this.#renewal);
    this.#renewal = undefined;
  }

  /** One statement renews every lease in flight, so a slow Slack call never lets another instance take its message. */
  async #renew(): Promise<void> {
    if (this.#renewing || this.#claims.size === 0) return;
    this.#renewing = true;
    try {
      const now = this.#o.clock.now();
      await renewLeases(this.#o.db, [...this.#claims.values()], new Date(now.getTime() + this.#o.leaseMs), now);
      await this.#o.pause('outbox:renewed');
    } catch (error) {
      this.#o.log.warn('could not renew outbox leases; they run out unless the next renewal works', { error });
    } finally {
      this.#renewing = false;
    }
  }

  /** Delivers in the context of the request that queued the message, so its lines carry that id. */
  #deliverForRequest(item: ClaimedMessage): Promise<void> {
    return item.requestId
      ? runInRequest({ requestId: item.requestId }, () => this.#deliver(item))
      : this.#deliver(item);
  }

  async #deliver(item: ClaimedMessage): Promise<void> {
    const { message } = item;
    try {
      // Paused while this message waited in its lane: it waits for delivery to resume, costing no attempt.
      if (this.#circuit) {
        const now = this.#o.clock.now();
        await markRetry(this.#o.db, item, now, now, 'delivery paused', false);
        return;
      }
      // An earlier step of this message got no answer: nothing of it goes out before Slack is done with that one.
      const heldUntil = this.#heldRefs.get(message.ref);
      const now = this.#o.clock.now();
      if (heldUntil && heldUntil > now) {
        const waiting = 'waiting: Slack did not answer an earlier call for this message';
        await markRetry(this.#o.db, item, now, heldUntil, waiting, false, true);
        return;
      }
      if (message.kind === 'post') await this.#post(item, message);
      else if (message.kind === 'update') await this.#update(item, message);
      else if (message.kind === 'upload') await this.#upload(item, message);
      else await this.#home(item, message);
    } catch (error) {
      try {
        await this.#failed(item, error);
      } catch (recordError) {
        // The lease runs out and the message is claimed again.
        this.#o.log.error('could not record an outbox failure', { id: item.id, error: recordError });
      }
    }
  }

  async #post(item: ClaimedMessage, message: Extract<OutboxMessage, { kind: 'post' }>): Promise<void> {
    const { db, client, clock } = this.#o;
    // Recorded already: a crash came after Slack's answer was stored.
    if (await postedMessage(db, message.ref)) {
      await markSent(db, item, clock.now());
      await this.#homeAfter(message);
      return;
    }
    // An earlier attempt may have reached Slack without our learning of it: look before posting again.
    if (item.attempts > 1) {
      const earlier = await this.#findEarlierPostIfAllowed(message.channel, item.id);
      if (earlier) {
        await markSent(db, item, clock.now(), { ref: message.ref, ...earlier });
        await this.#homeAfter(message);
        return;
      }
    }
    const { text, blocks } = this.#o.render(message.content);
    const answer = await client.chat.postMessage({
      channel: message.channel,
      text,
      blocks: blocks as never,
      metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { outbox_id: item.id } },
    });
    this.#o.log.info('Slack call', { method: 'chat.postMessage', outboxId: item.id, ref: message.ref, ts: answer.ts });
    await markSent(db, item, clock.now(), { ref: message.ref, channel: String(answer.channel), ts: String(answer.ts) });
    await this.#homeAfter(message);
  }

  /** The message told its `homeOf` of a change their App Home shows: that App Home goes out again. */
  async #homeAfter(message: { homeOf?: string }): Promise<void> {
    if (message.homeOf !== undefined) await this.#o.homeAfterNotice(message.homeOf);
  }

  /**
   * `#findEarlierPost`, where an install lacking the history scope of this kind of conversation
   * (`missing_scope`) fails this message alone, as a retry with that error, instead of pausing
   * all delivery as a refused token does: posting without looking could post it twice.
   */
  async #findEarlierPostIfAllowed(channel: string, outboxId: number) {
    try {
      return await this.#findEarlierPost(channel, outboxId);
    } catch (error) {
      const failure = classifySlackFailure(error);
      if (failure.kind !== 'account' || failure.error !== 'missing_scope') throw error;
      throw new Error(
        `could not look in ${channel} for an earlier copy before posting again: ${failure.description} (the app needs the history scope of this kind of conversation; README, "What a workspace admin needs")`,
      );
    }
  }

  async #findEarlierPost(channel: string, outboxId: number): Promise<{ channel: string; ts: string } | undefined> {
    const conversation =
      channel.startsWith('U') || channel.startsWith('W')
        ? String((await this.#o.client.conversations.open({ users: channel })).channel?.id)
        : channel;
    const history = await this.#o.client.conversations.history({
      channel: conversation,
      limit: HISTORY_LOOKBACK,
      include_all_metadata: true,
    });
    const found = history.messages?.find((m) => {
      // Slack types the payload as `{}`; ours carries the outbox id.
      const payload: { outbox_id?: unknown } = m.metadata?.event_payload ?? {};
      return m.metadata?.event_type === OUTBOX_EVENT_TYPE && Number(payload.outbox_id) === outboxId;
    });
    return found?.ts ? { channel: conversation, ts: found.ts } : undefined;
  }

  async #update(item: ClaimedMessage, message: Extract<OutboxMessage, { kind: 'update' }>): Promise<void> {
    const { db, client, clock } = this.#o;
    if (await hasNewerUpdate(db, item.id, message.ref)) {
      await markSent(db, item, clock.now());
      return;
    }
    const posted = await postedMessage(db, message.ref);
    if (!posted) {
      const state = await postState(db, message.ref);
      if (state === 'pending') {
        await markRetry(
          db,
          item,
          clock.now(),
          new Date(clock.now().getTime() + WAIT_FOR_POST_MS),
          'waiting for the message it updates to be posted',
          false,
        );
      } else {
        await markDead(db, item, clock.now(), `the message ${message.ref} it updates was never posted`);
      }
      return;
    }
    const { text, blocks } = this.#o.render(await this.#o.currentContent(message.content));
    await client.chat.update({ channel: posted.channel, ts: posted.ts, text, blocks: blocks as never });
    this.#o.log.info('Slack call', { method: 'chat.update', outboxId: item.id, ref: message.ref, ts: posted.ts });
    await markSent(db, item, clock.now());
    await this.#homeAfter(message);
  }

  /**
   * Renders the file and uploads it into its message's thread (waiting for the post like an update
   * does). A retry after an upload whose answer was lost may upload it twice; it never loses it.
   */
  async #upload(item: ClaimedMessage, message: OutboxUpload): Promise<void> {
    const { db, client, clock } = this.#o;
    let where: { channel: string; threadTs?: string } = { channel: message.channel };
    if (message.inThread) {
      const posted = await postedMessage(db, message.ref);
      if (posted) where = { channel: posted.channel, threadTs: posted.ts };
      else if ((await postState(db, message.ref)) === 'pending') {
        const retryAt = new Date(clock.now().getTime() + WAIT_FOR_POST_MS);
        await markRetry(db, item, clock.now(), retryAt, 'waiting for the message it belongs to be posted', false);
        return;
      }
    }
    const file = await this.#o.renderFile(message.file);
    if (!file) {
      await markSent(db, item, clock.now());
      return;
    }
    const channel = /^[UW]/.test(where.channel)
      ? String((await client.conversations.open({ users: where.channel })).channel?.id)
      : where.channel;
    await client.files.uploadV2({
      channel_id: channel,
      ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
      initial_comment: message.comment,
      file_uploads: [{ file: file.bytes, filename: file.filename, title: file.title }],
    });
    this.#o.log.info('Slack call', { method: 'files.uploadV2', outboxId: item.id, ref: message.ref, channel });
    await markSent(db, item, clock.now());
  }

  /** The home is rendered when it is sent, so what goes out is the latest state. */
  async #home(item: ClaimedMessage, message: Extract<OutboxMessage, { kind: 'home' }>): Promise<void> {
    const { db, client, clock } = this.#o;
    await this.#homeTurn();
    try {
      const view = await this.#o.renderHome(message.userId);
      if (view) {
        await client.views.publish({ user_id: message.userId, view: view as never });
        this.#o.log.info('Slack call', { method: 'views.publish', outboxId: item.id, ref: message.ref });
      }
    } finally {
      this.#homeDone();
    }
    // It changed while we sent it: the newer state goes out next.
    if (!(await markSent(db, item, clock.now()))) await resendChanged(db, item, clock.now());
  }

  /** Waits until fewer than homesAtOnce App Homes are being published. */
  async #homeTurn(): Promise<void> {
    if (this.#homesPublishing < this.#o.homesAtOnce) {
      this.#homesPublishing++;
      return;
    }
    // The home that finishes hands its turn straight to this one.
    await new Promise<void>((resolve) => this.#homesWaiting.push(resolve));
  }

  #homeDone(): void {
    const next = this.#homesWaiting.shift();
    if (next) next();
    else this.#homesPublishing--;
  }

  async #failed(item: ClaimedMessage, error: unknown): Promise<void> {
    const { db, clock, log, deliveryWindowMs, maxBackoffMs, unknownOutcomeWaitMs } = this.#o;
    const now = clock.now();
    const failure = classifySlackFailure(error);
    const context = { id: item.id, ref: item.message.ref, attempts: item.attempts, error: failure.description };
    switch (failure.kind) {
      case 'rate-limited': {
        const until = now.getTime() + failure.retryAfterSeconds * 1000;
        this.#pausedUntil.set(item.message.kind, Math.max(until, this.#pausedUntil.get(item.message.kind) ?? 0));
        await markRetry(db, item, now, new Date(until), failure.description, false);
        log.warn(`Slack rate limit; pausing ${METHOD_OF[item.message.kind]}`, {
          seconds: failure.retryAfterSeconds,
        });
        return;
      }
      case 'account':
        // Not this message's fault: it waits, due, for delivery to resume.
        await markRetry(db, item, now, now, failure.description, false);
        this.#pause(failure.error, now);
        return;
      case 'permanent':
        await markDead(db, item, now, failure.description);
        log.error('outbox message is dead', context);
        return;
      case 'transient': {
        const deadline = item.deliveringSince.getTime() + deliveryWindowMs;
        if (now.getTime() >= deadline) {
          const hours = Math.round(deliveryWindowMs / 3_600_000);
          await markDead(db, item, now, `not delivered within ${hours} h; last error: ${failure.description}`);
          log.error('outbox message is dead', context);
          return;
        }
        const backoffMs = Math.min(1_000 * 2 ** Math.min(item.attempts - 1, 30), maxBackoffMs);
        // A call that got no answer may still land at Slack (a post to look for, an update or publish
        // that would overtake a newer one): the message is held, nothing of it sent, until Slack is done.
        const unknown = failure.unknownOutcome;
        const waitMs = unknown ? Math.max(backoffMs, unknownOutcomeWaitMs) : backoffMs;
        const retryAt = new Date(Math.min(now.getTime() + waitMs, deadline));
        await markRetry(db, item, now, retryAt, failure.description, true, unknown);
        if (unknown) this.#heldRefs.set(item.message.ref, retryAt);
        log.warn('outbox delivery failed; will retry', { ...context, retryInMs: retryAt.getTime() - now.getTime() });
        return;
      }
    }
  }

  /** Opens the circuit: one error line, then quiet until Slack accepts the token again. */
  #pause(error: string, now: Date): void {
    if (this.#circuit) return;
    this.#circuit = {
      reason: `Slack refuses the app's token (${error}); messages wait until it is accepted again`,
      since: now,
      nextProbeAt: new Date(now.getTime() + this.#o.probeMs),
    };
    this.#o.log.error('Slack delivery paused: Slack refuses the token for every call; checking again with auth.test', {
      error,
      checkEveryMs: this.#o.probeMs,
    });
  }

  /** Asks Slack whether the token works again; true when delivery may resume. */
  async #probe(): Promise<boolean> {
    const circuit = this.#circuit!;
    const now = this.#o.clock.now();
    if (now < circuit.nextProbeAt) return false;
    circuit.nextProbeAt = new Date(now.getTime() + this.#o.probeMs);
    try {
      await this.#o.client.auth.test();
    } catch {
      return false;
    }
    this.#circuit = undefined;
    this.#o.log.info('Slack delivery resumed: the token is accepted again', {
      pausedForMs: now.getTime() - circuit.since.getTime(),
    });
    return true;
  }
}
