import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { type Queryable, queryRows, sqlList } from '../db/client.js';
import { customers, projects } from '../db/schema.js';
import { isCurrencyCode } from '../domain/money.js';
import { type Failure, fail, type Result } from '../domain/result.js';
import { MAX_NAME_LENGTH } from '../domain/names.js';
import { customersWithHistory, describeHistory } from './customer-history.js';
import { recordAudit } from './audit.js';
import { type PrepaidBalance, prepaidBalances } from './prepaid-balance.js';
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
import { consultantsToReprice, TAKEN_OFF_COUNT } from './projects.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS } from './operations.js';
import { serviceTransaction } from './transaction.js';
import { isEmailAddress, MAX_ADDRESS_LENGTH, MAX_NOTES_LENGTH } from '../domain/contact.js';
import { CODE, typedCode } from '../domain/codes.js';

export type CustomerRow = {
  id: number;
  code: string;
  name: string;
  currency: string;
  billingMode: 'hourly' | 'prepaid';
  address: string;
  notes: string;
  projects: number;
} & CustomerInvoicing;
/** How a customer is invoiced: its payment terms (null: the firm's default), tax id, billing email and rounding. */
export type CustomerInvoicing = {
  paymentTermsDays: number | null;
  taxId: string;
  billingEmail: string;
  invoiceRoundingMinutes: number;
};
export type CustomerInput = {
  id?: number;
  code: string;
  name: string;
  currency: string;
  billingMode: 'hourly' | 'prepaid';
  address: string;
  notes: string;
  /** As typed in the form: terms in days ('' for the firm's default), rounding 0, 6 or 15. Left out, they stay. */
  invoicing?: { paymentTermsDays: string; taxId: string; billingEmail: string; invoiceRoundingMinutes: number };
};

export async function listCustomers(ctx: ServiceContext): Promise<Result<{ customers: CustomerRow[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageCustomers.right);
    if (!access.ok) return access;
    const rows = await tx
      .select({
        id: customers.id,
        code: customers.code,
        name: customers.name,
        currency: customers.currency,
        billingMode: customers.billingMode,
        address: customers.address,
        notes: customers.notes,
        paymentTermsDays: customers.paymentTermsDays,
        taxId: customers.taxId,
        billingEmail: customers.billingEmail,
        invoiceRoundingMinutes: customers.invoiceRoundingMinutes,
        // Named in full: drizzle writes a bare "id" here, which inside the subquery is the project's.
        projects: sql<number>`(select count(*)::int from ${projects} p where p.customer_id = customers.id and p.archived_at is null)`,
      })
      .from(customers)
      .where(isNull(customers.archivedAt))
      .orderBy(asc(customers.code));
    return { ok: true as const, customers: rows.map((r) => ({ ...r, projects: Number(r.projects) })) };
  });
}

/** Creates a customer, or changes one; every problem is tied to its field. */
export async function saveCustomer(
  ctx: ServiceContext,
  input: CustomerInput,
): Promise<Result<{ customer: CustomerRow }>> {
  const code = typedCode(input.code);
  const name = input.name.trim();
  const currency = input.currency.trim().toUpperCase();
  if (!CODE.test(code))
    return fail(
      'invalid_code',
      'A code is 2 to 20 letters, digits or dashes, starting with a letter or digit, like ACME.',
      'code',
    );
  if (!name || name.length > MAX_NAME_LENGTH)
    return fail('invalid_name', `Give a name of at most ${MAX_NAME_LENGTH} characters.`, 'name');
  if (!isCurrencyCode(currency))
    return fail('invalid_currency', 'Use a 3-letter ISO 4217 currency code such as USD, EUR or JPY.', 'currency');
  if (input.address.length > MAX_ADDRESS_LENGTH)
    return fail('too_long', `Keep the address to ${MAX_ADDRESS_LENGTH} characters.`, 'address');
  if (input.notes.length > MAX_NOTES_LENGTH)
    return fail('too_long', `Keep the notes to ${MAX_NOTES_LENGTH} characters.`, 'notes');
  const invoicing = input.invoicing && checkInvoicing(input.invoicing);
  if (invoicing && !invoicing.ok) return invoicing;
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageCustomers.right);
    if (!access.ok) return access;
    const [clash] = await tx
      .select({ id: customers.id, archivedAt: customers.archivedAt })
      .from(customers)
      .where(and(eq(customers.code, code), input.id !== undefined ? ne(customers.id, input.id) : undefined));
    if (clash)
      return fail(
        'duplicate',
        clash.archivedAt
          ? `${code} belongs to a deleted customer, kept for its history (reports and invoices name it), so it cannot be used again: choose another code.`
          : `There is already a customer ${code}.`,
        'code',
      );
    const values = {
      code,
      name,
      currency,
      billingMode: input.billingMode,
      address: input.address.trim(),
      notes: input.notes.trim(),
      ...(invoicing?.ok ? invoicing.values : {}),
    };
    let row: typeof customers.$inferSelect | undefined;
    if (input.id === undefined) {
      [row] = await tx.insert(customers).values(values).returning();
      await recordAudit(tx, ctx, { action: 'customer.create', entity: 'customer', entityId: row!.id, after: row });
    } else {
      const [before] = await tx
        .select()
        .from(customers)
        .where(and(eq(customers.id, input.id), isNull(customers.archivedAt)))
        .for('update');
      if (!before) return fail('gone', 'That customer no longer exists.');
      const fixed = await moneyTermsFixed(tx, ctx, before, { currency, billingMode: input.billingMode });
      if (fixed) return fixed;
      [row] = await tx
        .update(customers)
        .set({ ...values, updatedAt: ctx.clock.now() })
        .where(eq(customers.id, input.id))
        .returning();
      await recordAudit(tx, ctx, {
        action: 'customer.update',
        entity: 'customer',
        entityId: input.id,
        before,
        after: row,
      });
    }
    const count = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(projects)
      .where(and(eq(projects.customerId, row!.id), isNull(projects.archivedAt)));
    return {
      ok: true as const,
      customer: {
        id: row!.id,
        code: row!.code,
        name: row!.name,
        currency: row!.currency,
        billingMode: row!.billingMode,
        address: row!.address,
        notes: row!.notes,
        paymentTermsDays: row!.paymentTermsDays,
        taxId: row!.taxId,
        billingEmail: row!.billingEmail,
        invoiceRoundingMinutes: row!.invoiceRoundingMinutes,
        projects: Number(count[0]!.n),
      },
    };
  });
}

/** Checks the invoicing fields of the customer form, each problem tied to its field. */
function checkInvoicing(
  input: NonNullable<CustomerInput['invoicing']>,
): { ok: true; values: CustomerInvoicing } | { ok: false; error: Failure } {
  const terms = input.paymentTermsDays.trim();
  if (terms !== '' && !(/^\d{1,3}$/.test(terms) && Number(terms) <= 365))
    return fail(
      'invalid_terms',
      'Payment terms are a whole number of days from 0 to 365, like 30; leave it empty for the firm’s default.',
      'paymentTerms',
    );
  const taxId = input.taxId.trim();
  if (taxId.length > 60) return fail('too_long', 'Keep the tax id to 60 characters.', 'taxId');
  const billingEmail = input.billingEmail.trim();
  if (billingEmail && !isEmailAddress(billingEmail))
    return fail(
      'invalid_email',
      'Give one email address like accounts@acme.example, or leave it empty.',
      'billingEmail',
    );
  if (![0, 6, 15].includes(input.invoiceRoundingMinutes))
    return fail('invalid_rounding', 'Round invoiced time to none, 6 or 15 minutes.', 'rounding');
  return {
    ok: true,
    values: {
      paymentTermsDays: terms === '' ? null : Number(terms),
      taxId,
      billingEmail,
      invoiceRoundingMinutes: input.invoiceRoundingMinutes,
    },
  };
}

/**
 * A customer's currency and billing mode are what its approved time, invoices and prepaid credit
 * were counted in: once it has any, they stay. Without history, the currency changes only while no
 * consultant's time on its projects would be priced by a rate given in another currency
 * (`consultantsToReprice`).
 */
async function moneyTermsFixed(
  tx: Queryable,
  ctx: ServiceContext,
  before: typeof customers.$inferSelect,
  wanted: { currency: string; billingMode: 'hourly' | 'prepaid' },
): Promise<{ ok: false; error: Failure } | undefined> {
  const currencyChanges = wanted.currency !== before.currency;
  if (!currencyChanges && wanted.billingMode === before.billingMode) return undefined;
  const history = (await customersWithHistory(tx, [before.id])).get(before.id);
  if (history) {
    return currencyChanges
      ? fail(
          'currency_fixed',
          `${before.code} has ${describeHistory(history)} in ${before.currency}, so its currency stays ${before.currency}. Bill in another currency with a new customer.`,
          'currency',
        )
      : fail(
          'billing_fixed',
          `${before.code} has ${describeHistory(history)} as a ${before.billingMode} customer, so it stays ${before.billingMode}. Use a new customer for ${wanted.billingMode} billing.`,
          'billing',
        );
  }
  if (!currencyChanges) return undefined;
  const repriced = await consultantsToReprice(
    tx,
    sql`p.customer_id = ${before.id}`,
    wanted.currency === ctx.org.currency,
  );
  if (repriced.length === 0) return undefined;
  return fail(
    'consultants_priced',
    consultantsPricedMessage(before, wanted.currency, ctx.org.currency, repriced),
    'currency',
  );
}

/** Who must go before a customer's currency changes, and how to get there. */
export function consultantsPricedMessage(
  customer: { code: string; currency: string },
  currency: string,
  firmCurrency: string,
  repriced: { name: string; code: string }[],
): string {
  const who = repriced.map((r) => `${r.name} on ${r.code}`).join(', ');
  const why =
    currency === firmCurrency
      ? `have project price rates in ${customer.currency}, which would be read as ${currency}`
      : `would be priced in ${currency} by rates given in ${[...new Set([customer.currency, firmCurrency])].join(' or ')}`;
  return `Consultants on ${customer.code}'s projects (${who}) ${why}. Take them off its projects first, change the currency, then assign them again with their rates in ${currency}. ${TAKEN_OFF_COUNT}`;
}

export type CustomerDeletion = OpenTimeImpact & { customers: number; projects: number; archived: string[] };

/** What deleting these customers does, for the confirm dialog. */
export async function customerDeletionImpact(
  ctx: ServiceContext,
  customerIds: number[],
): Promise<Result<{ impact: CustomerDeletion }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageCustomers.right);
    if (!access.ok) return access;
    return { ok: true as const, impact: await impactOf(tx, customerIds) };
  });
}

/**
 * Removes customers. Time on their projects in open and submitted timesheets is deleted (each
 * submitted sheet settled again, its managers told); a customer
 * with approved time, invoices or prepaid credit history is archived with its projects (gone from
 * lists and pickers, kept for reports); the others are deleted with their projects.
 */
export async function deleteCustomers(
  ctx: ServiceContext,
  customerIds: number[],
): Promise<Result<{ deleted: CustomerDeletion }>> {
  if (customerIds.length === 0) return fail('nothing_marked', 'Mark the customers to delete first.');
  return startingOverWhileTimeMoves(() => removeCustomersOnce(ctx, customerIds));
}

/** `deleteCustomers` in one transaction; `timeMoved` if a sheet gained time on their projects as it locked them. */
async function removeCustomersOnce(
  ctx: ServiceContext,
  customerIds: number[],
): Promise<Result<{ deleted: CustomerDeletion }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageCustomers.right);
    if (!access.ok) return access;
    // Timesheets first, then the customers and their projects: the order decisions and /log take them in.
    const projectIds = (
      await tx.select({ id: projects.id }).from(projects).where(inArray(projects.customerId, customerIds))
    ).map((p) => p.id);
    const sheets = await lockSheetsWithTimeOn(tx, projectIds);
    await ctx.pause?.('removal:sheets-locked');
    const targets = await tx
      .select()
      .from(customers)
      .where(and(inArray(customers.id, customerIds), isNull(customers.archivedAt)))
      .orderBy(asc(customers.id))
      .for('update');
    if (targets.length !== new Set(customerIds).size)
      return fail('stale', 'Some of those customers are already gone; refresh the list and try again.');
    const locked = await tx
      .select({ id: projects.id })
      .from(projects)
      .where(inArray(projects.customerId, customerIds))
      .orderBy(asc(projects.id))
      .for('update');
    await ctx.pause?.('removal:projects-locked');
    // A project added to them or moved away before this removal held them and their projects (both
    // wait for it from then on): the sheets it locked and the time it would delete are another set's.
    const changed = locked.length !== projectIds.length || locked.some((project) => !projectIds.includes(project.id));
    if (changed || (await sheetsGainedTimeOn(tx, projectIds, sheets))) return timeMoved();
    const impact = await impactOf(tx, customerIds);
    await deleteOpenTimeOnProjects(tx, ctx, projectIds, 'customer.remove');
    await dropSubmittedTimeOn(tx, ctx, projectIds, 'customer.remove');
    const now = ctx.clock.now();
    for (const customer of targets) {
      const keep = impact.archived.includes(customer.code);
      if (keep) {
        await tx.update(projects).set({ archivedAt: now, active: false }).where(eq(projects.customerId, customer.id));
        await tx.update(customers).set({ archivedAt: now }).where(eq(customers.id, customer.id));
      } else {
        await tx.delete(projects).where(eq(projects.customerId, customer.id));
        await tx.delete(customers).where(eq(customers.id, customer.id));
      }
      await recordAudit(tx, ctx, {
        action: keep ? 'customer.archive' : 'customer.delete',
        entity: 'customer',
        entityId: customer.id,
        before: customer,
      });
    }
    return { ok: true as const, deleted: impact };
  });
}

async function impactOf(q: Queryable, customerIds: number[]): Promise<CustomerDeletion> {
  if (customerIds.length === 0) return { customers: 0, projects: 0, ...(await timeOnProjects(q, [])), archived: [] };
  const theirProjects = await q
    .select({ id: projects.id, customerId: projects.customerId, archivedAt: projects.archivedAt })
    .from(projects)
    .where(inArray(projects.customerId, customerIds));
  const time = await timeOnProjects(
    q,
    theirProjects.map((p) => p.id),
  );
  const withHistory = await projectsWithHistory(
    q,
    theirProjects.map((p) => p.id),
  );
  const list = sqlList(customerIds);
  const billed = await queryRows<{ customer_id: number }>(
    q,
    sql`select customer_id from invoices where customer_id in (${list}) union select customer_id from credit_ledger where customer_id in (${list})`,
  );
  const kept = new Set([
    ...billed.map((r) => Number(r.customer_id)),
    ...theirProjects.filter((p) => withHistory.has(p.id)).map((p) => p.customerId),
  ]);
  const archived = kept.size
    ? await q
        .select({ code: customers.code })
        .from(customers)
        .where(inArray(customers.id, [...kept]))
        .orderBy(asc(customers.code))
    : [];
  return {
    customers: customerIds.length,
    projects: theirProjects.filter((p) => p.archivedAt === null).length,
    ...time,
    archived: archived.map((r) => r.code),
  };
}

export type CustomerProjectRow = {
  id: number;
  code: string;
  name: string;
  active: boolean;
  managers: number;
  consultants: number;
};

/** One customer with its live projects, for its page in /admin. */
export async function customerDetail(
  ctx: ServiceContext,
  customerId: number,
): Promise<Result<{ customer: CustomerRow; projects: CustomerProjectRow[]; prepaid: PrepaidBalance | null }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageCustomers.right);
    if (!access.ok) return access;
    const customer = await tx.query.customers.findFirst({
      where: and(eq(customers.id, customerId), isNull(customers.archivedAt)),
    });
    if (!customer) return fail('gone', 'That customer no longer exists.');
    const list = await tx
      .select({
        id: projects.id,
        code: projects.code,
        name: projects.name,
        active: projects.active,
        // The team as the project's page shows it: people who still hold the role.
        managers: sql<number>`(select count(*)::int from project_managers pm
          join managers m on m.employee_id = pm.manager_id and m.archived_at is null
          join employees e on e.id = m.employee_id and e.archived_at is null
          where pm.project_id = ${projects.id})`,
        consultants: sql<number>`(select count(*)::int from project_consultants pc
          join consultants k on k.employee_id = pc.consultant_id and k.archived_at is null
          join employees e on e.id = k.employee_id and e.archived_at is null
          where pc.project_id = ${projects.id} and pc.archived_at is null)`,
      })
      .from(projects)
      .where(and(eq(projects.customerId, customerId), isNull(projects.archivedAt)))
      .orderBy(asc(projects.code));
    const { id, code, name, currency, billingMode, address, notes } = customer;
    const { paymentTermsDays, taxId, billingEmail, invoiceRoundingMinutes } = customer;
    return {
      ok: true as const,
      customer: {
        ...{ id, code, name, currency, billingMode, address, notes, projects: list.length },
        ...{ paymentTermsDays, taxId, billingEmail, invoiceRoundingMinutes },
      },
      projects: list.map((p) => ({ ...p, managers: Number(p.managers), consultants: Number(p.consultants) })),
      prepaid: (await prepaidBalances(tx, [customerId]))[0] ?? null,
    };
  });
}
