import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../logger.js';

/**
 * The Web API client warns of every failed call and then throws; the caller logs the failure once
 * with its context, so this line would only repeat it.
 */
const CALLER_REPORTS = 'http request failed';

/** Lets Bolt and the Web API client write through our structured logger. */
export function boltLogger(log: Logger, level: LogLevel = LogLevel.WARN): BoltLogger {
  let current = level;
  const rank = { [LogLevel.DEBUG]: 0, [LogLevel.INFO]: 1, [LogLevel.WARN]: 2, [LogLevel.ERROR]: 3 };
  const at =
    (wanted: LogLevel, write: (message: string) => void) =>
    (...parts: unknown[]) => {
      if (parts[0] === CALLER_REPORTS) return;
      if (rank[wanted] >= rank[current])
        write(parts.map((part) => (part instanceof Error ? part.stack : String(part))).join(' '));
    };
  return {
    debug: at(LogLevel.DEBUG, (message) => log.debug(message, { source: 'bolt' })),
    info: at(LogLevel.INFO, (message) => log.info(message, { source: 'bolt' })),
    warn: at(LogLevel.WARN, (message) => log.warn(message, { source: 'bolt' })),
    error: at(LogLevel.ERROR, (message) => log.error(message, { source: 'bolt' })),
    setLevel: (next) => {
      current = next;
    },
    getLevel: () => current,
    setName: () => {},
  };
}
