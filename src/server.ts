import { WebClient } from '@slack/web-api';
import type { Config } from './config.js';
import { serveCommandLine } from './cli/control-socket.js';
import { type DatabaseConnection, ping } from './db/client.js';
import { controlSocketPath } from './db/directory-lock.js';
import { isMigrated, migrateDatabase } from './db/migrate.js';
import type { Clock } from './domain/clock.js';
import { JOBS } from './jobs/registry.js';
import { JobRunner } from './jobs/runner.js';
import type { Logger } from './logger.js';
import { ensureAdministrators } from './services/users.js';
import { startSlackApp } from './slack/app.js';
import { boltLogger } from './slack/bolt-logger.js';
import { ReportRenderer } from './reports/render-pool.js';
import { OutboxDispatcher } from './slack/outbox-dispatcher.js';
import { renderOutboxMessage } from './slack/outbox-messages.js';

export type ConsulTrackerOptions = {
  config: Config;
  connection: DatabaseConnection;
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
  /** Stops taking requests, lets those in flight finish, then closes the database. */
  stop(): Promise<void>;
};

/** Migrates the database, grants the configured administrators, and starts serving Slack. */
export async function startConsulTracker({
  config,
  connection,
  clock,
  log,
  scheduledJobs = false,
}: ConsulTrackerOptions): Promise<RunningConsulTracker> {
  await migrateDatabase(connection);
  await ensureAdministrators(connection.db, config.adminUserIds);

  const { db } = connection;
  const deps = { db, clock, log, org: { timeZone: config.orgTimeZone, currency: config.currency } };
  const outbox = new OutboxDispatcher({
    db,
    // Its own client without retries: the dispatcher schedules retries itself and honours Retry-After.
    client: new WebClient(config.slack.botToken, {
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 10_000,
      logger: boltLogger(log),
    }),
    render: renderOutboxMessage,
    clock,
    log,
  });
  const renderer = new ReportRenderer({ threads: config.reports.threads, queueLimit: config.reports.queueLimit });
  const slack = await startSlackApp({
    config,
    deps,
    reporting: { renderer, pdfRowLimit: config.reports.pdfRowLimit, financeChannel: config.financeChannel },
    afterEachRequest: () => outbox.wake(),
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
  const jobs = new JobRunner({ ctx: { ...deps, actor: { kind: 'system', name: 'job' } }, jobs: JOBS });
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

  return {
    port: slack.port,
    initialised: slack.initialised,
    settled: slack.settled,
    outbox,
    jobs,
    stop: async () => {
      await jobs.stop();
      await slack.stop();
      await commandLine?.close();
      await renderer.close();
      await outbox.stop();
      await connection.close();
    },
  };
}
