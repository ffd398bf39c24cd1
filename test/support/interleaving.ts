/**
 * Forces one interleaving of a race instead of hoping for it: a use case is held at a named point
 * inside its transaction (ServiceContext.pause, after it took its locks), the racing calls are
 * started and seen waiting for it, then it is let go.
 *
 * PostgreSQL: the racing calls run on their own connections and are seen blocked on a lock in
 * pg_stat_activity. PGlite has one connection and runs one transaction at a time, so a racing call
 * waits for the held one as soon as it asks for its transaction; that request is what is awaited.
 */
import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../src/db/client.js';
import type { PausePoint, ServiceContext } from '../../src/services/context.js';
import type { TestDatabase } from './database.js';

/** What a use case reaches the database through: drizzle's builders, raw SQL, and `_` (its session: `preparedRows`). */
const DATABASE_REQUESTS = new Set<string | symbol>([
  'transaction',
  'execute',
  'select',
  'insert',
  'update',
  'delete',
  'query',
  '_',
]);

export class Interleaving {
  private requested = 0;
  private readonly onRequest: (() => void)[] = [];

  constructor(private readonly database: TestDatabase) {}

  /** `ctx` held at `point` once it gets there: `reached` settles then, `release()` lets it go on. */
  hold(ctx: ServiceContext, point: PausePoint) {
    const held = holdAtFirst(ctx, [point]);
    return { ctx: held.ctx, reached: held.reached(point), release: () => held.release(point) };
  }

  /**
   * `ctx` for a racing call; `waiting(n)` counts it once it waits for the held one. On PGlite that
   * is its first request to the database: a transaction, or a statement sent outside one (a `/log`
   * reads before it writes without a transaction), each of which waits for the held transaction.
   */
  racer(ctx: ServiceContext): ServiceContext {
    let asked = false;
    const counted = (): void => {
      if (asked) return;
      asked = true;
      this.requested++;
      for (const listener of this.onRequest.splice(0)) listener();
    };
    const db: Database = new Proxy(ctx.db, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (!DATABASE_REQUESTS.has(property)) return value;
        counted();
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return { ...ctx, db };
  }

  /** Settles once `count` racing calls wait for the held one (see the file comment for how). */
  async waiting(count: number): Promise<void> {
    if (this.database.kind === 'pglite') {
      while (this.requested < count) await new Promise<void>((resolve) => this.onRequest.push(resolve));
      return;
    }
    // A separate connection of the pool: the held and the waiting ones each keep their own.
    for (;;) {
      const [row] = await queryRows<{ waiting: number }>(
        this.database.db,
        sql`select count(*)::int as waiting from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`,
      );
      if (row!.waiting >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/**
 * `ctx` held at each of `points` the first time it gets there (a use case that starts over passes
 * them again, unheld): `reached(point)` settles then, `release(point)` lets it go on.
 */
export function holdAtFirst(ctx: ServiceContext, points: PausePoint[]) {
  const gates = new Map(
    points.map((point) => {
      let reach!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => (reach = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      return [point, { reach, reached, release, released, passed: false }];
    }),
  );
  const held: ServiceContext = {
    ...ctx,
    pause: async (at) => {
      const gate = gates.get(at);
      if (!gate || gate.passed) return;
      gate.passed = true;
      gate.reach();
      await gate.released;
    },
  };
  return {
    ctx: held,
    reached: (point: PausePoint) => gates.get(point)!.reached,
    release: (point: PausePoint) => gates.get(point)!.release(),
  };
}
