import { sql } from 'drizzle-orm';
import { type Queryable, queryRows, sqlList } from '../db/client.js';

/**
 * What removing projects takes with it: entries on open or submitted timesheets go; approved and
 * rejected (cancelled) time stays for reports and makes its project archived instead of deleted.
 */
export type OpenTimeImpact = { openEntries: number; openSheets: number; keptEntries: number };

const NONE: OpenTimeImpact = { openEntries: 0, openSheets: 0, keptEntries: 0 };

export async function timeOnProjects(q: Queryable, projectIds: number[]): Promise<OpenTimeImpact> {
  if (projectIds.length === 0) return NONE;
  const [counts] = await queryRows<{ open_entries: number; open_sheets: number; kept_entries: number }>(
    q,
    sql`select count(*) filter (where t.status in ('open', 'submitted'))::int as open_entries,
               count(distinct t.id) filter (where t.status in ('open', 'submitted'))::int as open_sheets,
               count(*) filter (where t.status in ('approved', 'cancelled'))::int as kept_entries
          from time_entries te join timesheets t on t.id = te.timesheet_id
         where te.project_id in (${sqlList(projectIds)})`,
  );
  return { openEntries: Number(counts?.open_entries ?? 0), openSheets: Number(counts?.open_sheets ?? 0), keptEntries: Number(counts?.kept_entries ?? 0) };
}

/** The projects among these that have approved or rejected time, so must be archived. */
export async function projectsWithHistory(q: Queryable, projectIds: number[]): Promise<Set<number>> {
  if (projectIds.length === 0) return new Set();
  const rows = await queryRows<{ project_id: number }>(
    q,
    sql`select distinct te.project_id from time_entries te join timesheets t on t.id = te.timesheet_id
         where te.project_id in (${sqlList(projectIds)}) and t.status in ('approved', 'cancelled')`,
  );
  return new Set(rows.map((r) => Number(r.project_id)));
}

/** Deletes the open and submitted time on these projects, and timers running on them. */
export async function deleteOpenTimeOnProjects(tx: Queryable, projectIds: number[]): Promise<void> {
  if (projectIds.length === 0) return;
  await tx.execute(sql`delete from time_entries te using timesheets t
                        where t.id = te.timesheet_id and t.status in ('open', 'submitted') and te.project_id in (${sqlList(projectIds)})`);
  await tx.execute(sql`delete from timers where project_id in (${sqlList(projectIds)})`);
}
