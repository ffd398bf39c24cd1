import type { PGlite } from '@electric-sql/pglite';
import type { Logger } from '../logger.js';
import { scheduleNightly } from './nightly.js';

/** When the embedded database is looked after, in the firm's time zone: a quiet hour. */
export const UPKEEP_AT = '03:30';

/**
 * What PostgreSQL's autovacuum does on a server, which PGlite (one process, no background workers)
 * never does: statistics for the planner and dead rows cleared. Without statistics the planner
 * guesses, and as the firm's history grew it read every timesheet on each `/log` (bench/README.md,
 * "2026-12-07 (fifth)"). Requests wait while it runs, hence the hour.
 */
export async function upkeepPglite(client: PGlite, log: Logger): Promise<void> {
  const started = performance.now();
  await client.exec('vacuum (analyze)');
  log.info('embedded database vacuumed and analysed', { ms: Math.round(performance.now() - started) });
}

/** `upkeepPglite` every night at UPKEEP_AT. */
export function scheduleNightlyUpkeep(options: { client: PGlite; timeZone: string; log: Logger }): { stop(): void } {
  const { client, timeZone, log } = options;
  return scheduleNightly({
    name: 'nightly-upkeep',
    at: UPKEEP_AT,
    timeZone,
    log,
    work: () => upkeepPglite(client, log),
    failure: 'nightly upkeep of the embedded database failed',
  });
}
