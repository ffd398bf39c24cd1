import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { delegates, users } from '../db/schema.js';
import { fail, type Failure } from '../domain/result.js';
import { type Right } from '../domain/rights.js';
import type { Actor, ServiceContext } from './context.js';

export type Authorized = { ok: true; userId: string | undefined; rights: ReadonlySet<Right> };

const RIGHT_LABELS: Record<Right, string> = {
  admin: 'administration',
  entry: 'time entry',
  approval: 'timesheet approval',
  payable: 'Accounts Payable reports',
  receivable: 'Accounts Receivable reports',
  security: 'security administration',
};

/**
 * Decides from the database whether the actor may use `right`. A delegate acts with the
 * principal's rights, and only while the delegation exists and both users are active.
 * The rule for services: checks of the input's own shape, which read nothing, may come first (a
 * malformed request is refused without a query); then, inside the transaction and before the
 * service reads or writes anything else, this is called. Rules that narrow a right to particular
 * rows (their own time, a sheet they approve) are checked by the service against the rows it reads.
 */
export async function authorize(
  tx: Queryable,
  ctx: Pick<ServiceContext, 'actor'>,
  right: Right,
): Promise<Authorized | { ok: false; error: Failure }> {
  const { actor } = ctx;
  if (actor.kind === 'system') return { ok: true, userId: undefined, rights: new Set() };

  const actorRow = await tx.query.users.findFirst({ where: eq(users.id, actor.userId) });
  if (!actorRow?.active) {
    return fail('not_a_user', 'ConsulTracker does not know you yet. Ask an administrator to add you.');
  }
  const userId = actor.actingFor ?? actor.userId;
  if (actor.actingFor !== undefined) {
    const delegation = await delegationExists(tx, actor);
    if (!delegation)
      return fail(
        'not_a_delegate',
        `You are not a delegate of ${await displayName(tx, actor.actingFor)}, so you cannot act for them.`,
      );
  }
  const rights = await rightsOf(tx, userId);
  if (!rights.has(right)) {
    const whose = actor.actingFor ? `${await displayName(tx, actor.actingFor)} does` : 'You do';
    return fail(
      'forbidden',
      `${whose} not have the ${RIGHT_LABELS[right]} right. An administrator can give you a role with it in /admin > Users.`,
    );
  }
  return { ok: true, userId, rights };
}

async function delegationExists(tx: Queryable, actor: Extract<Actor, { kind: 'user' }>): Promise<boolean> {
  const rows = await tx
    .select({ principal: delegates.principalId })
    .from(delegates)
    .innerJoin(users, eq(users.id, delegates.principalId))
    .where(
      and(eq(delegates.principalId, actor.actingFor!), eq(delegates.delegateId, actor.userId), eq(users.active, true)),
    );
  return rows.length > 0;
}

async function displayName(tx: Queryable, userId: string): Promise<string> {
  const row = await tx.query.users.findFirst({ where: eq(users.id, userId), columns: { displayName: true } });
  return row?.displayName ?? userId;
}

export async function rightsOf(tx: Queryable, userId: string): Promise<Set<Right>> {
  const rows = await queryRows<{ right: Right }>(
    tx,
    sql`select distinct unnest(r.rights)::text as "right"
        from user_roles ur join roles r on r.id = ur.role_id
        join users u on u.id = ur.user_id
        where ur.user_id = ${userId} and u.active`,
  );
  return new Set(rows.map((row) => row.right));
}
