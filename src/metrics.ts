import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ids } from '../blocks/ids.js';
import type { Database } from './db/client.js';
import type { Clock } from './domain/clock.js';
import type { RunOutcome } from './jobs/runner.js';
import type { RequestContext } from './request-context.js';
import { OUTBOX_AGE_BANDS, outboxDepth } from './services/outbox.js';

const STATUSES = ['pending', 'dead'] as const;

/** The slash commands of manifest.yml (test/operations/metrics.test.ts keeps them equal). */
export const SLASH_COMMANDS = ['/log', '/timesheet', '/approvals', '/credits', '/report', '/invoice', '/admin'];
const EVENTS = ['event:app_home_opened'];

/** Every action, callback and block id the app declares, and the commands and events it answers. */
const KNOWN_NAMES = new Set<string>([...SLASH_COMMANDS, ...EVENTS, ...idStrings(ids)]);

function idStrings(tree: object): string[] {
  return Object.values(tree).flatMap((value: unknown) =>
    typeof value === 'string' ? [value] : value && typeof value === 'object' ? idStrings(value) : [],
  );
}

/**
 * The `command` label of a request: a name the app itself declares, else `other`. Labels are never
 * taken from what a request says as such, so a forged or new id cannot grow the series without end.
 */
export function requestLabel(request: RequestContext): { kind: string; command: string } {
  const command = request.command && KNOWN_NAMES.has(request.command) ? request.command : 'other';
  return { kind: request.kind ?? 'unread', command };
}

export type MetricsSources = {
  db: Database;
  clock: Clock;
  /** The PostgreSQL pool; the embedded database has none. */
  pool?: pg.Pool;
  /** Whether the outbox dispatcher is delivering or paused by an account-wide Slack error. */
  deliveryPaused: () => boolean;
};

/**
 * The Prometheus metrics of one app instance (GET /metrics when METRICS_ENABLED). A request only
 * observes the ack histogram; the outbox, the circuit and the pool are read when scraped, the
 * outbox with one query. Job runs are counted by the instance that ran them.
 */
export class AppMetrics {
  readonly registry = new Registry();
  readonly #ack: Histogram<'kind' | 'command' | 'status'>;
  readonly #jobRuns: Counter<'job' | 'outcome'>;
  readonly #outboxMessages: Gauge<'status' | 'age'>;
  readonly #outboxOldest: Gauge<'status'>;
  readonly #outboxUnreadable: Gauge;
  readonly #sources: MetricsSources;

  constructor(sources: MetricsSources) {
    this.#sources = sources;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#ack = new Histogram({
      name: 'consultracker_slack_ack_seconds',
      help: 'Time from a Slack request arriving to its answer (the ack), by request kind and command, action or view id',
      labelNames: ['kind', 'command', 'status'],
      // Slack shows a timeout after 3 s; ACK_DEADLINE_MS acks for slow work before that.
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5],
      registers,
    });
    this.#jobRuns = new Counter({
      name: 'consultracker_job_runs_total',
      help: 'Scheduled job units this instance ran, by job and outcome (done, failed and retried later, gave-up, lost to another instance, skipped as too old)',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.#outboxMessages = new Gauge({
      name: 'consultracker_outbox_messages',
      help: 'Slack messages waiting (pending) or given up (dead) in the outbox, by age since queued',
      labelNames: ['status', 'age'],
      registers,
    });
    this.#outboxOldest = new Gauge({
      name: 'consultracker_outbox_oldest_seconds',
      help: 'Age of the oldest pending or dead outbox message; 0 when there is none',
      labelNames: ['status'],
      registers,
    });
    this.#outboxUnreadable = new Gauge({
      name: 'consultracker_outbox_unreadable',
      help: 'Whether this scrape could not read the outbox (the database did not answer); the outbox gauges are then absent',
      registers,
    });
    new Gauge({
      name: 'consultracker_slack_delivery_paused',
      help: 'Whether Slack delivery is paused because Slack refuses the token (see /healthz for the reason)',
      registers,
      collect() {
        this.set(sources.deliveryPaused() ? 1 : 0);
      },
    });
    const { pool } = sources;
    if (pool) {
      new Gauge({
        name: 'consultracker_db_pool_connections',
        help: 'PostgreSQL pool connections: total open, idle, and requests waiting for one',
        labelNames: ['state'],
        registers,
        collect() {
          this.set({ state: 'total' }, pool.totalCount);
          this.set({ state: 'idle' }, pool.idleCount);
          this.set({ state: 'waiting' }, pool.waitingCount);
        },
      });
    }
  }

  /** A Slack request was answered after `ms`. */
  acknowledged(request: RequestContext, ms: number, status: number): void {
    this.#ack.observe({ ...requestLabel(request), status: String(status) }, ms / 1000);
  }

  /** The job runner finished `count` units of `job` with `outcome`. */
  jobRan(job: string, outcome: RunOutcome, count = 1): void {
    this.#jobRuns.inc({ job, outcome }, count);
  }

  /** The exposition text and its content type: the outbox is read first, in one query. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    await this.#readOutbox();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  async #readOutbox(): Promise<void> {
    this.#outboxMessages.reset();
    this.#outboxOldest.reset();
    const depth = await outboxDepth(this.#sources.db, this.#sources.clock.now()).catch(() => undefined);
    this.#outboxUnreadable.set(depth ? 0 : 1);
    if (!depth) return;
    for (const status of STATUSES) {
      for (const age of OUTBOX_AGE_BANDS) this.#outboxMessages.set({ status, age }, 0);
      const ages = depth.filter((row) => row.status === status).map((row) => row.oldestSeconds);
      this.#outboxOldest.set({ status }, Math.max(0, ...ages));
    }
    for (const row of depth) this.#outboxMessages.set({ status: row.status, age: row.age }, row.messages);
  }
}
