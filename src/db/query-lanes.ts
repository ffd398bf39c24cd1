import type { PGlite } from '@electric-sql/pglite';

/** Requests are served in the foreground; the outbox and scheduled jobs, which nobody waits on, in the background. */
export type Lane = 'foreground' | 'background';

/**
 * How long a stream of requests may keep background work waiting before it takes a turn: App
 * Homes are published at most every two seconds anyway, and a DM's queries wait no longer than
 * this behind requests.
 */
export const MAX_BACKGROUND_WAIT_MS = 500;

type Waiting = { since: number; start: () => void };

/**
 * Lets one piece of work at a time through, foreground before background, each lane in arrival
 * order. Background work that has waited MAX_BACKGROUND_WAIT_MS takes every other turn until it
 * is served, so neither lane can starve the other. When no request waits, background work starts
 * only after a turn of the event loop: PGlite answers in promise callbacks, so a chain of
 * background queries would otherwise keep requests that arrived meanwhile unread on their sockets.
 */
export class LaneGate {
  #busy = false;
  #handOverScheduled = false;
  #lastWasOverdueBackground = false;
  readonly #waiting: Record<Lane, Waiting[]> = { foreground: [], background: [] };

  constructor(
    private readonly maxBackgroundWaitMs = MAX_BACKGROUND_WAIT_MS,
    private readonly now = () => performance.now(),
  ) {}

  /** Runs `work` once everything before it in its lane, and every waiting request before background work, is done. */
  run<T>(lane: Lane, work: () => Promise<T>): Promise<T> {
    if (!this.#busy && (lane === 'foreground' || this.#waiting.background.length === 0)) return this.#start(work);
    return new Promise<T>((resolve, reject) => {
      this.#waiting[lane].push({ since: this.now(), start: () => void this.#start(work).then(resolve, reject) });
    });
  }

  async #start<T>(work: () => Promise<T>): Promise<T> {
    this.#busy = true;
    try {
      return await work();
    } finally {
      this.#busy = false;
      this.#handOver();
    }
  }

  #handOver(): void {
    const lane = this.#nextLane();
    if (!lane) return;
    // Background work that is overdue while requests wait takes its turn now: a turn of the event
    // loop would let requests that arrive in it pass it again.
    if (lane === 'foreground' || this.#waiting.foreground.length > 0) return this.#startNext(lane);
    if (this.#handOverScheduled) return;
    this.#handOverScheduled = true;
    setImmediate(() => {
      this.#handOverScheduled = false;
      // A request read in that turn is running already; its end hands over again.
      const next = this.#busy ? undefined : this.#nextLane();
      if (next) this.#startNext(next);
    });
  }

  #nextLane(): Lane | undefined {
    const { foreground, background } = this.#waiting;
    const oldestBackground = background[0];
    if (!oldestBackground) return foreground.length > 0 ? 'foreground' : undefined;
    if (foreground.length === 0) return 'background';
    const overdue = !this.#lastWasOverdueBackground && this.now() - oldestBackground.since >= this.maxBackgroundWaitMs;
    return overdue ? 'background' : 'foreground';
  }

  #startNext(lane: Lane): void {
    this.#lastWasOverdueBackground = lane === 'background' && this.#waiting.foreground.length > 0;
    this.#waiting[lane].shift()!.start();
  }
}

type ClientEntryPoints = Pick<PGlite, 'query' | 'exec' | 'transaction'>;

/**
 * PGlite runs every query on the app's one thread, one at a time, in the order asked, so an App
 * Home publish asked for just before a `/log` delayed its ack. Its entry points (`query`, `exec`,
 * `transaction`; `sql` goes through `query`) now pass a LaneGate as foreground work; the returned
 * handle onto the same client passes it as background work, for the outbox and the jobs.
 */
export function servedInLanes(client: PGlite, gate = new LaneGate()): PGlite {
  const inLane = (lane: Lane): ClientEntryPoints => {
    const query = client.query.bind(client);
    const exec = client.exec.bind(client);
    const transaction = client.transaction.bind(client);
    return {
      query: ((...args: Parameters<typeof query>) => gate.run(lane, () => query(...args))) as typeof query,
      exec: (...args) => gate.run(lane, () => exec(...args)),
      transaction: (callback) => gate.run(lane, () => transaction(callback)),
    };
  };
  const background = Object.assign(Object.create(client) as PGlite, inLane('background'));
  Object.assign(client, inLane('foreground'));
  return background;
}
