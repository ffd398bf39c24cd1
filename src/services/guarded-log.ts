import { type SQL, sql } from 'drizzle-orm';
import { preparedRows, rowOf } from '../db/client.js';
import { unlessZoneUnknown } from '../db/unknown-zone.js';
import { timeEntries } from '../db/schema.js';
import { MINUTES_PER_DAY } from '../domain/duration.js';
import { type DateSpec, resolveDateSpec } from '../domain/log-command.js';
import type { Result } from '../domain/result.js';
import { accessFromRow, type AccessIds, type AccessRow, accessSql, accessValues } from './authorization.js';
import { type RequestUser, requestUserOf, type RequestUserRow, requestUserSql } from './users.js';
import type { ServiceContext } from './context.js';
import { entryInsertValues, insertEntryIfUnchanged } from './entry-insert.js';
import {
  checkFields,
  confirmationBalance,
  consultantFromAccess,
  entryAsSaved,
  placementOf,
  type PlacementRow,
  placementSql,
  type SheetColumns,
  todayOf,
} from './entry-rules.js';
import type { LogTimeInput, SavedEntry } from './entry-types.js';
import { noteHomeQueued } from './outbox.js';
import { noteChangeCommitted } from '../request-context.js';

/**
 * `/log` without a transaction, in the usual case: an entry of minutes (fields already checked) on
 * the consultant's open sheet, which every rule allows. Two statements where the transaction sends
 * seven (BEGIN and COMMIT included): one read of the actor's access, the consultant, the project,
 * the assignment, the period, the live sheet at its revision and the day's total; and one statement
 * that writes the entry, its audit row and the App Home refresh only if the sheet is still open at
 * that revision and the project still there and not archived. Every change to a sheet's entries
 * raises its revision (`timesheets.revision`), so nothing the read judged can have changed by the
 * time it writes.
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
  const read = await unlessZoneUnknown(
    accessAndPlacement[actor.actingFor === undefined ? 'self' : 'delegate'](ctx.db, {
      ...accessValues(actor),
      ...placementValues(ctx, input),
    }),
  );
  return read && logFromRead(ctx, input, read[0]);
}

/** What `logAsRequestUser` read of the user (`requestUser`), and the `/log` if it was saved (or refused). */
export type RequestUserLog = { known: RequestUser; logged: Result<{ entries: SavedEntry[] }> | undefined };

/**
 * `logOnOpenSheet` for a Slack request's user, with the request's read of the user (whom they act
 * for, whether their profile wants a refresh: `requestUser`) in the same statement: the whole ack
 * in two statements. Undefined when it decided nothing and the caller goes the usual way: a time
 * range or fields the transaction refuses (nothing read), or a zone the database does not know;
 * `logged` undefined when the profile wants a refresh first (nothing written) or the transaction
 * must save it.
 */
export async function logAsRequestUser(
  deps: Omit<ServiceContext, 'actor'>,
  userId: string,
  input: LogTimeInput,
): Promise<RequestUserLog | undefined> {
  if (input.beginsAt !== undefined || checkFields(input)) return undefined;
  const read = await unlessZoneUnknown(
    requestUserAccessAndPlacement(deps.db, { actor: userId, ...placementValues(deps, input) }),
  );
  if (!read) return undefined;
  const [row] = read;
  const known = requestUserOf(row, deps.clock);
  if (known.needsRefresh) return { known, logged: undefined };
  const actingFor = known.actingFor?.userId;
  const ctx: ServiceContext = { ...deps, actor: { kind: 'user', userId, ...(actingFor ? { actingFor } : {}) } };
  return { known, logged: await logFromRead(ctx, input, row) };
}

/** The rest of a `/log` without a transaction, from its read. */
async function logFromRead(
  ctx: ServiceContext,
  input: LogTimeInput,
  row: AccessAndPlacementRow | undefined,
): Promise<Result<{ entries: SavedEntry[] }> | undefined> {
  const { actor } = ctx;
  if (actor.kind !== 'user') return undefined;
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
  // One statement, committed on its own: the entry is saved from here on.
  noteChangeCommitted();
  noteHomeQueued(inserted.home_due === true);
  const saved = rowOf(timeEntries, inserted);
  const prepaid = placed.project.prepaid ? await balanceIfReadable(ctx, placed.project.customerId) : null;
  return { ok: true, entries: [{ ...entryAsSaved(consultant, placed, saved, prepaid), repeated: false }] };
}

/**
 * The prepaid balance line, read after the entry is committed: if that read fails, the entry is
 * saved all the same, so the confirmation goes without the line rather than say nothing was saved
 * (which would have the user log it again).
 */
async function balanceIfReadable(ctx: ServiceContext, customerId: number): Promise<SavedEntry['prepaid']> {
  try {
    return await confirmationBalance(ctx.db, customerId);
  } catch (error) {
    ctx.log.warn('could not read the prepaid balance for a saved entry’s confirmation', { customerId, error });
    return null;
  }
}

/** The values of the read's placeholders beyond who acts. */
function placementValues(ctx: Omit<ServiceContext, 'actor'>, input: LogTimeInput) {
  return {
    requestKey: input.requestKey ?? null,
    code: input.projectCode.trim().toUpperCase(),
    now: ctx.clock.now().toISOString(),
    zone: ctx.org.timeZone,
    ...dayValues(input.date),
  };
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

/** `accessSql` (`ids` names who acts) with the placement of the entry (`placementSql`) for the consultant it read. */
function accessAndPlacementSql(delegate: boolean, ids?: AccessIds): SQL {
  return sql`(${accessSql(delegate, ACCESS_EXTRAS, ids)}) a
          cross join lateral (
            select ${DAY} as day
              from (select (${value('now')}::timestamptz at time zone coalesce(a.time_zone, ${value('zone')}))::date
                             as today) t
          ) d
          left join lateral (${placementSql(true, { consultant: sql`a.employee_id`, day: sql`d.day` })}) placed on true`;
}

/** For an actor known already, as oneself or a delegate: built once per shape. */
const accessAndPlacement = {
  self: preparedRows<AccessAndPlacementRow>(
    'log_access_placement_self',
    sql`select a.*, d.day::text as day, placed.* from ${accessAndPlacementSql(false)}`,
  ),
  delegate: preparedRows<AccessAndPlacementRow>(
    'log_access_placement_delegate',
    sql`select a.*, d.day::text as day, placed.* from ${accessAndPlacementSql(true)}`,
  ),
};

/**
 * For a Slack request's user (`actor`), acting for whom `requestUserSql` finds (the App Home switch),
 * else for themself. The request user's columns are all null for a user the app does not know,
 * which `requestUserOf` reads as no row.
 */
const requestUserAccessAndPlacement = preparedRows<AccessAndPlacementRow & RequestUserRow>(
  'log_request_user_access_placement',
  sql`select request_user.*, a.*, d.day::text as day, placed.*
        from (values (1)) as one (x)
        left join lateral (${requestUserSql(value('actor'))}) request_user on true
        cross join lateral ${accessAndPlacementSql(true, {
          actor: value('actor'),
          principal: sql`request_user.principal_id`,
          actedAs: sql`coalesce(request_user.principal_id, ${value('actor')})`,
        })}`,
);
