import type { Database } from '../../src/db/client.js';
import {
  consultants,
  customers,
  delegates,
  employees,
  managers,
  projectConsultants,
  projectManagers,
  projects,
  reportingPeriods,
  roles,
  timesheets,
  userRoles,
  users,
} from '../../src/db/schema.js';
import type { Right } from '../../src/domain/rights.js';
import { silentLogger } from '../../src/logger.js';
import type { Actor, ServiceContext } from '../../src/services/context.js';
import { TestClock } from './test-clock.js';

/** Object mothers: small, explicit rows for service tests. */

export async function addUser(
  db: Database,
  id: string,
  options: { name?: string; timeZone?: string; rights?: Right[] } = {},
) {
  await db.insert(users).values({ id, displayName: options.name ?? id, timeZone: options.timeZone ?? 'UTC' });
  if (options.rights?.length) {
    const [role] = await db
      .insert(roles)
      .values({ name: `role-${id}`, rights: options.rights })
      .returning();
    await db.insert(userRoles).values({ userId: id, roleId: role!.id });
  }
}

export async function addConsultant(db: Database, userId: string, rates: { cost?: number; price?: number } = {}) {
  const [employee] = await db.insert(employees).values({ userId, name: userId }).returning();
  await db.insert(consultants).values({
    employeeId: employee!.id,
    defaultCostRateCents: rates.cost ?? 7000,
    defaultPriceRateCents: rates.price ?? 14000,
  });
  return employee!.id;
}

export async function addManager(db: Database, userId: string) {
  const existing = await db.query.employees.findFirst({ where: (e, { eq }) => eq(e.userId, userId) });
  const employeeId = existing?.id ?? (await db.insert(employees).values({ userId, name: userId }).returning())[0]!.id;
  await db.insert(managers).values({ employeeId });
  return employeeId;
}

export async function addCustomer(db: Database, code: string, billingMode: 'hourly' | 'prepaid' = 'hourly') {
  const [customer] = await db
    .insert(customers)
    .values({ code, name: `${code} Inc`, currency: 'USD', billingMode })
    .returning();
  return customer!.id;
}

export async function addProject(
  db: Database,
  code: string,
  customerId: number,
  options: { consultants?: number[]; managers?: number[]; active?: boolean } = {},
) {
  const [project] = await db
    .insert(projects)
    .values({ code, customerId, name: `${code} project`, active: options.active ?? true })
    .returning();
  for (const consultantId of options.consultants ?? []) {
    await db.insert(projectConsultants).values({ projectId: project!.id, consultantId });
  }
  for (const managerId of options.managers ?? []) {
    await db.insert(projectManagers).values({ projectId: project!.id, managerId });
  }
  return project!.id;
}

export async function addPeriod(db: Database, startsOn: string, endsOn: string) {
  const [period] = await db.insert(reportingPeriods).values({ startsOn, endsOn }).returning();
  return period!.id;
}

export async function addTimesheet(
  db: Database,
  consultantId: number,
  periodId: number,
  status: 'open' | 'submitted' | 'approved' | 'cancelled' = 'open',
) {
  const [sheet] = await db.insert(timesheets).values({ consultantId, periodId, status }).returning();
  return sheet!.id;
}

export async function addDelegate(db: Database, principalId: string, delegateId: string) {
  await db.insert(delegates).values({ principalId, delegateId });
}

export function serviceContext(
  db: Database,
  actor: Actor,
  clock = new TestClock('2026-11-24T12:00:00Z'),
): ServiceContext {
  return { db, actor, clock, log: silentLogger, org: { timeZone: 'UTC', currency: 'USD' } };
}

export const asUser = (userId: string, actingFor?: string): Actor =>
  actingFor ? { kind: 'user', userId, actingFor } : { kind: 'user', userId };

/** The approval a button or list row names: this approver's on this sheet. */
export async function approvalIdOf(db: Database, timesheetId: number, approverId: string): Promise<number> {
  const row = await db.query.approvals.findFirst({
    where: (a, { and, eq }) => and(eq(a.timesheetId, timesheetId), eq(a.approverId, approverId)),
  });
  if (!row) throw new Error(`no approval of ${approverId} on timesheet ${timesheetId}`);
  return row.id;
}
