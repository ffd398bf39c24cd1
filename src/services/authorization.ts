import { eq, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { preparedRows, queryRows, type Queryable } from '../db/client.js';
import { users } from '../db/schema.js';
import { fail, type Failure } from '../domain/result.js';
import { type Right } from '../domain/rights.js';
import type { Principal } from './acting-as.js';
import type { ServiceContext } from './context.js';

export type Authorized = { ok: true; userId: string | undefined; rights: ReadonlySet<Right> };

/** The consultant row of the user whose time it is, as the access check read it (undefined: not a consultant). */
export type ConsultantRow = { employeeId: number; timeZone: string | null; name: string };

/** What to read along with the access check, in the same statement. */
export type AccessExtras = {
  /** The consultant row of the user acted as (the principal for a delegate). */
  consultant?: boolean;
  /** For App Home: the actor's own rights and name, and whom they are a delegate of. */
  home?: boolean;
  /** A Slack request's key (`/log`): the entry an earlier delivery of the same request saved. */
  requestKey?: string;
};

/**
 * Everything the access check needs, read in one statement: whether the actor is active, whether
 * the delegation holds, the rights that apply, and the extras asked for.
 */
export type Access = {
  /** The user acted as: the principal for a delegate; undefined for the system. */
  userId: string | undefined;
  active: boolean;
  delegated: boolean;
  rights: ReadonlySet<Right>;
  consultant?: ConsultantRow | undefined;
  /**
   * With `home`: the actor's own rights (a delegate's differ from the principal's), name and
   * principals, and whether any approval is pending for them or their principals.
   */
  own?: { rights: ReadonlySet<Right>; name: string | null; principals: Principal[]; approvalsPending: boolean };
  /** With `requestKey`: the entry saved under that key, or null for none yet. */
  earlierEntryId?: number | null;
};

const RIGHT_LABELS: Record<Right, string> = {
  admin: 'administration',
  entry: 'time entry',
  approval: 'timesheet approval',
  payable: 'Accounts Payable reports',
  receivable: 'Accounts Receivable reports',
  security: 'security administration',
};

/** The rights a user's roles give, while the user is active. */
export const rightsSql = (userId: SQL | Placeholder) =>
  sql`array(select distinct unnest(r.rights)::text
              from user_roles ur join roles r on r.id = ur.role_id join users u on u.id = ur.user_id
             where ur.user_id = ${userId} and u.active)`;

type Id = SQL | Placeholder;
/** Who the access statement is for: the user acting, whom they act for, and the one of the two acted as. */
export type AccessIds = { actor: Id; principal: Id; actedAs: Id };
const ACCESS_PLACEHOLDERS: AccessIds = {
  actor: sql.placeholder('actor'),
  principal: sql.placeholder('principal'),
  actedAs: sql.placeholder('actedAs'),
};

/**
 * The access statement for one shape of request: as oneself or a delegate, with the extras asked
 * for. Its values are the placeholders `actor`, `principal` and `actedAs` (`accessValues`), or
 * `ids` names them in an enclosing statement.
 */
export function accessSql(delegate: boolean, extras: AccessExtras, ids: AccessIds = ACCESS_PLACEHOLDERS): SQL {
  const { actor: actorId, principal: principalId, actedAs: actedAsId } = ids;
  /** The active users the actor, while active, is a delegate of, as `u`: the tail of a select. */
  const activePrincipals = sql`from delegates d join users u on u.id = d.principal_id and u.active
                               join users me on me.id = d.delegate_id and me.active
                               where d.delegate_id = ${actorId}`;
  const columns: SQL[] = [
    sql`(select u.active from users u where u.id = ${actorId}) as active`,
    delegate
      ? sql`exists (select 1 from delegates d join users p on p.id = d.principal_id and p.active
                     where d.principal_id = ${principalId} and d.delegate_id = ${actorId}) as delegated`
      : sql`true as delegated`,
    sql`${rightsSql(actedAsId)} as rights`,
  ];
  if (extras.consultant) columns.push(sql`k.employee_id, k.time_zone, k.consultant_name`);
  if (extras.home) {
    columns.push(
      delegate ? sql`${rightsSql(actorId)} as own_rights` : sql`null as own_rights`,
      sql`(select u.display_name from users u where u.id = ${actorId}) as own_name`,
      sql`(select json_agg(json_build_object('userId', u.id, 'name', u.display_name) order by u.display_name, u.id)
             ${activePrincipals}) as principals`,
      // Most people approve nothing: App Home then skips the approvals read.
      // A sheet sent back by one manager leaves the others' requests pending: only a submitted sheet waits.
      sql`exists (select 1 from approvals a join timesheets t on t.id = a.timesheet_id
                   where a.status = 'pending' and t.status = 'submitted'
                     and (a.approver_id = ${actorId} or a.approver_id in (select u.id ${activePrincipals}))) as approvals_pending`,
    );
  }
  if (extras.requestKey !== undefined)
    columns.push(
      sql`(select te.id from time_entries te where te.request_key = ${sql.placeholder('requestKey')}) as earlier_entry_id`,
    );
  const consultant = extras.consultant
    ? sql` from (values (1)) as one (x) left join lateral (
             select c.employee_id, u.time_zone, u.display_name as consultant_name
               from employees e join consultants c on c.employee_id = e.id join users u on u.id = e.user_id
              where e.user_id = ${actedAsId} and e.archived_at is null and c.archived_at is null) k on true`
    : sql``;
  return sql`select ${sql.join(columns, sql`, `)}${consultant}`;
}

/** Every request reads its access: each shape is built once, prepared by name. */
const accessStatements = new Map<string, ReturnType<typeof preparedRows<AccessRow>>>();
function accessStatement(delegate: boolean, extras: AccessExtras) {
  const shape = `access_${delegate ? 'delegate' : 'self'}${extras.consultant ? '_consultant' : ''}${extras.home ? '_home' : ''}${extras.requestKey !== undefined ? '_request' : ''}`;
  let statement = accessStatements.get(shape);
  if (!statement)
    accessStatements.set(shape, (statement = preparedRows<AccessRow>(shape, accessSql(delegate, extras))));
  return statement;
}

export type AccessRow = {
  active: boolean | null;
  delegated: boolean;
  rights: Right[] | null;
  employee_id?: number | null;
  time_zone?: string | null;
  consultant_name?: string | null;
  own_rights?: Right[] | null;
  own_name?: string | null;
  principals?: Principal[] | null;
  approvals_pending?: boolean | null;
  earlier_entry_id?: number | string | null;
};

/**
 * Reads the actor's access in one statement: active, delegation (principal active), rights, and
 * the extras asked for. Deciding on a right is `decideAccess`; `authorize` does both.
 */
export async function readAccess(
  tx: Queryable,
  ctx: Pick<ServiceContext, 'actor'>,
  extras: AccessExtras = {},
): Promise<Access> {
  const { actor } = ctx;
  if (actor.kind === 'system') {
    return {
      userId: undefined,
      active: true,
      delegated: true,
      rights: new Set(),
      ...(extras.consultant ? { consultant: undefined } : {}),
      ...(extras.home ? { own: { rights: new Set(), name: null, principals: [], approvalsPending: false } } : {}),
    };
  }
  const values = {
    ...accessValues(actor),
    ...(extras.requestKey !== undefined ? { requestKey: extras.requestKey } : {}),
  };
  const [row] = await accessStatement(actor.actingFor !== undefined, extras)(tx, values);
  return accessFromRow(actor, extras, row);
}

/** The values of `accessSql`'s placeholders for a user acting (for themself or a principal). */
export function accessValues(actor: Extract<ServiceContext['actor'], { kind: 'user' }>) {
  return { actor: actor.userId, principal: actor.actingFor ?? null, actedAs: actor.actingFor ?? actor.userId };
}

/** What `accessSql` read (no row: nobody the app knows), as an `Access`. */
export function accessFromRow(
  actor: Extract<ServiceContext['actor'], { kind: 'user' }>,
  extras: AccessExtras,
  row: AccessRow | undefined,
): Access {
  const rights = new Set<Right>(row?.rights ?? []);
  return {
    userId: actor.actingFor ?? actor.userId,
    active: row?.active === true,
    delegated: row?.delegated === true,
    rights,
    ...(extras.consultant
      ? {
          consultant:
            row?.employee_id != null
              ? { employeeId: Number(row.employee_id), timeZone: row.time_zone ?? null, name: row.consultant_name! }
              : undefined,
        }
      : {}),
    ...(extras.home
      ? {
          own: {
            rights: row?.own_rights ? new Set<Right>(row.own_rights) : rights,
            name: row?.own_name ?? null,
            principals: row?.principals ?? [],
            approvalsPending: row?.approvals_pending === true,
          },
        }
      : {}),
    ...(extras.requestKey !== undefined
      ? { earlierEntryId: row?.earlier_entry_id != null ? Number(row.earlier_entry_id) : null }
      : {}),
  };
}

/**
 * Decides from what `readAccess` read whether the actor may use `right`. A delegate acts with the
 * principal's rights, and only while the delegation exists and both users are active.
 */
export async function decideAccess<A extends Access>(
  tx: Queryable,
  ctx: Pick<ServiceContext, 'actor'>,
  access: A,
  right: Right,
): Promise<(Authorized & A) | { ok: false; error: Failure }> {
  const { actor } = ctx;
  if (actor.kind === 'system') return { ...access, ok: true, userId: undefined, rights: new Set() };
  if (!access.active) {
    return fail('not_a_user', 'ConsulTracker does not know you yet. Ask an administrator to add you.');
  }
  if (actor.actingFor !== undefined && !access.delegated) {
    return fail(
      'not_a_delegate',
      `You are not a delegate of ${await displayName(tx, actor.actingFor)}, so you cannot act for them.`,
    );
  }
  if (!access.rights.has(right)) {
    const whose = actor.actingFor ? `${await displayName(tx, actor.actingFor)} does` : 'You do';
    return fail(
      'forbidden',
      `${whose} not have the ${RIGHT_LABELS[right]} right. An administrator can give you a role with it in /admin > Users.`,
    );
  }
  return { ...access, ok: true };
}

/**
 * Decides from the database whether the actor may use `right`. A delegate acts with the
 * principal's rights, and only while the delegation exists and both users are active.
 * The rule for services: checks of the input's own shape, which read nothing, may come first (a
 * malformed request is refused without a query); then, inside the transaction and before the
 * service reads or writes anything else, this is called. Rules that narrow a right to particular
 * rows (their own time, a sheet they approve) are checked by the service against the rows it reads.
 * `withConsultant` reads the consultant row of the user acted as in the same statement.
 */
export async function authorize(
  tx: Queryable,
  ctx: Pick<ServiceContext, 'actor'>,
  right: Right,
  options: { withConsultant?: boolean; requestKey?: string } = {},
): Promise<(Authorized & Access) | { ok: false; error: Failure }> {
  const extras: AccessExtras = { consultant: options.withConsultant ?? false };
  if (options.requestKey !== undefined) extras.requestKey = options.requestKey;
  return decideAccess(tx, ctx, await readAccess(tx, ctx, extras), right);
}

/**
 * `authorize` for an operation any of several rights opens (`rightsFor`), in the same one statement;
 * refused with the first right's message.
 */
export async function authorizeAny(
  tx: Queryable,
  ctx: Pick<ServiceContext, 'actor'>,
  rights: readonly [Right, ...Right[]],
): Promise<(Authorized & Access) | { ok: false; error: Failure }> {
  const access = await readAccess(tx, ctx);
  return decideAccess(tx, ctx, access, rights.find((right) => access.rights.has(right)) ?? rights[0]);
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
