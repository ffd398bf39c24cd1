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
  claimDueMessages,
  hasNewerUpdate,
  markDead,
  markRetry,
  markSent,
  postedMessage,
  postState,
  resendChanged,
} from '../services/outbox.js';
import { classifySlackFailure } from './slack-failures.js';

export type DispatcherOptions = {
  db: Database;
  /** A client without its own retries: the dispatcher decides when to try again. */
  client: WebClient;
  /** Turns a message's template and model into what Slack shows. */
  render: (content: MessageContent) => { text: string; blocks: unknown[] };
  /** Renders an upload's file (a PDF) when it is sent; undefined when what it shows is gone. */
  renderFile?: (content: MessageContent) => Promise<RenderedFile | undefined>;
  /** A user's App Home as it stands now; undefined when there is nothing to publish for them. */
  renderHome?: (userId: string) => Promise<object | undefined>;
  clock: Clock;
  log: Logger;
  pollMs?: number;
  /**
   * How many messages may be in flight at once. Each Slack message (ref) is a lane: its steps go
   * one after another, different messages go side by side.
   */
  batchSize?: number;
  leaseMs?: number;
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
};

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
  /** After a 429 nothing of that kind is sent until Slack's Retry-After has passed. */
  readonly #pausedUntil = new Map<OutboxKind, number>();
  #circuit: { reason: string; since: Date; nextProbeAt: Date } | undefined;

  constructor(options: DispatcherOptions) {
    this.#o = {
      renderHome: () => Promise.resolve(undefined),
      renderFile: () => Promise.reject(new Error('this dispatcher renders no files')),
      pollMs: 1_000,
      batchSize: 10,
      leaseMs: 60_000,
      deliveryWindowMs: DEFAULT_DELIVERY_WINDOW_MS,
      maxBackoffMs: 5 * 60_000,
      unknownOutcomeWaitMs: 60_000,
      probeMs: 30_000,
      ...options,
    };
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
    this.#pump = this.#run();
  }

  /** Stops claiming and waits for the messages in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.wake();
    await this.#pump;
    await Promise.all(this.#lanes.values());
  }

  /** Claims now (after a commit that queued messages) instead of at the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      this.#woken = false;
      let claimed = 0;
      try {
        const items = await this.#claim();
        for (const item of items) void this.#inLane(item);
        claimed = items.length;
      } catch (error) {
        this.#o.log.error('outbox round failed', { error });
      }
      if (claimed === 0 || this.#inFlight >= this.#o.batchSize) await this.#idle();
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
    const items = await this.#claim();
    await Promise.all(items.map((item) => this.#inLane(item)));
    return items.length;
  }

  async #claim(): Promise<ClaimedMessage[]> {
    const { db, clock, batchSize, leaseMs } = this.#o;
    if (this.#circuit && !(await this.#probe())) return [];
    const limit = batchSize - this.#inFlight;
    if (limit <= 0) return [];
    const now = clock.now();
    const pausedKinds = [...this.#pausedUntil].filter(([, until]) => until > now.getTime()).map(([kind]) => kind);
    return claimDueMessages(db, {
      now,
      leaseUntil: new Date(now.getTime() + leaseMs),
      limit,
      busyRefs: [...this.#lanes.keys()],
      pausedKinds,
    });
  }

  #inLane(item: ClaimedMessage): Promise<void> {
    const lane = item.message.ref;
    this.#inFlight++;
    const run = (this.#lanes.get(lane) ?? Promise.resolve()).then(() => this.#deliverForRequest(item));
    const settled = run.finally(() => {
      this.#inFlight--;
      if (this.#lanes.get(lane) === settled) this.#lanes.delete(lane);
      this.wake();
    });
    this.#lanes.set(lane, settled);
    return settled;
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
      return;
    }
    // An earlier attempt may have reached Slack without our learning of it: look before posting again.
    if (item.attempts > 1) {
      const earlier = await this.#findEarlierPost(message.channel, item.id);
      if (earlier) {
        await markSent(db, item, clock.now(), { ref: message.ref, ...earlier });
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
    const { text, blocks } = this.#o.render(message.content);
    await client.chat.update({ channel: posted.channel, ts: posted.ts, text, blocks: blocks as never });
    this.#o.log.info('Slack call', { method: 'chat.update', outboxId: item.id, ref: message.ref, ts: posted.ts });
    await markSent(db, item, clock.now());
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
    const view = await this.#o.renderHome(message.userId);
    if (view) {
      await client.views.publish({ user_id: message.userId, view: view as never });
      this.#o.log.info('Slack call', { method: 'views.publish', outboxId: item.id, ref: message.ref });
    }
    // It changed while we sent it: the newer state goes out next.
    if (!(await markSent(db, item, clock.now()))) await resendChanged(db, item, clock.now());
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
        // A post that got no answer may still land at Slack: look for it only once Slack is done with it.
        const waitMs =
          failure.unknownOutcome && item.message.kind === 'post'
            ? Math.max(backoffMs, unknownOutcomeWaitMs)
            : backoffMs;
        const retryAt = Math.min(now.getTime() + waitMs, deadline);
        await markRetry(db, item, now, new Date(retryAt), failure.description, true);
        log.warn('outbox delivery failed; will retry', { ...context, retryInMs: retryAt - now.getTime() });
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
