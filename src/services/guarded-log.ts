import { sql } from 'drizzle-orm';
import { preparedRows, rowOf } from '../db/client.js';
import { timeEntries } from '../db/schema.js';
import { MINUTES_PER_DAY } from '../domain/duration.js';
import { type DateSpec, resolveDateSpec } from '../domain/log-command.js';
import type { Result } from '../domain/result.js';
import { accessFromRow, type AccessRow, accessSql, accessValues } from './authorization.js';
import type { ServiceContext } from './context.js';
import { entryInsertValues, insertEntryIfUnchanged } from './entry-insert.js';
import {
  consultantFromAccess,
  insertedEntry,
  placementOf,
  type PlacementRow,
  placementSql,
  type SheetColumns,
  todayOf,
} from './entry-rules.js';
import type { LogTimeInput, SavedEntry } from './entry-types.js';
import { noteHomeQueued } from './outbox.js';

/**
 * `/log` without a transaction, in the usual case: an entry of minutes (fields already checked) on
 * the consultant's open sheet, which every rule allows. Two statements where the transaction sends
 * seven (BEGIN and COMMIT included): one read of the actor's access, the consultant, the project,
 * the assignment, the period, the live sheet at its revision and the day's total; and one statement
 * that writes the entry, its audit row and the App Home refresh only if the sheet is still open at
 * that revision and the project still live. Every change to a sheet's entries raises its revision
 * (a trigger on `time_entries`), so nothing the read judged can have changed by the time it writes.
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
  const { actor } = ctx;
  if (input.beginsAt !== undefined || actor.kind !== 'user') return undefined;
  const [row] = await accessAndPlacement[actor.actingFor === undefined ? 'self' : 'delegate'](ctx.db, {
    ...accessValues(actor),
    requestKey: input.requestKey ?? null,
    code: input.projectCode.trim().toUpperCase(),
    now: ctx.clock.now().toISOString(),
    zone: ctx.org.timeZone,
    ...dayValues(input.date),
  });
  const who = await consultantFromAccess(ctx.db, ctx, 'logTime', accessFromRow(actor, ACCESS_EXTRAS, row));
  if (!who.ok) return who;
  if (who.earlierEntryId != null || !row) return undefined;
  const { consultant } = who;

  // The read placed the entry on the day as the database counts it in the consultant's zone; it
  // must be the day the app counts (the same time zone rules), else the transaction places it.
  const today = todayOf(ctx, consultant);
  const workDate = input.date ? resolveDateSpec(input.date, today) : today;
  const allowed =
    row.day === workDate &&
    workDate <= today &&
    row.project_id != null &&
    row.assigned &&
    row.project_active &&
    row.sheet_id != null &&
    row.sheet_status === 'open' &&
    Number(row.logged_that_day) + input.minutes <= MINUTES_PER_DAY;
  if (!allowed) return undefined;
  await ctx.pause?.('entry:placed-unlocked');

  const placed = placementOf(row, workDate, row.sheet_id!, input.minutes);
  const [inserted] = await insertEntryIfUnchanged(ctx.db, {
    ...entryInsertValues(ctx, consultant, placed, input, actor.userId),
    revision: row.sheet_revision,
  });
  if (!inserted) return undefined;
  noteHomeQueued(inserted.home_due === true);
  const saved = rowOf(timeEntries, inserted);
  return { ok: true, entries: [{ ...(await insertedEntry(ctx.db, consultant, placed, saved)), repeated: false }] };
}

/** The access read of a `/log`: with the consultant row, and the entry saved under the request's key. */
const ACCESS_EXTRAS = { consultant: true, requestKey: '' } as const;

const value = sql.placeholder;

/**
 * The day a date spec names, in SQL: the given date, or so many days before today, or the latest
 * such weekday by today; today in the consultant's zone (else the firm's) at the clock's `now`.
 */
const DAY = sql`coalesce(${value('date')}::date,
                         today - coalesce(${value('daysAgo')}::int,
                                          (extract(dow from today)::int - ${value('weekday')}::int + 7) % 7))`;

function dayValues(spec: DateSpec | undefined): {
  date: string | null;
  daysAgo: number | null;
  weekday: number | null;
} {
  if (!spec) return { date: null, daysAgo: 0, weekday: null };
  if (spec.kind === 'iso') return { date: spec.date, daysAgo: null, weekday: null };
  if (spec.kind === 'days-ago') return { date: null, daysAgo: spec.days, weekday: null };
  return { date: null, daysAgo: null, weekday: spec.day };
}

/** One row always; the placement's columns are all null when there is no such project (`project_id`). */
type AccessAndPlacementRow = AccessRow & PlacementRow & SheetColumns & { day: string };

/** `accessSql` with the placement of the entry (`placementSql`) for the consultant it read, built once per shape. */
function accessAndPlacementStatement(delegate: boolean) {
  return preparedRows<AccessAndPlacementRow>(
    `log_access_placement_${delegate ? 'delegate' : 'self'}`,
    sql`select a.*, d.day::text as day, placed.*
          from (${accessSql(delegate, ACCESS_EXTRAS)}) a
          cross join lateral (
            select ${DAY} as day
              from (select (${value('now')}::timestamptz at time zone coalesce(a.time_zone, ${value('zone')}))::date
                             as today) t
          ) d
          left join lateral (${placementSql(true, { consultant: sql`a.employee_id`, day: sql`d.day` })}) placed on true`,
  );
}
const accessAndPlacement = {
  self: accessAndPlacementStatement(false),
  delegate: accessAndPlacementStatement(true),
};
