import { type SQL, sql } from 'drizzle-orm';
import { auditLog } from '../db/schema.js';
import { preparedRows, type Queryable } from '../db/client.js';
import { auditActorId, type ServiceContext } from './context.js';
import { noteAudited } from '../request-context.js';

export type AuditChange = {
  action: string;
  entity: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
};

const value = sql.placeholder;
/**
 * An audit row's insert up to its values: the change's own statement may write it (`with ... as
 * (${auditInsert} select ${auditStamp}, ...)`), the stamp's placeholders filled by `auditStampOf`.
 */
export const auditInsert = sql`insert into ${auditLog} (at, actor_id, acting_for, action, entity, entity_id, before, after)`;
/** When, by whom and for whom: the first three values of every audit row. */
export const auditStamp = sql`${value('auditAt')}::timestamptz, ${value('auditActor')}::text, ${value('auditActingFor')}::text`;

/** The values of `auditStamp`: the clock's time, the actor, and whom they act for. */
export function auditStampOf(ctx: ServiceContext): {
  auditAt: string;
  auditActor: string;
  auditActingFor: string | null;
} {
  return {
    auditAt: ctx.clock.now().toISOString(),
    auditActor: auditActorId(ctx.actor),
    auditActingFor: actingFor(ctx),
  };
}

/** Nearly every change writes one: built once, prepared by name (`preparedRows`). */
const insertAuditRow = preparedRows<never>(
  'audit_insert',
  sql`${auditInsert}
      values (${auditStamp}, ${value('action')}, ${value('entity')}, ${value('entityId')}, ${value('before')}, ${value('after')})`,
);

/** Appends one audit row; call it inside the transaction that makes the change. */
export async function recordAudit(tx: Queryable, ctx: ServiceContext, change: AuditChange): Promise<void> {
  noteAudited();
  await insertAuditRow(tx, {
    ...auditStampOf(ctx),
    action: change.action,
    entity: change.entity,
    entityId: String(change.entityId),
    before: asJson(change.before),
    after: asJson(change.after),
  });
}

/** A jsonb value as its text (as drizzle writes a jsonb column); none is SQL null. */
function asJson(state: unknown): string | null {
  return state === undefined || state === null ? null : JSON.stringify(state);
}

/**
 * Records every time entry a removal is about to delete, cascades included, in one statement: id,
 * sheet, project, date and minutes, with the cause. `which` selects from `time_entries te` joined
 * to `timesheets t` and `projects p`. Call it before the delete, in the same transaction.
 */
export async function recordRemovedEntries(tx: Queryable, ctx: ServiceContext, which: SQL, cause: string) {
  await tx.execute(sql`
    insert into ${auditLog} (at, actor_id, acting_for, action, entity, entity_id, before, after)
    select ${ctx.clock.now()}, ${auditActorId(ctx.actor)}, ${actingFor(ctx)}, 'time_entry.delete', 'time_entry', te.id::text,
           jsonb_build_object('id', te.id, 'timesheetId', te.timesheet_id, 'sheetStatus', t.status, 'projectId', te.project_id,
                              'projectCode', p.code, 'workDate', te.work_date, 'minutes', te.minutes, 'billable', te.billable,
                              'description', te.description),
           jsonb_build_object('cause', ${cause}::text)
      from time_entries te join timesheets t on t.id = te.timesheet_id join projects p on p.id = te.project_id
     where ${which}
     order by te.id`);
}

/**
 * Records every timesheet a removal is about to delete, with how much time it held, in one
 * statement. `which` selects from `timesheets t`. Call it before the delete, in the same transaction.
 */
export async function recordRemovedSheets(tx: Queryable, ctx: ServiceContext, which: SQL, cause: string) {
  await tx.execute(sql`
    insert into ${auditLog} (at, actor_id, acting_for, action, entity, entity_id, before, after)
    select ${ctx.clock.now()}, ${auditActorId(ctx.actor)}, ${actingFor(ctx)}, 'timesheet.delete', 'timesheet', t.id::text,
           to_jsonb(t) || jsonb_build_object(
             'entries', (select count(*) from time_entries te where te.timesheet_id = t.id),
             'minutes', (select coalesce(sum(te.minutes), 0) from time_entries te where te.timesheet_id = t.id)),
           jsonb_build_object('cause', ${cause}::text)
      from timesheets t
     where ${which}
     order by t.id`);
}

function actingFor(ctx: ServiceContext): string | null {
  return ctx.actor.kind === 'user' ? (ctx.actor.actingFor ?? null) : null;
}
