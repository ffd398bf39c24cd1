import type { DateSpec } from '../domain/log-command.js';
import type { PrepaidBalance } from './prepaid-balance.js';

// The shapes of an entry as the consultant gives it and as it is saved: shared by the entry rules
// and the services that log, edit and time entries, so neither has to import the other for them.

export type EntrySource = 'command' | 'modal' | 'timer' | 'shortcut' | 'meeting';

/** What a consultant says about a piece of work; the same rules apply when logging and editing. */
export type EntryFields = {
  projectCode: string;
  /** Defaults to today in the consultant's time zone. */
  date?: DateSpec;
  minutes: number;
  /**
   * "HH:MM", both or neither; the entry may not overlap another timed entry that day. When logging,
   * an end before the begin runs past midnight (`date` is the day it begins; without one, yesterday).
   */
  beginsAt?: string;
  endsAt?: string;
  /**
   * A duration the user gave along with the range (the log form): it must be the time the range
   * really lasted in the consultant's zone, which a daylight-saving night makes differ from the clock's span.
   */
  statedMinutes?: number;
  description: string;
  billable: boolean;
};

export type LogTimeInput = EntryFields & {
  source: EntrySource;
  /** Identifies the Slack request, so a retried request saves nothing twice. */
  requestKey?: string;
};

export type SavedEntry = {
  entryId: number;
  projectCode: string;
  projectName: string;
  customerName: string;
  workDate: string;
  minutes: number;
  beginsAt: string | null;
  endsAt: string | null;
  description: string;
  billable: boolean;
  source: EntrySource;
  /** Whose time it is (their user id and name), when a delegate logged it for them. */
  actingFor: string | null;
  actingForName: string | null;
  /** For a prepaid customer: the credit left, and what submitted sheets will take from it. */
  prepaid: Pick<PrepaidBalance, 'remainingMinutes' | 'pendingMinutes'> | null;
  /** True when this request had already saved the entry (a retry); nothing new was written. */
  repeated: boolean;
};

/** Whose time it is; `name` is their display name, shown when a delegate logs for them. */
export type Consultant = { employeeId: number; userId: string; name: string; timeZone: string };
