import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
import { delegates, employees, managers, projectManagers, timesheets, users } from '../db/schema.js';
import { rightsSql } from './authorization.js';

// Who stands where around a sheet: its consultant, its projects' managers, the administrators,
// delegations, and the names the approval messages show. Reads only, so every approval module can use it.

export async function consultantUserOf(tx: Queryable, timesheetId: number): Promise<string | null> {
  const [row] = await tx
    .select({ userId: employees.userId })
    .from(timesheets)
    .innerJoin(employees, eq(employees.id, timesheets.consultantId))
    .where(eq(timesheets.id, timesheetId));
  return row?.userId ?? null;
}

/** Active managers of these projects (not archived as managers or employees) who hold the approval right. */
export async function managersOf(
  tx: Queryable,
  projectIds: number[],
): Promise<{ projectId: number; userId: string }[]> {
  const rows = await tx
    .select({ projectId: projectManagers.projectId, userId: employees.userId })
    .from(projectManagers)
    .innerJoin(managers, eq(managers.employeeId, projectManagers.managerId))
    .innerJoin(employees, eq(employees.id, managers.employeeId))
    .innerJoin(users, eq(users.id, employees.userId))
    .where(
      and(
        inArray(projectManagers.projectId, projectIds),
        isNull(managers.archivedAt),
        isNull(employees.archivedAt),
        eq(users.active, true),
        sql`'approval' = any(${rightsSql(sql`${users.id}`)})`,
      ),
    )
    .orderBy(asc(employees.userId));
  return rows.flatMap((r) => (r.userId ? [{ projectId: r.projectId, userId: r.userId }] : []));
}

/** Active users holding `admin`, by id. */
export async function administrators(tx: Queryable): Promise<string[]> {
  const rows = await queryRows<{ user_id: string }>(
    tx,
    sql`select distinct ur.user_id from user_roles ur join roles r on r.id = ur.role_id join users u on u.id = ur.user_id
         where 'admin' = any(r.rights) and u.active order by ur.user_id`,
  );
  return rows.map((r) => r.user_id);
}

/** True when `userId` is the firm's only active holder of `admin`. */
export async function isOnlyAdministrator(tx: Queryable, userId: string): Promise<boolean> {
  const admins = await administrators(tx);
  return admins.length === 1 && admins[0] === userId;
}

/** The active principals this user is a delegate of. */
export async function principalsOf(tx: Queryable, delegateId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: delegates.principalId })
    .from(delegates)
    .innerJoin(users, eq(users.id, delegates.principalId))
    .where(and(eq(delegates.delegateId, delegateId), eq(users.active, true)));
  return rows.map((r) => r.id);
}

export async function nameOfUser(q: Queryable, userId: string): Promise<string> {
  return (await q.select({ name: users.displayName }).from(users).where(eq(users.id, userId)))[0]?.name ?? userId;
}

export async function nameOfEmployee(q: Queryable, employeeId: number): Promise<string> {
  return (
    (await q.select({ name: employees.name }).from(employees).where(eq(employees.id, employeeId)))[0]?.name ??
    String(employeeId)
  );
}
