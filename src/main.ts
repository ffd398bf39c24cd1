import { ConfigError, loadConfig, loadEnvironmentFile } from './config.js';
import { openDatabase } from './db/client.js';
import { systemClock } from './domain/clock.js';
import { createLogger } from './logger.js';
import { installProcessGuards } from './process-guards.js';
import { startConsulTracker } from './server.js';

/** Composition root: configuration -> database -> Slack app -> graceful shutdown. */
async function main(): Promise<void> {
  loadEnvironmentFile();
  const log = createLogger(process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info');
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

  const startedAt = performance.now();
  const connection = await openDatabase(config, 'app', (error) =>
    log.warn('lost a database connection; the next request opens a new one', { error }),
  );
  const app = await startConsulTracker({ config, connection, clock: systemClock, log, scheduledJobs: true });
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
    log.info('shutting down', { reason });
    app.stop().then(
      () => process.exit(exitCode),
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
  process.stderr.write(
    `ConsulTracker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
