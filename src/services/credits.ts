/**
 * Prepaid credits as people use them: `/credits` (balance, forecast, recent movements), and for
 * administrators purchases, adjustments, alert and top-up settings, and the prepaid log export.
 */
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type Queryable, queryRows, type Transaction } from '../db/client.js';
import { creditAlerts, creditLedger, customers } from '../db/schema.js';
import { typedCode } from '../domain/codes.js';
import { formatDay, isIsoDate } from '../domain/dates.js';
import { MAX_PRICE_MINOR, parseAmount } from '../domain/money.js';
import { type CreditForecast, parseCreditHours } from '../domain/prepaid.js';
import { fail, type Result } from '../domain/result.js';
import { closestMatches } from '../domain/suggestions.js';
import { queueCreditLineUpdates } from './approval-messages.js';
import { recordAudit } from './audit.js';
import { authorize, authorizeAny } from './authorization.js';
import type { ServiceContext } from './context.js';
import { actorUser, creditStanding, ledgerToday, lockPrepaidCustomers, settleCreditAlerts } from './credit-ledger.js';
import { OPERATIONS, rightsFor } from './operations.js';
import { readSettings } from './settings.js';
import { draftAutomaticTopup } from './topup-drafting.js';
import { serviceTransaction } from './transaction.js';

async function askerOf(q: Queryable, ctx: ServiceContext): Promise<{ userId: string; name: string }> {
  const userId = actorUser(ctx) ?? 'system';
  const [row] = await queryRows<{ name: string }>(q, sql`select display_name as name from users where id = ${userId}`);
  return { userId, name: row?.name ?? userId };
}

/** Movements shown by `/credits`. */
export const RECENT_MOVEMENTS = 10;
export const MAX_NOTE_LENGTH = 500;

export type CreditMovement = {
  id: number;
  occurredOn: string;
  kind: 'purchase' | 'deduction' | 'adjustment' | 'reversal';
  minutes: number;
  /** A purchase's note or PO number, an adjustment's reason. */
  note: string;
  priceCents: number | null;
  /** The time a deduction or reversal is for. */
  entry: {
    id: number;
    workDate: string;
    consultantId: string;
    consultantName: string;
    projectCode: string;
    description: string;
  } | null;
};

export type CreditSettings = {
  thresholdMinutes: number | null;
  alertChannel: string | null;
  autoTopup: boolean;
  topupMinutes: number | null;
  topupPriceCents: number | null;
  creditOnIssue: boolean;
};

export type CustomerCredit = {
  customerId: number;
  code: string;
  name: string;
  currency: string;
  remainingMinutes: number;
  pendingMinutes: number;
  forecast: CreditForecast;
  settings: CreditSettings;
  /** Newest first; only when one customer is asked for. */
  movements: CreditMovement[];
};

/**
 * `/credits [CODE]`: with a code, that customer's balance, forecast and last movements, for anyone
 * with time on it, its managers and administrators; without, every prepaid customer the user works
 * for (all of them for administrators). `canManage` says whether to offer the admin buttons.
 */
export async function creditsOverview(
  ctx: ServiceContext,
  code?: string,
): Promise<Result<{ customers: CustomerCredit[]; canManage: boolean }>> {
  if (ctx.actor.kind !== 'user') return fail('not_a_user', 'Only a person looks at credits.');
  const { actingFor } = ctx.actor;
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorizeAny(tx, ctx, rightsFor('viewCredits'));
    if (!access.ok && access.error.code === 'forbidden' && actingFor === undefined)
      return fail(
        'forbidden',
        'Prepaid credit is for people who log time, approve it or run the firm, and your roles give none of those rights. An administrator can give you a role with one in /admin > Users.',
      );
    if (!access.ok) return access;
    const userId = access.userId!;
    const canManage = access.rights.has(OPERATIONS.manageCredits.right);
    const visible = await visiblePrepaidCustomers(tx, userId, canManage);
    let chosen = visible;
    if (code !== undefined) {
      const wanted = typedCode(code);
      const found = await findPrepaidCustomer(tx, wanted);
      if (!found.ok) return found;
      if (!visible.some((c) => c.id === found.customer.id))
        return fail(
          'forbidden',
          `You do not work for ${found.customer.code}, so you cannot see its credit: it is for people with time on it, its managers and administrators.`,
        );
      chosen = [found.customer];
    }
    if (chosen.length === 0)
      return fail(
        'none',
        canManage
          ? 'No customer is prepaid yet. Make one prepaid in /admin > Customers, then add credits with /credits CODE.'
          : 'You do not work for any prepaid customer, so there is no credit to show.',
      );
    const answer: CustomerCredit[] = [];
    for (const customer of chosen)
      answer.push(await customerCredit(tx, ctx, customer, chosen.length === 1 ? RECENT_MOVEMENTS : 0));
    return { ok: true as const, customers: answer, canManage };
  });
}

type CustomerRow = typeof customers.$inferSelect;

async function visiblePrepaidCustomers(tx: Queryable, userId: string, all: boolean): Promise<CustomerRow[]> {
  if (all)
    return tx
      .select()
      .from(customers)
      .where(and(eq(customers.billingMode, 'prepaid'), isNull(customers.archivedAt)))
      .orderBy(asc(customers.code));
  const ids = await queryRows<{ id: number }>(
    tx,
    sql`select p.customer_id as id from projects p
          join time_entries te on te.project_id = p.id
          join timesheets t on t.id = te.timesheet_id
          join employees e on e.id = t.consultant_id
         where e.user_id = ${userId} and e.archived_at is null
        union
        select p.customer_id from projects p join project_consultants pc on pc.project_id = p.id
          join employees e on e.id = pc.consultant_id
         where e.user_id = ${userId} and pc.archived_at is null and e.archived_at is null
        union
        select p.customer_id from projects p join project_managers pm on pm.project_id = p.id
          join managers m on m.employee_id = pm.manager_id
          join employees e on e.id = m.employee_id
         where e.user_id = ${userId} and m.archived_at is null and e.archived_at is null and p.archived_at is null`,
  );
  if (ids.length === 0) return [];
  return tx
    .select()
    .from(customers)
    .where(
      and(
        inArray(
          customers.id,
          ids.map((r) => Number(r.id)),
        ),
        eq(customers.billingMode, 'prepaid'),
        isNull(customers.archivedAt),
      ),
    )
    .orderBy(asc(customers.code));
}

async function findPrepaidCustomer(
  tx: Queryable,
  code: string,
): Promise<{ ok: true; customer: CustomerRow } | { ok: false; error: { code: string; message: string } }> {
  const [customer] = await tx
    .select()
    .from(customers)
    .where(and(eq(customers.code, code), isNull(customers.archivedAt)));
  if (!customer) {
    const codes = (await tx.select({ code: customers.code }).from(customers).where(isNull(customers.archivedAt))).map(
      (c) => c.code,
    );
    const near = closestMatches(code, codes);
    return fail(
      'unknown_customer',
      `There is no customer ${code}.${near.length ? ` Did you mean ${near.join(', ')}?` : ''}`,
      'customer',
    );
  }
  if (customer.billingMode !== 'prepaid')
    return fail(
      'not_prepaid',
      `${customer.code} is billed by the hour, so it has no prepaid credit. An administrator can make it prepaid in /admin > Customers.`,
      'customer',
    );
  return { ok: true, customer };
}

async function customerCredit(
  tx: Queryable,
  ctx: ServiceContext,
  customer: CustomerRow,
  movements: number,
): Promise<CustomerCredit> {
  const standing = await creditStanding(tx, ctx, customer.id);
  return {
    customerId: customer.id,
    code: customer.code,
    name: customer.name,
    currency: customer.currency,
    remainingMinutes: standing.remainingMinutes,
    pendingMinutes: standing.pendingMinutes,
    forecast: standing.forecast,
    settings: settingsOf(customer),
    movements: movements > 0 ? await ledgerMovements(tx, customer.id, { newest: movements }) : [],
  };
}

function settingsOf(customer: CustomerRow): CreditSettings {
  return {
    thresholdMinutes: customer.lowCreditThresholdMinutes,
    alertChannel: customer.alertChannel,
    autoTopup: customer.autoInvoice,
    topupMinutes: customer.topupMinutes,
    topupPriceCents: customer.topupPriceCents,
    creditOnIssue: customer.creditOnIssue,
  };
}

/** Movements with the time they are for: the newest N (newest first), or a date range in ledger order. */
async function ledgerMovements(
  q: Queryable,
  customerId: number,
  which: { newest: number } | { from: string; to: string },
): Promise<CreditMovement[]> {
  const range = 'newest' in which ? sql`true` : sql`l.occurred_on between ${which.from}::date and ${which.to}::date`;
  const order = 'newest' in which ? sql`l.occurred_on desc, l.id desc limit ${which.newest}` : sql`l.occurred_on, l.id`;
  const rows = await queryRows<{
    id: number;
    occurred_on: string;
    kind: CreditMovement['kind'];
    minutes: number;
    note: string;
    price_cents: string | number | null;
    entry_id: number | null;
    work_date: string | null;
    consultant_id: string | null;
    consultant_name: string | null;
    project_code: string | null;
    description: string | null;
  }>(
    q,
    sql`select l.id, l.occurred_on::text as occurred_on, l.kind, l.minutes, l.note, l.price_cents,
               te.id as entry_id, te.work_date::text as work_date, e.user_id as consultant_id, e.name as consultant_name,
               p.code as project_code, te.description
          from credit_ledger l
          left join time_entries te on te.id = l.time_entry_id
          left join timesheets t on t.id = te.timesheet_id
          left join employees e on e.id = t.consultant_id
          left join projects p on p.id = te.project_id
         where l.customer_id = ${customerId} and ${range}
         order by ${order}`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    occurredOn: r.occurred_on,
    kind: r.kind,
    minutes: Number(r.minutes),
    note: r.note,
    priceCents: r.price_cents === null ? null : Number(r.price_cents),
    entry:
      r.entry_id === null
        ? null
        : {
            id: Number(r.entry_id),
            workDate: r.work_date!,
            consultantId: r.consultant_id ?? '',
            consultantName: r.consultant_name ?? '',
            projectCode: r.project_code ?? '',
            description: r.description ?? '',
          },
  }));
}

/** Runs an administrator's credit change on one prepaid customer, its row locked for the ledger. */
async function onPrepaidCustomer<T extends object>(
  ctx: ServiceContext,
  code: string,
  work: (tx: Transaction, customer: CustomerRow) => Promise<Result<T>>,
  options: { lock: boolean } = { lock: true },
): Promise<Result<T>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageCredits.right);
    if (!access.ok) return access;
    const found = await findPrepaidCustomer(tx, typedCode(code));
    if (!found.ok) return found;
    if (options.lock) await lockPrepaidCustomers(tx, [found.customer.id]);
    return work(tx, found.customer);
  });
}

export type PurchaseInput = { customerCode: string; hours: string; price: string; date: string; note: string };

/** A purchase of hours (with its price, date and note or PO number) adds to the credit and re-arms the alerts it lifts. */
export async function addCredits(
  ctx: ServiceContext,
  input: PurchaseInput,
): Promise<Result<{ remainingMinutes: number; movementId: number }>> {
  const hours = parseCreditHours(input.hours, { signed: false });
  if (!hours.ok) return fail('invalid_hours', hours.message, 'hours');
  if (!isIsoDate(input.date)) return fail('invalid_date', 'Pick the date of the purchase.', 'date');
  // Balances count every purchase and the prepaid log only those up to its day: a later date would split them.
  const today = ledgerToday(ctx);
  if (input.date > today)
    return fail(
      'future_date',
      `Record a purchase on the day it was bought: pick today (${formatDay(today)}) or an earlier day.`,
      'date',
    );
  const note = input.note.trim();
  if (note.length > MAX_NOTE_LENGTH)
    return fail('note_too_long', `Keep the note to ${MAX_NOTE_LENGTH} characters; it has ${note.length}.`, 'note');
  return onPrepaidCustomer(ctx, input.customerCode, async (tx, customer) => {
    const price = parseAmount(
      input.price.trim() || '0',
      customer.currency,
      { max: MAX_PRICE_MINOR, what: 'A price' },
      'price',
    );
    if (!price.ok) return price;
    const [row] = await tx
      .insert(creditLedger)
      .values({
        customerId: customer.id,
        minutes: hours.minutes,
        kind: 'purchase',
        occurredOn: input.date,
        priceCents: price.minor,
        note,
        actorId: actorUser(ctx),
        createdAt: ctx.clock.now(),
      })
      .returning();
    return afterMovement(tx, ctx, customer, row!, 'credit.purchase');
  });
}

/** A correction in signed hours, with the reason it is made (required, shown in the prepaid log). */
export async function adjustCredits(
  ctx: ServiceContext,
  input: { customerCode: string; hours: string; reason: string },
): Promise<Result<{ remainingMinutes: number; movementId: number }>> {
  const hours = parseCreditHours(input.hours, { signed: true });
  if (!hours.ok) return fail('invalid_hours', hours.message, 'hours');
  const reason = input.reason.trim();
  if (!reason)
    return fail('reason_required', 'Say why the credit is adjusted: the reason is shown in the prepaid log.', 'reason');
  if (reason.length > MAX_NOTE_LENGTH)
    return fail(
      'reason_too_long',
      `Keep the reason to ${MAX_NOTE_LENGTH} characters; it has ${reason.length}.`,
      'reason',
    );
  return onPrepaidCustomer(ctx, input.customerCode, async (tx, customer) => {
    const [row] = await tx
      .insert(creditLedger)
      .values({
        customerId: customer.id,
        minutes: hours.minutes,
        kind: 'adjustment',
        occurredOn: ledgerToday(ctx),
        note: reason,
        actorId: actorUser(ctx),
        createdAt: ctx.clock.now(),
      })
      .returning();
    return afterMovement(tx, ctx, customer, row!, 'credit.adjust');
  });
}

/** After a purchase or adjustment: its audit row, the alerts it lifts or crosses, the approval DMs' balance line. */
export async function afterMovement(
  tx: Transaction,
  ctx: ServiceContext,
  customer: CustomerRow,
  row: typeof creditLedger.$inferSelect,
  action: string,
): Promise<{ ok: true; remainingMinutes: number; movementId: number }> {
  await recordAudit(tx, ctx, { action, entity: 'customer', entityId: customer.id, after: row });
  await settleCreditAlerts(tx, ctx, customer.id, { lifting: true });
  await queueCreditLineUpdates(tx, ctx, [customer.id]);
  const standing = await creditStanding(tx, ctx, customer.id);
  return { ok: true, remainingMinutes: standing.remainingMinutes, movementId: row.id };
}

export type CreditSettingsInput = {
  customerCode: string;
  threshold: string;
  alertChannel: string | null;
  autoTopup: boolean;
  topupHours: string;
  topupPrice: string;
  creditOnIssue: boolean;
};

/** A customer's credit settings, for the Settings form. */
export async function creditSettings(
  ctx: ServiceContext,
  code: string,
): Promise<Result<{ customer: { code: string; name: string; currency: string }; settings: CreditSettings }>> {
  return onPrepaidCustomer(
    ctx,
    code,
    (_tx, customer) =>
      Promise.resolve({
        ok: true as const,
        customer: { code: customer.code, name: customer.name, currency: customer.currency },
        settings: settingsOf(customer),
      }),
    { lock: false },
  );
}

/**
 * Threshold hours, alert channel, automatic top-up with its package, credit on issue. The alerts
 * are settled again at once: a threshold raised above the balance alerts now, one lowered re-arms.
 */
export async function saveCreditSettings(
  ctx: ServiceContext,
  input: CreditSettingsInput,
): Promise<Result<{ settings: CreditSettings }>> {
  const threshold = input.threshold.trim() ? parseCreditHours(input.threshold, { signed: false }) : null;
  if (threshold && !threshold.ok) return fail('invalid_threshold', threshold.message, 'threshold');
  const topupHours = input.topupHours.trim() ? parseCreditHours(input.topupHours, { signed: false }) : null;
  if (topupHours && !topupHours.ok) return fail('invalid_topup_hours', topupHours.message, 'topupHours');
  if (input.autoTopup && !topupHours)
    return fail(
      'topup_hours_required',
      'Automatic top-up needs the package: how many hours each top-up invoice buys.',
      'topupHours',
    );
  return onPrepaidCustomer(ctx, input.customerCode, async (tx, customer) => {
    let topupPriceCents: number | null = null;
    if (input.topupPrice.trim()) {
      const price = parseAmount(
        input.topupPrice,
        customer.currency,
        { max: MAX_PRICE_MINOR, what: 'A package price' },
        'topupPrice',
      );
      if (!price.ok) return price;
      topupPriceCents = price.minor;
    } else if (input.autoTopup)
      return fail(
        'topup_price_required',
        `Automatic top-up needs the package price in ${customer.currency}.`,
        'topupPrice',
      );
    const values = {
      lowCreditThresholdMinutes: threshold?.ok ? threshold.minutes : null,
      alertChannel: input.alertChannel || null,
      autoInvoice: input.autoTopup,
      topupMinutes: topupHours?.ok ? topupHours.minutes : null,
      topupPriceCents,
      creditOnIssue: input.creditOnIssue,
    };
    const [after] = await tx
      .update(customers)
      .set({ ...values, updatedAt: ctx.clock.now() })
      .where(eq(customers.id, customer.id))
      .returning();
    await recordAudit(tx, ctx, {
      action: 'credit.settings',
      entity: 'customer',
      entityId: customer.id,
      before: settingsOf(customer),
      after: settingsOf(after!),
    });
    const fired = await settleCreditAlerts(tx, ctx, customer.id, { lifting: true });
    // Turned on while the balance is already low, it would wait for a crossing that has happened: draft now.
    if (
      input.autoTopup &&
      !customer.autoInvoice &&
      !fired.includes('low_credit') &&
      (await lowCreditLive(tx, customer.id))
    )
      await draftAutomaticTopup(tx, ctx, after!);
    return { ok: true as const, settings: settingsOf(after!) };
  });
}

async function lowCreditLive(tx: Transaction, customerId: number): Promise<boolean> {
  const [live] = await tx
    .select({ id: creditAlerts.id })
    .from(creditAlerts)
    .where(
      and(eq(creditAlerts.customerId, customerId), eq(creditAlerts.kind, 'low_credit'), isNull(creditAlerts.rearmedAt)),
    );
  return live !== undefined;
}

export type PrepaidLog = {
  customer: { code: string; name: string; currency: string };
  from: string;
  to: string;
  openingMinutes: number;
  /** In date order, each with the balance after it. */
  movements: (CreditMovement & { balanceMinutes: number })[];
  closingMinutes: number;
  /** For the heading: the firm's name, who asked and when. */
  firmName: string;
  askedBy: { userId: string; name: string };
  asOf: Date;
};

/** The prepaid log between two dates (inclusive): opening balance, every movement with the running balance, closing. */
export async function prepaidLog(
  ctx: ServiceContext,
  input: { customerCode: string; from: string; to: string },
): Promise<Result<{ log: PrepaidLog }>> {
  if (!isIsoDate(input.from)) return fail('invalid_date', 'Pick the first day of the log.', 'from');
  if (!isIsoDate(input.to)) return fail('invalid_date', 'Pick the last day of the log.', 'to');
  if (input.from > input.to) return fail('dates_reversed', 'The first day comes after the last one: swap them.', 'to');
  return onPrepaidCustomer(
    ctx,
    input.customerCode,
    async (tx, customer) => {
      const [opening] = await queryRows<{ minutes: number }>(
        tx,
        sql`select coalesce(sum(minutes), 0)::int as minutes from credit_ledger
           where customer_id = ${customer.id} and occurred_on < ${input.from}::date`,
      );
      let balance = Number(opening!.minutes);
      const movements = (await ledgerMovements(tx, customer.id, { from: input.from, to: input.to })).map((m) => ({
        ...m,
        balanceMinutes: (balance += m.minutes),
      }));
      return {
        ok: true as const,
        log: {
          customer: { code: customer.code, name: customer.name, currency: customer.currency },
          from: input.from,
          to: input.to,
          openingMinutes: Number(opening!.minutes),
          movements,
          closingMinutes: balance,
          firmName: (await readSettings(tx)).firm_name ?? '',
          askedBy: await askerOf(tx, ctx),
          asOf: ctx.clock.now(),
        },
      };
    },
    { lock: false },
  );
}
