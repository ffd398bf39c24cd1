/**
 * The prepaid credit ledger inside other transactions: deductions when a sheet is approved, the
 * balance and forecast of a customer, and the low-credit alerts a movement calls for. Every writer
 * locks the customer row first, so movements of one customer are serialised and a crossing of the
 * threshold is seen by exactly one transaction. The balance is always the ledger's sum.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type Queryable, queryRows, sqlList, type Transaction } from '../db/client.js';
import { creditAlerts, customers } from '../db/schema.js';
import { addDays, dateInZone } from '../domain/dates.js';
import {
  type CreditAlertKind,
  creditAlertChanges,
  creditForecast,
  type CreditForecast,
  FORECAST_WINDOW_DAYS,
} from '../domain/prepaid.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { draftAutomaticTopup } from './topup-drafting.js';
import { enqueueMessage } from './outbox.js';

export const CREDIT_ALERT = 'credit-alert';

/** A low-credit or early alert, as the channel and each manager read it. */
export type CreditAlertModel = {
  kind: CreditAlertKind;
  customerCode: string;
  customerName: string;
  remainingMinutes: number;
  pendingMinutes: number;
  thresholdMinutes: number | null;
  forecast: CreditForecast;
};

/** The firm's calendar day now: ledger movements are dated in the firm's time zone. */
export function ledgerToday(ctx: ServiceContext): string {
  return dateInZone(ctx.clock.now(), ctx.org.timeZone);
}

/** Locks prepaid customers' rows in id order (the order every ledger writer takes), and returns those that are prepaid. */
export async function lockPrepaidCustomers(tx: Transaction, customerIds: readonly number[]): Promise<number[]> {
  if (customerIds.length === 0) return [];
  const rows = await tx
    .select({ id: customers.id })
    .from(customers)
    .where(and(inArray(customers.id, [...customerIds]), eq(customers.billingMode, 'prepaid')))
    .orderBy(customers.id)
    .for('update');
  return rows.map((row) => row.id);
}

/**
 * Deducts every billable entry of an approved sheet on a prepaid customer's project, once per entry
 * (the unique index on deductions makes a repeat insert nothing). Returns the customers whose
 * balance moved, after their alerts are settled; call it in the approval's transaction.
 */
export async function deductApprovedTime(tx: Transaction, ctx: ServiceContext, timesheetId: number): Promise<number[]> {
  const charged = await queryRows<{ customer_id: number }>(
    tx,
    sql`select distinct p.customer_id from time_entries te join projects p on p.id = te.project_id
        where te.timesheet_id = ${timesheetId} and te.billable`,
  );
  // Hourly customers are locked too, and their billing read under the lock: a switch to prepaid
  // either commits first (and this deducts) or waits and then finds approved time (and is refused).
  const locked = charged.length
    ? await tx
        .select({ id: customers.id, billingMode: customers.billingMode })
        .from(customers)
        .where(
          inArray(
            customers.id,
            charged.map((row) => Number(row.customer_id)),
          ),
        )
        .orderBy(customers.id)
        .for('update')
    : [];
  await ctx.pause?.('approve:customers-locked');
  const customerIds = locked.filter((customer) => customer.billingMode === 'prepaid').map((customer) => customer.id);
  if (customerIds.length === 0) return [];
  const inserted = await queryRows<{ customer_id: number }>(
    tx,
    sql`insert into credit_ledger (customer_id, minutes, kind, occurred_on, time_entry_id, note, actor_id, created_at)
        select p.customer_id, -te.minutes, 'deduction', ${ledgerToday(ctx)}::date, te.id, '', ${actorUser(ctx)}, ${ctx.clock.now()}
          from time_entries te join projects p on p.id = te.project_id
         where te.timesheet_id = ${timesheetId} and te.billable and p.customer_id in (${sqlList(customerIds)})
         order by te.id
        on conflict (time_entry_id) where kind = 'deduction' do nothing
        returning customer_id`,
  );
  const moved = [...new Set(inserted.map((row) => Number(row.customer_id)))].sort((a, b) => a - b);
  for (const customerId of moved) await settleCreditAlerts(tx, ctx, customerId, { lifting: false });
  return moved;
}

/** What removing approved time gave back to one prepaid customer. */
export type CreditReversal = { customerId: number; customerCode: string; customerName: string; minutes: number };

/**
 * Approved time is removed (an administrator deleted the sheet or sent it back): each deduction of
 * the sheet's entries gets its reversal, once per entry (a unique index makes a repeat write
 * nothing), and the entry stays as the record both point at. A reversal that lifts the balance
 * back above the threshold re-arms the alert, as a purchase does. Call it in the removing
 * transaction with the sheet row locked; answers what each customer got back.
 */
export async function reverseRemovedTime(
  tx: Transaction,
  ctx: ServiceContext,
  timesheetId: number,
  note: string,
): Promise<CreditReversal[]> {
  const deducted = await queryRows<{ customer_id: number }>(
    tx,
    sql`select distinct l.customer_id from credit_ledger l join time_entries te on te.id = l.time_entry_id
         where te.timesheet_id = ${timesheetId} and l.kind = 'deduction'`,
  );
  const customerIds = await lockPrepaidCustomers(
    tx,
    deducted.map((row) => Number(row.customer_id)),
  );
  if (customerIds.length === 0) return [];
  const inserted = await queryRows<{ customer_id: number; minutes: number }>(
    tx,
    sql`insert into credit_ledger (customer_id, minutes, kind, occurred_on, time_entry_id, note, actor_id, created_at)
        select l.customer_id, -l.minutes, 'reversal', ${ledgerToday(ctx)}::date, l.time_entry_id, ${note}, ${actorUser(ctx)}, ${ctx.clock.now()}
          from credit_ledger l join time_entries te on te.id = l.time_entry_id
         where te.timesheet_id = ${timesheetId} and l.kind = 'deduction' and l.customer_id in (${sqlList(customerIds)})
         order by l.time_entry_id
        on conflict (time_entry_id) where kind = 'reversal' do nothing
        returning customer_id, minutes`,
  );
  const given = new Map<number, number>();
  for (const row of inserted)
    given.set(Number(row.customer_id), (given.get(Number(row.customer_id)) ?? 0) + Number(row.minutes));
  const reversals: CreditReversal[] = [];
  for (const customerId of [...given.keys()].sort((a, b) => a - b)) {
    await settleCreditAlerts(tx, ctx, customerId, { lifting: true });
    const [customer] = await tx.select().from(customers).where(eq(customers.id, customerId));
    const minutes = given.get(customerId)!;
    reversals.push({ customerId, customerCode: customer!.code, customerName: customer!.name, minutes });
    await recordAudit(tx, ctx, {
      action: 'credit.reversal',
      entity: 'customer',
      entityId: customerId,
      after: { timesheetId, minutes, note },
    });
  }
  return reversals;
}

/** The ledger user behind a movement (null for the system). */
export function actorUser(ctx: ServiceContext): string | null {
  return ctx.actor.kind === 'user' ? ctx.actor.userId : null;
}

export type CreditStanding = {
  remainingMinutes: number;
  pendingMinutes: number;
  /** Deducted minus reversed over the forecast window. */
  usedInWindowMinutes: number;
  forecast: CreditForecast;
};

/** Remaining (the ledger sum), pending (billable on submitted sheets) and the forecast, for one customer. */
export async function creditStanding(q: Queryable, ctx: ServiceContext, customerId: number): Promise<CreditStanding> {
  const since = addDays(ledgerToday(ctx), -FORECAST_WINDOW_DAYS);
  const [row] = await queryRows<{ remaining: number; used: number; pending: number }>(
    q,
    sql`select coalesce((select sum(minutes) from credit_ledger where customer_id = ${customerId}), 0)::int as remaining,
               coalesce((select -sum(minutes) from credit_ledger
                          where customer_id = ${customerId} and kind in ('deduction', 'reversal') and occurred_on > ${since}::date), 0)::int as used,
               coalesce((select sum(te.minutes) from time_entries te join timesheets t on t.id = te.timesheet_id
                           join projects p on p.id = te.project_id
                          where p.customer_id = ${customerId} and t.status = 'submitted' and te.billable), 0)::int as pending`,
  );
  const remainingMinutes = Number(row!.remaining);
  const usedInWindowMinutes = Math.max(0, Number(row!.used));
  return {
    remainingMinutes,
    pendingMinutes: Number(row!.pending),
    usedInWindowMinutes,
    forecast: creditForecast(remainingMinutes, usedInWindowMinutes),
  };
}

/**
 * Fires the alerts the customer's balance now calls for and re-arms those a purchase, adjustment or
 * reversal (`lifting`) cleared. Call with the customer row locked: the live-alert unique index backs it up.
 * The scheduled check calls it too, and can never repeat an alert a transaction already sent.
 */
export async function settleCreditAlerts(
  tx: Transaction,
  ctx: ServiceContext,
  customerId: number,
  options: { lifting: boolean },
): Promise<CreditAlertKind[]> {
  const [customer] = await tx.select().from(customers).where(eq(customers.id, customerId));
  if (!customer || customer.billingMode !== 'prepaid') return [];
  const standing = await creditStanding(tx, ctx, customerId);
  const live = await tx
    .select({ kind: creditAlerts.kind })
    .from(creditAlerts)
    .where(and(eq(creditAlerts.customerId, customerId), isNull(creditAlerts.rearmedAt)));
  const changes = creditAlertChanges({
    remainingMinutes: standing.remainingMinutes,
    thresholdMinutes: customer.lowCreditThresholdMinutes,
    forecast: standing.forecast,
    usedInWindowMinutes: standing.usedInWindowMinutes,
    live: live.map((row) => row.kind),
    lifting: options.lifting,
  });
  const now = ctx.clock.now();
  if (changes.rearm.length)
    await tx
      .update(creditAlerts)
      .set({ rearmedAt: now })
      .where(
        and(
          eq(creditAlerts.customerId, customerId),
          inArray(creditAlerts.kind, changes.rearm),
          isNull(creditAlerts.rearmedAt),
        ),
      );
  for (const kind of changes.fire) {
    const [alert] = await tx
      .insert(creditAlerts)
      .values({
        customerId,
        kind,
        remainingMinutes: standing.remainingMinutes,
        thresholdMinutes: customer.lowCreditThresholdMinutes,
        daysLeft: standing.forecast.kind === 'runs_out' ? standing.forecast.days : null,
        alertedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!alert) continue;
    const model: CreditAlertModel = {
      kind,
      customerCode: customer.code,
      customerName: customer.name,
      remainingMinutes: standing.remainingMinutes,
      pendingMinutes: standing.pendingMinutes,
      thresholdMinutes: customer.lowCreditThresholdMinutes,
      forecast: standing.forecast,
    };
    const channel = customer.alertChannel ?? ctx.org.financeChannel;
    const recipients = [...(channel ? [channel] : []), ...(await customerManagers(tx, customerId))];
    for (const to of recipients) {
      const key = `credit-alert:${alert.id}:${to}`;
      await enqueueMessage(
        tx,
        key,
        { kind: 'post', ref: key, channel: to, content: { template: CREDIT_ALERT, model } },
        now,
      );
    }
    await recordAudit(tx, ctx, {
      action: `credit.alert_${kind}`,
      entity: 'customer',
      entityId: customerId,
      after: { alertId: alert.id, remainingMinutes: standing.remainingMinutes, recipients },
    });
    if (kind === 'low_credit') await draftAutomaticTopup(tx, ctx, customer);
  }
  return changes.fire;
}

/**
 * The scheduled check (jobs): alerts a customer whose balance or forecast calls for it and that no
 * transaction has alerted yet. Any number of instances may run it at once; each crossing is told once.
 */
export async function checkCreditAlerts(ctx: ServiceContext, customerId: number): Promise<CreditAlertKind[]> {
  return ctx.db.transaction(async (tx) => {
    const [locked] = await lockPrepaidCustomers(tx, [customerId]);
    return locked === undefined ? [] : settleCreditAlerts(tx, ctx, customerId, { lifting: false });
  });
}

/**
 * The credit-check job's backstop: every live prepaid customer's alerts settled in the caller's
 * transaction, the rows locked in the ledger's order. A crossing a transaction already announced
 * has its live `credit_alerts` row, so only what was missed (a forecast that drifted with the
 * calendar, say) goes out. Answers the alerts it sent, per customer code.
 */
export async function checkEveryCreditAlert(
  tx: Transaction,
  ctx: ServiceContext,
): Promise<{ customerCode: string; kinds: CreditAlertKind[] }[]> {
  const prepaid = await tx
    .select({ id: customers.id, code: customers.code })
    .from(customers)
    .where(and(eq(customers.billingMode, 'prepaid'), isNull(customers.archivedAt)))
    .orderBy(customers.id);
  const locked = await lockPrepaidCustomers(
    tx,
    prepaid.map((customer) => customer.id),
  );
  const sent: { customerCode: string; kinds: CreditAlertKind[] }[] = [];
  for (const customer of prepaid) {
    if (!locked.includes(customer.id)) continue;
    const kinds = await settleCreditAlerts(tx, ctx, customer.id, { lifting: false });
    if (kinds.length) sent.push({ customerCode: customer.code, kinds });
  }
  return sent;
}

/** Active managers of the customer's live projects: they hear when its credit runs low. */
async function customerManagers(q: Queryable, customerId: number): Promise<string[]> {
  const rows = await queryRows<{ user_id: string }>(
    q,
    sql`select distinct e.user_id from project_managers pm
          join projects p on p.id = pm.project_id
          join managers m on m.employee_id = pm.manager_id
          join employees e on e.id = m.employee_id
          join users u on u.id = e.user_id
         where p.customer_id = ${customerId} and p.archived_at is null and m.archived_at is null
           and e.archived_at is null and u.active
         order by e.user_id`,
  );
  return rows.map((row) => row.user_id);
}
