import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
import type { ServiceContext } from './context.js';
import { enqueueMessage, undeliveredMessages } from './outbox.js';

export const DEAD_LETTERS = 'dead-letters';

/** Messages listed in one digest; the rest are counted. */
const LISTED = 20;

/** An administrator's daily digest of outbox messages the dispatcher gave up on. */
export type DeadLetterDigestModel = {
  count: number;
  recent: { id: number; ref: string; status: 'dead'; attempts: number; lastError: string | null }[];
};

/** Active users holding the admin right, each with the zone their morning is in. */
export async function administrators(
  q: Queryable,
  ctx: Pick<ServiceContext, 'org'>,
): Promise<{ userId: string; timeZone: string }[]> {
  const rows = await queryRows<{ id: string; time_zone: string | null }>(
    q,
    sql`select distinct u.id, u.time_zone
          from users u
          join user_roles ur on ur.user_id = u.id
          join roles r on r.id = ur.role_id
         where u.active and exists (select 1 from unnest(r.rights) as granted where granted::text = 'admin')
         order by u.id`,
  );
  return rows.map((row) => ({ userId: row.id, timeZone: row.time_zone ?? ctx.org.timeZone }));
}

/**
 * Queues one DM to an administrator listing the dead outbox messages (newest first), each with
 * Resend and Dismiss; nothing when none is dead. Answers what it did, in words.
 */
export async function sendDeadLetterDigest(
  tx: Queryable,
  ctx: ServiceContext,
  input: { adminId: string; dedupeKey: string; ref: string },
): Promise<string> {
  const dead = await undeliveredMessages(tx, ctx.clock.now(), LISTED, 'dead');
  if (dead.count === 0) return 'not sent: no dead messages';
  const model: DeadLetterDigestModel = {
    count: dead.count,
    recent: dead.recent.map((m) => ({
      id: m.id,
      ref: m.ref,
      status: 'dead',
      attempts: m.attempts,
      lastError: m.lastError,
    })),
  };
  await enqueueMessage(
    tx,
    input.dedupeKey,
    { kind: 'post', ref: input.ref, channel: input.adminId, content: { template: DEAD_LETTERS, model } },
    ctx.clock.now(),
  );
  return `digest queued (${dead.count} dead ${dead.count === 1 ? 'message' : 'messages'})`;
}
