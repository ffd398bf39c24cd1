import { and, asc, desc, eq, gte, inArray, lt, or, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
import { auditLog, delegates, roles, userRoles, users } from '../db/schema.js';
import { fail, type Result } from '../domain/result.js';
import { isRight, type Right, RIGHTS } from '../domain/rights.js';
import { lockTeamsToChange, rerouteApprovals, rerouteForRightsOf } from './approval-routing.js';
import { recordAudit } from './audit.js';
import { authorize, authorizeAny, rightsOf } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS, rightsFor } from './operations.js';
import { serviceTransaction } from './transaction.js';

export type RoleRow = { id: number; name: string; rights: Right[]; builtin: boolean; members: number };

const ROLE_NAME = /^[\p{L}\p{N} ._-]{1,100}$/u;

export async function listRoles(ctx: ServiceContext): Promise<Result<{ roles: RoleRow[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageRoles.right);
    if (!access.ok) return access;
    const rows = await tx
      .select({
        id: roles.id,
        name: roles.name,
        rights: roles.rights,
        builtin: roles.builtin,
        members: sql<number>`(select count(*)::int from ${userRoles} ur where ur.role_id = ${roles.id})`,
      })
      .from(roles)
      .orderBy(asc(roles.name));
    return { ok: true as const, roles: rows.map((r) => ({ ...r, members: Number(r.members) })) };
  });
}

/** Creates a role with a unique name. */
export async function createRole(
  ctx: ServiceContext,
  input: { name: string; rights: string[] },
): Promise<Result<{ role: RoleRow }>> {
  const name = input.name.trim();
  if (!ROLE_NAME.test(name))
    return fail(
      'invalid_name',
      'A role name is 1 to 100 letters, digits, spaces, dots, dashes or underscores.',
      'name',
    );
  const rights = checkRights(input.rights);
  if (!rights.ok) return rights;
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageRoles.right);
    if (!access.ok) return access;
    const clash = await queryRows<{ id: number }>(tx, sql`select id from roles where lower(name) = lower(${name})`);
    if (clash.length > 0) return fail('duplicate', `There is already a role called ${name}.`, 'name');
    const [role] = await tx.insert(roles).values({ name, rights: rights.rights }).returning();
    await recordAudit(tx, ctx, { action: 'role.create', entity: 'role', entityId: role!.id, after: role });
    return {
      ok: true as const,
      role: { id: role!.id, name: role!.name, rights: role!.rights, builtin: false, members: 0 },
    };
  });
}

/** Sets a role's rights. The built-in role is fixed; nobody may leave the firm without a security holder. */
export async function setRoleRights(
  ctx: ServiceContext,
  input: { roleId: number; rights: string[] },
): Promise<Result<{ role: RoleRow }>> {
  const rights = checkRights(input.rights);
  if (!rights.ok) return rights;
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageRoles.right);
    if (!access.ok) return access;
    await serializeSecurityChanges(tx);
    await lockTeamsToChange(tx);
    const [before] = await tx.select().from(roles).where(eq(roles.id, input.roleId)).for('update');
    if (!before) return fail('gone', 'That role no longer exists.');
    if (before.builtin) return fail('builtin', `${before.name} is built in: it always has every right.`);
    const [after] = await tx
      .update(roles)
      .set({ rights: rights.rights, updatedAt: ctx.clock.now() })
      .where(eq(roles.id, before.id))
      .returning();
    const guard = await keepsSecurityHolder(tx);
    if (guard) return guard;
    await rerouteForRightsOf(tx, ctx, await membersOf(tx, before.id));
    await recordAudit(tx, ctx, { action: 'role.set_rights', entity: 'role', entityId: before.id, before, after });
    const members = await membersOf(tx, before.id);
    return {
      ok: true as const,
      role: { id: after!.id, name: after!.name, rights: after!.rights, builtin: false, members: members.length },
    };
  });
}

async function membersOf(q: Queryable, roleId: number): Promise<string[]> {
  const rows = await q.select({ userId: userRoles.userId }).from(userRoles).where(eq(userRoles.roleId, roleId));
  return rows.map((row) => row.userId);
}

/** Deletes a role (its members lose it). */
export async function deleteRole(
  ctx: ServiceContext,
  input: { roleId: number },
): Promise<Result<{ deleted: { name: string; members: number } }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageRoles.right);
    if (!access.ok) return access;
    await serializeSecurityChanges(tx);
    await lockTeamsToChange(tx);
    const [role] = await tx.select().from(roles).where(eq(roles.id, input.roleId)).for('update');
    if (!role) return fail('gone', 'That role no longer exists.');
    if (role.builtin) return fail('builtin', `${role.name} is built in and cannot be deleted.`);
    const members = await tx.delete(userRoles).where(eq(userRoles.roleId, role.id)).returning();
    await tx.delete(roles).where(eq(roles.id, role.id));
    const guard = await keepsSecurityHolder(tx);
    if (guard) return guard;
    await rerouteForRightsOf(
      tx,
      ctx,
      members.map((m) => m.userId),
    );
    await recordAudit(tx, ctx, {
      action: 'role.delete',
      entity: 'role',
      entityId: role.id,
      before: { ...role, members: members.map((m) => m.userId) },
    });
    return { ok: true as const, deleted: { name: role.name, members: members.length } };
  });
}

/**
 * Sets a user's roles. With `among` (the roles a grid page shows), only those are changed and the
 * user's other roles stay; the user row is locked so two pages saved at once cannot undo each other.
 */
export async function setUserRoles(
  ctx: ServiceContext,
  input: { userId: string; roleIds: number[]; among?: number[] },
): Promise<Result<{ roles: string[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.grantRoles.right);
    if (!access.ok) return access;
    await serializeSecurityChanges(tx);
    await lockTeamsToChange(tx);
    // Not FOR UPDATE: a decision in flight holds a key share on the user (approvals.decided_by) and waits for nothing here.
    const [user] = await tx.select().from(users).where(eq(users.id, input.userId)).for('no key update');
    if (!user) return fail('unknown_user', 'ConsulTracker does not know that user yet; add them as an employee first.');
    const { among } = input;
    const chosen = among ? input.roleIds.filter((id) => among.includes(id)) : input.roleIds;
    const before = await tx.select({ roleId: userRoles.roleId }).from(userRoles).where(eq(userRoles.userId, user.id));
    const kept = among ? before.map((r) => r.roleId).filter((id) => !among.includes(id)) : [];
    const wantedIds = [...new Set([...kept, ...chosen])];
    const wanted = wantedIds.length ? await tx.select().from(roles).where(inArray(roles.id, wantedIds)) : [];
    if (wanted.length !== wantedIds.length)
      return fail('unknown_role', 'One of those roles no longer exists; refresh and try again.');
    await tx.delete(userRoles).where(eq(userRoles.userId, user.id));
    for (const role of wanted) await tx.insert(userRoles).values({ userId: user.id, roleId: role.id });
    const guard = await keepsSecurityHolder(tx);
    if (guard) return guard;
    await rerouteForRightsOf(tx, ctx, [user.id]);
    await recordAudit(tx, ctx, {
      action: 'user.set_roles',
      entity: 'user',
      entityId: user.id,
      before: before.map((r) => r.roleId),
      after: wanted.map((r) => r.id),
    });
    return { ok: true as const, roles: wanted.map((r) => r.name).sort() };
  });
}

function checkRights(names: string[]): { ok: true; rights: Right[] } | ReturnType<typeof fail> {
  const unknown = names.filter((name) => !isRight(name));
  if (unknown.length)
    return fail(
      'unknown_right',
      `Unknown ${unknown.length === 1 ? 'right' : 'rights'} ${unknown.join(', ')}; the rights are ${RIGHTS.join(', ')}.`,
      'rights',
    );
  return { ok: true, rights: [...new Set(names as Right[])].sort() };
}

/**
 * Changes that could take the security right away run one at a time, so two admins removing it
 * from each other at once cannot both pass the check below.
 */
async function serializeSecurityChanges(q: Queryable): Promise<void> {
  await q.execute(sql`select pg_advisory_xact_lock(${SECURITY_CHANGES_LOCK})`);
}
const SECURITY_CHANGES_LOCK = 0x5ec;

/** Refuses a change that leaves no active user with the security right: someone must be able to undo it. */
async function keepsSecurityHolder(q: Queryable): Promise<ReturnType<typeof fail> | undefined> {
  const holders = await queryRows<{ n: number }>(
    q,
    sql`select count(distinct ur.user_id)::int as n from user_roles ur join roles r on r.id = ur.role_id join users u on u.id = ur.user_id
         where 'security' = any(r.rights) and u.active`,
  );
  return Number(holders[0]?.n) > 0
    ? undefined
    : fail('last_security_holder', 'Nobody would have the security right any more. Give it to someone else first.');
}

export type UserRow = { id: string; name: string; roleIds: number[]; delegateIds: string[] };

/** Active users the app knows, by name, with their roles and delegates. */
export async function listUsers(ctx: ServiceContext): Promise<Result<{ users: UserRow[]; roles: RoleRow[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.grantRoles.right);
    if (!access.ok) return access;
    const people = await tx
      .select()
      .from(users)
      .where(eq(users.active, true))
      .orderBy(asc(users.displayName), asc(users.id));
    const memberships = await tx.select().from(userRoles);
    const delegations = await tx.select().from(delegates);
    const roleRows = await tx.select().from(roles).orderBy(asc(roles.name));
    return {
      ok: true as const,
      users: people.map((u) => ({
        id: u.id,
        name: u.displayName,
        roleIds: memberships.filter((m) => m.userId === u.id).map((m) => m.roleId),
        delegateIds: delegations.filter((d) => d.principalId === u.id).map((d) => d.delegateId),
      })),
      roles: roleRows.map((r) => ({
        id: r.id,
        name: r.name,
        rights: r.rights,
        builtin: r.builtin,
        members: memberships.filter((m) => m.roleId === r.id).length,
      })),
    };
  });
}

/** Who may act for a user: exactly these people (Slack members; added to the app if new). */
export async function setDelegates(
  ctx: ServiceContext,
  input: { principalId: string; delegateIds: string[] },
): Promise<Result<{ delegates: string[] }>> {
  const wanted = [...new Set(input.delegateIds)];
  if (wanted.includes(input.principalId)) return fail('self', 'Nobody needs to be their own delegate.', 'delegates');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.grantRoles.right);
    if (!access.ok) return access;
    const principal = await tx.query.users.findFirst({ where: eq(users.id, input.principalId) });
    if (!principal) return fail('unknown_user', 'ConsulTracker does not know that user.');
    const before = (await tx.select().from(delegates).where(eq(delegates.principalId, principal.id))).map(
      (d) => d.delegateId,
    );
    await tx.delete(delegates).where(eq(delegates.principalId, principal.id));
    for (const delegateId of wanted) {
      await tx.insert(users).values({ id: delegateId, displayName: delegateId }).onConflictDoNothing();
      await tx.insert(delegates).values({ principalId: principal.id, delegateId });
    }
    await recordAudit(tx, ctx, {
      action: 'user.set_delegates',
      entity: 'user',
      entityId: principal.id,
      before,
      after: wanted,
    });
    return { ok: true as const, delegates: wanted };
  });
}

/**
 * A deactivated user keeps their history but can no longer act, approve or be acted for: the
 * decisions waiting for them move to their projects' other managers, or to the administrators.
 */
export async function deactivateUser(
  ctx: ServiceContext,
  input: { userId: string },
): Promise<Result<{ name: string }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.grantRoles.right);
    if (!access.ok) return access;
    await serializeSecurityChanges(tx);
    await lockTeamsToChange(tx);
    const [user] = await tx
      .update(users)
      .set({ active: false, updatedAt: ctx.clock.now() })
      .where(and(eq(users.id, input.userId), eq(users.active, true)))
      .returning();
    if (!user) return fail('gone', 'That user is already deactivated.');
    const guard = await keepsSecurityHolder(tx);
    if (guard) return guard;
    await recordAudit(tx, ctx, {
      action: 'user.deactivate',
      entity: 'user',
      entityId: user.id,
      before: { active: true },
      after: { active: false },
    });
    await rerouteApprovals(tx, ctx, { approverIds: [user.id] });
    return { ok: true as const, name: user.displayName };
  });
}

export type AuditRow = {
  at: Date;
  actor: string;
  actingFor: string | null;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
};

/** The latest changes, newest first, optionally by one user (as actor or principal), one entity kind and a date range. */
export async function auditTrail(
  ctx: ServiceContext,
  filter: { userId?: string; entity?: string; from?: string; to?: string; limit?: number } = {},
): Promise<Result<{ rows: AuditRow[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorizeAny(tx, ctx, rightsFor('viewAudit'));
    if (!access.ok) return access;
    const conditions = [
      filter.userId ? or(eq(auditLog.actorId, filter.userId), eq(auditLog.actingFor, filter.userId)) : undefined,
      filter.entity ? eq(auditLog.entity, filter.entity) : undefined,
      filter.from ? gte(auditLog.at, new Date(`${filter.from}T00:00:00Z`)) : undefined,
      filter.to ? lt(auditLog.at, new Date(Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000)) : undefined,
    ].filter((c) => c !== undefined);
    const rows = await tx
      .select()
      .from(auditLog)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(filter.limit ?? 20);
    const names = new Map(
      (await tx.select({ id: users.id, name: users.displayName }).from(users)).map((u) => [u.id, u.name]),
    );
    return {
      ok: true as const,
      rows: rows.map((r) => ({
        at: r.at,
        actor: names.get(r.actorId) ?? r.actorId,
        actingFor: r.actingFor ? (names.get(r.actingFor) ?? r.actingFor) : null,
        action: r.action,
        entity: r.entity,
        entityId: r.entityId,
        before: r.before,
        after: r.after,
      })),
    };
  });
}

/** Allowed with any of the rights; the refusal names the first. */
/** Which /admin sections the user's rights open (each section's service checks again). */
export async function adminSections(
  ctx: ServiceContext,
): Promise<{ periods: boolean; security: boolean; reports: boolean; settings: boolean }> {
  if (ctx.actor.kind !== 'user') return { periods: false, security: false, reports: false, settings: false };
  const rights = await rightsOf(ctx.db, ctx.actor.actingFor ?? ctx.actor.userId);
  return {
    periods: rights.has(OPERATIONS.managePeriods.right),
    security: rights.has(OPERATIONS.grantRoles.right),
    reports: rightsFor('openReports').some((right) => rights.has(right)),
    settings: rights.has(OPERATIONS.manageSettings.right),
  };
}
