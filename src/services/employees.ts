import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { consultants, employees, managers, timesheets, users } from '../db/schema.js';
import { formatAmount, parseRate } from '../domain/money.js';
import { fail, type Result } from '../domain/result.js';
import { MAX_NAME_LENGTH } from '../domain/names.js';
import { lockTeamsToChange, projectsManagedBy, rerouteApprovals } from './approval-routing.js';
import { recordAudit, recordRemovedSheets } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS } from './operations.js';
import { unsettledTime } from './employee-removal.js';
import { serviceTransaction } from './transaction.js';
import { MAX_ADDRESS_LENGTH, MAX_NOTES_LENGTH } from '../domain/contact.js';

export type EmployeeRow = {
  id: number;
  userId: string | null;
  name: string;
  address: string;
  notes: string;
  consultant: { costRate: string; priceRate: string } | null;
  manager: boolean;
};
export type EmployeeInput = {
  id?: number;
  userId: string;
  name: string;
  address: string;
  notes: string;
  consultant: { costRate: string; priceRate: string } | null;
  manager: boolean;
};

export async function listEmployees(ctx: ServiceContext): Promise<Result<{ employees: EmployeeRow[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageEmployees.right);
    if (!access.ok) return access;
    return { ok: true as const, employees: await employeeRows(tx, ctx.org.currency) };
  });
}

/** Live employees (or the one asked for) with their consultant rates (in the firm's currency) and manager role. */
export async function employeeRows(q: Queryable, firmCurrency: string, employeeId?: number): Promise<EmployeeRow[]> {
  const rows = await q
    .select({ employee: employees, consultant: consultants, managerId: managers.employeeId })
    .from(employees)
    .leftJoin(consultants, and(eq(consultants.employeeId, employees.id), isNull(consultants.archivedAt)))
    .leftJoin(managers, and(eq(managers.employeeId, employees.id), isNull(managers.archivedAt)))
    .where(and(isNull(employees.archivedAt), employeeId === undefined ? undefined : eq(employees.id, employeeId)))
    .orderBy(asc(employees.name));
  return rows.map(({ employee, consultant, managerId }) => ({
    id: employee.id,
    userId: employee.userId,
    name: employee.name,
    address: employee.address,
    notes: employee.notes,
    consultant: consultant
      ? {
          costRate: formatAmount(consultant.defaultCostRateCents, firmCurrency),
          priceRate: formatAmount(consultant.defaultPriceRateCents, firmCurrency),
        }
      : null,
    manager: managerId !== null,
  }));
}

/**
 * Creates or changes an employee. Rates are decimals converted to cents exactly. Dropping the
 * consultant or manager role archives that record, so past time and approvals keep their people.
 */
export async function saveEmployee(
  ctx: ServiceContext,
  input: EmployeeInput,
): Promise<Result<{ employee: { id: number; name: string } }>> {
  const name = input.name.trim();
  if (!/^[UW][A-Z0-9]{2,}$/.test(input.userId)) return fail('invalid_user', 'Choose the person in Slack.', 'user');
  if (!name || name.length > MAX_NAME_LENGTH)
    return fail('invalid_name', `Give a name of at most ${MAX_NAME_LENGTH} characters.`, 'name');
  if (input.address.length > MAX_ADDRESS_LENGTH)
    return fail('too_long', `Keep the address to ${MAX_ADDRESS_LENGTH} characters.`, 'address');
  if (input.notes.length > MAX_NOTES_LENGTH)
    return fail('too_long', `Keep the notes to ${MAX_NOTES_LENGTH} characters.`, 'notes');
  let rates: { defaultCostRateCents: number; defaultPriceRateCents: number } | null = null;
  if (input.consultant) {
    // A consultant's default rates are in the firm's currency.
    const cost = parseRate(input.consultant.costRate, ctx.org.currency, 'cost');
    if (!cost.ok) return cost;
    const price = parseRate(input.consultant.priceRate, ctx.org.currency, 'price');
    if (!price.ok) return price;
    rates = { defaultCostRateCents: cost.minor, defaultPriceRateCents: price.minor };
  }
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageEmployees.right);
    if (!access.ok) return access;
    // Who decides may change (the manager role, the Slack member it is held by): `lockTeamsToRoute`.
    await lockTeamsToChange(tx);
    const holder = await tx.query.employees.findFirst({ where: eq(employees.userId, input.userId) });
    const returning = holder?.archivedAt ? holder : undefined;
    if (holder && holder.id !== input.id && !returning)
      return fail('duplicate', `${holder.name} is already this person's employee record.`, 'user');
    if (returning && input.id !== undefined)
      return fail(
        'duplicate',
        `This person's earlier record (${returning.name}) is archived: add them with New employee to bring it back.`,
        'user',
      );
    await tx.insert(users).values({ id: input.userId, displayName: name }).onConflictDoNothing();
    const values = { userId: input.userId, name, address: input.address.trim(), notes: input.notes.trim() };
    let id: number;
    /** The Slack member the record was held by before this save, when it changes. */
    let formerUserId: string | undefined;
    if (returning) {
      // Someone who comes back gets their archived record again, with its history.
      const [after] = await tx
        .update(employees)
        .set({ ...values, archivedAt: null, updatedAt: ctx.clock.now() })
        .where(eq(employees.id, returning.id))
        .returning();
      id = returning.id;
      await recordAudit(tx, ctx, {
        action: 'employee.restore',
        entity: 'employee',
        entityId: id,
        before: returning,
        after: { ...after, rates, manager: input.manager },
      });
    } else if (input.id === undefined) {
      const [row] = await tx.insert(employees).values(values).returning();
      id = row!.id;
      await recordAudit(tx, ctx, {
        action: 'employee.create',
        entity: 'employee',
        entityId: id,
        after: { ...row, rates, manager: input.manager },
      });
    } else {
      const [before] = await tx
        .select()
        .from(employees)
        .where(and(eq(employees.id, input.id), isNull(employees.archivedAt)))
        .for('update');
      if (!before) return fail('gone', 'That employee no longer exists.');
      if (before.userId !== input.userId) formerUserId = before.userId ?? undefined;
      const [after] = await tx
        .update(employees)
        .set({ ...values, updatedAt: ctx.clock.now() })
        .where(eq(employees.id, input.id))
        .returning();
      id = input.id;
      await recordAudit(tx, ctx, {
        action: 'employee.update',
        entity: 'employee',
        entityId: id,
        before,
        after: { ...after, rates, manager: input.manager },
      });
    }
    const now = ctx.clock.now();
    if (rates) {
      const [earlier] = await tx.select().from(consultants).where(eq(consultants.employeeId, id));
      await tx
        .insert(consultants)
        .values({ employeeId: id, ...rates })
        .onConflictDoUpdate({ target: consultants.employeeId, set: { ...rates, archivedAt: null, updatedAt: now } });
      if (
        earlier?.defaultCostRateCents !== rates.defaultCostRateCents ||
        earlier.defaultPriceRateCents !== rates.defaultPriceRateCents
      )
        await recordAudit(tx, ctx, {
          action: 'consultant.set_rates',
          entity: 'employee',
          entityId: id,
          before: earlier
            ? {
                defaultCostRateCents: earlier.defaultCostRateCents,
                defaultPriceRateCents: earlier.defaultPriceRateCents,
              }
            : null,
          after: rates,
        });
    } else {
      // Dropping the role must not strand time that is still to be approved or submitted; empty open sheets go.
      const unsettled = await unsettledTime(tx, [id]);
      if (unsettled.openSheets > 0) {
        const entries = `${unsettled.openEntries} ${unsettled.openEntries === 1 ? 'entry' : 'entries'}`;
        const sheets = `${unsettled.openSheets} open or submitted ${unsettled.openSheets === 1 ? 'timesheet' : 'timesheets'}`;
        return fail(
          'unsettled_time',
          `${name} has ${entries} on ${sheets}. Settle those in Timesheets first, or delete ${name} from the Employees list, which removes them too.`,
          'roles',
        );
      }
      await recordRemovedSheets(
        tx,
        ctx,
        sql`t.consultant_id = ${id} and t.status = 'open'`,
        'employee.drop_consultant',
      );
      await tx.delete(timesheets).where(and(eq(timesheets.consultantId, id), eq(timesheets.status, 'open')));
      await tx
        .update(consultants)
        .set({ archivedAt: now })
        .where(and(eq(consultants.employeeId, id), isNull(consultants.archivedAt)));
    }
    // Decisions waiting for the member who held the record move to whoever decides now.
    const waitingFor = formerUserId ? [formerUserId] : [];
    if (input.manager) {
      const [earlier] = await tx.select().from(managers).where(eq(managers.employeeId, id));
      await tx
        .insert(managers)
        .values({ employeeId: id })
        .onConflictDoUpdate({ target: managers.employeeId, set: { archivedAt: null } });
      // A manager again (or now held by another member): the sheets on their projects ask them.
      const managesAgain = earlier?.archivedAt != null || formerUserId !== undefined;
      const projectIds = managesAgain ? await projectsManagedBy(tx, [id]) : [];
      await rerouteApprovals(tx, ctx, { projectIds, approverIds: waitingFor });
    } else {
      const dropped = await tx
        .update(managers)
        .set({ archivedAt: now })
        .where(and(eq(managers.employeeId, id), isNull(managers.archivedAt)))
        .returning();
      // No longer a manager: their pending decisions move to the projects' other managers (or admins).
      await rerouteApprovals(tx, ctx, { approverIds: [...(dropped.length ? [input.userId] : []), ...waitingFor] });
    }
    return { ok: true as const, employee: { id, name } };
  });
}
