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

const idList = (ids: readonly (string | number)[]) =>
  sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );

/**
 * Who reads each pending decision in a digest: its approver, unless they are marked away and have
 * an active delegate, not away too, other than the sheet's consultant (nobody decides their own);
 * then those delegates instead. An away manager without one still reads it, so no decision waits
 * unseen. Narrowed to what `reader` reads when given. Answers reader -> approval ids.
 */
async function digestReaders(q: Queryable, reader?: string): Promise<Map<string, number[]>> {
  const pending = await queryRows<{ approval_id: number; approver_id: string; away: boolean; consultant: string }>(
    q,
    sql`select a.id as approval_id, a.approver_id, u.away, e.user_id as consultant
          from approvals a
          join timesheets t on t.id = a.timesheet_id and t.status = 'submitted'
          join employees e on e.id = t.consultant_id
          join users u on u.id = a.approver_id and u.active
         where a.status = 'pending'
           ${
             reader === undefined
               ? sql``
               : sql`and (a.approver_id = ${reader}
                          or a.approver_id in (select principal_id from delegates where delegate_id = ${reader}))`
           }
         order by a.id`,
  );
  const away = [...new Set(pending.filter((row) => row.away).map((row) => row.approver_id))];
  const covers = away.length
    ? await queryRows<{ principal_id: string; delegate_id: string }>(
        q,
        sql`select d.principal_id, d.delegate_id
              from delegates d
              join users du on du.id = d.delegate_id and du.active and not du.away
             where d.principal_id in (${idList(away)})`,
      )
    : [];
  const readers = new Map<string, number[]>();
  for (const row of pending) {
    const stand = row.away
      ? covers.filter((c) => c.principal_id === row.approver_id && c.delegate_id !== row.consultant)
      : [];
    const who = stand.length ? stand.map((c) => c.delegate_id) : [row.approver_id];
    for (const id of who) readers.set(id, [...(readers.get(id) ?? []), Number(row.approval_id)]);
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
    sql`select id, time_zone from users where id in (${idList(readers)}) order by id`,
  );
  return rows.map((row) => ({ userId: row.id, timeZone: row.time_zone ?? ctx.org.timeZone }));
}

/**
 * Queues one digest DM to a reader listing the sheets submitted more than 24 hours before `at`
 * that still wait for their decision, or for that of an away manager they stand in for (see
 * `digestReaders`); nothing when none does. Answers what it did, in words.
 */
export async function sendApprovalNudge(
  tx: Queryable,
  ctx: ServiceContext,
  input: { recipientId: string; at: Date; dedupeKey: string; ref: string },
): Promise<string> {
  const approvalIds = (await digestReaders(tx, input.recipientId)).get(input.recipientId) ?? [];
  if (approvalIds.length === 0) return 'not sent: nothing waiting over 24 h';
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
         where a.id in (${idList(approvalIds)})
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
