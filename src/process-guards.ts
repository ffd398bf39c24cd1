import type { Logger } from './logger.js';

/** More uncaught exceptions than this in a minute means something is broken for good, not one bad request. */
const MOST_UNCAUGHT_PER_MINUTE = 10;

/**
 * Without these, one rejected promise nobody awaited ends the process and every request in flight
 * with it (Node's default). A stray rejection or exception is logged and the app keeps serving; a
 * storm of them starts the normal shutdown instead, so the process still exits cleanly.
 */
export function installProcessGuards(log: Logger, shutdown: (reason: string) => void): () => void {
  const recent: number[] = [];
  const onRejection = (reason: unknown) => {
    log.error('a promise was rejected and nothing handled it; still serving', { error: reason });
  };
  const onException = (error: unknown) => {
    const now = Date.now();
    recent.push(now);
    while (recent.length > 0 && recent[0]! < now - 60_000) recent.shift();
    if (recent.length > MOST_UNCAUGHT_PER_MINUTE) {
      log.error('uncaught exceptions keep coming; shutting down', { error });
      shutdown('uncaughtException');
      return;
    }
    log.error('an exception was not caught; still serving', { error });
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
