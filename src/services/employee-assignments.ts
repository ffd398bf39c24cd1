import { and, asc, eq, isNull } from 'drizzle-orm';
import { consultants, customers, managers, projectConsultants, projectManagers, projects } from '../db/schema.js';
import { parseOptionalRate } from '../domain/money.js';
import { fail, type Result } from '../domain/result.js';
import { lockTeamsToChange, rerouteApprovals } from './approval-routing.js';
import { lockSheetsWithTimeOn } from './open-time.js';
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
  /** The price rate's currency (its customer's); cost rates are in the firm's. */
  priceCurrency: string;
};
export type EmployeeDetail = {
  employee: EmployeeRow;
  /** The firm's currency: default rates and every cost rate are in it. */
  firmCurrency: string;
  assignments: AssignmentRow[];
  projects: { id: number; code: string; name: string }[];
};

/** One employee with the projects they work on, and the live projects they could join. */
export async function employeeDetail(ctx: ServiceContext, employeeId: number): Promise<Result<EmployeeDetail>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageEmployees.right);
    if (!access.ok) return access;
    const [employee] = await employeeRows(tx, ctx.org.currency, employeeId);
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
        priceCurrency: customers.currency,
      })
      .from(projectConsultants)
      .innerJoin(consultants, eq(consultants.employeeId, projectConsultants.consultantId))
      .innerJoin(projects, eq(projects.id, projectConsultants.projectId))
      .innerJoin(customers, eq(customers.id, projects.customerId))
      .where(
        and(
          eq(projectConsultants.consultantId, employeeId),
          isNull(projectConsultants.archivedAt),
          isNull(consultants.archivedAt),
          live,
        ),
      );
    const asManager = await tx
      .select({
        projectId: projects.id,
        code: projects.code,
        name: projects.name,
        customerCode: customers.code,
        priceCurrency: customers.currency,
      })
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
    return { ok: true as const, employee, firmCurrency: ctx.org.currency, assignments, projects: choices };
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
  if (input.as === 'manager' && (input.costRate.trim() || input.priceRate.trim()))
    return fail('rates_for_manager', 'Rates apply to consultants; leave them empty for a manager.', 'cost');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    if (input.as === 'manager') await lockTeamsToChange(tx);
    const [project] = await tx
      .select({ id: projects.id, code: projects.code, customerCode: customers.code, currency: customers.currency })
      .from(projects)
      .innerJoin(customers, eq(customers.id, projects.customerId))
      .where(and(eq(projects.id, input.projectId), isNull(projects.archivedAt)));
    if (!project) return fail('unknown_project', 'Choose a project that still exists.', 'project');
    // Held until commit, after its submitted sheets for a new manager (the order a removal takes
    // them in): a project removed meanwhile is said so, not a foreign-key error.
    if (input.as === 'manager') await lockSheetsWithTimeOn(tx, [project.id], 'submitted');
    const [held] = await tx
      .select({ id: projects.id })
      .from(projects)
      .where(and(eq(projects.id, project.id), isNull(projects.archivedAt)))
      .for('key share');
    if (!held) return fail('unknown_project', 'Choose a project that still exists.', 'project');
    // Cost is paid in the firm's currency; the price is billed in the customer's.
    const cost = parseOptionalRate(input.costRate, ctx.org.currency, 'cost');
    if (!cost.ok) return cost;
    const price = parseOptionalRate(input.priceRate, project.currency, 'price');
    if (!price.ok) return price;
    if (input.as === 'consultant' && price.minor === null && project.currency !== ctx.org.currency)
      return fail(
        'price_rate_needed',
        `${project.customerCode} is billed in ${project.currency}, and a consultant's default price rate is in ${ctx.org.currency}: give a price rate in ${project.currency} for ${project.code}.`,
        'price',
      );
    const role = input.as === 'consultant' ? consultants : managers;
    const [holder] = await tx
      .select({ id: role.employeeId })
      .from(role)
      .where(and(eq(role.employeeId, input.employeeId), isNull(role.archivedAt)));
    if (!holder) return fail('not_in_role', `Make them a ${input.as} first (Edit details), then assign them.`, 'as');
    let before: typeof projectConsultants.$inferSelect | null = null;
    if (input.as === 'consultant') {
      const rates = { costRateCents: cost.minor, priceRateCents: price.minor };
      [before = null] = await tx
        .select()
        .from(projectConsultants)
        .where(and(eq(projectConsultants.projectId, project.id), eq(projectConsultants.consultantId, input.employeeId)))
        .for('update');
      await tx
        .insert(projectConsultants)
        .values({ projectId: project.id, consultantId: input.employeeId, ...rates })
        .onConflictDoUpdate({
          target: [projectConsultants.projectId, projectConsultants.consultantId],
          set: { ...rates, archivedAt: null, updatedAt: ctx.clock.now() },
        });
    } else {
      const added = await tx
        .insert(projectManagers)
        .values({ projectId: project.id, managerId: input.employeeId })
        .onConflictDoNothing()
        .returning();
      // Sheets waiting for approval on this project now ask the new manager too.
      if (added.length) await rerouteApprovals(tx, ctx, { projectIds: [project.id] });
    }
    await recordAudit(tx, ctx, {
      action: 'employee.assign',
      entity: 'employee',
      entityId: input.employeeId,
      before,
      after: { projectId: project.id, as: input.as, costRateCents: cost.minor, priceRateCents: price.minor },
    });
    return { ok: true as const, project: { id: project.id, code: project.code } };
  });
}

/**
 * Takes an employee off the marked projects; their logged time stays where it is. A consultant's
 * assignment is archived, keeping its rate override for that time; a manager's pending decisions
 * on those projects are withdrawn and the sheets routed again, in this transaction.
 */
export async function removeFromProjects(
  ctx: ServiceContext,
  employeeId: number,
  marked: { projectId: number; as: AssignmentRole }[],
): Promise<Result<{ removed: number }>> {
  if (marked.length === 0) return fail('nothing_marked', 'Mark the projects to take them off first.');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    if (marked.some((m) => m.as === 'manager')) await lockTeamsToChange(tx);
    await lockSheetsWithTimeOn(
      tx,
      marked.filter((m) => m.as === 'manager').map((m) => m.projectId),
      'submitted',
    );
    let removed = 0;
    const managed: number[] = [];
    for (const { projectId, as } of marked) {
      const gone =
        as === 'consultant'
          ? await tx
              .update(projectConsultants)
              .set({ archivedAt: ctx.clock.now() })
              .where(
                and(
                  eq(projectConsultants.projectId, projectId),
                  eq(projectConsultants.consultantId, employeeId),
                  isNull(projectConsultants.archivedAt),
                ),
              )
              .returning()
          : await tx
              .delete(projectManagers)
              .where(and(eq(projectManagers.projectId, projectId), eq(projectManagers.managerId, employeeId)))
              .returning();
      if (gone.length === 0) continue;
      removed += 1;
      if (as === 'manager') managed.push(projectId);
      await recordAudit(tx, ctx, {
        action: 'employee.unassign',
        entity: 'employee',
        entityId: employeeId,
        before: { projectId, as, ...gone[0] },
      });
    }
    await rerouteApprovals(tx, ctx, { projectIds: managed });
    return { ok: true as const, removed };
  });
}
