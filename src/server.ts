import { WebClient } from '@slack/web-api';
import type { Config } from './config.js';
import { serveCommandLine } from './cli/control-socket.js';
import { type DatabaseConnection, pgliteBackground, ping } from './db/client.js';
import { controlSocketPath } from './db/directory-lock.js';
import { isMigrated, migrateDatabase } from './db/migrate.js';
import { scheduleNightlyBackup } from './db/nightly-backup.js';
import { scheduleNightlyUpkeep } from './db/upkeep.js';
import type { Clock } from './domain/clock.js';
import { JOBS } from './jobs/registry.js';
import { JobRunner, type RunOutcome } from './jobs/runner.js';
import type { Logger } from './logger.js';
import { AppMetrics } from './metrics.js';
import { currentRequest, runInRequest } from './request-context.js';
import { ensureAdministrators } from './services/users.js';
import { currentApprovalContent } from './services/approval-messages.js';
import { startSlackApp } from './slack/app.js';
import { boltLogger } from './slack/bolt-logger.js';
import { ReportRenderer } from './reports/render-pool.js';
import { OutboxDispatcher } from './slack/outbox-dispatcher.js';
import { renderOutboxMessage } from './slack/outbox-messages.js';
import { outboxFileRenderer } from './slack/outbox-files.js';
import { currentHomeView, refreshHomeAfterNotice } from './slack/home.js';

const OUTBOX_CLIENT_TIMEOUT_MS = 10_000;

export type ConsulTrackerOptions = {
  config: Config;
  connection: DatabaseConnection;
  /**
   * For work nobody waits on: the outbox (App Home included) and scheduled jobs. On PostgreSQL
   * main.ts gives it a small pool of its own, so that work never holds a connection a request is
   * waiting for; without it they share `connection`. On PGlite it is `connection`'s background
   * lane unless given (query-lanes.ts). Closed on stop when it is another connection.
   */
  background?: DatabaseConnection;
  clock: Clock;
  log: Logger;
  /** Ticks the scheduled jobs each minute (main.ts); tests and the demo drive `jobs` by hand instead. */
  scheduledJobs?: boolean;
};

export type RunningConsulTracker = {
  port: number;
  initialised: Promise<void>;
  /** Resolves when no Slack request is still working after its ack. */
  settled: () => Promise<void>;
  /** Sends queued Slack messages; runs until stop(). */
  outbox: OutboxDispatcher;
  /** Scheduled jobs (reminders, nudges); ticking each minute when started with `scheduledJobs`. */
  jobs: JobRunner;
  /**
   * Stops taking requests on every connection, lets those already taken finish until `deadline`
   * (epoch ms; by default the shutdown timeout from now), then closes the database. Returns how
   * many requests were still unanswered or working at the deadline (0 and 0 on a clean stop).
   */
  stop(deadline?: number): Promise<StopOutcome>;
};

export type StopOutcome = { unanswered: number; running: number };

/** Migrates the database, grants the configured administrators, and starts serving Slack. */
export async function startConsulTracker({
  config,
  connection,
  background = connection.kind === 'pglite' ? pgliteBackground(connection) : connection,
  clock,
  log,
  scheduledJobs = false,
}: ConsulTrackerOptions): Promise<RunningConsulTracker> {
  await migrateDatabase(connection);
  await ensureAdministrators(connection.db, config.adminUserIds);

  const { db } = connection;
  const deps = {
    db,
    clock,
    log,
    org: { timeZone: config.orgTimeZone, currency: config.currency, financeChannel: config.financeChannel },
  };
  // Its own client without retries: the dispatcher schedules retries itself and honours Retry-After.
  const outboxClient = new WebClient(config.slack.botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: OUTBOX_CLIENT_TIMEOUT_MS,
    logger: boltLogger(log),
  });
  const renderer = new ReportRenderer({ threads: config.reports.threads, queueLimit: config.reports.queueLimit });
  const backgroundDeps = { ...deps, db: background.db };
  const system = { ...backgroundDeps, actor: { kind: 'system', name: 'job' } } as const;
  const outbox = new OutboxDispatcher({
    db: background.db,
    client: outboxClient,
    render: renderOutboxMessage,
    currentContent: (content) => currentApprovalContent(background.db, content),
    renderFile: outboxFileRenderer({
      ctx: system,
      reports: { renderer, pdfRowLimit: config.reports.pdfRowLimit },
    }),
    renderHome: (userId) => currentHomeView(backgroundDeps, outboxClient, userId),
    homeAfterNotice: (userId) => refreshHomeAfterNotice(backgroundDeps, userId),
    clock,
    log,
    deliveryWindowMs: config.deliveryWindowHours * 3_600_000,
    homesPerMinute: config.homePublishesPerMinute,
    // Slack may finish a post it accepted after we stopped waiting: give it six times as long.
    unknownOutcomeWaitMs: 6 * OUTBOX_CLIENT_TIMEOUT_MS,
  });
  const metrics = config.operations.metricsEnabled
    ? new AppMetrics({
        db,
        clock,
        ...(connection.kind === 'postgres' ? { pool: connection.client } : {}),
        deliveryPaused: () => outbox.delivery().state === 'paused',
      })
    : undefined;
  const jobs = new JobRunner({
    ctx: system,
    jobs: JOBS,
    ...(metrics
      ? { counted: (job: string, outcome: RunOutcome, count: number) => metrics.jobRan(job, outcome, count) }
      : {}),
  });
  const slack = await startSlackApp({
    config,
    deps,
    reporting: { renderer, pdfRowLimit: config.reports.pdfRowLimit, financeChannel: config.financeChannel },
    jobs: { list: JOBS, run: (name, at) => jobs.runJob(name, at) },
    // Only a request that queued something due now wakes the dispatcher; the rest wait for its poll.
    afterEachRequest: () => {
      const queued = currentRequest()?.queuedForSlack;
      if (queued === 'message') outbox.wake();
      else if (queued === 'home') outbox.wakeForHome();
    },
    health: () => ({ delivery: outbox.delivery() }),
    ...(metrics ? { metrics: () => metrics.exposition() } : {}),
    onAcknowledged: (request, ms, status) => {
      metrics?.acknowledged(request, ms, status);
      runInRequest(request, () => log.info('acknowledged', { status, ms: Math.round(ms) }));
    },
    readiness: async () => {
      const checks: Record<string, string> = {};
      try {
        await ping(db);
        checks.database = 'ok';
        checks.migrations = (await isMigrated(db)) ? 'ok' : 'pending';
      } catch (error) {
        checks.database = `unreachable: ${String(error)}`;
      }
      return { ready: checks.database === 'ok' && checks.migrations === 'ok', checks };
    },
  });

  outbox.start();
  if (scheduledJobs) await jobs.start();
  // The command line reaches an embedded database through the app that owns it.
  const commandLine =
    connection.kind === 'pglite' && connection.dataDir
      ? await serveCommandLine({
          socketPath: controlSocketPath(connection.dataDir),
          connection,
          config: { currency: config.currency, orgTimeZone: config.orgTimeZone },
          log,
        })
      : undefined;

  const backup = config.operations.backup;
  if (backup && connection.kind !== 'pglite') {
    log.warn('BACKUP_DIR is for the embedded database; on PostgreSQL back up with pg_dump', { dir: backup.dir });
  }
  const nightly =
    backup && connection.kind === 'pglite'
      ? scheduleNightlyBackup({ client: connection.client, backup, timeZone: config.orgTimeZone, clock, log })
      : undefined;
  const upkeep =
    connection.kind === 'pglite'
      ? scheduleNightlyUpkeep({ client: connection.client, timeZone: config.orgTimeZone, log })
      : undefined;

  return {
    port: slack.port,
    initialised: slack.initialised,
    settled: slack.settled,
    outbox,
    jobs,
    stop: async (deadline = Date.now() + config.operations.shutdownTimeoutMs) => {
      nightly?.stop();
      upkeep?.stop();
      await beforeDeadline(jobs.stop(), deadline);
      const outcome = await slack.stop(deadline);
      await commandLine?.close();
      await renderer.close();
      // A round waiting on a hung Slack call must not hold the shutdown: its message stays leased
      // and is sent again after the lease (looked up first, so never twice).
      await beforeDeadline(outbox.stop(), deadline);
      if (background !== connection) await background.close();
      await connection.close();
      return outcome;
    },
  };
}

function beforeDeadline(work: Promise<void>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
