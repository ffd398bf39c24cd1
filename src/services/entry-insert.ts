import { sql } from 'drizzle-orm';
import { columnsOf, jsonOf, preparedRows } from '../db/client.js';
import { projects, timeEntries, timesheets } from '../db/schema.js';
import { auditInsert, auditStamp, auditStampOf } from './audit.js';
import type { ServiceContext } from './context.js';
import type { Placement } from './entry-rules.js';
import type { Consultant, EntryFields, LogTimeInput } from './entry-types.js';
import { homeRefreshOf, queueHomeWhen } from './outbox.js';

const value = sql.placeholder;

/**
 * The statement every `/log` saves its entry with: the entry, its audit row and (`withHome`) the
 * App Home refresh, in one round trip, raising the sheet's revision (changes and removals raise it
 * by a trigger; an insert raises it here, which costs a /log a fraction of what a trigger does).
 * Neither row is written when a concurrent retry of the same request inserted first. `guarded`:
 * only if the sheet is still open at the revision read (`revision`), the sheet locked by raising
 * it, and the project still there and not archived, held after the sheet (the order a removal
 * takes them in) until the entry commits; else nothing is written. Whether the project is open
 * is as of the statement's start, as in the transaction: closing it does not wait for entries.
 * Built once, prepared by name (`preparedRows`); the row as drizzle reads it (`rowOf`), and as the
 * audit's `after`.
 */
function entryInsert(name: string, { withHome, guarded }: { withHome: boolean; guarded: boolean }) {
  // The project's row is read only once the sheet's is locked: `exists` runs the sheet first.
  const sheet = guarded
    ? sql`sheet as (
            update ${timesheets} set revision = revision + 1
             where id = ${value('sheet')} and status = 'open' and revision = ${value('revision')}
            returning id
          ), project as (
            select id from ${projects}
             where id = ${value('project')} and archived_at is null and active and exists (select from sheet)
               for key share
          ), `
    : sql`sheet as (update ${timesheets} set revision = revision + 1 where id = ${value('sheet')} returning id), `;
  return preparedRows<Record<string, unknown>>(
    name,
    sql`with ${sheet}entry as (
          insert into ${timeEntries} (timesheet_id, project_id, work_date, begins_at, ends_at, minutes, description,
                                      billable, source, created_by, acting_for, request_key)
          select ${value('sheet')}::int, ${value('project')}::int, ${value('day')}::date, ${value('begins')}::time,
                 ${value('ends')}::time, ${value('minutes')}::int, ${value('description')}::text,
                 ${value('billable')}::boolean, ${value('source')}::entry_source, ${value('createdBy')}::text,
                 ${value('actingFor')}::text, ${value('requestKey')}::text
          ${guarded ? sql`from project` : sql``}
          on conflict (request_key) do nothing
          returning ${columnsOf(timeEntries)}
        ), audit as (
          ${auditInsert}
          select ${auditStamp}, 'time_entry.create', 'time_entry', entry.id::text, null, ${jsonOf(timeEntries, 'entry')}
            from entry
        )${withHome ? sql`, home as (${queueHomeWhen(sql`exists (select from entry)`)})` : sql``}
        select entry.*${withHome ? sql`, (select due from home) as home_due` : sql``} from entry`,
  );
}
export const insertEntryStatement = entryInsert('entry_insert', { withHome: false, guarded: false });
export const insertEntryQueuingHome = entryInsert('entry_insert_home', { withHome: true, guarded: false });
export const insertEntryIfUnchanged = entryInsert('entry_insert_guarded', { withHome: true, guarded: true });

/** The columns an entry takes from where it was placed and what the user said; log and edit share them. */
export function entryColumns(placed: Placement, input: EntryFields) {
  return {
    timesheetId: placed.sheetId,
    projectId: placed.projectId,
    workDate: placed.workDate,
    beginsAt: input.beginsAt ?? null,
    endsAt: input.endsAt ?? null,
    minutes: placed.minutes,
    description: input.description.trim(),
    billable: input.billable,
  };
}

/** The values of `entryInsert`'s placeholders; `homeOf` is whose App Home it queues, if any. */
export function entryInsertValues(
  ctx: ServiceContext,
  consultant: Consultant,
  placed: Placement,
  input: LogTimeInput,
  homeOf: string | undefined,
): Record<string, unknown> {
  const columns = entryColumns(placed, input);
  return {
    sheet: columns.timesheetId,
    project: columns.projectId,
    day: columns.workDate,
    begins: columns.beginsAt,
    ends: columns.endsAt,
    minutes: columns.minutes,
    description: columns.description,
    billable: columns.billable,
    source: input.source,
    createdBy: ctx.actor.kind === 'user' ? ctx.actor.userId : consultant.userId,
    actingFor: ctx.actor.kind === 'user' ? (ctx.actor.actingFor ?? null) : null,
    requestKey: input.requestKey ?? null,
    ...auditStampOf(ctx),
    ...(homeOf ? homeRefreshOf(homeOf, ctx.clock.now()) : {}),
  };
}
