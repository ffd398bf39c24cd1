import { and, asc, eq, isNull } from 'drizzle-orm';
import { consultants, customers, managers, projectConsultants, projectManagers, projects } from '../db/schema.js';
import { parseOptionalRate } from '../domain/money.js';
import { fail, type Result } from '../domain/result.js';
import { recordAudit } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { type EmployeeRow, employeeRows } from './employees.js';
import { OPERATIONS } from './operations.js';
import { serviceTransaction } from './transaction.js';

export type AssignmentRole = 'consultant' | 'manager';
/** One project an employee works on; rates are the per-project overrides (null: their default). */
export type AssignmentRow = {
  projectId: number;
  code: string;
  name: string;
  customerCode: string;
  as: AssignmentRole;
  costRateCents: number | null;
  priceRateCents: number | null;
};
export type EmployeeDetail = {
  employee: EmployeeRow;
  assignments: AssignmentRow[];
  projects: { id: number; code: string; name: string }[];
};

/** One employee with the projects they work on, and the live projects they could join. */
export async function employeeDetail(ctx: ServiceContext, employeeId: number): Promise<Result<EmployeeDetail>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageEmployees.right);
    if (!access.ok) return access;
    const [employee] = await employeeRows(tx, employeeId);
    if (!employee) return fail('gone', 'That employee no longer exists.');
    const live = and(isNull(projects.archivedAt), isNull(customers.archivedAt));
    const asConsultant = await tx
      .select({
        projectId: projects.id,
        code: projects.code,
        name: projects.name,
        customerCode: customers.code,
        costRateCents: projectConsultants.costRateCents,
        priceRateCents: projectConsultants.priceRateCents,
      })
      .from(projectConsultants)
      .innerJoin(consultants, eq(consultants.employeeId, projectConsultants.consultantId))
      .innerJoin(projects, eq(projects.id, projectConsultants.projectId))
      .innerJoin(customers, eq(customers.id, projects.customerId))
      .where(and(eq(projectConsultants.consultantId, employeeId), isNull(consultants.archivedAt), live));
    const asManager = await tx
      .select({ projectId: projects.id, code: projects.code, name: projects.name, customerCode: customers.code })
      .from(projectManagers)
      .innerJoin(managers, eq(managers.employeeId, projectManagers.managerId))
      .innerJoin(projects, eq(projects.id, projectManagers.projectId))
      .innerJoin(customers, eq(customers.id, projects.customerId))
      .where(and(eq(projectManagers.managerId, employeeId), isNull(managers.archivedAt), live));
    const assignments: AssignmentRow[] = [
      ...asConsultant.map((a) => ({ ...a, as: 'consultant' as const })),
      ...asManager.map((a) => ({ ...a, as: 'manager' as const, costRateCents: null, priceRateCents: null })),
    ].sort((a, b) => a.code.localeCompare(b.code) || a.as.localeCompare(b.as));
    const choices = await tx
      .select({ id: projects.id, code: projects.code, name: projects.name })
      .from(projects)
      .innerJoin(customers, eq(customers.id, projects.customerId))
      .where(live)
      .orderBy(asc(projects.code));
    return { ok: true as const, employee, assignments, projects: choices };
  });
}

/**
 * Puts an employee on a project as consultant (with optional cost and price overrides; empty means
 * their default) or as manager. Assigning again as consultant changes the overrides.
 */
export async function assignToProject(
  ctx: ServiceContext,
  input: { employeeId: number; projectId: number; as: AssignmentRole; costRate: string; priceRate: string },
): Promise<Result<{ project: { id: number; code: string } }>> {
  const cost = parseOptionalRate(input.costRate);
  if (!cost.ok) return fail('invalid_rate', cost.error.message, 'cost');
  const price = parseOptionalRate(input.priceRate);
  if (!price.ok) return fail('invalid_rate', price.error.message, 'price');
  if (input.as === 'manager' && (cost.cents !== null || price.cents !== null))
    return fail('rates_for_manager', 'Rates apply to consultants; leave them empty for a manager.', 'cost');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    const project = await tx.query.projects.findFirst({
      where: and(eq(projects.id, input.projectId), isNull(projects.archivedAt)),
    });
    if (!project) return fail('unknown_project', 'Choose a project that still exists.', 'project');
    const role = input.as === 'consultant' ? consultants : managers;
    const [holder] = await tx
      .select({ id: role.employeeId })
      .from(role)
      .where(and(eq(role.employeeId, input.employeeId), isNull(role.archivedAt)));
    if (!holder) return fail('not_in_role', `Make them a ${input.as} first (Edit details), then assign them.`, 'as');
    if (input.as === 'consultant') {
      const rates = { costRateCents: cost.cents, priceRateCents: price.cents };
      await tx
        .insert(projectConsultants)
        .values({ projectId: project.id, consultantId: input.employeeId, ...rates })
        .onConflictDoUpdate({
          target: [projectConsultants.projectId, projectConsultants.consultantId],
          set: { ...rates, updatedAt: ctx.clock.now() },
        });
    } else {
      await tx
        .insert(projectManagers)
        .values({ projectId: project.id, managerId: input.employeeId })
        .onConflictDoNothing();
    }
    await recordAudit(tx, ctx, {
      action: 'employee.assign',
      entity: 'employee',
      entityId: input.employeeId,
      after: { projectId: project.id, as: input.as, costRateCents: cost.cents, priceRateCents: price.cents },
    });
    return { ok: true as const, project: { id: project.id, code: project.code } };
  });
}

/** Takes an employee off the marked projects; their logged time stays where it is. */
export async function removeFromProjects(
  ctx: ServiceContext,
  employeeId: number,
  marked: { projectId: number; as: AssignmentRole }[],
): Promise<Result<{ removed: number }>> {
  if (marked.length === 0) return fail('nothing_marked', 'Mark the projects to take them off first.');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    let removed = 0;
    for (const { projectId, as } of marked) {
      const gone =
        as === 'consultant'
          ? await tx
              .delete(projectConsultants)
              .where(and(eq(projectConsultants.projectId, projectId), eq(projectConsultants.consultantId, employeeId)))
              .returning()
          : await tx
              .delete(projectManagers)
              .where(and(eq(projectManagers.projectId, projectId), eq(projectManagers.managerId, employeeId)))
              .returning();
      if (gone.length === 0) continue;
      removed += 1;
      await recordAudit(tx, ctx, {
        action: 'employee.unassign',
        entity: 'employee',
        entityId: employeeId,
        before: { projectId, as, ...gone[0] },
      });
    }
    return { ok: true as const, removed };
  });
}
