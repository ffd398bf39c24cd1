import { ConfigError, loadConfig, loadEnvironmentFile } from './config.js';
import { connectPostgres, openDatabase } from './db/client.js';
import { DirectoryInUse, DirectoryUnusable } from './db/directory-lock.js';
import { systemClock } from './domain/clock.js';
import { createLogger } from './logger.js';
import { installProcessGuards } from './process-guards.js';
import { startConsulTracker } from './server.js';

/**
 * The background pool's size on PostgreSQL: an App Home publish holds a connection for about ten
 * milliseconds, so three keep up with hundreds a second, and requests keep all of theirs.
 */
const BACKGROUND_CONNECTIONS = 3;

/** Composition root: configuration -> database -> Slack app -> graceful shutdown. */
async function main(): Promise<void> {
  loadEnvironmentFile();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const log = createLogger(config.operations.logLevel, undefined, {
    secrets: [config.slack.botToken, config.slack.signingSecret, config.slack.appToken],
  });
  const startedAt = performance.now();
  const lostConnection = (error: Error) =>
    log.warn('lost a database connection; the next request opens a new one', { error });
  const connection = await openDatabase(config, 'app', lostConnection);
  // On PostgreSQL the outbox and jobs get their own few connections; PGlite has one (see startConsulTracker).
  const background = config.databaseUrl
    ? connectPostgres(config.databaseUrl, { max: BACKGROUND_CONNECTIONS, onConnectionError: lostConnection })
    : undefined;
  const app = await startConsulTracker({
    config,
    connection,
    background,
    clock: systemClock,
    log,
    scheduledJobs: true,
  });
  log.info('ConsulTracker is listening', {
    port: app.port,
    mode: config.slack.appToken ? 'socket' : 'http',
    database: connection.kind,
    startupMs: Math.round(performance.now() - startedAt),
  });

  let stopping = false;
  const shutdown = (reason: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    const timeoutMs = config.operations.shutdownTimeoutMs;
    // Requests get the deadline less a margin for closing the database; the process goes at the deadline.
    const drainDeadline = Date.now() + timeoutMs - Math.min(2_000, timeoutMs / 5);
    log.info('shutting down: no new requests; finishing those already taken', { reason, deadlineMs: timeoutMs });
    setTimeout(() => {
      log.error('shutdown deadline passed before the database closed; exiting now', { deadlineMs: timeoutMs });
      process.exit(1);
    }, timeoutMs);
    app.stop(drainDeadline).then(
      ({ unanswered, running }) => {
        if (unanswered + running === 0) {
          log.info('stopped: every request taken was answered and finished');
          process.exit(exitCode);
        }
        log.error(
          'stopped at the shutdown deadline with requests unfinished: their clients may have no answer; what they committed is saved, the rest rolled back',
          {
            unanswered,
            running,
            deadlineMs: timeoutMs,
          },
        );
        process.exit(1);
      },
      (error: unknown) => {
        log.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  // Only a refused token rejects this (Slack being away is retried): nothing to serve, so stop.
  app.initialised.catch((error: unknown) => {
    log.error(error instanceof Error ? error.message : String(error));
    shutdown('Slack refused the bot token', 1);
  });
  installProcessGuards(log, (reason) => shutdown(reason, 1));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  // A refusal that says what to do needs no stack trace; anything else is a defect to look into.
  const said =
    error instanceof DirectoryInUse || error instanceof DirectoryUnusable
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`ConsulTracker failed to start: ${said}\n`);
  process.exit(1);
});
