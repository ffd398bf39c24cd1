import { and, asc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { delegates, users } from '../db/schema.js';
import { fail, type Result } from '../domain/result.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { serviceTransaction } from './transaction.js';

export type Principal = { userId: string; name: string };

/** The active people this user is a delegate of, by name. */
export async function principalsFor(q: Queryable, delegateId: string): Promise<Principal[]> {
  return q
    .select({ userId: users.id, name: users.displayName })
    .from(delegates)
    .innerJoin(users, eq(users.id, delegates.principalId))
    .where(and(eq(delegates.delegateId, delegateId), eq(users.active, true)))
    .orderBy(asc(users.displayName), asc(users.id));
}

/**
 * The App Home switch: from now on App Home, /log, /timesheet and the log modal act for this
 * principal (null: for the user themself again). Only a current delegate of an active principal
 * may choose them; the choice lapses by itself when the delegation ends.
 */
export async function setActingAs(
  ctx: ServiceContext,
  input: { principalId: string | null },
): Promise<Result<{ actingFor: Principal | null }>> {
  if (ctx.actor.kind !== 'user') return fail('not_a_user', 'Only a person acts for someone.');
  const userId = ctx.actor.userId;
  return serviceTransaction(ctx.db, async (tx) => {
    const [me] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!me?.active) return fail('not_a_user', 'ConsulTracker does not know you yet. Ask an administrator to add you.');
    let principal: Principal | null = null;
    if (input.principalId !== null) {
      principal = (await principalsFor(tx, userId)).find((p) => p.userId === input.principalId) ?? null;
      if (!principal)
        return fail('not_a_delegate', 'You are not a delegate of that person (any more), so you cannot act for them.');
    }
    await tx
      .update(users)
      .set({ actingFor: principal?.userId ?? null, updatedAt: ctx.clock.now() })
      .where(eq(users.id, userId));
    await recordAudit(tx, ctx, {
      action: 'user.act_as',
      entity: 'user',
      entityId: userId,
      before: { actingFor: me.actingFor },
      after: { actingFor: principal?.userId ?? null },
    });
    return { ok: true as const, actingFor: principal };
  });
}
