import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Database } from '../db/client.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../logger.js';
import { runInRequest } from '../request-context.js';
import {
  type ClaimedMessage,
  type MessageContent,
  claimDueMessages,
  hasNewerUpdate,
  markDead,
  markRetry,
  markSent,
  postedMessage,
  postState,
} from '../services/outbox.js';

export type DispatcherOptions = {
  db: Database;
  /** A client without its own retries: the dispatcher decides when to try again. */
  client: WebClient;
  /** Turns a message's template and model into what Slack shows. */
  render: (content: MessageContent) => { text: string; blocks: unknown[] };
  clock: Clock;
  log: Logger;
  pollMs?: number;
  batchSize?: number;
  /** Sends at once; messages about the same Slack message always go one after another. */
  lanes?: number;
  maxAttempts?: number;
  leaseMs?: number;
};

/** Tags every post, so a post whose answer was lost can be found in the conversation afterwards. */
export const OUTBOX_EVENT_TYPE = 'consultracker_outbox';
const HISTORY_LOOKBACK = 50;
const WAIT_FOR_POST_MS = 1_000;
/** Slack errors that no retry will fix. */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'user_not_found',
  'account_inactive',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'missing_scope',
  'no_text',
]);

/**
 * Delivers the outbox: posts and updates Slack messages with retries (429 honouring Retry-After,
 * 5xx, timeouts, network) and backoff, records where posts landed, and leaves a message dead
 * with its error after the last attempt. Several instances may run side by side.
 */
export class OutboxDispatcher {
  readonly #o: Required<DispatcherOptions>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #again = false;
  /** After a 429 nothing is sent until Slack's Retry-After has passed. */
  #pausedUntil = 0;

  constructor(options: DispatcherOptions) {
    this.#o = { pollMs: 1_000, batchSize: 20, lanes: 4, maxAttempts: 8, leaseMs: 60_000, ...options };
  }

  start(): void {
    this.#stopped = false;
    this.wake();
  }

  /** Stops polling and waits for the round in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Runs a round now (after a commit that queued messages) instead of at the next poll. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
      if (!this.#stopped) this.#timer = setTimeout(() => this.wake(), this.#again ? 0 : this.#o.pollMs);
      this.#again = false;
    });
  }

  async #loop(): Promise<void> {
    try {
      while (!this.#stopped && (await this.runOnce()) > 0);
    } catch (error) {
      this.#o.log.error('outbox round failed', { error });
    }
  }

  /** Delivers what is due now; returns how many messages it handled. */
  async runOnce(): Promise<number> {
    const now = this.#o.clock.now();
    if (now.getTime() < this.#pausedUntil) return 0;
    const claimed = await claimDueMessages(
      this.#o.db,
      now,
      new Date(now.getTime() + this.#o.leaseMs),
      this.#o.batchSize,
    );
    const lanes = new Map<number, ClaimedMessage[]>();
    for (const item of claimed) {
      const lane = laneOf(item.message.ref, this.#o.lanes);
      lanes.set(lane, [...(lanes.get(lane) ?? []), item]);
    }
    await Promise.all(
      [...lanes.values()].map(async (queue) => {
        for (const item of queue) await this.#deliverForRequest(item);
      }),
    );
    return claimed.length;
  }

  /** Delivers in the context of the request that queued the message, so its lines carry that id. */
  #deliverForRequest(item: ClaimedMessage): Promise<void> {
    return item.requestId
      ? runInRequest({ requestId: item.requestId }, () => this.#deliver(item))
      : this.#deliver(item);
  }

  async #deliver(item: ClaimedMessage): Promise<void> {
    const { db, clock } = this.#o;
    try {
      if (clock.now().getTime() < this.#pausedUntil) {
        await markRetry(db, item, clock.now(), new Date(this.#pausedUntil), 'waiting out a Slack rate limit', false);
        return;
      }
      if (item.message.kind === 'post') await this.#post(item, item.message);
      else await this.#update(item, item.message);
    } catch (error) {
      await this.#failed(item, error);
    }
  }

  async #post(item: ClaimedMessage, message: Extract<ClaimedMessage['message'], { kind: 'post' }>): Promise<void> {
    const { db, client, clock } = this.#o;
    // Recorded already: a crash came after Slack's answer was stored.
    if (await postedMessage(db, message.ref)) {
      await markSent(db, item, clock.now());
      return;
    }
    // An earlier attempt may have reached Slack and died before recording it: look before posting again.
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

  async #update(item: ClaimedMessage, message: Extract<ClaimedMessage['message'], { kind: 'update' }>): Promise<void> {
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

  async #failed(item: ClaimedMessage, error: unknown): Promise<void> {
    const { db, clock, log, maxAttempts } = this.#o;
    const now = clock.now();
    const code = (error as { code?: string }).code;
    if (code === ErrorCode.RateLimitedError) {
      const seconds = Number((error as { retryAfter?: number }).retryAfter ?? 1);
      this.#pausedUntil = now.getTime() + seconds * 1000;
      await markRetry(db, item, now, new Date(this.#pausedUntil), `rate limited; Retry-After ${seconds} s`, false);
      log.warn('Slack rate limit; pausing the outbox', { seconds });
      return;
    }
    const slackError =
      code === ErrorCode.PlatformError ? String((error as { data?: { error?: string } }).data?.error) : undefined;
    const description = slackError
      ? `Slack refused: ${slackError}`
      : String(error instanceof Error ? error.message : error);
    if ((slackError && PERMANENT.has(slackError)) || item.attempts >= maxAttempts) {
      await markDead(db, item, now, description);
      log.error('outbox message is dead', {
        id: item.id,
        ref: item.message.ref,
        attempts: item.attempts,
        error: description,
      });
      return;
    }
    const backoffMs = Math.min(1_000 * 2 ** (item.attempts - 1), 5 * 60_000);
    await markRetry(db, item, now, new Date(now.getTime() + backoffMs), description, true);
    log.warn('outbox delivery failed; will retry', {
      id: item.id,
      attempts: item.attempts,
      retryInMs: backoffMs,
      error: description,
    });
  }
}

function laneOf(ref: string, lanes: number): number {
  let hash = 0;
  for (let i = 0; i < ref.length; i++) hash = (hash * 31 + ref.charCodeAt(i)) | 0;
  return Math.abs(hash) % lanes;
}
