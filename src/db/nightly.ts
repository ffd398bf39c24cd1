import cron from 'node-cron';
import type { Logger } from '../logger.js';

/**
 * Runs `work` every night at `at` (HH:MM in `timeZone`), never two at once. A failure is logged at
 * error level, with `fields`, and tried again the next night.
 */
export function scheduleNightly(options: {
  name: string;
  at: string;
  timeZone: string;
  log: Logger;
  work: () => Promise<unknown>;
  /** The error line's message, e.g. "nightly backup failed". */
  failure: string;
  fields?: Record<string, unknown>;
  /** Told how each run went, e.g. for the job-run metric. */
  onRun?: (ok: boolean) => void;
}): { stop(): void } {
  const { name, at, timeZone, log, work, failure, fields, onRun } = options;
  const [hour, minute] = at.split(':').map(Number);
  const task = cron.schedule(
    `${minute} ${hour} * * *`,
    async () => {
      try {
        await work();
        onRun?.(true);
      } catch (error) {
        log.error(failure, { ...fields, error });
        onRun?.(false);
      }
    },
    { timezone: timeZone, noOverlap: true, name },
  );
  return { stop: () => void task.stop() };
}
