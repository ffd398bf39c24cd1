import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
import type { ServiceContext } from './context.js';
import { enqueueMessage } from './outbox.js';

export const APPROVAL_NUDGE = 'approval-nudge';

/** Decisions waiting this long are in a manager's morning digest. */
export const NUDGE_AFTER_MS = 24 * 60 * 60_000;

/** One manager's morning digest of decisions waiting for them. */
export type ApprovalNudgeModel = {
  sheets: {
    approvalId: number;
    timesheetId: number;
    consultantName: string;
    period: { startsOn: string; endsOn: string };
    totalMinutes: number;
    submittedAt: string;
  }[];
};

/** Approvers with a decision pending on a submitted sheet, each with the zone their morning is in. */
export async function waitingApprovers(
  q: Queryable,
  ctx: Pick<ServiceContext, 'org'>,
): Promise<{ userId: string; timeZone: string }[]> {
  const rows = await queryRows<{ approver_id: string; time_zone: string | null }>(
    q,
    sql`select distinct a.approver_id, u.time_zone
          from approvals a
          join timesheets t on t.id = a.timesheet_id and t.status = 'submitted'
          join users u on u.id = a.approver_id and u.active
         where a.status = 'pending'
         order by a.approver_id`,
  );
  return rows.map((row) => ({ userId: row.approver_id, timeZone: row.time_zone ?? ctx.org.timeZone }));
}

/**
 * Queues one digest DM to an approver listing the sheets submitted more than 24 hours before `at`
 * that still wait for their decision; nothing when none does. Answers what it did, in words.
 */
export async function sendApprovalNudge(
  tx: Queryable,
  ctx: ServiceContext,
  input: { approverId: string; at: Date; dedupeKey: string; ref: string },
): Promise<string> {
  const before = new Date(input.at.getTime() - NUDGE_AFTER_MS);
  const rows = await queryRows<{
    approval_id: number;
    timesheet_id: number;
    consultant_name: string;
    starts_on: string;
    ends_on: string;
    total: number;
    submitted_at: Date | string;
  }>(
    tx,
    sql`select a.id as approval_id, t.id as timesheet_id, e.name as consultant_name,
               p.starts_on::text as starts_on, p.ends_on::text as ends_on, t.submitted_at,
               coalesce((select sum(minutes) from time_entries te where te.timesheet_id = t.id), 0)::int as total
          from approvals a
          join timesheets t on t.id = a.timesheet_id and t.status = 'submitted'
          join employees e on e.id = t.consultant_id
          join reporting_periods p on p.id = t.period_id
         where a.status = 'pending' and a.approver_id = ${input.approverId}
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
    })),
  };
  await enqueueMessage(
    tx,
    input.dedupeKey,
    { kind: 'post', ref: input.ref, channel: input.approverId, content: { template: APPROVAL_NUDGE, model } },
    ctx.clock.now(),
  );
  return `digest queued (${rows.length} ${rows.length === 1 ? 'sheet' : 'sheets'} waiting)`;
}
