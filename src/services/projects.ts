import { and, asc, eq, inArray, isNull, ne, notInArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import {
  consultants,
  customers,
  employees,
  managers,
  projectConsultants,
  projectManagers,
  projects,
} from '../db/schema.js';
import { parseOptionalRate } from '../domain/money.js';
import { fail, type Result } from '../domain/result.js';
import { recordAudit } from './audit.js';
import { dropSubmittedTimeOn } from './approvals.js';
import {
  deleteOpenTimeOnProjects,
  lockSheetsWithTimeOn,
  type OpenTimeImpact,
  projectsWithHistory,
  timeOnProjects,
} from './open-time.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS } from './operations.js';
import { serviceTransaction } from './transaction.js';

export type ProjectRow = {
  id: number;
  code: string;
  name: string;
  description: string;
  address: string;
  notes: string;
  active: boolean;
  customerId: number;
  customerCode: string;
  managerIds: number[];
  consultantIds: number[];
  /** Per-project overrides; null falls back to the consultant's default. */
  rates: { consultantId: number; costRateCents: number | null; priceRateCents: number | null }[];
};
export type TeamChoice = { employeeId: number; name: string };
export type ProjectChoices = {
  customers: { id: number; code: string; name: string }[];
  managers: TeamChoice[];
  consultants: TeamChoice[];
};
export type ProjectInput = {
  id?: number;
  code: string;
  customerId: number;
  name: string;
  description: string;
  address: string;
  notes: string;
  active: boolean;
  /** The whole team for that role; left out, the team stays as it is (the form leaves out a list too long for a menu). */
  managerIds?: number[];
  consultantIds?: number[];
};

const CODE = /^[A-Z0-9][A-Z0-9-]{1,19}$/;

/** Live projects with their teams, and what a project form can choose from. */
export async function listProjects(
  ctx: ServiceContext,
): Promise<Result<{ projects: ProjectRow[]; choices: ProjectChoices }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    const rows = await tx
      .select({ project: projects, customerCode: customers.code })
      .from(projects)
      .innerJoin(customers, eq(customers.id, projects.customerId))
      .where(isNull(projects.archivedAt))
      .orderBy(asc(projects.code));
    const people = (table: typeof managers | typeof consultants) =>
      tx
        .select({ employeeId: employees.id, name: employees.name })
        .from(table)
        .innerJoin(employees, eq(employees.id, table.employeeId))
        .where(and(isNull(table.archivedAt), isNull(employees.archivedAt)))
        .orderBy(asc(employees.name));
    const liveManagers = await people(managers);
    const liveConsultants = await people(consultants);
    // Someone whose manager or consultant role was dropped is no longer on any team.
    const isManager = new Set(liveManagers.map((m) => m.employeeId));
    const isConsultant = new Set(liveConsultants.map((c) => c.employeeId));
    const team = (await tx.select().from(projectManagers)).filter((m) => isManager.has(m.managerId));
    const assigned = (await tx.select().from(projectConsultants)).filter((c) => isConsultant.has(c.consultantId));
    return {
      ok: true as const,
      projects: rows.map(({ project, customerCode }) =>
        projectRow(
          project,
          customerCode,
          team.filter((m) => m.projectId === project.id).map((m) => m.managerId),
          assigned.filter((c) => c.projectId === project.id),
        ),
      ),
      choices: {
        customers: await tx
          .select({ id: customers.id, code: customers.code, name: customers.name })
          .from(customers)
          .where(isNull(customers.archivedAt))
          .orderBy(asc(customers.code)),
        managers: liveManagers,
        consultants: liveConsultants,
      },
    };
  });
}

function projectRow(
  project: typeof projects.$inferSelect,
  customerCode: string,
  managerIds: number[],
  rates: ProjectRow['rates'],
): ProjectRow {
  const { id, code, name, description, address, notes, active, customerId } = project;
  const overrides = rates.map(({ consultantId, costRateCents, priceRateCents }) => ({
    consultantId,
    costRateCents,
    priceRateCents,
  }));
  return {
    id,
    code,
    name,
    description,
    address,
    notes,
    active,
    customerId,
    customerCode,
    managerIds,
    consultantIds: overrides.map((r) => r.consultantId),
    rates: overrides,
  };
}

/**
 * Creates or changes a project and sets each team it is given exactly: managers, and consultants
 * (a consultant who stays keeps their rate overrides, which Consultant rates… and Assign to project set).
 */
export async function saveProject(
  ctx: ServiceContext,
  input: ProjectInput,
): Promise<Result<{ project: { id: number; code: string } }>> {
  const code = input.code.trim().toUpperCase();
  const name = input.name.trim();
  if (!CODE.test(code))
    return fail(
      'invalid_code',
      'A code is 2 to 20 letters, digits or dashes, starting with a letter or digit, like ACME-WEB.',
      'code',
    );
  if (!name || name.length > 100) return fail('invalid_name', 'Give a name of at most 100 characters.', 'name');
  if (input.description.length > 2000)
    return fail('too_long', 'Keep the description to 2000 characters.', 'description');
  if (input.address.length > 2000) return fail('too_long', 'Keep the address to 2000 characters.', 'address');
  if (input.notes.length > 2000) return fail('too_long', 'Keep the notes to 2000 characters.', 'notes');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    const customer = await tx.query.customers.findFirst({
      where: and(eq(customers.id, input.customerId), isNull(customers.archivedAt)),
    });
    if (!customer) return fail('unknown_customer', 'Choose a customer that still exists.', 'customer');
    const clash = await tx
      .select({ id: projects.id })
      .from(projects)
      .where(and(eq(projects.code, code), input.id !== undefined ? ne(projects.id, input.id) : undefined));
    if (clash.length) return fail('duplicate', `There is already a project ${code}.`, 'code');
    const managerIds = input.managerIds && [...new Set(input.managerIds)];
    const consultantIds = input.consultantIds && [...new Set(input.consultantIds)];
    const knownManagers = managerIds?.length
      ? await tx
          .select({ id: managers.employeeId })
          .from(managers)
          .where(and(inArray(managers.employeeId, managerIds), isNull(managers.archivedAt)))
      : [];
    if (managerIds && knownManagers.length !== managerIds.length)
      return fail('unknown_manager', 'One of those managers is no longer a manager; open the form again.', 'managers');
    const knownConsultants = consultantIds?.length
      ? await tx
          .select({ id: consultants.employeeId })
          .from(consultants)
          .where(and(inArray(consultants.employeeId, consultantIds), isNull(consultants.archivedAt)))
      : [];
    if (consultantIds && knownConsultants.length !== consultantIds.length)
      return fail(
        'unknown_consultant',
        'One of those consultants is no longer a consultant; open the form again.',
        'consultants',
      );

    const values = {
      code,
      customerId: customer.id,
      name,
      description: input.description.trim(),
      address: input.address.trim(),
      notes: input.notes.trim(),
      active: input.active,
    };
    let id: number;
    if (input.id === undefined) {
      const [row] = await tx.insert(projects).values(values).returning();
      id = row!.id;
      await recordAudit(tx, ctx, { action: 'project.create', entity: 'project', entityId: id, after: row });
    } else {
      const [before] = await tx
        .select()
        .from(projects)
        .where(and(eq(projects.id, input.id), isNull(projects.archivedAt)))
        .for('update');
      if (!before) return fail('gone', 'That project no longer exists.');
      const [after] = await tx
        .update(projects)
        .set({ ...values, updatedAt: ctx.clock.now() })
        .where(eq(projects.id, input.id))
        .returning();
      id = input.id;
      await recordAudit(tx, ctx, { action: 'project.update', entity: 'project', entityId: id, before, after });
    }
    if (managerIds) {
      await tx
        .delete(projectManagers)
        .where(
          and(
            eq(projectManagers.projectId, id),
            managerIds.length ? notInArray(projectManagers.managerId, managerIds) : undefined,
          ),
        );
      for (const managerId of managerIds)
        await tx.insert(projectManagers).values({ projectId: id, managerId }).onConflictDoNothing();
    }
    if (consultantIds) {
      await tx
        .delete(projectConsultants)
        .where(
          and(
            eq(projectConsultants.projectId, id),
            consultantIds.length ? notInArray(projectConsultants.consultantId, consultantIds) : undefined,
          ),
        );
      for (const consultantId of consultantIds)
        await tx.insert(projectConsultants).values({ projectId: id, consultantId }).onConflictDoNothing();
    }
    if (managerIds || consultantIds)
      await recordAudit(tx, ctx, {
        action: 'project.set_team',
        entity: 'project',
        entityId: id,
        after: { managerIds, consultantIds },
      });
    return { ok: true as const, project: { id, code } };
  });
}

/**
 * Sets a consultant's rates on one project; an empty rate falls back to the consultant's default.
 * Approved time keeps the rates frozen on it.
 */
export async function setAssignmentRates(
  ctx: ServiceContext,
  input: { projectId: number; consultantId: number; costRate: string; priceRate: string },
): Promise<Result<{ costRateCents: number | null; priceRateCents: number | null }>> {
  const cost = parseOptionalRate(input.costRate);
  if (!cost.ok) return fail('invalid_rate', cost.error.message, 'cost');
  const price = parseOptionalRate(input.priceRate);
  if (!price.ok) return fail('invalid_rate', price.error.message, 'price');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    const where = and(
      eq(projectConsultants.projectId, input.projectId),
      eq(projectConsultants.consultantId, input.consultantId),
    );
    const [before] = await tx.select().from(projectConsultants).where(where).for('update');
    if (!before)
      return fail('not_assigned', 'That consultant is not on this project any more; add them first.', 'consultant');
    const [after] = await tx
      .update(projectConsultants)
      .set({ costRateCents: cost.cents, priceRateCents: price.cents, updatedAt: ctx.clock.now() })
      .where(where)
      .returning();
    await recordAudit(tx, ctx, {
      action: 'project.set_rates',
      entity: 'project',
      entityId: input.projectId,
      before,
      after,
    });
    return { ok: true as const, costRateCents: after!.costRateCents, priceRateCents: after!.priceRateCents };
  });
}

export type ProjectDeletion = OpenTimeImpact & { projects: number; archived: string[] };

/** What removing these projects does, for the confirm dialog. */
export async function projectDeletionImpact(
  ctx: ServiceContext,
  projectIds: number[],
): Promise<Result<{ impact: ProjectDeletion }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    const live = await tx
      .select({ id: projects.id, code: projects.code })
      .from(projects)
      .where(and(inArray(projects.id, projectIds), isNull(projects.archivedAt)))
      .orderBy(asc(projects.code));
    return { ok: true as const, impact: await impactOf(tx, live) };
  });
}

/**
 * Removes projects. Their time on open and submitted timesheets is deleted (each submitted sheet
 * settled again, its managers told); a project with approved
 * or rejected time is archived (gone from lists and pickers, kept in reports), the others deleted.
 */
export async function deleteProjects(
  ctx: ServiceContext,
  projectIds: number[],
): Promise<Result<{ deleted: ProjectDeletion }>> {
  if (projectIds.length === 0) return fail('nothing_marked', 'Mark the projects to remove first.');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    const sheets = await lockSheetsWithTimeOn(tx, projectIds);
    const targets = await tx
      .select()
      .from(projects)
      .where(and(inArray(projects.id, projectIds), isNull(projects.archivedAt)))
      .orderBy(asc(projects.id))
      .for('update');
    if (targets.length !== new Set(projectIds).size)
      return fail('stale', 'Some of those projects are already gone; look at the list again and retry.');
    await lockSheetsWithTimeOn(tx, projectIds, sheets);
    const impact = await impactOf(tx, targets);
    await deleteOpenTimeOnProjects(tx, projectIds);
    await dropSubmittedTimeOn(tx, ctx, projectIds);
    const now = ctx.clock.now();
    for (const project of targets) {
      const keep = impact.archived.includes(project.code);
      if (keep) {
        await tx.update(projects).set({ archivedAt: now, active: false }).where(eq(projects.id, project.id));
      } else {
        await tx.delete(projects).where(eq(projects.id, project.id));
      }
      await recordAudit(tx, ctx, {
        action: keep ? 'project.archive' : 'project.delete',
        entity: 'project',
        entityId: project.id,
        before: project,
      });
    }
    return { ok: true as const, deleted: impact };
  });
}

async function impactOf(q: Queryable, live: { id: number; code: string }[]): Promise<ProjectDeletion> {
  const ids = live.map((p) => p.id);
  const withHistory = await projectsWithHistory(q, ids);
  return {
    projects: live.length,
    ...(await timeOnProjects(q, ids)),
    archived: live
      .filter((p) => withHistory.has(p.id))
      .map((p) => p.code)
      .sort(),
  };
}

export type ProjectMember = { employeeId: number; name: string };
export type ProjectConsultant = ProjectMember & {
  costRateCents: number | null;
  priceRateCents: number | null;
  defaultCostRateCents: number;
  defaultPriceRateCents: number;
};
export type ProjectDetail = {
  project: ProjectRow;
  customer: { id: number; code: string; name: string };
  managers: ProjectMember[];
  consultants: ProjectConsultant[];
};

/** One live project with its customer and its team (consultants with their rates here and by default). */
export async function projectDetail(ctx: ServiceContext, projectId: number): Promise<Result<ProjectDetail>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    const [row] = await tx
      .select({ project: projects, customer: { id: customers.id, code: customers.code, name: customers.name } })
      .from(projects)
      .innerJoin(customers, eq(customers.id, projects.customerId))
      .where(and(eq(projects.id, projectId), isNull(projects.archivedAt)));
    if (!row) return fail('gone', 'That project no longer exists.');
    const team = await tx
      .select({ employeeId: employees.id, name: employees.name })
      .from(projectManagers)
      .innerJoin(managers, eq(managers.employeeId, projectManagers.managerId))
      .innerJoin(employees, eq(employees.id, managers.employeeId))
      .where(and(eq(projectManagers.projectId, projectId), isNull(managers.archivedAt), isNull(employees.archivedAt)))
      .orderBy(asc(employees.name));
    const assigned = await tx
      .select({
        employeeId: employees.id,
        name: employees.name,
        costRateCents: projectConsultants.costRateCents,
        priceRateCents: projectConsultants.priceRateCents,
        defaultCostRateCents: consultants.defaultCostRateCents,
        defaultPriceRateCents: consultants.defaultPriceRateCents,
      })
      .from(projectConsultants)
      .innerJoin(consultants, eq(consultants.employeeId, projectConsultants.consultantId))
      .innerJoin(employees, eq(employees.id, consultants.employeeId))
      .where(
        and(eq(projectConsultants.projectId, projectId), isNull(consultants.archivedAt), isNull(employees.archivedAt)),
      )
      .orderBy(asc(employees.name));
    const { project, customer } = row;
    return {
      ok: true as const,
      project: projectRow(
        project,
        customer.code,
        team.map((m) => m.employeeId),
        assigned.map((c) => ({
          consultantId: c.employeeId,
          costRateCents: c.costRateCents,
          priceRateCents: c.priceRateCents,
        })),
      ),
      customer,
      managers: team,
      consultants: assigned,
    };
  });
}
