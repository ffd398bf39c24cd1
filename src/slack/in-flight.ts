import type { Middleware, AnyMiddlewareArgs } from '@slack/bolt';

/**
 * Counts listener runs still working after their ack (Bolt answers Slack first and carries on), so
 * shutdown can wait for them before it closes the database under their feet.
 */
export class InFlightRequests {
  #running = 0;
  #idle: (() => void)[] = [];

  constructor(private readonly afterEach?: () => void) {}

  readonly middleware: Middleware<AnyMiddlewareArgs> = async ({ next }) => {
    this.#running++;
    try {
      await next();
    } finally {
      this.afterEach?.();
      this.#running--;
      if (this.#running === 0) for (const wake of this.#idle.splice(0)) wake();
    }
  };

  get running(): number {
    return this.#running;
  }

  /** Resolves when nothing is running, or after `timeoutMs` with how many were still running. */
  drained(timeoutMs: number): Promise<number> {
    if (this.#running === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.#running), timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(0);
      });
    });
  }
}
