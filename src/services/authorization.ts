import { and, eq, isNull, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import {
  consultants,
  delegates,
  employees,
  managers,
  projectConsultants,
  projectManagers,
  users,
} from '../db/schema.js';
import { fail, type Failure } from '../domain/result.js';
import { type Right } from '../domain/rights.js';
import type { Actor, ServiceContext } from './context.js';

/** Resource rules that narrow a right to particular rows. */
export type Resource =
  | { type: 'project'; projectId: number; as: 'consultant' | 'manager' }
  /** Only the consultant (or their delegate) may touch their own time. */
  | { type: 'own-time'; consultantUserId: string };

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
 * Decides from the database whether the actor may use `right` (on `resource`). A delegate acts
 * with the principal's rights, and only while the delegation exists and both users are active.
 * Every service calls this first, inside its transaction.
 */
export async function authorize(
  tx: Queryable,
  ctx: Pick<ServiceContext, 'actor'>,
  right: Right,
  resource?: Resource,
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
  if (resource) {
    const refusal = await checkResource(tx, userId, resource);
    if (refusal) return { ok: false, error: refusal };
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

async function checkResource(tx: Queryable, userId: string, resource: Resource): Promise<Failure | undefined> {
  switch (resource.type) {
    case 'own-time':
      return resource.consultantUserId === userId
        ? undefined
        : {
            code: 'forbidden',
            message: 'You can only change your own time (or the time of someone you are a delegate for).',
          };
    case 'project': {
      const assigned =
        resource.as === 'consultant'
          ? await tx
              .select({ id: projectConsultants.projectId })
              .from(projectConsultants)
              .innerJoin(consultants, eq(consultants.employeeId, projectConsultants.consultantId))
              .innerJoin(employees, eq(employees.id, consultants.employeeId))
              .where(
                and(
                  eq(projectConsultants.projectId, resource.projectId),
                  eq(employees.userId, userId),
                  isNull(consultants.archivedAt),
                  isNull(employees.archivedAt),
                ),
              )
          : await tx
              .select({ id: projectManagers.projectId })
              .from(projectManagers)
              .innerJoin(managers, eq(managers.employeeId, projectManagers.managerId))
              .innerJoin(employees, eq(employees.id, managers.employeeId))
              .where(
                and(
                  eq(projectManagers.projectId, resource.projectId),
                  eq(employees.userId, userId),
                  isNull(managers.archivedAt),
                  isNull(employees.archivedAt),
                ),
              );
      return assigned.length > 0
        ? undefined
        : {
            code: 'not_assigned',
            message:
              resource.as === 'consultant'
                ? 'You are not assigned to that project as a consultant. Ask an administrator to add you.'
                : 'You are not a manager of that project.',
          };
    }
  }
}
