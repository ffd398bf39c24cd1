import { asc, eq, inArray } from 'drizzle-orm';
import { rowOf, type Transaction } from '../db/client.js';
import { timeEntries } from '../db/schema.js';
import { addDays } from '../domain/dates.js';
import { resolveDateSpec } from '../domain/log-command.js';
import { type Failure, type Result } from '../domain/result.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { enqueueHomeRefresh, noteHomeQueued } from './outbox.js';
import { serviceTransaction } from './transaction.js';
import { logOnOpenSheet } from './guarded-log.js';
import { entryColumns, entryInsertValues, insertEntryQueuingHome, insertEntryStatement } from './entry-insert.js';
import {
  assignedProjects,
  checkFields,
  consultantActing,
  entryIdByRequestKey,
  insertedEntry,
  lockSheetsBetween,
  loggableUsers,
  ownOpenEntryForUpdate,
  placeEntry,
  savedEntry,
  todayOf,
} from './entry-rules.js';
import type { Consultant, EntryFields, LogTimeInput, SavedEntry } from './entry-types.js';
import { type PrepaidBalance, prepaidBalances } from './prepaid-balance.js';
import { noteAudited } from '../request-context.js';

export { MAX_DESCRIPTION_LENGTH } from './entry-rules.js';
export type { Consultant, EntryFields, EntrySource, LogTimeInput, SavedEntry } from './entry-types.js';

/**
 * Saves time in the consultant's open timesheet for the period holding its date: one entry, or
 * for a range past midnight one per day (each day's part checked as an entry of its own), all or nothing.
 * Usually without a transaction (`logOnOpenSheet`); `guardedFirst: false` when the caller tried
 * that already (`logAsRequestUser`).
 */
export async function logTime(
  ctx: ServiceContext,
  input: LogTimeInput,
  { guardedFirst = true }: { guardedFirst?: boolean } = {},
): Promise<Result<{ entries: SavedEntry[] }>> {
  const crossesMidnight = input.beginsAt !== undefined && input.endsAt !== undefined && input.endsAt <= input.beginsAt;
  if (!crossesMidnight) {
    const invalid = checkFields(input);
    if (invalid) return { ok: false, error: invalid };
    const logged = guardedFirst ? await logOnOpenSheet(ctx, input) : undefined;
    if (logged) return logged;
  }
  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'logTime', input.requestKey);
    if (!who.ok) return who;
    const entries: SavedEntry[] = [];
    const { parts, days } = crossesMidnight
      ? dayParts(input, todayOf(ctx, who.consultant))
      : { parts: [input], days: undefined };
    for (const part of parts) {
      const invalid = checkFields(part);
      if (invalid) return { ok: false as const, error: invalid };
    }
    if (days) await lockSheetsBetween(tx, who.consultant.employeeId, ...days);
    // One entry queues the App Home in its insert. Two, which may be on two sheets, queue it after
    // both, so the outbox row is locked after every sheet, as a single /log locks them.
    const queueHome = parts.length === 1;
    for (const part of parts) {
      const earlier = part.requestKey === input.requestKey ? who.earlierEntryId : undefined;
      const saved = await insertEntry(tx, ctx, who.consultant, part, { knownEarlier: earlier, queueHome });
      if (!saved.ok) return saved;
      entries.push(saved.entry);
    }
    if (!queueHome && entries.some((entry) => !entry.repeated)) await queueHomeRefresh(tx, ctx);
    return { ok: true as const, entries };
  });
}

/** The actor's App Home shows their entries: its refresh is queued with the change, in its transaction. */
async function queueHomeRefresh(tx: Transaction, ctx: ServiceContext): Promise<void> {
  if (ctx.actor.kind === 'user') await enqueueHomeRefresh(tx, ctx.actor.userId, ctx.clock.now());
}

/**
 * A range past midnight as two entries, one per calendar day: until midnight on the day it begins
 * (the date given, else yesterday, so that it ends today), then from midnight on the next day.
 */
function dayParts(input: LogTimeInput, today: string): { parts: LogTimeInput[]; days: [string, string] } {
  const first = input.date ? resolveDateSpec(input.date, today) : addDays(today, -1);
  const next = addDays(first, 1);
  const key = input.requestKey;
  return {
    parts: [
      { ...input, date: { kind: 'iso', date: first }, endsAt: '24:00' },
      {
        ...input,
        date: { kind: 'iso', date: next },
        beginsAt: '00:00',
        ...(key ? { requestKey: `${key}:next-day` } : {}),
      },
    ],
    days: [first, next],
  };
}

/**
 * Inserts an entry inside the caller's transaction, after every rule (fields already checked).
 * A request key seen before answers with the entry it saved then: `knownEarlier` when the caller
 * has read it already (the access read does for `/log`), else it is looked up here. `queueHome`
 * queues the actor's App Home refresh in the insert's own statement.
 */
export async function insertEntry(
  tx: Transaction,
  ctx: ServiceContext,
  consultant: Consultant,
  input: LogTimeInput,
  { knownEarlier, queueHome = false }: { knownEarlier?: number | null; queueHome?: boolean } = {},
): Promise<{ ok: true; entry: SavedEntry } | { ok: false; error: Failure }> {
  if (input.requestKey) {
    const earlier =
      knownEarlier === undefined ? await entryIdByRequestKey(tx, input.requestKey) : (knownEarlier ?? undefined);
    if (earlier !== undefined) return { ok: true, entry: { ...(await savedEntry(tx, earlier)), repeated: true } };
  }

  const placed = await placeEntry(tx, ctx, consultant, input);
  if (!placed.ok) {
    // An earlier delivery of this request may have saved it while this one waited for the sheet:
    // then its own entry fills the day or overlaps, and the answer is that entry, not a refusal.
    const earlier = input.requestKey ? await entryIdByRequestKey(tx, input.requestKey) : undefined;
    if (earlier !== undefined) return { ok: true, entry: { ...(await savedEntry(tx, earlier)), repeated: true } };
    return placed;
  }

  const homeOf = queueHome && ctx.actor.kind === 'user' ? ctx.actor.userId : undefined;
  const insert = homeOf ? insertEntryQueuingHome : insertEntryStatement;
  const [inserted] = await insert(tx, entryInsertValues(ctx, consultant, placed, input, homeOf));
  if (homeOf) noteHomeQueued(inserted?.home_due === true);
  // Its audit row is written by the insert's own statement, not by recordAudit: counted here.
  if (inserted) noteAudited();
  // A concurrent retry of the same request may have inserted first: then report its entry.
  const saved = inserted && rowOf(timeEntries, inserted);
  if (!saved) {
    const earlier = await entryIdByRequestKey(tx, input.requestKey!);
    return { ok: true, entry: { ...(await savedEntry(tx, earlier!)), repeated: true } };
  }
  return { ok: true, entry: { ...(await insertedEntry(tx, consultant, placed, saved)), repeated: false } };
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
    await lockSheetsOfMove(tx, ctx, who.consultant, input);
    const current = await ownOpenEntryForUpdate(tx, who.consultant, input.entryId, 'change');
    if (!current.ok) return current;
    await ctx.pause?.('edit:entry-locked');

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
    await queueHomeRefresh(tx, ctx);
    return { ok: true as const, entry: { ...(await savedEntry(tx, input.entryId)), repeated: false } };
  });
}

/**
 * An entry moved to another day may move to another period's sheet: the sheets from the earlier
 * day's to the later one's are locked first, in id order, before the entry's own sheet alone and any
 * project (`lockSheetsBetween`). The entry is read without a lock for its day.
 */
async function lockSheetsOfMove(
  tx: Transaction,
  ctx: ServiceContext,
  consultant: Consultant,
  input: EntryFields & { entryId: number },
): Promise<void> {
  const [entry] = await tx
    .select({ workDate: timeEntries.workDate })
    .from(timeEntries)
    .where(eq(timeEntries.id, input.entryId));
  const today = todayOf(ctx, consultant);
  const moveTo = input.date ? resolveDateSpec(input.date, today) : today;
  if (!entry || entry.workDate === moveTo) return;
  const [from, to] = entry.workDate < moveTo ? [entry.workDate, moveTo] : [moveTo, entry.workDate];
  await lockSheetsBetween(tx, consultant.employeeId, from, to);
}

export type DeletedEntry = {
  entryId: number;
  workDate: string;
  projectCode: string;
  minutes: number;
  description: string;
};

/**
 * Removes entries from open timesheets (Undo, which takes back everything one request logged, or
 * Delete in the timesheet): all of them or, if one cannot go, none.
 */
export async function deleteEntries(
  ctx: ServiceContext,
  input: { entryIds: number[] },
): Promise<Result<{ deleted: DeletedEntry[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const who = await consultantActing(tx, ctx, 'deleteEntry');
    if (!who.ok) return who;
    const deleted: DeletedEntry[] = [];
    for (const entryId of await inSheetOrder(tx, input.entryIds)) {
      const current = await ownOpenEntryForUpdate(tx, who.consultant, entryId, 'delete');
      if (!current.ok) return current;
      await ctx.pause?.('delete:entry-locked');
      const view = await savedEntry(tx, entryId);
      await tx.delete(timeEntries).where(eq(timeEntries.id, entryId));
      await recordAudit(tx, ctx, {
        action: 'time_entry.delete',
        entity: 'time_entry',
        entityId: entryId,
        before: current.entry,
      });
      const { workDate, projectCode, minutes, description } = view;
      deleted.push({ entryId, workDate, projectCode, minutes, description });
    }
    // Answered in the order asked for (an Undo names its days as the confirmation did).
    const asked = [...new Set(input.entryIds)];
    return { ok: true as const, deleted: deleted.sort((a, b) => asked.indexOf(a.entryId) - asked.indexOf(b.entryId)) };
  });
}

/**
 * The entries by their sheets' ids, then their own: their sheets then lock in id order, as every
 * use case that takes two sheets takes them (an Undo of a range past midnight spans two). Ids of
 * entries that are gone come last, to be answered as such.
 */
async function inSheetOrder(tx: Transaction, entryIds: number[]): Promise<number[]> {
  const unique = [...new Set(entryIds)];
  const found = await tx
    .select({ id: timeEntries.id })
    .from(timeEntries)
    .where(inArray(timeEntries.id, unique))
    .orderBy(asc(timeEntries.timesheetId), asc(timeEntries.id));
  const ordered = found.map((row) => row.id);
  return [...ordered, ...unique.filter((id) => !ordered.includes(id))];
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
  /** Credit left for the prepaid customers among the projects' customers. */
  prepaid: PrepaidBalance[];
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
    const projects = await assignedProjects(tx, consultant.employeeId);
    const form: EntryForm = {
      projects,
      today: todayOf(ctx, consultant),
      logFor,
      forUserId: consultant.userId,
      prepaid: await prepaidBalances(tx, [...new Set(projects.map((p) => p.customerId))]),
    };
    if (input.entryId !== undefined) {
      const current = await ownOpenEntryForUpdate(tx, consultant, input.entryId, 'change');
      if (!current.ok) return current;
      form.entry = { ...(await savedEntry(tx, input.entryId)), repeated: false };
    }
    return { ok: true as const, form };
  });
}
