/** Slack's floor for views.publish (Tier 4: 100+ a minute per workspace, per app). */
export const SLACK_HOME_PUBLISHES_PER_MINUTE = 100;

/**
 * How many calls of one Slack method may start now, kept to Slack's rate on our side: a bucket
 * that fills at `perMinute` up to `burst`. Time is the injected clock's, as for Retry-After.
 */
export class PublishPace {
  #tokens: number;
  #filledAt: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    now: Date,
  ) {
    if (perMinute <= 0 || burst < 1) throw new Error('a pace needs a positive rate and room for one call');
    this.#tokens = burst;
    this.#filledAt = now.getTime();
  }

  /** Whole calls that may start now. */
  available(now: Date): number {
    this.#fill(now);
    return Math.floor(this.#tokens);
  }

  /** Counts calls that started. */
  take(calls: number, now: Date): void {
    this.#fill(now);
    this.#tokens -= calls;
  }

  /** Time that passed fills it; a clock stepped back adds nothing, and the bucket fills from there. */
  #fill(now: Date): void {
    const elapsedMs = Math.max(0, now.getTime() - this.#filledAt);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsedMs * this.perMinute) / 60_000);
    this.#filledAt = now.getTime();
  }
}
