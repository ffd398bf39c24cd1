import { and, asc, eq, isNull } from 'drizzle-orm';
import {
  consultants,
  creditLedger,
  customers,
  delegates,
  employees,
  managers,
  projectConsultants,
  projectManagers,
  projects,
  reportingPeriods,
  roles,
  userRoles,
  users,
} from '../db/schema.js';
import { fail, type Result } from '../domain/result.js';
import { minutesToHours, writeSetupYaml } from '../domain/setup-file.js';
import { formatAmount } from '../domain/money.js';
import { authorize } from './authorization.js';
import { OPERATIONS } from './operations.js';
import { readSettings } from './settings.js';
import { isSettingKey, SETTING_FIELDS } from '../domain/settings.js';
import type { ServiceContext } from './context.js';

/**
 * The current setup in the import format (archived rows left out), so that importing it into an
 * empty database rebuilds the same setup, and importing it here changes nothing.
 */
export async function exportSetup(ctx: ServiceContext): Promise<Result<{ yaml: string }>> {
  return ctx.db.transaction(async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.exportSetup.right);
    if (!access.ok) return access;

    const customerRows = await tx
      .select()
      .from(customers)
      .where(isNull(customers.archivedAt))
      .orderBy(asc(customers.code));
    const purchases = await tx
      .select()
      .from(creditLedger)
      .where(eq(creditLedger.kind, 'purchase'))
      .orderBy(asc(creditLedger.occurredOn), asc(creditLedger.id));
    const customerList = customerRows.map((c) => ({
      code: c.code,
      name: c.name,
      currency: c.currency,
      billing: c.billingMode,
      ...(c.address ? { address: c.address } : {}),
      ...(c.notes ? { notes: c.notes } : {}),
      ...(c.invoiceRoundingMinutes ? { invoice_rounding: c.invoiceRoundingMinutes } : {}),
      ...(c.paymentTermsDays !== null ? { payment_terms_days: c.paymentTermsDays } : {}),
      ...(c.taxId ? { tax_id: c.taxId } : {}),
      ...(c.billingEmail ? { billing_email: c.billingEmail } : {}),
      ...(c.billingMode === 'prepaid'
        ? {
            prepaid: {
              ...(c.lowCreditThresholdMinutes !== null
                ? { threshold_hours: minutesToHours(c.lowCreditThresholdMinutes) }
                : {}),
              auto_invoice: c.autoInvoice,
              ...(c.topupMinutes !== null ? { topup_hours: minutesToHours(c.topupMinutes) } : {}),
              ...(c.topupPriceCents !== null ? { topup_price: formatAmount(c.topupPriceCents, c.currency) } : {}),
              ...(c.creditOnIssue ? {} : { credit_on_issue: false }),
              ...(c.alertChannel ? { alert_channel: c.alertChannel } : {}),
            },
            credits: purchases
              .filter((p) => p.customerId === c.id)
              .map((p) => ({
                hours: minutesToHours(p.minutes),
                note: p.note,
                on: p.occurredOn,
                ...(p.priceCents !== null ? { price: formatAmount(p.priceCents, c.currency) } : {}),
              })),
          }
        : {}),
    }));

    const people = await tx
      .select({ employee: employees, consultant: consultants, managerId: managers.employeeId })
      .from(employees)
      .leftJoin(consultants, and(eq(consultants.employeeId, employees.id), isNull(consultants.archivedAt)))
      .leftJoin(managers, and(eq(managers.employeeId, employees.id), isNull(managers.archivedAt)))
      .where(isNull(employees.archivedAt))
      .orderBy(asc(employees.userId));
    // A project's team in the file names only who the file makes a manager or a consultant: one whose
    // role was taken away keeps their row on the team here, which an empty database would refuse.
    const managerUsers = new Map(
      people.filter((p) => p.managerId !== null).map((p) => [p.employee.id, p.employee.userId]),
    );
    const consultantUsers = new Map(people.filter((p) => p.consultant).map((p) => [p.employee.id, p.employee.userId]));
    const employeeList = people
      .filter((p) => p.employee.userId !== null)
      .map((p) => ({
        user: p.employee.userId,
        name: p.employee.name,
        ...(p.employee.address ? { address: p.employee.address } : {}),
        ...(p.employee.notes ? { notes: p.employee.notes } : {}),
        ...(p.consultant
          ? {
              consultant: {
                cost_rate: formatAmount(p.consultant.defaultCostRateCents, ctx.org.currency),
                price_rate: formatAmount(p.consultant.defaultPriceRateCents, ctx.org.currency),
              },
            }
          : {}),
        ...(p.managerId !== null ? { manager: true } : {}),
      }));

    const projectRows = await tx
      .select({ project: projects, customerCode: customers.code, currency: customers.currency })
      .from(projects)
      .innerJoin(customers, eq(customers.id, projects.customerId))
      .where(isNull(projects.archivedAt))
      .orderBy(asc(projects.code));
    const assignments = await tx.select().from(projectConsultants).where(isNull(projectConsultants.archivedAt));
    const projectManagerRows = await tx.select().from(projectManagers);
    const projectList = projectRows.map(({ project, customerCode, currency }) => ({
      code: project.code,
      customer: customerCode,
      name: project.name,
      ...(project.description ? { description: project.description } : {}),
      ...(project.active ? {} : { active: false }),
      managers: projectManagerRows
        .filter((m) => m.projectId === project.id)
        .map((m) => managerUsers.get(m.managerId))
        .filter((id): id is string => typeof id === 'string')
        .sort(),
      consultants: assignments
        .filter((a) => a.projectId === project.id && consultantUsers.get(a.consultantId))
        .map((a) => ({
          user: consultantUsers.get(a.consultantId)!,
          ...(a.costRateCents !== null ? { cost_rate: formatAmount(a.costRateCents, ctx.org.currency) } : {}),
          ...(a.priceRateCents !== null ? { price_rate: formatAmount(a.priceRateCents, currency) } : {}),
        }))
        .sort((a, b) => a.user.localeCompare(b.user)),
    }));

    const roleRows = await tx.select().from(roles).orderBy(asc(roles.name));
    const roleList = roleRows.filter((r) => !r.builtin).map((r) => ({ name: r.name, rights: [...r.rights].sort() }));
    const memberships = await tx
      .select({ userId: userRoles.userId, roleName: roles.name, builtin: roles.builtin })
      .from(userRoles)
      .innerJoin(roles, eq(roles.id, userRoles.roleId));
    const delegations = await tx.select().from(delegates);
    const userRows = await tx.select().from(users).where(eq(users.active, true)).orderBy(asc(users.id));
    const employeeUsers = new Set(employeeList.map((e) => e.user));
    const activeUsers = new Set(userRows.map((u) => u.id));
    // People who are not employees (a delegate, an accountant) are listed with their name, so the
    // file can be imported into an empty database.
    const userList = userRows
      .map((u) => ({
        user: u.id,
        ...(employeeUsers.has(u.id) ? {} : { name: u.displayName }),
        roles: memberships
          .filter((m) => m.userId === u.id && !m.builtin)
          .map((m) => m.roleName)
          .sort(),
        // Only delegates who may act: a deactivated one is not in the file to refer to.
        delegates: delegations
          .filter((d) => d.principalId === u.id && activeUsers.has(d.delegateId))
          .map((d) => d.delegateId)
          .sort(),
      }))
      .filter((u) => u.roles.length > 0 || u.delegates.length > 0 || !employeeUsers.has(u.user));

    const periodRows = await tx
      .select()
      .from(reportingPeriods)
      .where(isNull(reportingPeriods.archivedAt))
      .orderBy(asc(reportingPeriods.startsOn));
    // A setting at its default is left out, so the file holds what the firm chose.
    const settings = Object.fromEntries(
      Object.entries(await readSettings(tx)).filter(
        ([key, value]) => !isSettingKey(key) || value !== SETTING_FIELDS[key].empty,
      ),
    );
    const yaml = writeSetupYaml({
      ...(Object.keys(settings).length ? { settings } : {}),
      customers: customerList,
      employees: employeeList,
      projects: projectList,
      roles: roleList,
      users: userList,
      periods: periodRows.map((p) => ({ starts: p.startsOn, ends: p.endsOn })),
    });
    if (!yaml) return fail('empty', 'There is nothing to export yet.');
    return { ok: true as const, yaml };
  });
}
