import { eq, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { users } from '../db/schema.js';
import { fail, type Failure } from '../domain/result.js';
import { type Right } from '../domain/rights.js';
import type { ServiceContext } from './context.js';

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

  const userId = actor.actingFor ?? actor.userId;
  // One read: is the actor active, does the delegation hold (principal active), which rights apply.
  const [row] = await queryRows<{ active: boolean | null; delegated: boolean; rights: Right[] | null }>(
    tx,
    sql`select (select u.active from users u where u.id = ${actor.userId}) as active,
               ${
                 actor.actingFor === undefined
                   ? sql`true`
                   : sql`exists (select 1 from delegates d join users p on p.id = d.principal_id and p.active
                                 where d.principal_id = ${actor.actingFor} and d.delegate_id = ${actor.userId})`
               } as delegated,
               array(select distinct unnest(r.rights)::text
                       from user_roles ur join roles r on r.id = ur.role_id join users u on u.id = ur.user_id
                      where ur.user_id = ${userId} and u.active) as rights`,
  );
  if (!row?.active) {
    return fail('not_a_user', 'ConsulTracker does not know you yet. Ask an administrator to add you.');
  }
  if (actor.actingFor !== undefined && !row.delegated) {
    return fail(
      'not_a_delegate',
      `You are not a delegate of ${await displayName(tx, actor.actingFor)}, so you cannot act for them.`,
    );
  }
  const rights = new Set<Right>(row.rights ?? []);
  if (!rights.has(right)) {
    const whose = actor.actingFor ? `${await displayName(tx, actor.actingFor)} does` : 'You do';
    return fail(
      'forbidden',
      `${whose} not have the ${RIGHT_LABELS[right]} right. An administrator can give you a role with it in /admin > Users.`,
    );
  }
  return { ok: true, userId, rights };
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
