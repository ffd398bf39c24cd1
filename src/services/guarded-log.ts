import { rowOf } from '../db/client.js';
import { timeEntries } from '../db/schema.js';
import { resolveDateSpec } from '../domain/log-command.js';
import { MINUTES_PER_DAY } from '../domain/duration.js';
import type { Result } from '../domain/result.js';
import type { ServiceContext } from './context.js';
import { entryInsertValues, insertEntryIfUnchanged } from './entry-insert.js';
import { consultantActing, insertedEntry, placementOf, placementWithSheet, todayOf } from './entry-rules.js';
import type { LogTimeInput, SavedEntry } from './entry-types.js';
import { noteHomeQueued } from './outbox.js';

/**
 * `/log` without a transaction, in the usual case: an entry of minutes (fields already checked) on
 * the consultant's open sheet, which every rule allows. Three statements where the transaction sends
 * seven (BEGIN and COMMIT included): the access read; one read of the project, the assignment, the
 * period, the live sheet at its revision and the day's total; and one statement that writes the
 * entry, its audit row and the App Home refresh only if the sheet is still open at that revision
 * and the project still live. Every change to a sheet's entries raises its revision (a trigger on
 * `time_entries`), so nothing the read judged can have changed by the time that statement writes.
 *
 * Anything else answers undefined and the caller takes the transaction, which says what is wrong
 * and why: a time range (overlaps are checked under the sheet's lock), a request saved before, no
 * sheet yet, a rule the entry breaks, or a sheet or project that changed between the read and the
 * write. A refusal of the access check is the transaction's answer too, so it is given here.
 */
export async function logOnOpenSheet(
  ctx: ServiceContext,
  input: LogTimeInput,
): Promise<Result<{ entries: SavedEntry[] }> | undefined> {
  if (input.beginsAt !== undefined || ctx.actor.kind !== 'user') return undefined;
  const who = await consultantActing(ctx.db, ctx, 'logTime', input.requestKey);
  if (!who.ok) return who;
  if (who.earlierEntryId != null) return undefined;
  const { consultant } = who;

  const today = todayOf(ctx, consultant);
  const workDate = input.date ? resolveDateSpec(input.date, today) : today;
  if (workDate > today) return undefined;
  const [found] = await placementWithSheet(ctx.db, {
    code: input.projectCode.trim().toUpperCase(),
    consultant: consultant.employeeId,
    day: workDate,
  });
  const allowed =
    found !== undefined &&
    found.assigned &&
    found.active &&
    found.sheet_id != null &&
    found.sheet_status === 'open' &&
    Number(found.logged_that_day) + input.minutes <= MINUTES_PER_DAY;
  if (!allowed) return undefined;
  await ctx.pause?.('entry:placed-unlocked');

  const placed = placementOf(found, workDate, found.sheet_id!, input.minutes);
  const homeOf = ctx.actor.userId;
  const [inserted] = await insertEntryIfUnchanged(ctx.db, {
    ...entryInsertValues(ctx, consultant, placed, input, homeOf),
    revision: found.sheet_revision,
  });
  if (!inserted) return undefined;
  noteHomeQueued(inserted.home_due === true);
  const saved = rowOf(timeEntries, inserted);
  return { ok: true, entries: [{ ...(await insertedEntry(ctx.db, consultant, placed, saved)), repeated: false }] };
}
