import { sql } from 'drizzle-orm';
import { preparedRows, type Queryable } from '../db/client.js';
import { unlessZoneUnknown } from '../db/unknown-zone.js';
import { dateInZone } from '../domain/dates.js';
import { type Access, accessFromRow, type AccessRow, accessSql, accessValues, readAccess } from './authorization.js';
import type { ServiceContext } from './context.js';
import { type PrepaidBalance, prepaidBalanceColumns } from './prepaid-balance.js';
import type { RunningTimer } from './timers.js';
import type { SheetEntryRow, TimesheetStatus } from './timesheets.js';

/** One of the consultant's last entries on App Home; `editable` while its sheet is open. */
export type RecentEntry = {
  entryId: number;
  workDate: string;
  projectCode: string;
  minutes: number;
  description: string;
  billable: boolean;
  source: string;
  editable: boolean;
};

/** The consultant's parts of App Home, as the page statement reads them. */
export type ConsultantPage = {
  /** The current period (the latest that has started where the consultant is), with its neighbours. */
  period: { id: number; startsOn: string; endsOn: string; previousId: number | null; nextId: number | null } | null;
  /** The consultant's live sheet of that period, if there is one yet. */
  sheet: { id: number; status: TimesheetStatus; submittedAt: string | null; submittedByName: string | null } | null;
  /** That sheet's entries, by day, start and id. */
  entries: SheetEntryRow[];
  timer: (Omit<RunningTimer, 'elapsedMinutes' | 'startedAt'> & { startedAt: string }) | null;
  recent: RecentEntry[];
  prepaid: PrepaidBalance[];
};

type PageRow = AccessRow & {
  /** The day the statement counted as today where the consultant is. */
  counted_today: string;
  period: ConsultantPage['period'];
  sheet: ConsultantPage['sheet'];
  entries: SheetEntryRow[] | null;
  timer: ConsultantPage['timer'];
  recent: RecentEntry[] | null;
  prepaid: PrepaidBalance[] | null;
};

const now = sql.placeholder('now');
const orgZone = sql.placeholder('orgZone');
/** The consultant's date counted in the app, given only when the database lacks their zone. */
const today = sql.placeholder('today');
const actedAs = sql.placeholder('actedAs');

/**
 * The access read with the consultant's whole page in one statement, so one snapshot: a `/log`
 * committing meanwhile is in the period's total and the last entries, or in neither. Each part is
 * bounded by the consultant (their current sheet, their two latest sheets, their timer, the
 * customers of their projects), never by the firm's history.
 */
function pageSql(delegate: boolean) {
  return sql`
with access as (${accessSql(delegate, { consultant: true, home: true })}),
day as (
  select coalesce(${today}::date, (${now}::timestamptz at time zone coalesce(access.time_zone, ${orgZone}))::date) as today
    from access),
period as (
  select p.id, p.starts_on, p.ends_on
    from reporting_periods p, day
   where p.starts_on <= day.today
     and p.archived_at is null
   order by p.starts_on desc
   limit 1),
sheet as (
  select t.id, t.status, t.submitted_at, coalesce(u.display_name, t.submitted_by) as submitted_by_name
    from period
    join access on true
    join timesheets t on t.period_id = period.id and t.consultant_id = access.employee_id and t.status <> 'cancelled'
    left join users u on u.id = t.submitted_by),
recent_sheets as (
  select t.id, t.status
    from access
    join timesheets t on t.consultant_id = access.employee_id and t.status in ('open', 'submitted', 'approved')
    join reporting_periods p on p.id = t.period_id
   order by p.starts_on desc
   limit 2)
select access.*,
  (select day.today::text from day) as counted_today,
  (select json_build_object('id', period.id, 'startsOn', period.starts_on, 'endsOn', period.ends_on,
     'previousId', (select q.id from reporting_periods q
                     where q.starts_on < period.starts_on and q.archived_at is null order by q.starts_on desc limit 1),
     'nextId', (select q.id from reporting_periods q
                 where q.starts_on > period.starts_on and q.archived_at is null order by q.starts_on limit 1))
     from period) as period,
  (select json_build_object('id', sheet.id, 'status', sheet.status, 'submittedAt', sheet.submitted_at,
     'submittedByName', sheet.submitted_by_name) from sheet) as sheet,
  (select json_agg(json_build_object('entryId', e.id, 'workDate', e.work_date, 'projectCode', pr.code,
     'projectName', pr.name, 'customerName', c.name, 'minutes', e.minutes, 'beginsAt', e.begins_at,
     'endsAt', e.ends_at, 'description', e.description, 'billable', e.billable, 'source', e.source)
     order by e.work_date, e.begins_at, e.id)
     from sheet
     join time_entries e on e.timesheet_id = sheet.id
     join projects pr on pr.id = e.project_id
     join customers c on c.id = pr.customer_id) as entries,
  (select json_build_object('projectCode', pr.code, 'projectName', pr.name, 'customerName', c.name,
     'description', tm.description, 'billable', tm.billable, 'meeting', tm.meeting, 'startedAt', tm.started_at)
     from timers tm
     join projects pr on pr.id = tm.project_id
     join customers c on c.id = pr.customer_id
    where tm.user_id = ${actedAs} and access.employee_id is not null) as timer,
  (select json_agg(r) from (
     select e.id as "entryId", e.work_date as "workDate", pr.code as "projectCode", e.minutes,
            e.description, e.billable, e.source, rs.status = 'open' as editable
       from recent_sheets rs
       join time_entries e on e.timesheet_id = rs.id
       join projects pr on pr.id = e.project_id
      order by e.created_at desc, e.id desc
      limit 5) r) as recent,
  (select json_agg(b order by b."customerCode") from (
     select ${prepaidBalanceColumns}
       from customers
      where customers.billing_mode = 'prepaid'
        and customers.id in (select p.customer_id from project_consultants pc join projects p on p.id = pc.project_id
                              where pc.consultant_id = access.employee_id and pc.archived_at is null and p.active)) b) as prepaid
  from access`;
}

const pageStatements = {
  self: preparedRows<PageRow>('home_page_self', pageSql(false)),
  delegate: preparedRows<PageRow>('home_page_delegate', pageSql(true)),
};

/** Today where the consultant acted as is (else the firm), counted in the app. */
async function consultantsToday(
  q: Queryable,
  ctx: Pick<ServiceContext, 'clock' | 'org'>,
  actor: Extract<ServiceContext['actor'], { kind: 'user' }>,
): Promise<string> {
  const { consultant } = await readAccess(q, { actor }, { consultant: true });
  return dateInZone(ctx.clock.now(), consultant?.timeZone ?? ctx.org.timeZone);
}

/**
 * Reads App Home's access (the user's rights, their principals, the consultant they act as) and,
 * for a consultant, every part of their page, in one statement. The day is the app's, as for
 * `/log` and `/timesheet`: where the database's time zone rules count another day (its tzdata
 * differs from Node's) the page is read again for the app's day; where they lack the zone
 * (`unlessZoneUnknown`), the app counts the day first, in three statements.
 */
export async function readHomePage(
  q: Queryable,
  ctx: Pick<ServiceContext, 'clock' | 'org'>,
  actor: Extract<ServiceContext['actor'], { kind: 'user' }>,
): Promise<{ access: Access; page: ConsultantPage }> {
  const statement = actor.actingFor !== undefined ? pageStatements.delegate : pageStatements.self;
  const values = { ...accessValues(actor), now: ctx.clock.now().toISOString(), orgZone: ctx.org.timeZone };
  const counted = await unlessZoneUnknown(statement(q, { ...values, today: null }));
  let row = counted ? counted[0] : (await statement(q, { ...values, today: await consultantsToday(q, ctx, actor) }))[0];
  const appToday = row && dateInZone(ctx.clock.now(), row.time_zone ?? ctx.org.timeZone);
  if (row && row.counted_today !== appToday) [row] = await statement(q, { ...values, today: appToday });
  return {
    access: accessFromRow(actor, { consultant: true, home: true }, row),
    page: {
      period: row?.period ?? null,
      sheet: row?.sheet ?? null,
      entries: row?.entries ?? [],
      timer: row?.timer ?? null,
      recent: row?.recent ?? [],
      prepaid: row?.prepaid ?? [],
    },
  };
}
