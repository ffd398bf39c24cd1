import type { Clock } from '../domain/clock.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';

/**
 * Who is acting. A Slack user may act for a principal whose delegate they are; the system actor
 * (command line, start-up, jobs) is trusted because it already holds the database.
 */
export type Actor =
  { kind: 'user'; userId: string; actingFor?: string } | { kind: 'system'; name: 'cli' | 'startup' | 'job' };

/** Firm-wide settings services need; they come from configuration. */
export type Organisation = {
  timeZone: string;
  currency: string;
  /** `FINANCE_CHANNEL`: where low-credit alerts go for a customer without its own alert channel. */
  financeChannel?: string;
};

export type ServiceContext = {
  db: Database;
  actor: Actor;
  clock: Clock;
  log: Logger;
  org: Organisation;
  /**
   * Race tests only: holds a use case at a named point inside its transaction, its locks taken,
   * so a test can force one interleaving (test/support/interleaving.ts). The app never sets it.
   */
  pause?: (point: PausePoint) => Promise<void>;
};

/**
 * Where a use case can be held, each just after it took the locks a racing use case waits for; a
 * `/log` without a transaction, between its read and its guarded write (`entry:placed-unlocked`);
 * a removal of projects or customers after it locked the sheets with time on them, and after it
 * locked the projects (`removal:...`); an edit of an entry once it holds the entry's sheet; a timer
 * start once it holds the running timer's sheets and both projects; a balance move between reading
 * another sheet's approval DM and queueing its update (`credit-line:read`); a submit once it has read
 * who decides its sheet; an administrator's decision once it holds the sheet; a delete once it
 * holds an entry and its sheet; an approval once it holds every customer its billable time is
 * charged to (`approve:customers-locked`).
 */
export type PausePoint =
  | 'decide:sheet-locked'
  | 'submit:sheet-locked'
  | 'entry:project-held'
  | 'entry:placed-unlocked'
  | 'remove-projects:locked'
  | 'removal:sheets-locked'
  | 'removal:projects-locked'
  | 'edit:entry-locked'
  | 'timer:saving-locked'
  | 'job:claimed'
  | 'credit:topup-drafted'
  | 'admin-decide:customers-locked'
  | 'draft:customers-locked'
  | 'credit-line:read'
  | 'approve:customers-locked'
  | 'submit:routes-read'
  | 'admin-decide:sheet-locked'
  | 'delete:entry-locked';

/** How the actor is named in audit rows. */
export function auditActorId(actor: Actor): string {
  return actor.kind === 'user' ? actor.userId : `system:${actor.name}`;
}
