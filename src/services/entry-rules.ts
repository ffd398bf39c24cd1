import { and, asc, eq, isNull, ne, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { preparedRows, type Queryable, queryRows, type Transaction } from '../db/client.js';
import {
  customers,
  projectConsultants,
  projects,
  reportingPeriods,
  timeEntries,
  timesheets,
  users,
} from '../db/schema.js';
import { dateInZone, formatDay, isIsoDate } from '../domain/dates.js';
import { showsNothing } from '../domain/control-characters.js';
import { formatMinutes, MINUTES_PER_DAY } from '../domain/duration.js';
import { type Failure, fail, type Result } from '../domain/result.js';
import { MAX_DESCRIPTION_LENGTH, resolveDateSpec } from '../domain/log-command.js';
import { closestMatches } from '../domain/suggestions.js';
import { elapsedMinutes } from '../domain/zoned-time.js';
import { type Access, type AccessExtras, decideAccess, readAccess } from './authorization.js';
import { type Operation, OPERATIONS } from './operations.js';
import type { ServiceContext } from './context.js';
import { prepaidBalances } from './prepaid-balance.js';
import type { Consultant, EntryFields, SavedEntry } from './entry-types.js';

/** The rules every time entry obeys, whether logged, edited or saved from a timer. */

export { MAX_DESCRIPTION_LENGTH } from '../domain/log-command.js';

export function checkFields(input: EntryFields): Failure | undefined {
  const description = input.description.trim();
  if (showsNothing(description)) {
    return fail(
      'description_required',
      'Add a description of the work, e.g. `/log 2h ACME-WEB design review`.',
      'description',
    ).error;
  }
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    return fail(
      'description_too_long',
      `The description has ${description.length} characters; keep it to ${MAX_DESCRIPTION_LENGTH}.`,
      'description',
    ).error;
  }
  if (!Number.isInteger(input.minutes) || input.minutes <= 0) {
    return fail('invalid_duration', 'The duration must be more than zero, e.g. `2h`, `1h30m` or `45m`.', 'minutes')
      .error;
  }
  if (input.minutes > MINUTES_PER_DAY) {
    return fail(
      'duration_too_long',
      `One entry can be at most 24h; ${formatMinutes(input.minutes)} is more.`,
      'minutes',
    ).error;
  }
  if (input.date?.kind === 'iso' && !isIsoDate(input.date.date)) {
    return fail('invalid_date', `"${input.date.date}" is not a date; write it as YYYY-MM-DD.`, 'date').error;
  }
  if ((input.beginsAt === undefined) !== (input.endsAt === undefined)) {
    return fail('times_paired', 'Give both a begin and an end time, or neither.', 'minutes').error;
  }
  if (input.beginsAt !== undefined && input.endsAt !== undefined && input.beginsAt >= input.endsAt) {
    return fail(
      'times_order',
      `The end time ${input.endsAt} must be after the begin time ${input.beginsAt}: an entry ends by midnight, so log the time after it as an entry of its own.`,
      'ends',
    ).error;
  }
  return undefined;
}

/**
 * The consultant whose time this is (the principal when a delegate acts for them), with `entry`
 * checked: the access check reads the consultant row in the same statement.
 */
export async function consultantActing(
  tx: Queryable,
  ctx: ServiceContext,
  operation: Operation,
  /** A `/log`'s request key: the entry an earlier delivery saved is read in the same statement. */
  requestKey?: string,
): Promise<Result<{ consultant: Consultant; earlierEntryId?: number | null }>> {
  const extras: AccessExtras = { consultant: true, ...(requestKey !== undefined ? { requestKey } : {}) };
  return consultantFromAccess(tx, ctx, operation, await readAccess(tx, ctx, extras));
}

/** `consultantActing` from an access read already made (with the consultant row, and the request key's entry). */
export async function consultantFromAccess(
  tx: Queryable,
  ctx: ServiceContext,
  operation: Operation,
  read: Access,
): Promise<Result<{ consultant: Consultant; earlierEntryId?: number | null }>> {
  const access = await decideAccess(tx, ctx, read, OPERATIONS[operation].right);
  if (!access.ok) return access;
  const who = await consultantOf(tx, ctx, access);
  return who.ok ? { ...who, earlierEntryId: access.earlierEntryId } : who;
}

/** The consultant from an access check that read the consultant row (`consultantActing`, App Home). */
export async function consultantOf(
  tx: Queryable,
  ctx: ServiceContext,
  access: Pick<Access, 'userId' | 'consultant'>,
): Promise<Result<{ consultant: Consultant }>> {
  const { userId, consultant: row } = access;
  if (userId === undefined) return fail('not_a_user', 'Time can only be logged for a Slack user.');
  if (!row) {
    const whose = ctx.actor.kind === 'user' && ctx.actor.actingFor ? `${await displayName(tx, userId)} is` : 'You are';
    return fail(
      'not_a_consultant',
      `${whose} not set up as a consultant yet. Ask an administrator to add you in /admin > Employees.`,
    );
  }
  return {
    ok: true,
    consultant: { employeeId: row.employeeId, userId, name: row.name, timeZone: row.timeZone ?? ctx.org.timeZone },
  };
}

/** Today's date where the consultant is. */
export function todayOf(ctx: ServiceContext, consultant: Consultant): string {
  return dateInZone(ctx.clock.now(), consultant.timeZone);
}

/** Where the entry goes; `minutes` is the real time a range took in the consultant's zone. */
export type Placement = {
  ok: true;
  projectId: number;
  workDate: string;
  sheetId: number;
  minutes: number;
  /** What the confirmation names, read with the project. */
  project: { code: string; name: string; customerId: number; customerName: string; prepaid: boolean };
};

const value = sql.placeholder;

export type PlacementRow = {
  project_id: number | null;
  code: string;
  name: string;
  customer_id: number;
  project_active: boolean;
  customer_name: string;
  billing_mode: 'hourly' | 'prepaid';
  assigned: boolean;
  period_id: number | null;
  starts_on: string | null;
  ends_on: string | null;
};

/**
 * The project by code, the consultant's assignment to it and the period holding the day, in one
 * read built once (`preparedRows`). The period is the latest live one begun by the day, if it has
 * not ended before it: periods never overlap, so this is one step down the start-date index
 * however many years of periods the firm has. `withSheet` also reads the consultant's live sheet
 * for that period, unlocked, at its revision, with its minutes that day (`SheetColumns`). The
 * consultant and the day are placeholders, or `at` names them in an enclosing statement.
 */
export function placementSql(
  withSheet: boolean,
  at: { consultant: SQL | Placeholder; day: SQL | Placeholder } = {
    consultant: value('consultant'),
    day: value('day'),
  },
) {
  return sql`select p.id as project_id, p.code, p.name, p.customer_id, p.active as project_active,
             c.name as customer_name, c.billing_mode,
             pc.project_id is not null as assigned,
             period.id as period_id, period.starts_on::text as starts_on, period.ends_on::text as ends_on
             ${
               withSheet
                 ? sql`, s.id as sheet_id, s.status as sheet_status, s.revision as sheet_revision,
                       (select coalesce(sum(e.minutes), 0)::int from time_entries e
                         where e.timesheet_id = s.id and e.work_date = ${at.day}) as logged_that_day`
                 : sql``
             }
        from projects p
        join customers c on c.id = p.customer_id
        left join project_consultants pc
          on pc.project_id = p.id and pc.consultant_id = ${at.consultant} and pc.archived_at is null
        left join (select id, starts_on, ends_on from reporting_periods
                    where starts_on <= ${at.day} and archived_at is null
                    order by starts_on desc limit 1) period on period.ends_on >= ${at.day}
        ${
          withSheet
            ? sql`left join timesheets s
                    on s.consultant_id = ${at.consultant} and s.period_id = period.id and s.status <> 'cancelled'`
            : sql``
        }
       where p.code = ${value('code')} and p.archived_at is null
       limit 1`;
}

const placementStatement = preparedRows<PlacementRow>('entry_placement', placementSql(false));

/** What `placementSql(true)` reads beyond the placement: the live sheet (if any) as it was, unlocked. */
export type SheetColumns = {
  sheet_id: number | null;
  sheet_status: (typeof timesheets.$inferSelect)['status'] | null;
  sheet_revision: number | null;
  logged_that_day: number | null;
};

const placedProject = (row: PlacementRow) => ({
  id: row.project_id!,
  code: row.code,
  name: row.name,
  customerId: row.customer_id,
  active: row.project_active,
});

/**
 * Holds the project (key share) and reads the sheet's minutes that day, built once. Periods never
 * overlap, so every entry of a day is on the live sheet of the period holding it: the sum is one
 * index range however long the consultant's history. `replacing` (or null) is left out of it.
 */
const holdProjectStatement = preparedRows<{ id: number; logged_that_day: number }>(
  'entry_hold_project',
  sql`select p.id, (select coalesce(sum(e.minutes), 0)::int from time_entries e
                     where e.timesheet_id = ${value('sheet')} and e.work_date = ${value('day')}
                       and e.id is distinct from ${value('replacing')}) as logged_that_day
        from projects p
       where p.id = ${value('project')} and p.archived_at is null
         for key share`,
);

/** The consultant's live sheet for the period, locked: what placing an entry needs of it. */
const lockSheetStatement = preparedRows<Pick<typeof timesheets.$inferSelect, 'id' | 'status'>>(
  'entry_lock_sheet',
  sql`select id, status from timesheets
       where consultant_id = ${value('consultant')} and period_id = ${value('period')} and status <> 'cancelled'
         for update`,
);

/**
 * Where an entry goes and whether it may: an active project the consultant is assigned to, a date
 * not after today inside a reporting period, an open timesheet (locked for the check), at most 24h
 * that day and no overlap with another timed entry. `replacing` leaves the entry being edited out.
 */
export async function placeEntry(
  tx: Transaction,
  ctx: ServiceContext,
  consultant: Consultant,
  input: EntryFields,
  replacing?: number,
): Promise<Placement | { ok: false; error: Failure }> {
  const code = input.projectCode.trim().toUpperCase();
  const today = todayOf(ctx, consultant);
  const workDate = input.date ? resolveDateSpec(input.date, today) : today;
  const [found] = await placementStatement(tx, { code, consultant: consultant.employeeId, day: workDate });
  const project = found?.project_id == null ? undefined : placedProject(found);
  const assignment = found?.assigned === true;
  if (!project || !assignment || !project.active) {
    const codes = (await assignedProjects(tx, consultant.employeeId)).map((p) => p.code);
    const suggestions = closestMatches(code, codes);
    const hint = suggestions.length ? ` Did you mean ${suggestions.map((c) => `\`${c}\``).join(', ')}?` : '';
    const problem = !project
      ? `There is no project \`${code}\`.`
      : !project.active
        ? `Project \`${project.code}\` is closed for time entry.`
        : `You are not assigned to project \`${project.code}\`.`;
    return fail(project ? 'project_not_allowed' : 'unknown_project', problem + hint, 'project');
  }

  if (workDate > today) {
    return fail(
      'future_date',
      `${formatDay(workDate)} is in the future; time can be logged up to today (${formatDay(today)}).`,
      'date',
    );
  }

  const period =
    found.period_id == null ? undefined : { id: found.period_id, startsOn: found.starts_on!, endsOn: found.ends_on! };
  if (!period) {
    return fail(
      'no_period',
      `No reporting period covers ${formatDay(workDate)}. Ask an administrator to add one in /admin > Reporting periods.`,
      'date',
    );
  }

  // Usually the sheet exists and one statement built once locks it; the first entry of a period creates it.
  const [lockedSheet] = await lockSheetStatement(tx, { consultant: consultant.employeeId, period: period.id });
  const sheet = lockedSheet ?? (await liveTimesheetForUpdate(tx, consultant.employeeId, period.id));
  if (sheet.status !== 'open') {
    return fail(
      'timesheet_locked',
      `The timesheet for ${formatDay(period.startsOn)} – ${formatDay(period.endsOn)} is ${sheet.status}, so it cannot take new or changed time.`,
      'date',
    );
  }
  // Held from here (after the sheet, the order a removal takes them in): removing the project now
  // waits for this entry and takes it along, or has already happened and is said so. The same
  // statement reads the day's total, after the sheet lock, so it sees every entry committed before.
  const [held] = await holdProjectStatement(tx, {
    project: project.id,
    sheet: sheet.id,
    day: workDate,
    replacing: replacing ?? null,
  });
  if (!held) return fail('unknown_project', `Project \`${project.code}\` was just removed.`, 'project');
  await ctx.pause?.('entry:project-held');

  // A range counts the minutes that really passed, so one across a daylight-saving change is exact.
  const minutes =
    input.beginsAt !== undefined && input.endsAt !== undefined
      ? elapsedMinutes(workDate, input.beginsAt, input.endsAt, consultant.timeZone)
      : input.minutes;
  if (minutes <= 0)
    return fail(
      'invalid_duration',
      `${input.beginsAt}–${input.endsAt} on ${formatDay(workDate)} takes no time: the clocks went forward then.`,
      'minutes',
    );
  if (input.statedMinutes !== undefined && input.statedMinutes !== minutes)
    return fail(
      'duration_mismatch',
      `${formatMinutes(input.statedMinutes)} does not match ${input.beginsAt}–${input.endsAt} (${formatMinutes(minutes)}${
        minutes !== clockSpan(input.beginsAt!, input.endsAt!) ? ', the clocks changed that night' : ''
      }). Clear the duration or fix the times.`,
      'minutes',
    );
  const loggedThatDay = Number(held.logged_that_day);
  if (loggedThatDay + minutes > MINUTES_PER_DAY) {
    return fail(
      'day_full',
      `There is already ${formatMinutes(loggedThatDay)} on ${formatDay(workDate)}; ${formatMinutes(minutes)} more would pass 24h.`,
      'minutes',
    );
  }

  if (input.beginsAt !== undefined && input.endsAt !== undefined) {
    const clash = await overlappingEntry(tx, consultant.employeeId, workDate, input.beginsAt, input.endsAt, replacing);
    if (clash) {
      return fail(
        'overlap',
        `${input.beginsAt}–${input.endsAt} overlaps the entry ${clash.beginsAt.slice(0, 5)}–${clash.endsAt.slice(0, 5)} on ${formatDay(workDate)}.`,
        'begins',
      );
    }
  }
  return placementOf(found, workDate, sheet.id, minutes);
}

/** Where the entry goes, from the placement read, once every rule holds. */
export function placementOf(found: PlacementRow, workDate: string, sheetId: number, minutes: number): Placement {
  return {
    ok: true,
    projectId: found.project_id!,
    workDate,
    sheetId,
    minutes,
    project: {
      code: found.code,
      name: found.name,
      customerId: found.customer_id,
      customerName: found.customer_name,
      prepaid: found.billing_mode === 'prepaid',
    },
  };
}

/** Minutes from begin to end on the clock ("09:00", "10:30"), past midnight when the end is earlier. */
function clockSpan(beginsAt: string, endsAt: string): number {
  const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  return (minutesOf(endsAt) - minutesOf(beginsAt) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
}

/**
 * The consultant's entry, with its timesheet locked, if that sheet is still open. A stale button
 * (entry already deleted, sheet since submitted) gets a message instead of a change.
 */
export async function ownOpenEntryForUpdate(
  tx: Transaction,
  consultant: Consultant,
  entryId: number,
  verb: 'change' | 'delete',
) {
  // The sheet before the entry, the order approvals, sheet deletions and removals take them in
  // (a join FOR UPDATE would lock the entry first).
  const [placed] = await tx
    .select({ sheetId: timeEntries.timesheetId })
    .from(timeEntries)
    .where(eq(timeEntries.id, entryId));
  const [sheet] = placed
    ? await tx
        .select({ consultantId: timesheets.consultantId, status: timesheets.status })
        .from(timesheets)
        .where(eq(timesheets.id, placed.sheetId))
        .for('update')
    : [];
  const [entry] = sheet
    ? await tx
        .select()
        .from(timeEntries)
        .where(and(eq(timeEntries.id, entryId), eq(timeEntries.timesheetId, placed!.sheetId)))
        .for('update')
    : [];
  const found = sheet && entry ? { entry, ...sheet } : undefined;
  if (
    !found &&
    placed &&
    (await tx.select({ id: timeEntries.id }).from(timeEntries).where(eq(timeEntries.id, entryId))).length
  )
    return fail('entry_moved', 'That entry was just moved to another day; look at it again, then retry.');
  if (!found) return fail('entry_gone', 'That entry no longer exists; it may have been deleted already.');
  if (found.consultantId !== consultant.employeeId) {
    return fail('forbidden', `You can only ${verb} your own entries (or those of someone you are a delegate for).`);
  }
  if (
    found.status === 'cancelled' &&
    (await tx.select({ id: timesheets.id }).from(timesheets).where(eq(timesheets.reopenedFrom, placed!.sheetId))).length
  ) {
    return fail(
      'entry_read_only',
      `That entry's timesheet was sent back, and its entries are open again on a new copy of it: ${verb} them in /timesheet.`,
    );
  }
  if (found.status !== 'open') {
    return fail(
      'entry_read_only',
      `That entry is on a ${found.status} timesheet, so it can no longer be ${verb === 'change' ? 'changed' : 'deleted'}.`,
    );
  }
  return { ok: true as const, entry: found.entry };
}

export async function assignedProjects(tx: Queryable, consultantId: number) {
  return tx
    .select({ code: projects.code, name: projects.name, customerId: customers.id, customerName: customers.name })
    .from(projectConsultants)
    .innerJoin(projects, eq(projects.id, projectConsultants.projectId))
    .innerJoin(customers, eq(customers.id, projects.customerId))
    .where(
      and(
        eq(projectConsultants.consultantId, consultantId),
        isNull(projectConsultants.archivedAt),
        eq(projects.active, true),
        isNull(projects.archivedAt),
      ),
    )
    .orderBy(asc(projects.code));
}

/** The actor first (if a consultant), then everyone who made the actor their delegate. */
export async function loggableUsers(tx: Queryable, ctx: ServiceContext): Promise<{ userId: string; name: string }[]> {
  if (ctx.actor.kind !== 'user') return [];
  const rows = await queryRows<{ user_id: string; name: string }>(
    tx,
    sql`
    select u.id as user_id, u.display_name as name, 0 as rank from users u
      join employees e on e.user_id = u.id and e.archived_at is null
      join consultants c on c.employee_id = e.id and c.archived_at is null
      where u.id = ${ctx.actor.userId}
    union all
    select u.id, u.display_name, 1 from delegates d
      join users u on u.id = d.principal_id and u.active
      join employees e on e.user_id = u.id and e.archived_at is null
      join consultants c on c.employee_id = e.id and c.archived_at is null
      where d.delegate_id = ${ctx.actor.userId}
    order by rank, name`,
  );
  return rows.map((row) => ({ userId: row.user_id, name: row.name }));
}

async function displayName(tx: Queryable, userId: string): Promise<string> {
  return (
    (await tx.query.users.findFirst({ where: eq(users.id, userId), columns: { displayName: true } }))?.displayName ??
    userId
  );
}

/**
 * Locks, in id order, the consultant's live sheets of every period from `from` to `to`. A use case
 * that may save time on more than one sheet takes them all before any project, the order a removal
 * takes them in (`lockSheetsWithTimeOn`); placing each part then finds its sheet held already.
 * Taken one by one, a part's project would be held before the next part's sheet: a deadlock with a
 * removal that holds that sheet and waits for the project.
 */
export async function lockSheetsBetween(tx: Queryable, consultantId: number, from: string, to: string): Promise<void> {
  await tx.execute(
    sql`select s.id from ${timesheets} s join ${reportingPeriods} p on p.id = s.period_id
         where s.consultant_id = ${consultantId} and s.status <> 'cancelled'
           and p.starts_on <= ${to}::date and p.ends_on >= ${from}::date
         order by s.id for update of s`,
  );
}

/**
 * The consultant's live (not cancelled) timesheet for the period, created open on first use,
 * and locked so concurrent entries on the same sheet are checked one after another.
 */
export async function liveTimesheetForUpdate(tx: Transaction, consultantId: number, periodId: number) {
  const lockSheet = () =>
    tx
      .select()
      .from(timesheets)
      .where(
        and(
          eq(timesheets.consultantId, consultantId),
          eq(timesheets.periodId, periodId),
          ne(timesheets.status, 'cancelled'),
        ),
      )
      .for('update');
  // Usually the sheet exists: one statement. The first entry of a period creates it.
  const [existing] = await lockSheet();
  if (existing) return existing;
  await tx
    .insert(timesheets)
    .values({ consultantId, periodId })
    .onConflictDoNothing({
      target: [timesheets.consultantId, timesheets.periodId],
      where: sql`${timesheets.status} <> 'cancelled'`,
    });
  const [sheet] = await lockSheet();
  if (!sheet) throw new Error(`timesheet for consultant ${consultantId} and period ${periodId} vanished`);
  return sheet;
}

const otherThan = (replacing: number | undefined) =>
  replacing === undefined ? sql`true` : ne(timeEntries.id, replacing);

async function overlappingEntry(
  tx: Queryable,
  consultantId: number,
  workDate: string,
  beginsAt: string,
  endsAt: string,
  replacing: number | undefined,
) {
  const [row] = await tx
    .select({ beginsAt: sql<string>`${timeEntries.beginsAt}::text`, endsAt: sql<string>`${timeEntries.endsAt}::text` })
    .from(timeEntries)
    .innerJoin(timesheets, eq(timesheets.id, timeEntries.timesheetId))
    .where(
      and(
        eq(timesheets.consultantId, consultantId),
        eq(timeEntries.workDate, workDate),
        ne(timesheets.status, 'cancelled'),
        otherThan(replacing),
        sql`${timeEntries.beginsAt} < ${endsAt}::time and ${timeEntries.endsAt} > ${beginsAt}::time`,
      ),
    )
    .limit(1);
  return row;
}

/** Every /log with a Slack request key looks for an earlier save of it first. */
const entryByRequestKey = preparedRows<{ id: number }>(
  'entry_by_request_key',
  sql`select id from time_entries where request_key = ${sql.placeholder('requestKey')}`,
);

export async function entryIdByRequestKey(tx: Queryable, requestKey: string): Promise<number | undefined> {
  const [row] = await entryByRequestKey(tx, { requestKey });
  return row === undefined ? undefined : Number(row.id);
}

/** The entry as the confirmation shows it, with the prepaid balance it now leaves. */
export async function savedEntry(tx: Queryable, entryId: number): Promise<Omit<SavedEntry, 'repeated'>> {
  const [row] = await tx
    .select({
      entryId: timeEntries.id,
      projectCode: projects.code,
      projectName: projects.name,
      customerId: customers.id,
      customerName: customers.name,
      workDate: timeEntries.workDate,
      minutes: timeEntries.minutes,
      beginsAt: sql<string | null>`to_char(${timeEntries.beginsAt}, 'HH24:MI')`,
      endsAt: sql<string | null>`to_char(${timeEntries.endsAt}, 'HH24:MI')`,
      description: timeEntries.description,
      billable: timeEntries.billable,
      source: timeEntries.source,
      actingFor: timeEntries.actingFor,
      actingForName: users.displayName,
    })
    .from(timeEntries)
    .innerJoin(projects, eq(projects.id, timeEntries.projectId))
    .innerJoin(customers, eq(customers.id, projects.customerId))
    .leftJoin(users, eq(users.id, timeEntries.actingFor))
    .where(eq(timeEntries.id, entryId));
  if (!row) throw new Error(`time entry ${entryId} vanished`);
  const { customerId, ...entry } = row;
  return { ...entry, prepaid: await confirmationBalance(tx, customerId) };
}

/**
 * A just-inserted entry as the confirmation shows it, from its RETURNING row and what placing it
 * read already (no read-back): only the prepaid balance is looked up.
 */
export async function insertedEntry(
  tx: Queryable,
  consultant: Consultant,
  placed: Placement,
  row: typeof timeEntries.$inferSelect,
): Promise<Omit<SavedEntry, 'repeated'>> {
  // Only a prepaid customer has a balance to show: an hourly one costs no query.
  const prepaid = placed.project.prepaid ? await confirmationBalance(tx, placed.project.customerId) : null;
  return entryAsSaved(consultant, placed, row, prepaid);
}

/** `insertedEntry` with the balance line given (null: none to show). */
export function entryAsSaved(
  consultant: Consultant,
  placed: Placement,
  row: typeof timeEntries.$inferSelect,
  prepaid: SavedEntry['prepaid'],
): Omit<SavedEntry, 'repeated'> {
  return {
    entryId: row.id,
    projectCode: placed.project.code,
    projectName: placed.project.name,
    customerName: placed.project.customerName,
    workDate: row.workDate,
    minutes: row.minutes,
    beginsAt: row.beginsAt?.slice(0, 5) ?? null,
    endsAt: row.endsAt?.slice(0, 5) ?? null,
    description: row.description,
    billable: row.billable,
    source: row.source,
    actingFor: row.actingFor,
    actingForName: row.actingFor ? consultant.name : null,
    prepaid,
  };
}

/** The balance line of a /log confirmation: a prepaid customer's credit left and pending; null when hourly. */
export async function confirmationBalance(tx: Queryable, customerId: number): Promise<SavedEntry['prepaid']> {
  const [balance] = await prepaidBalances(tx, [customerId]);
  return balance ? { remainingMinutes: balance.remainingMinutes, pendingMinutes: balance.pendingMinutes } : null;
}
