import { eq } from 'drizzle-orm';
import type { Transaction } from '../db/client.js';
import { timeEntries } from '../db/schema.js';
import { dateInZone } from '../domain/dates.js';
import type { DateSpec } from '../domain/log-command.js';
import { type Failure, type Result } from '../domain/result.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { serviceTransaction } from './transaction.js';
import {
  assignedProjects,
  checkFields,
  consultantActing,
  entryIdByRequestKey,
  loggableUsers,
  ownOpenEntryForUpdate,
  type Placement,
  placeEntry,
  savedEntry,
  timeZoneOf,
} from './entry-rules.js';
import type { PrepaidBalance } from './prepaid-balance.js';

export { MAX_DESCRIPTION_LENGTH } from './entry-rules.js';

export type EntrySource = 'command' | 'modal' | 'timer' | 'shortcut' | 'meeting';

/** What a consultant says about a piece of work; the same rules apply when logging and editing. */
export type EntryFields = {
  projectCode: string;
  /** Defaults to today in the consultant's time zone. */
  date?: DateSpec;
  minutes: number;
  /** "HH:MM", both or neither; the entry may not overlap another timed entry that day. */
  beginsAt?: string;
  endsAt?: string;
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
  /** Whose time it is, when a delegate logged it for them. */
  actingForName: string | null;
  /** For a prepaid customer: the credit left, and what submitted sheets will take from it. */
  prepaid: Pick<PrepaidBalance, 'remainingMinutes' | 'pendingMinutes'> | null;
  /** True when this request had already saved the entry (a retry); nothing new was written. */
  repeated: boolean;
};

export type Consultant = { employeeId: number; userId: string };

/** Saves one time entry in the consultant's open timesheet for the period holding its date. */
export async function logTime(ctx: ServiceContext, input: LogTimeInput): Promise<Result<{ entry: SavedEntry }>> {
  const invalid = checkFields(input);
  if (invalid) return { ok: false, error: invalid };

  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'logTime');
    if (!who.ok) return who;
    return insertEntry(tx, ctx, who.consultant, input);
  });
}

/**
 * Inserts an entry inside the caller's transaction, after every rule (fields already checked).
 * A request key seen before answers with the entry it saved then.
 */
export async function insertEntry(
  tx: Transaction,
  ctx: ServiceContext,
  consultant: Consultant,
  input: LogTimeInput,
): Promise<{ ok: true; entry: SavedEntry } | { ok: false; error: Failure }> {
  if (input.requestKey) {
    const earlier = await entryIdByRequestKey(tx, input.requestKey);
    if (earlier !== undefined) return { ok: true, entry: { ...(await savedEntry(tx, earlier)), repeated: true } };
  }

  const placed = await placeEntry(tx, ctx, consultant, input);
  if (!placed.ok) return placed;

  const [saved] = await tx
    .insert(timeEntries)
    .values({
      ...entryColumns(placed, input),
      source: input.source,
      createdBy: ctx.actor.kind === 'user' ? ctx.actor.userId : consultant.userId,
      actingFor: ctx.actor.kind === 'user' ? (ctx.actor.actingFor ?? null) : null,
      requestKey: input.requestKey ?? null,
    })
    // A concurrent retry of the same request may have inserted first: then report its entry.
    .onConflictDoNothing({ target: timeEntries.requestKey })
    .returning();
  if (!saved) {
    const earlier = await entryIdByRequestKey(tx, input.requestKey!);
    return { ok: true, entry: { ...(await savedEntry(tx, earlier!)), repeated: true } };
  }
  await recordAudit(tx, ctx, { action: 'time_entry.create', entity: 'time_entry', entityId: saved.id, after: saved });
  return { ok: true, entry: { ...(await savedEntry(tx, saved.id)), repeated: false } };
}

/** The columns an entry takes from where it was placed and what the user said; log and edit share them. */
function entryColumns(placed: Placement, input: EntryFields) {
  return {
    timesheetId: placed.sheetId,
    projectId: placed.projectId,
    workDate: placed.workDate,
    beginsAt: input.beginsAt ?? null,
    endsAt: input.endsAt ?? null,
    minutes: input.minutes,
    description: input.description.trim(),
    billable: input.billable,
  };
}

/** Changes an entry on an open timesheet, under the same rules as logging it. */
export async function editEntry(
  ctx: ServiceContext,
  input: EntryFields & { entryId: number },
): Promise<Result<{ entry: SavedEntry }>> {
  const invalid = checkFields(input);
  if (invalid) return { ok: false, error: invalid };

  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'editEntry');
    if (!who.ok) return who;
    const current = await ownOpenEntryForUpdate(tx, who.consultant, input.entryId, 'change');
    if (!current.ok) return current;

    const placed = await placeEntry(tx, ctx, who.consultant, input, input.entryId);
    if (!placed.ok) return placed;

    const [after] = await tx
      .update(timeEntries)
      .set({
        ...entryColumns(placed, input),
        updatedAt: ctx.clock.now(),
      })
      .where(eq(timeEntries.id, input.entryId))
      .returning();
    await recordAudit(tx, ctx, {
      action: 'time_entry.update',
      entity: 'time_entry',
      entityId: input.entryId,
      before: current.entry,
      after,
    });
    return { ok: true as const, entry: { ...(await savedEntry(tx, input.entryId)), repeated: false } };
  });
}

export type DeletedEntry = {
  entryId: number;
  workDate: string;
  projectCode: string;
  minutes: number;
  description: string;
};

/** Removes an entry from an open timesheet (Undo, or Delete in the timesheet). */
export async function deleteEntry(
  ctx: ServiceContext,
  input: { entryId: number },
): Promise<Result<{ deleted: DeletedEntry }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'deleteEntry');
    if (!who.ok) return who;
    const current = await ownOpenEntryForUpdate(tx, who.consultant, input.entryId, 'delete');
    if (!current.ok) return current;
    const view = await savedEntry(tx, input.entryId);
    await tx.delete(timeEntries).where(eq(timeEntries.id, input.entryId));
    await recordAudit(tx, ctx, {
      action: 'time_entry.delete',
      entity: 'time_entry',
      entityId: input.entryId,
      before: current.entry,
    });
    return {
      ok: true as const,
      deleted: {
        entryId: input.entryId,
        workDate: view.workDate,
        projectCode: view.projectCode,
        minutes: view.minutes,
        description: view.description,
      },
    };
  });
}

export type EntryForm = {
  /** Projects the consultant may log on, by code. */
  projects: { code: string; name: string; customerName: string }[];
  today: string;
  /** People the actor may log for: themselves first (if a consultant), then their principals. */
  logFor: { userId: string; name: string }[];
  /** Whose time the form is for. */
  forUserId: string;
  /** Present when editing: the entry as it is now. */
  entry?: SavedEntry;
};

/**
 * What the log-time modal offers the user: their projects, today's date, whom they may log for.
 * A delegate who logs no time of their own gets the form of their first principal.
 */
export async function entryForm(
  ctx: ServiceContext,
  input: { entryId?: number } = {},
): Promise<Result<{ form: EntryForm }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const logFor = await loggableUsers(tx, ctx);
    let who = await consultantActing(tx, ctx, 'openEntryForm');
    const firstPrincipal = logFor.find((person) => ctx.actor.kind === 'user' && person.userId !== ctx.actor.userId);
    if (!who.ok && ctx.actor.kind === 'user' && !ctx.actor.actingFor && firstPrincipal) {
      ctx = { ...ctx, actor: { ...ctx.actor, actingFor: firstPrincipal.userId } };
      who = await consultantActing(tx, ctx, 'openEntryForm');
    }
    if (!who.ok) return who;
    const { consultant } = who;
    const form: EntryForm = {
      projects: await assignedProjects(tx, consultant.employeeId),
      today: dateInZone(ctx.clock.now(), await timeZoneOf(tx, ctx, consultant.userId)),
      logFor,
      forUserId: consultant.userId,
    };
    if (input.entryId !== undefined) {
      const current = await ownOpenEntryForUpdate(tx, consultant, input.entryId, 'change');
      if (!current.ok) return current;
      form.entry = { ...(await savedEntry(tx, input.entryId)), repeated: false };
    }
    return { ok: true as const, form };
  });
}
