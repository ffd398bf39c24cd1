import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../logger.js';
import { backupPglite } from './backup.js';
import { scheduleNightly } from './nightly.js';

const PREFIX = 'consultracker-';
const SUFFIX = '.tar.gz';

/**
 * Every night at `at` (HH:MM in the firm's time zone) a backup of the embedded database goes to
 * `dir` as consultracker-YYYY-MM-DD.tar.gz; the newest `keep` stay. A failure is logged at error
 * level and tried again the next night.
 */
export function scheduleNightlyBackup(options: {
  client: PGlite;
  backup: { dir: string; at: string; keep: number };
  timeZone: string;
  clock: Clock;
  log: Logger;
  /** Told how each run went, e.g. for the job-run metric. */
  onRun?: (ok: boolean) => void;
}): { stop(): void } {
  const { client, backup, timeZone, clock, log, onRun } = options;
  return scheduleNightly({
    name: 'nightly-backup',
    at: backup.at,
    timeZone,
    log,
    work: () => runBackup(client, backup, clock, log),
    failure: 'nightly backup failed',
    fields: { dir: backup.dir },
    ...(onRun ? { onRun } : {}),
  });
}

/** One backup into the folder, then the oldest beyond `keep` removed. */
export async function runBackup(
  client: PGlite,
  backup: { dir: string; keep: number },
  clock: Clock,
  log: Logger,
): Promise<string> {
  mkdirSync(backup.dir, { recursive: true, mode: 0o700 });
  const file = join(backup.dir, `${PREFIX}${clock.now().toISOString().slice(0, 10)}${SUFFIX}`);
  const bytes = await backupPglite(client, file);
  const old = readdirSync(backup.dir)
    .filter((name) => name.startsWith(PREFIX) && name.endsWith(SUFFIX))
    .sort()
    .slice(0, -backup.keep);
  for (const name of old) rmSync(join(backup.dir, name), { force: true });
  log.info('nightly backup written', { file, bytes, removed: old.length });
  return file;
}
