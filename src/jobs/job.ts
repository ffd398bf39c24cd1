import type { Queryable, Transaction } from '../db/client.js';
import type { SettingKey } from '../domain/settings.js';
import type { ServiceContext } from '../services/context.js';

/** One unit of a job's work: its slot names it within the job (the key is `job:slot`). */
export type DueUnit = { slot: string; dueAt: Date };

/**
 * A scheduled job: what is due in a window, and how one unit is done. Adding a job is one file
 * exporting this, listed in `registry.ts`; the runner does the claiming, retries and catch-up.
 */
export type Job = {
  name: string;
  /** One line for `jobs list` and the admin page. */
  description: string;
  /** The firm settings that decide when it runs or what it does, shown on /admin > Scheduled jobs. */
  settings: readonly SettingKey[];
  /** Units whose due instant lies in (from, to]; pure reading. */
  due(q: Queryable, ctx: ServiceContext, window: { from: Date; to: Date }): Promise<DueUnit[]>;
  /**
   * Does one unit inside the runner's transaction (which also records it as done), through
   * services; rules about time count to `unit.dueAt`. Answers what it did, in words.
   */
  run(tx: Transaction, ctx: ServiceContext, unit: DueUnit): Promise<string>;
};
