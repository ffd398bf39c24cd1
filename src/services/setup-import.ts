import { and, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { Transaction } from '../db/client.js';
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
import { isCurrencyCode, MAX_PRICE_MINOR, parseAmount, parseRate } from '../domain/money.js';
import { periodsOverlap } from '../domain/periods.js';
import { type FileAmount, parseSetupFile, type SetupFile } from '../domain/setup-file.js';
import { customersWithHistory, describeHistory } from './customer-history.js';
import { lockTeamsToChange, projectsManagedBy, rerouteApprovals, rerouteForRightsOf } from './approval-routing.js';
import { ledgerToday, lockPrepaidCustomers, settleCreditAlerts } from './credit-ledger.js';
import { recordAudit } from './audit.js';
import { authorize } from './authorization.js';
import { OPERATIONS } from './operations.js';
import { consultantsToReprice, currencyDiffers, customerFixed } from './projects.js';
import { consultantsPricedMessage } from './customers.js';
import type { ServiceContext } from './context.js';
import { writeSettings } from './settings.js';
import { serviceTransaction } from './transaction.js';

/** How many rows the import created or changed, per kind (unchanged rows are not counted). */
export type ImportSummary = Record<
  'settings' | 'customers' | 'credits' | 'employees' | 'projects' | 'assignments' | 'roles' | 'users' | 'periods',
  { created: number; updated: number }
>;

export type ImportResult = { ok: true; summary: ImportSummary } | { ok: false; errors: string[] };

/**
 * Loads a setup file in one transaction: everything or nothing. Rows are matched by their natural
 * keys (codes, Slack ids, role names, period dates), so importing the same file again changes
 * nothing; for every project and user in the file, its lists (managers, consultants, roles,
 * delegates) become exactly what the file says. What the file does not mention is left alone.
 */
export async function importSetup(ctx: ServiceContext, yamlText: string): Promise<ImportResult> {
  const parsed = parseSetupFile(yamlText);
  if (!parsed.ok) return parsed;
  const { setup } = parsed;

  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.importSetup.right);
    if (!access.ok) return { ok: false as const, errors: [access.error.message] };
    await lockTeamsToChange(tx);

    // Every problem in one answer, so fixing the file takes one round.
    const money = await checkMoney(tx, ctx, setup);
    const errors = [
      ...(await checkReferences(tx, setup)),
      ...futurePurchases(setup, ledgerToday(ctx)),
      ...money.errors,
    ];
    if (errors.length > 0) return { ok: false as const, errors };

    const summary = emptySummary();
    const createdUsers = new Set<string>();
    summary.settings.updated = Object.keys((await writeSettings(tx, ctx, setup.settings)).after).length;
    await importCustomers(tx, ctx, setup, money, summary);
    const { managersBack } = await importPeople(tx, ctx, setup, money, summary, createdUsers);
    const teamChanged = await importProjects(tx, ctx, setup, money, summary);
    // Sheets waiting for approval follow the new managers at once (withdrawn, asked), in this transaction,
    // and so do those on the projects of managers whose role came back.
    const managedByReturning = await projectsManagedBy(tx, managersBack);
    await rerouteApprovals(tx, ctx, { projectIds: [...new Set([...teamChanged, ...managedByReturning])] });
    const rightsChanged = await importSecurity(tx, setup, summary, createdUsers);
    // Sheets waiting for someone who lost the approval right, or on projects of someone who gained it, too.
    await rerouteForRightsOf(tx, ctx, rightsChanged);
    await importPeriods(tx, setup, summary);
    await settleImportedCredit(tx, ctx, setup);
    await recordAudit(tx, ctx, { action: 'setup.import', entity: 'setup', entityId: 'file', after: summary });
    return { ok: true as const, summary };
  });
}

/** Purchases dated after today: a balance counts every purchase, the prepaid log only those up to its day. */
function futurePurchases(setup: SetupFile, today: string): string[] {
  return setup.customers.flatMap((c) =>
    c.credits
      .filter((credit) => credit.on > today)
      .map(
        (credit) =>
          `${credit.path}.on: ${credit.on} is after today (${today}); record a purchase on the day it was bought`,
      ),
  );
}

/** References to things neither in the file nor in the database, each named by its place. */
async function checkReferences(tx: Transaction, setup: SetupFile): Promise<string[]> {
  const errors: string[] = [];
  const customerCodes = new Set([
    ...setup.customers.map((c) => c.code),
    ...(await tx.select({ code: customers.code }).from(customers)).map((c) => c.code),
  ]);
  const known = await tx
    .select({ userId: employees.userId, consultant: consultants.employeeId, manager: managers.employeeId })
    .from(employees)
    .leftJoin(consultants, eq(consultants.employeeId, employees.id))
    .leftJoin(managers, eq(managers.employeeId, employees.id));
  const people = new Map<string, { consultant: boolean; manager: boolean }>();
  for (const row of known)
    if (row.userId) people.set(row.userId, { consultant: row.consultant !== null, manager: row.manager !== null });
  for (const e of setup.employees) {
    const before = people.get(e.user);
    people.set(e.user, {
      consultant: Boolean(e.consultant) || Boolean(before?.consultant),
      manager: e.manager || Boolean(before?.manager),
    });
  }
  const userIds = new Set([
    ...people.keys(),
    ...setup.users.map((u) => u.user),
    ...(await tx.select({ id: users.id }).from(users)).map((u) => u.id),
  ]);
  const existingRoles = await tx.select({ name: roles.name, builtin: roles.builtin }).from(roles);
  const roleNames = new Set([
    ...setup.roles.map((r) => r.name.toLowerCase()),
    ...existingRoles.map((r) => r.name.toLowerCase()),
  ]);

  for (const role of setup.roles) {
    if (existingRoles.some((r) => r.builtin && r.name.toLowerCase() === role.name.toLowerCase())) {
      errors.push(
        `${role.path}.name: ${role.name} is built in; its members come from ADMIN_USER_IDS and its rights cannot change`,
      );
    }
  }
  for (const p of setup.projects) {
    if (!customerCodes.has(p.customer)) errors.push(`${p.path}.customer: unknown customer ${p.customer}`);
    for (const m of p.managers ?? []) {
      const person = people.get(m.user);
      if (!person) errors.push(`${m.path}: unknown employee ${m.user}`);
      else if (!person.manager)
        errors.push(`${m.path}: ${m.user} is not a manager (set manager: true on the employee)`);
    }
    for (const c of p.consultants ?? []) {
      const person = people.get(c.user);
      if (!person) errors.push(`${c.path}.user: unknown employee ${c.user}`);
      else if (!person.consultant)
        errors.push(`${c.path}.user: ${c.user} is not a consultant (give the employee consultant rates)`);
    }
  }
  for (const u of setup.users) {
    for (const r of u.roles ?? [])
      if (!roleNames.has(r.name.toLowerCase())) errors.push(`${r.path}: unknown role ${r.name}`);
    for (const d of u.delegates ?? []) {
      if (d.user === u.user) errors.push(`${d.path}: a user cannot be their own delegate`);
      else if (!userIds.has(d.user)) errors.push(`${d.path}: unknown user ${d.user}`);
    }
  }
  const periods = await tx.select().from(reportingPeriods);
  for (const p of setup.periods) {
    const clash = periods.find((q) => periodsOverlap(p, q) && !(p.startsOn === q.startsOn && p.endsOn === q.endsOn));
    if (clash)
      errors.push(
        `${p.path}: ${p.startsOn} – ${p.endsOn} overlaps the ${clash.archivedAt ? 'deleted (kept for its timesheets) ' : 'existing '}period ${clash.startsOn} – ${clash.endsOn}`,
      );
  }
  return errors;
}

/** The file's amounts in minor units of the currency each is in, once every one has been checked. */
type FileMoney = { errors: string[]; currencyOf: Map<string, string>; minor: (amount: FileAmount) => number };

/**
 * Reads every amount in its currency (a customer's for its prices, the firm's for cost and default
 * rates) and checks the currency rules: a customer with approved, invoiced or prepaid history keeps
 * its currency and billing mode, and a consultant on a project billed in another currency than the
 * firm's needs a price rate there, since their default price rate is in the firm's currency.
 */
async function checkMoney(tx: Transaction, ctx: ServiceContext, setup: SetupFile): Promise<FileMoney> {
  const errors: string[] = [];
  const firm = ctx.org.currency;
  const existing = await tx
    .select({
      id: customers.id,
      code: customers.code,
      currency: customers.currency,
      billingMode: customers.billingMode,
    })
    .from(customers);
  const byCode = new Map(existing.map((c) => [c.code, c]));
  const currencyOf = new Map(existing.map((c) => [c.code, c.currency]));
  const history = await customersWithHistory(
    tx,
    setup.customers.flatMap((c) => {
      const before = byCode.get(c.code);
      return before ? [before.id] : [];
    }),
  );
  for (const c of setup.customers) {
    const before = byCode.get(c.code);
    const currency = c.currency ?? before?.currency ?? firm;
    if (!isCurrencyCode(currency)) errors.push(`${c.path}.currency: ${currency} is not an ISO 4217 currency code`);
    currencyOf.set(c.code, currency);
    const kept = before && history.get(before.id);
    if (before && kept && currency !== before.currency)
      errors.push(
        `${c.path}.currency: ${c.code} has ${describeHistory(kept)} in ${before.currency}, so its currency stays ${before.currency}`,
      );
    if (before && kept && c.billingMode !== before.billingMode)
      errors.push(
        `${c.path}.billing: ${c.code} has ${describeHistory(kept)} as a ${before.billingMode} customer, so it stays ${before.billingMode}`,
      );
    if (before && !kept && currency !== before.currency && isCurrencyCode(currency)) {
      const repriced = await consultantsToReprice(tx, sql`p.customer_id = ${before.id}`, currency === firm);
      if (repriced.length)
        errors.push(`${c.path}.currency: ${consultantsPricedMessage(before, currency, firm, repriced)}`);
    }
  }
  // A project with approved time keeps its customer; any moves only to one billed in the same currency.
  const projectsNow = await tx
    .select({ id: projects.id, code: projects.code, customerId: projects.customerId, customerCode: customers.code })
    .from(projects)
    .innerJoin(customers, eq(customers.id, projects.customerId));
  for (const p of setup.projects) {
    const now = projectsNow.find((row) => row.code === p.code);
    if (!now || now.customerCode === p.customer) continue;
    const from = { code: now.customerCode, currency: byCode.get(now.customerCode)!.currency };
    const to = { code: p.customer, currency: currencyOf.get(p.customer) ?? firm };
    const refusal =
      (await customerFixed(tx, now)) ?? (from.currency !== to.currency ? currencyDiffers(p.code, from, to) : undefined);
    if (refusal) errors.push(`${p.path}.customer: ${refusal.error.message}`);
  }

  const minor = new Map<FileAmount, number>();
  const read = (amount: FileAmount | null | undefined, currency: string, kind: 'rate' | 'price') => {
    if (!amount || !isCurrencyCode(currency)) return;
    const parsed =
      kind === 'rate'
        ? parseRate(amount.value, currency)
        : parseAmount(amount.value, currency, { max: MAX_PRICE_MINOR, what: 'A price' });
    if (parsed.ok) minor.set(amount, parsed.minor);
    else errors.push(`${amount.path}: ${parsed.error.message}`);
  };
  for (const c of setup.customers) {
    read(c.prepaid?.topupPrice, currencyOf.get(c.code)!, 'price');
    for (const credit of c.credits) read(credit.price, currencyOf.get(c.code)!, 'price');
  }
  for (const e of setup.employees) {
    read(e.consultant?.costRate, firm, 'rate');
    read(e.consultant?.priceRate, firm, 'rate');
  }
  for (const p of setup.projects) {
    const currency = currencyOf.get(p.customer) ?? firm;
    for (const c of p.consultants ?? []) {
      read(c.costRate, firm, 'rate');
      read(c.priceRate, currency, 'rate');
      if (!c.priceRate && currency !== firm)
        errors.push(
          `${c.path}.price_rate: ${p.customer} is billed in ${currency} and a consultant's default price rate is in ${firm}; give ${c.user} a price_rate in ${currency} on ${p.code}`,
        );
    }
  }
  return { errors, currencyOf, minor: (amount) => minor.get(amount)! };
}

async function importCustomers(
  tx: Transaction,
  ctx: ServiceContext,
  setup: SetupFile,
  money: FileMoney,
  summary: ImportSummary,
): Promise<void> {
  for (const c of setup.customers) {
    const values = {
      name: c.name,
      currency: money.currencyOf.get(c.code)!,
      billingMode: c.billingMode,
      ...(c.address !== undefined ? { address: c.address } : {}),
      ...(c.notes !== undefined ? { notes: c.notes } : {}),
      ...(c.invoiceRoundingMinutes !== undefined ? { invoiceRoundingMinutes: c.invoiceRoundingMinutes } : {}),
      ...(c.paymentTermsDays !== undefined ? { paymentTermsDays: c.paymentTermsDays } : {}),
      ...(c.taxId !== undefined ? { taxId: c.taxId } : {}),
      ...(c.billingEmail !== undefined ? { billingEmail: c.billingEmail } : {}),
      ...(c.prepaid
        ? {
            lowCreditThresholdMinutes: c.prepaid.thresholdMinutes,
            autoInvoice: c.prepaid.autoInvoice,
            topupMinutes: c.prepaid.topupMinutes,
            topupPriceCents: c.prepaid.topupPrice && money.minor(c.prepaid.topupPrice),
            ...(c.prepaid.creditOnIssue !== undefined ? { creditOnIssue: c.prepaid.creditOnIssue } : {}),
            alertChannel: c.prepaid.alertChannel,
          }
        : {}),
    };
    const existing = await tx.query.customers.findFirst({ where: eq(customers.code, c.code) });
    let customerId: number;
    if (!existing) {
      const [row] = await tx
        .insert(customers)
        .values({ code: c.code, ...values })
        .returning({ id: customers.id });
      customerId = row!.id;
      summary.customers.created++;
    } else {
      customerId = existing.id;
      if (differs(existing, values)) {
        await tx
          .update(customers)
          .set({ ...values, updatedAt: ctx.clock.now() })
          .where(eq(customers.id, existing.id));
        summary.customers.updated++;
      }
    }
    for (const credit of c.credits) {
      // A purchase is the same purchase when customer, date, hours and note match: re-import adds nothing.
      const same = await tx
        .select({ id: creditLedger.id })
        .from(creditLedger)
        .where(
          and(
            eq(creditLedger.customerId, customerId),
            eq(creditLedger.kind, 'purchase'),
            eq(creditLedger.occurredOn, credit.on),
            eq(creditLedger.minutes, credit.minutes),
            eq(creditLedger.note, credit.note),
          ),
        );
      if (same.length > 0) continue;
      await tx.insert(creditLedger).values({
        customerId,
        minutes: credit.minutes,
        kind: 'purchase',
        occurredOn: credit.on,
        note: credit.note,
        priceCents: credit.price && money.minor(credit.price),
      });
      summary.credits.created++;
    }
  }
}

/** Purchases and thresholds from the file settle the low-credit alerts as those made in Slack do. */
async function settleImportedCredit(tx: Transaction, ctx: ServiceContext, setup: SetupFile): Promise<void> {
  const codes = setup.customers.filter((c) => c.billingMode === 'prepaid').map((c) => c.code);
  if (codes.length === 0) return;
  const rows = await tx.select({ id: customers.id }).from(customers).where(inArray(customers.code, codes));
  const locked = await lockPrepaidCustomers(
    tx,
    rows.map((row) => row.id),
  );
  for (const id of locked) await settleCreditAlerts(tx, ctx, id, { lifting: true });
}

async function importPeople(
  tx: Transaction,
  ctx: ServiceContext,
  setup: SetupFile,
  money: FileMoney,
  summary: ImportSummary,
  createdUsers: Set<string>,
): Promise<{ managersBack: number[] }> {
  /** Employees the file names as managers whose manager role had been dropped: it comes back. */
  const managersBack: number[] = [];
  for (const u of [
    ...setup.employees.map((e) => ({ user: e.user, name: e.name })),
    ...setup.users.map((u) => ({ user: u.user, name: u.name })),
  ]) {
    const inserted = await tx
      .insert(users)
      .values({ id: u.user, displayName: u.name ?? u.user })
      .onConflictDoNothing()
      .returning({ id: users.id });
    if (inserted.length > 0 && !createdUsers.has(u.user)) {
      createdUsers.add(u.user);
      summary.users.created++;
    }
  }
  for (const e of setup.employees) {
    const values = {
      name: e.name,
      ...(e.address !== undefined ? { address: e.address } : {}),
      ...(e.notes !== undefined ? { notes: e.notes } : {}),
    };
    const existing = await tx.query.employees.findFirst({ where: eq(employees.userId, e.user) });
    let employeeId: number;
    if (!existing) {
      employeeId = (
        await tx
          .insert(employees)
          .values({ userId: e.user, ...values })
          .returning({ id: employees.id })
      )[0]!.id;
      summary.employees.created++;
    } else {
      employeeId = existing.id;
      if (differs(existing, values)) {
        await tx.update(employees).set(values).where(eq(employees.id, employeeId));
        summary.employees.updated++;
      }
    }
    if (e.consultant) {
      const rates = {
        defaultCostRateCents: money.minor(e.consultant.costRate),
        defaultPriceRateCents: money.minor(e.consultant.priceRate),
      };
      const consultant = await tx.query.consultants.findFirst({ where: eq(consultants.employeeId, employeeId) });
      if (!consultant) await tx.insert(consultants).values({ employeeId, ...rates });
      else if (consultant.archivedAt) {
        // The file names them a consultant: a role that had been dropped comes back, at the file's rates.
        await tx
          .update(consultants)
          .set({ ...rates, archivedAt: null })
          .where(eq(consultants.employeeId, employeeId));
        await recordAudit(tx, ctx, {
          action: 'consultant.restore',
          entity: 'employee',
          entityId: employeeId,
          before: consultant,
          after: rates,
        });
      } else if (differs(consultant, rates)) {
        await tx.update(consultants).set(rates).where(eq(consultants.employeeId, employeeId));
        await recordAudit(tx, ctx, {
          action: 'consultant.set_rates',
          entity: 'employee',
          entityId: employeeId,
          before: {
            defaultCostRateCents: consultant.defaultCostRateCents,
            defaultPriceRateCents: consultant.defaultPriceRateCents,
          },
          after: rates,
        });
      }
    }
    if (e.manager) {
      const [earlier] = await tx.select().from(managers).where(eq(managers.employeeId, employeeId));
      if (!earlier) await tx.insert(managers).values({ employeeId });
      else if (earlier.archivedAt) {
        await tx.update(managers).set({ archivedAt: null }).where(eq(managers.employeeId, employeeId));
        managersBack.push(employeeId);
      }
    }
  }
  return { managersBack };
}

/** Imports the projects and their teams; answers the projects whose managers changed. */
async function importProjects(
  tx: Transaction,
  ctx: ServiceContext,
  setup: SetupFile,
  money: FileMoney,
  summary: ImportSummary,
): Promise<number[]> {
  const teamChanged: number[] = [];
  // The file speaks of current consultants only (an export leaves out one whose role was taken away):
  // their rows on a team are left as they are, ready for the day the role comes back.
  const currentConsultants = new Set(
    (await tx.select({ id: consultants.employeeId }).from(consultants).where(isNull(consultants.archivedAt))).map(
      (row) => row.id,
    ),
  );
  for (const p of setup.projects) {
    const customer = await tx.query.customers.findFirst({ where: eq(customers.code, p.customer) });
    const values = {
      customerId: customer!.id,
      name: p.name,
      ...(p.description !== undefined ? { description: p.description } : {}),
      ...(p.active !== undefined ? { active: p.active } : {}),
    };
    const existing = await tx.query.projects.findFirst({ where: eq(projects.code, p.code) });
    let projectId: number;
    if (!existing) {
      projectId = (
        await tx
          .insert(projects)
          .values({ code: p.code, ...values })
          .returning({ id: projects.id })
      )[0]!.id;
      summary.projects.created++;
    } else {
      projectId = existing.id;
      if (differs(existing, values)) {
        await tx.update(projects).set(values).where(eq(projects.id, projectId));
        summary.projects.updated++;
      }
    }

    if (p.consultants) {
      const wanted = new Map<number, { costRateCents: number | null; priceRateCents: number | null }>();
      for (const c of p.consultants)
        wanted.set(await employeeIdOf(tx, c.user), {
          costRateCents: c.costRate && money.minor(c.costRate),
          priceRateCents: c.priceRate && money.minor(c.priceRate),
        });
      const current = await tx.select().from(projectConsultants).where(eq(projectConsultants.projectId, projectId));
      const assignment = (consultantId: number) =>
        and(eq(projectConsultants.projectId, projectId), eq(projectConsultants.consultantId, consultantId));
      for (const row of current) {
        if (!wanted.has(row.consultantId) && row.archivedAt === null && currentConsultants.has(row.consultantId)) {
          // Archived, not deleted: time they logged here keeps its override when it is approved.
          await tx.update(projectConsultants).set({ archivedAt: ctx.clock.now() }).where(assignment(row.consultantId));
          summary.assignments.updated++;
        }
      }
      for (const [consultantId, rates] of wanted) {
        const row = current.find((r) => r.consultantId === consultantId);
        if (!row) {
          await tx.insert(projectConsultants).values({ projectId, consultantId, ...rates });
          summary.assignments.created++;
        } else if (differs(row, rates) || row.archivedAt !== null) {
          await tx
            .update(projectConsultants)
            .set({ ...rates, archivedAt: null, updatedAt: ctx.clock.now() })
            .where(assignment(consultantId));
          if (differs(row, rates))
            await recordAudit(tx, ctx, {
              action: 'project.set_rates',
              entity: 'project',
              entityId: projectId,
              before: row,
              after: { ...row, ...rates, archivedAt: null },
            });
          summary.assignments.updated++;
        }
      }
    }
    if (p.managers) {
      // One query at a time: a transaction's connection runs queries one after another.
      const wanted: number[] = [];
      for (const m of p.managers) wanted.push(await employeeIdOf(tx, m.user));
      const removed = await tx
        .delete(projectManagers)
        .where(
          and(
            eq(projectManagers.projectId, projectId),
            wanted.length ? notInArray(projectManagers.managerId, wanted) : undefined,
            // Likewise only current managers: the row of one whose role was taken away stays.
            inArray(
              projectManagers.managerId,
              tx.select({ id: managers.employeeId }).from(managers).where(isNull(managers.archivedAt)),
            ),
          ),
        )
        .returning();
      summary.assignments.updated += removed.length;
      let changed = removed.length > 0;
      for (const managerId of wanted) {
        const added = await tx
          .insert(projectManagers)
          .values({ projectId, managerId })
          .onConflictDoNothing()
          .returning();
        summary.assignments.created += added.length;
        changed ||= added.length > 0;
      }
      if (changed) teamChanged.push(projectId);
    }
  }
  return teamChanged;
}

/** `createdUsers`: users this import created, counted as created and not again as updated. */
async function importSecurity(
  tx: Transaction,
  setup: SetupFile,
  summary: ImportSummary,
  createdUsers: ReadonlySet<string>,
): Promise<string[]> {
  const rightsChanged = new Set<string>();
  for (const r of setup.roles) {
    const existing = (await tx.select().from(roles)).find((row) => row.name.toLowerCase() === r.name.toLowerCase());
    if (!existing) {
      await tx.insert(roles).values({ name: r.name, rights: r.rights });
      summary.roles.created++;
    } else if ([...existing.rights].sort().join() !== [...r.rights].sort().join()) {
      await tx.update(roles).set({ rights: r.rights }).where(eq(roles.id, existing.id));
      summary.roles.updated++;
      const members = await tx
        .select({ userId: userRoles.userId })
        .from(userRoles)
        .where(eq(userRoles.roleId, existing.id));
      for (const { userId } of members) rightsChanged.add(userId);
    }
  }
  const allRoles = await tx.select().from(roles);
  for (const u of setup.users) {
    if (u.roles) {
      const wanted = u.roles.map((r) => allRoles.find((row) => row.name.toLowerCase() === r.name.toLowerCase())!.id);
      // The built-in role follows ADMIN_USER_IDS, never the file.
      const builtin = allRoles.filter((row) => row.builtin).map((row) => row.id);
      const keep = [...new Set([...wanted, ...builtin])];
      const removed = await tx
        .delete(userRoles)
        .where(and(eq(userRoles.userId, u.user), notInArray(userRoles.roleId, keep)))
        .returning();
      let changed = removed.length > 0;
      for (const roleId of wanted) {
        const added = await tx.insert(userRoles).values({ userId: u.user, roleId }).onConflictDoNothing().returning();
        changed ||= added.length > 0;
      }
      if (changed && !createdUsers.has(u.user)) summary.users.updated++;
      if (changed) rightsChanged.add(u.user);
    }
    if (u.delegates) {
      const wanted = u.delegates.map((d) => d.user);
      const removed = await tx
        .delete(delegates)
        .where(
          and(
            eq(delegates.principalId, u.user),
            wanted.length ? notInArray(delegates.delegateId, wanted) : undefined,
            // A deactivated delegate is not in an export: their delegation stays for when they are back.
            inArray(delegates.delegateId, tx.select({ id: users.id }).from(users).where(eq(users.active, true))),
          ),
        )
        .returning();
      let changed = removed.length > 0;
      for (const delegateId of wanted) {
        await tx.insert(users).values({ id: delegateId, displayName: delegateId }).onConflictDoNothing();
        const added = await tx
          .insert(delegates)
          .values({ principalId: u.user, delegateId })
          .onConflictDoNothing()
          .returning();
        changed ||= added.length > 0;
      }
      if (changed && !u.roles && !createdUsers.has(u.user)) summary.users.updated++;
    }
  }
  return [...rightsChanged].sort();
}

async function importPeriods(tx: Transaction, setup: SetupFile, summary: ImportSummary): Promise<void> {
  if (setup.periods.length === 0) return;
  const existing = await tx
    .select()
    .from(reportingPeriods)
    .where(
      inArray(
        reportingPeriods.startsOn,
        setup.periods.map((p) => p.startsOn),
      ),
    );
  for (const p of setup.periods) {
    const same = existing.find((q) => q.startsOn === p.startsOn && q.endsOn === p.endsOn);
    if (same?.archivedAt) {
      // The dates of a deleted period: it comes back with the timesheets it kept.
      await tx.update(reportingPeriods).set({ archivedAt: null }).where(eq(reportingPeriods.id, same.id));
      summary.periods.updated++;
    }
    if (same) continue;
    await tx.insert(reportingPeriods).values({ startsOn: p.startsOn, endsOn: p.endsOn });
    summary.periods.created++;
  }
}

async function employeeIdOf(tx: Transaction, userId: string): Promise<number> {
  const row = await tx.query.employees.findFirst({ where: eq(employees.userId, userId), columns: { id: true } });
  return row!.id;
}

/** Whether any of `wanted`'s fields differ from the row's. */
function differs(row: Record<string, unknown>, wanted: Record<string, unknown>): boolean {
  return Object.entries(wanted).some(([key, value]) => row[key] !== value);
}

function emptySummary(): ImportSummary {
  const zero = () => ({ created: 0, updated: 0 });
  return {
    settings: zero(),
    customers: zero(),
    credits: zero(),
    employees: zero(),
    projects: zero(),
    assignments: zero(),
    roles: zero(),
    users: zero(),
    periods: zero(),
  };
}
