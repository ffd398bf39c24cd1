import { and, asc, eq, inArray, isNotNull, isNull, ne, notInArray, type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
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
import { type Failure, fail, type Result } from '../domain/result.js';
import { MAX_NAME_LENGTH } from '../domain/names.js';
import { lockTeamsToChange, rerouteApprovals } from './approval-routing.js';
import { recordAudit } from './audit.js';
import { dropSubmittedTimeOn } from './submitted-time-removal.js';
import {
  deleteOpenTimeOnProjects,
  lockSheetsWithTimeOn,
  sheetsGainedTimeOn,
  startingOverWhileTimeMoves,
  timeMoved,
  type OpenTimeImpact,
  projectsWithHistory,
  timeOnProjects,
} from './open-time.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS } from './operations.js';
import { serviceTransaction } from './transaction.js';
import { CODE, typedCode } from '../domain/codes.js';

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
    const assigned = (await tx.select().from(projectConsultants).where(isNull(projectConsultants.archivedAt))).filter(
      (c) => isConsultant.has(c.consultantId),
    );
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
  const code = typedCode(input.code);
  const name = input.name.trim();
  if (!CODE.test(code))
    return fail(
      'invalid_code',
      'A code is 2 to 20 letters, digits or dashes, starting with a letter or digit, like ACME-WEB.',
      'code',
    );
  if (!name || name.length > MAX_NAME_LENGTH)
    return fail('invalid_name', `Give a name of at most ${MAX_NAME_LENGTH} characters.`, 'name');
  if (input.description.length > 2000)
    return fail('too_long', 'Keep the description to 2000 characters.', 'description');
  if (input.address.length > 2000) return fail('too_long', 'Keep the address to 2000 characters.', 'address');
  if (input.notes.length > 2000) return fail('too_long', 'Keep the notes to 2000 characters.', 'notes');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    if (input.managerIds) await lockTeamsToChange(tx);
    const customer = await tx.query.customers.findFirst({
      where: and(eq(customers.id, input.customerId), isNull(customers.archivedAt)),
    });
    if (!customer) return fail('unknown_customer', 'Choose a customer that still exists.', 'customer');
    const clash = await tx
      .select({ id: projects.id, archivedAt: projects.archivedAt })
      .from(projects)
      .where(and(eq(projects.code, code), input.id !== undefined ? ne(projects.id, input.id) : undefined));
    if (clash[0])
      return fail(
        'duplicate',
        clash[0].archivedAt
          ? `${code} belongs to a deleted project, kept for its history (timesheets, reports and invoices name it), so it cannot be used again: choose another code.`
          : `There is already a project ${code}.`,
        'code',
      );
    const managerIds = input.managerIds && [...new Set(input.managerIds)].sort((a, b) => a - b);
    const consultantIds = input.consultantIds && [...new Set(input.consultantIds)].sort((a, b) => a - b);
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
      // A change of managers reroutes the project's submitted sheets: they lock before the project,
      // the order decisions (a rejection's copied entries hold the project) and removals take.
      if (input.managerIds) await lockSheetsWithTimeOn(tx, [input.id], 'submitted');
      const [before] = await tx
        .select()
        .from(projects)
        .where(and(eq(projects.id, input.id), isNull(projects.archivedAt)))
        .for('update');
      if (!before) return fail('gone', 'That project no longer exists.');
      if (before.customerId !== customer.id) {
        const refusal = await customerFixed(tx, before);
        if (refusal) return refusal;
        const from = await tx.query.customers.findFirst({ where: eq(customers.id, before.customerId) });
        if (from && from.currency !== customer.currency) return currencyDiffers(before.code, from, customer);
      }
      const [after] = await tx
        .update(projects)
        .set({ ...values, updatedAt: ctx.clock.now() })
        .where(eq(projects.id, input.id))
        .returning();
      id = input.id;
      await recordAudit(tx, ctx, { action: 'project.update', entity: 'project', entityId: id, before, after });
    }
    const team = await teamOf(tx, id);
    if (consultantIds) {
      const joining = consultantIds.filter((c) => !team.consultantIds.includes(c));
      const refusal = await priceRateNeeded(tx, ctx, customer, id, joining);
      if (refusal) return refusal;
      // Taken off: archived, so time they logged here keeps its override when it is approved.
      const leaving = team.consultantIds.filter((c) => !consultantIds.includes(c));
      if (leaving.length)
        await tx
          .update(projectConsultants)
          .set({ archivedAt: ctx.clock.now() })
          .where(and(eq(projectConsultants.projectId, id), inArray(projectConsultants.consultantId, leaving)));
      for (const consultantId of joining)
        await tx
          .insert(projectConsultants)
          .values({ projectId: id, consultantId })
          .onConflictDoUpdate({
            target: [projectConsultants.projectId, projectConsultants.consultantId],
            set: { archivedAt: null, updatedAt: ctx.clock.now() },
          });
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
      // Sheets waiting for approval follow the new managers in this transaction.
      if (managerIds.join() !== team.managerIds.join()) await rerouteApprovals(tx, ctx, { projectIds: [id] });
    }
    if (managerIds || consultantIds)
      await recordAudit(tx, ctx, {
        action: 'project.set_team',
        entity: 'project',
        entityId: id,
        before: team,
        after: {
          managerIds: managerIds?.sort((a, b) => a - b) ?? team.managerIds,
          consultantIds: consultantIds?.sort((a, b) => a - b) ?? team.consultantIds,
        },
      });
    return { ok: true as const, project: { id, code } };
  });
}

/**
 * A project's approved or rejected time (its prices, invoices and prepaid deductions) belongs to
 * the customer it was billed to, and invoices and reports read a project's customer: such a
 * project stays with its customer.
 */
export async function customerFixed(
  q: Queryable,
  project: { id: number; code: string; customerId: number },
): Promise<{ ok: false; error: Failure } | undefined> {
  if (!(await projectsWithHistory(q, [project.id])).has(project.id)) return undefined;
  const owner = await q.query.customers.findFirst({ where: eq(customers.id, project.customerId) });
  return fail(
    'customer_fixed',
    `${project.code} has approved time billed to ${owner?.code ?? 'its customer'}, so it stays with that customer. To bill another customer from now on, add a new project for it.`,
    'customer',
  );
}

/**
 * A project moves only to a customer billed in the same currency: its consultants' price rates, and
 * the prices its time will be approved at, are amounts in that currency.
 */
export function currencyDiffers(
  code: string,
  from: { code: string; currency: string },
  to: { code: string; currency: string },
): { ok: false; error: Failure } {
  return fail(
    'currency_differs',
    `${code} is billed in ${from.currency} with ${from.code}, and ${to.code} bills in ${to.currency}: its price rates are amounts in ${from.currency}. To bill ${to.code}, add a new project for it.`,
    'customer',
  );
}

/** Why someone no longer on the team can be named by `consultantsToReprice`. */
export const TAKEN_OFF_COUNT = 'Someone taken off a project counts until the time they logged there is approved.';

/**
 * Consultants whose time on these projects is still to be priced (on the team, or taken off it with
 * time not yet approved there) whose price a change of the customer's currency would misread: all
 * of them for a currency other than the firm's (their default is in the firm's, and a project
 * price rate is an amount in the old currency), else those with a project price rate. Up to five,
 * for the refusal's message.
 */
export async function consultantsToReprice(
  q: Queryable,
  projectsWhere: SQL,
  toFirmCurrency: boolean,
): Promise<{ name: string; code: string }[]> {
  return queryRows<{ name: string; code: string }>(
    q,
    sql`select e.name, p.code from project_consultants pc
          join projects p on p.id = pc.project_id and p.archived_at is null
          join employees e on e.id = pc.consultant_id
         where ${projectsWhere} ${toFirmCurrency ? sql`and pc.price_rate_cents is not null` : sql``}
           and (pc.archived_at is null
                or exists (select from time_entries te join timesheets t on t.id = te.timesheet_id
                            where te.project_id = p.id and t.consultant_id = pc.consultant_id
                              and t.status in ('open', 'submitted')))
         order by p.code, e.name limit 5`,
  );
}

/** A project's live team, ids in order. */
async function teamOf(tx: Queryable, projectId: number): Promise<{ managerIds: number[]; consultantIds: number[] }> {
  const managerRows = await tx
    .select({ id: projectManagers.managerId })
    .from(projectManagers)
    .where(eq(projectManagers.projectId, projectId))
    .orderBy(asc(projectManagers.managerId));
  const consultantRows = await tx
    .select({ id: projectConsultants.consultantId })
    .from(projectConsultants)
    .where(and(eq(projectConsultants.projectId, projectId), isNull(projectConsultants.archivedAt)))
    .orderBy(asc(projectConsultants.consultantId));
  return { managerIds: managerRows.map((r) => r.id), consultantIds: consultantRows.map((r) => r.id) };
}

/**
 * A consultant's default price rate is in the firm's currency, so on a project of a customer
 * billed in another one they need a project price rate first: a consultant coming back keeps the
 * one they had; anyone else is refused here, with where to set it.
 */
async function priceRateNeeded(
  tx: Queryable,
  ctx: ServiceContext,
  customer: { code: string; currency: string },
  projectId: number,
  joining: number[],
): Promise<{ ok: false; error: Failure } | undefined> {
  if (joining.length === 0 || customer.currency === ctx.org.currency) return undefined;
  const priced = new Set(
    (
      await tx
        .select({ id: projectConsultants.consultantId })
        .from(projectConsultants)
        .where(
          and(
            eq(projectConsultants.projectId, projectId),
            inArray(projectConsultants.consultantId, joining),
            isNotNull(projectConsultants.priceRateCents),
          ),
        )
    ).map((r) => r.id),
  );
  const unpriced = joining.filter((id) => !priced.has(id));
  if (unpriced.length === 0) return undefined;
  const names = await tx
    .select({ name: employees.name })
    .from(employees)
    .where(inArray(employees.id, unpriced))
    .orderBy(asc(employees.name));
  return fail(
    'price_rate_needed',
    `${customer.code} is billed in ${customer.currency}, but a consultant's default price rate is in ${ctx.org.currency}. Add ${names.map((n) => n.name).join(', ')} from their employee page with Assign to project, giving a price rate in ${customer.currency}.`,
    'consultants',
  );
}

/**
 * Sets a consultant's rates on one project; an empty rate falls back to the consultant's default.
 * Approved time keeps the rates frozen on it.
 */
export async function setAssignmentRates(
  ctx: ServiceContext,
  input: { projectId: number; consultantId: number; costRate: string; priceRate: string },
): Promise<Result<{ costRateCents: number | null; priceRateCents: number | null }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    const [project] = await tx
      .select({ customerCode: customers.code, currency: customers.currency })
      .from(projects)
      .innerJoin(customers, eq(customers.id, projects.customerId))
      .where(and(eq(projects.id, input.projectId), isNull(projects.archivedAt)));
    if (!project) return fail('gone', 'That project no longer exists.');
    // Cost is paid in the firm's currency; the price is billed in the customer's.
    const cost = parseOptionalRate(input.costRate, ctx.org.currency, 'cost');
    if (!cost.ok) return cost;
    const price = parseOptionalRate(input.priceRate, project.currency, 'price');
    if (!price.ok) return price;
    if (price.minor === null && project.currency !== ctx.org.currency)
      return fail(
        'price_rate_needed',
        `${project.customerCode} is billed in ${project.currency}, so the consultant's default price rate (in ${ctx.org.currency}) cannot serve here: give a price rate in ${project.currency}.`,
        'price',
      );
    const where = and(
      eq(projectConsultants.projectId, input.projectId),
      eq(projectConsultants.consultantId, input.consultantId),
      isNull(projectConsultants.archivedAt),
    );
    const [before] = await tx.select().from(projectConsultants).where(where).for('update');
    if (!before)
      return fail('not_assigned', 'That consultant is not on this project any more; add them first.', 'consultant');
    const [after] = await tx
      .update(projectConsultants)
      .set({ costRateCents: cost.minor, priceRateCents: price.minor, updatedAt: ctx.clock.now() })
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
  return startingOverWhileTimeMoves(() => removeProjectsOnce(ctx, projectIds));
}

/** `deleteProjects` in one transaction; `timeMoved` if a sheet gained time on the projects as it locked them. */
async function removeProjectsOnce(
  ctx: ServiceContext,
  projectIds: number[],
): Promise<Result<{ deleted: ProjectDeletion }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    const sheets = await lockSheetsWithTimeOn(tx, projectIds);
    await ctx.pause?.('removal:sheets-locked');
    const targets = await tx
      .select()
      .from(projects)
      .where(and(inArray(projects.id, projectIds), isNull(projects.archivedAt)))
      .orderBy(asc(projects.id))
      .for('update');
    await ctx.pause?.('removal:projects-locked');
    if (targets.length !== new Set(projectIds).size)
      return fail('stale', 'Some of those projects are already gone; look at the list again and retry.');
    if (await sheetsGainedTimeOn(tx, projectIds, sheets)) return timeMoved();
    await ctx.pause?.('remove-projects:locked');
    const impact = await impactOf(tx, targets);
    await deleteOpenTimeOnProjects(tx, ctx, projectIds, 'project.remove');
    await dropSubmittedTimeOn(tx, ctx, projectIds, 'project.remove');
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
  /** Price rates are in the customer's currency; cost rates in the firm's (`costCurrency`). */
  customer: { id: number; code: string; name: string; currency: string };
  costCurrency: string;
  managers: ProjectMember[];
  consultants: ProjectConsultant[];
};

/** One live project with its customer and its team (consultants with their rates here and by default). */
export async function projectDetail(ctx: ServiceContext, projectId: number): Promise<Result<ProjectDetail>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageProjects.right);
    if (!access.ok) return access;
    const [row] = await tx
      .select({
        project: projects,
        customer: { id: customers.id, code: customers.code, name: customers.name, currency: customers.currency },
      })
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
        and(
          eq(projectConsultants.projectId, projectId),
          isNull(projectConsultants.archivedAt),
          isNull(consultants.archivedAt),
          isNull(employees.archivedAt),
        ),
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
      costCurrency: ctx.org.currency,
      managers: team,
      consultants: assigned,
    };
  });
}
