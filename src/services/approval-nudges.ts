import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
import type { ServiceContext } from './context.js';
import { enqueueMessage } from './outbox.js';

export const APPROVAL_NUDGE = 'approval-nudge';

/** Decisions waiting this long are in a manager's morning digest. */
export const NUDGE_AFTER_MS = 24 * 60 * 60_000;

/** One person's morning digest of decisions waiting for them, or for managers they stand in for. */
export type ApprovalNudgeModel = {
  sheets: {
    approvalId: number;
    timesheetId: number;
    consultantName: string;
    period: { startsOn: string; endsOn: string };
    totalMinutes: number;
    submittedAt: string;
    /** The away manager whose decision this is, when the digest goes to their delegate; null for the reader's own. */
    forManager: string | null;
  }[];
};

/**
 * Who reads each approver's digest: the approver, unless they are marked away and have an active
 * delegate who is not away too; then those delegates instead. An away manager without one still
 * gets their own, so no decision waits unseen. Answers reader -> the approvers they read for.
 */
async function digestReaders(q: Queryable): Promise<Map<string, string[]>> {
  const approvers = await queryRows<{ approver_id: string; away: boolean }>(
    q,
    sql`select distinct a.approver_id, u.away
          from approvals a
          join timesheets t on t.id = a.timesheet_id and t.status = 'submitted'
          join users u on u.id = a.approver_id and u.active
         where a.status = 'pending'`,
  );
  const away = approvers.filter((row) => row.away).map((row) => row.approver_id);
  const covers = away.length
    ? await queryRows<{ principal_id: string; delegate_id: string }>(
        q,
        sql`select d.principal_id, d.delegate_id
              from delegates d
              join users du on du.id = d.delegate_id and du.active and not du.away
             where d.principal_id in (${sql.join(
               away.map((id) => sql`${id}`),
               sql`, `,
             )})`,
      )
    : [];
  const readers = new Map<string, string[]>();
  const add = (reader: string, approver: string) => readers.set(reader, [...(readers.get(reader) ?? []), approver]);
  for (const { approver_id: approver, away: isAway } of approvers) {
    const delegates = isAway ? covers.filter((c) => c.principal_id === approver).map((c) => c.delegate_id) : [];
    if (delegates.length === 0) add(approver, approver);
    for (const delegate of delegates) add(delegate, approver);
  }
  return readers;
}

/** The people who get a digest (approvers, or the delegates of away ones), each with the zone their morning is in. */
export async function digestRecipients(
  q: Queryable,
  ctx: Pick<ServiceContext, 'org'>,
): Promise<{ userId: string; timeZone: string }[]> {
  const readers = [...(await digestReaders(q)).keys()].sort();
  if (readers.length === 0) return [];
  const rows = await queryRows<{ id: string; time_zone: string | null }>(
    q,
    sql`select id, time_zone from users where id in (${sql.join(
      readers.map((id) => sql`${id}`),
      sql`, `,
    )}) order by id`,
  );
  return rows.map((row) => ({ userId: row.id, timeZone: row.time_zone ?? ctx.org.timeZone }));
}

/**
 * Queues one digest DM to a reader listing the sheets submitted more than 24 hours before `at`
 * that still wait for their decision, or for that of an away manager they are a delegate of
 * (never their own sheet); nothing when none does. Answers what it did, in words.
 */
export async function sendApprovalNudge(
  tx: Queryable,
  ctx: ServiceContext,
  input: { recipientId: string; at: Date; dedupeKey: string; ref: string },
): Promise<string> {
  const approvers = (await digestReaders(tx)).get(input.recipientId) ?? [];
  if (approvers.length === 0) return 'not sent: nothing waiting over 24 h';
  const before = new Date(input.at.getTime() - NUDGE_AFTER_MS);
  const rows = await queryRows<{
    approval_id: number;
    timesheet_id: number;
    consultant_name: string;
    starts_on: string;
    ends_on: string;
    total: number;
    submitted_at: Date | string;
    approver_id: string;
    approver_name: string;
  }>(
    tx,
    sql`select a.id as approval_id, t.id as timesheet_id, e.name as consultant_name,
               p.starts_on::text as starts_on, p.ends_on::text as ends_on, t.submitted_at,
               a.approver_id, au.display_name as approver_name,
               coalesce((select sum(minutes) from time_entries te where te.timesheet_id = t.id), 0)::int as total
          from approvals a
          join timesheets t on t.id = a.timesheet_id and t.status = 'submitted'
          join employees e on e.id = t.consultant_id
          join reporting_periods p on p.id = t.period_id
          join users au on au.id = a.approver_id
         where a.status = 'pending'
           and a.approver_id in (${sql.join(
             approvers.map((id) => sql`${id}`),
             sql`, `,
           )})
           and e.user_id <> ${input.recipientId}
           and t.submitted_at <= ${before.toISOString()}
         order by t.submitted_at, a.id`,
  );
  if (rows.length === 0) return 'not sent: nothing waiting over 24 h';
  const model: ApprovalNudgeModel = {
    sheets: rows.map((row) => ({
      approvalId: Number(row.approval_id),
      timesheetId: Number(row.timesheet_id),
      consultantName: row.consultant_name,
      period: { startsOn: row.starts_on, endsOn: row.ends_on },
      totalMinutes: Number(row.total),
      submittedAt: new Date(row.submitted_at).toISOString(),
      forManager: row.approver_id === input.recipientId ? null : row.approver_name,
    })),
  };
  await enqueueMessage(
    tx,
    input.dedupeKey,
    { kind: 'post', ref: input.ref, channel: input.recipientId, content: { template: APPROVAL_NUDGE, model } },
    ctx.clock.now(),
  );
  const covered = [...new Set(model.sheets.flatMap((sheet) => (sheet.forManager ? [sheet.forManager] : [])))];
  const count = `${rows.length} ${rows.length === 1 ? 'sheet' : 'sheets'} waiting`;
  return `digest queued (${count}${covered.length ? `, for ${covered.join(', ')} while away` : ''})`;
}
