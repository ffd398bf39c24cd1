import { eq, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
import { users } from '../db/schema.js';
import { fail, type Result } from '../domain/result.js';
import { recordAudit } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS } from './operations.js';
import { serviceTransaction } from './transaction.js';

/** A manager's away switch as App Home shows it: the state and who stands in (their active delegates). */
export type AwayState = { away: boolean; delegates: string[] };

/** The user's away flag and the names of their active delegates, who get the digests while they are away. */
export async function awayState(q: Queryable, userId: string): Promise<AwayState> {
  const [row] = await queryRows<{ away: boolean | null; delegates: string[] }>(
    q,
    sql`select (select u.away from users u where u.id = ${userId}) as away,
               array(select u.display_name from delegates d join users u on u.id = d.delegate_id and u.active
                      where d.principal_id = ${userId} order by u.display_name, u.id) as delegates`,
  );
  return { away: row?.away ?? false, delegates: row?.delegates ?? [] };
}

/**
 * The App Home switch "I'm away" / "I'm back": while a manager is away, the morning approval
 * digest goes to their delegates instead of them. For the user themself (never as someone's
 * delegate), with the approval right; pressing it twice changes nothing the second time.
 */
export async function setAway(ctx: ServiceContext, input: { away: boolean }): Promise<Result<AwayState>> {
  if (ctx.actor.kind !== 'user' || ctx.actor.actingFor)
    return fail('not_yourself', 'Only you can mark yourself away or back.');
  const userId = ctx.actor.userId;
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.markAway.right);
    if (!access.ok) return access;
    const [me] = await tx.select({ away: users.away }).from(users).where(eq(users.id, userId)).for('update');
    if (me && me.away !== input.away) {
      await tx.update(users).set({ away: input.away, updatedAt: ctx.clock.now() }).where(eq(users.id, userId));
      await recordAudit(tx, ctx, {
        action: 'user.away',
        entity: 'user',
        entityId: userId,
        before: { away: me.away },
        after: { away: input.away },
      });
    }
    return { ok: true as const, ...(await awayState(tx, userId)) };
  });
}
