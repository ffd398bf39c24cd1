import { and, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { creditLedger, customers, projectConsultants, projects, timeEntries, timesheets } from '../db/schema.js';

export type PrepaidBalance = {
  customerId: number;
  customerCode: string;
  customerName: string;
  /** Purchases, adjustments and reversals minus deductions: the ledger sum, never stored twice. */
  remainingMinutes: number;
  /** Billable minutes on submitted timesheets, to be deducted once approved. */
  pendingMinutes: number;
  lowCreditThresholdMinutes: number | null;
};

/** Balances of the given prepaid customers (hourly customers are left out). */
export async function prepaidBalances(q: Queryable, customerIds: readonly number[]): Promise<PrepaidBalance[]> {
  if (customerIds.length === 0) return [];
  return balancesOf(q, inArray(customers.id, [...customerIds]));
}

/** Balances of the prepaid customers whose active projects the consultant is assigned to (App Home). */
export async function assignedPrepaidBalances(q: Queryable, consultantId: number): Promise<PrepaidBalance[]> {
  const assigned = q
    .select({ id: projects.customerId })
    .from(projectConsultants)
    .innerJoin(projects, eq(projects.id, projectConsultants.projectId))
    .where(
      and(
        eq(projectConsultants.consultantId, consultantId),
        isNull(projectConsultants.archivedAt),
        eq(projects.active, true),
      ),
    );
  return balancesOf(q, inArray(customers.id, assigned));
}

async function balancesOf(q: Queryable, which: SQL): Promise<PrepaidBalance[]> {
  const prepaid = await q
    .select({
      customerId: customers.id,
      customerCode: customers.code,
      customerName: customers.name,
      lowCreditThresholdMinutes: customers.lowCreditThresholdMinutes,
    })
    .from(customers)
    .where(and(which, eq(customers.billingMode, 'prepaid')))
    .orderBy(customers.code);
  if (prepaid.length === 0) return [];
  const prepaidIds = prepaid.map((row) => row.customerId);

  const ledger = await q
    .select({ customerId: creditLedger.customerId, minutes: sql<number>`sum(${creditLedger.minutes})::int` })
    .from(creditLedger)
    .where(inArray(creditLedger.customerId, prepaidIds))
    .groupBy(creditLedger.customerId);
  const remainingByCustomer = new Map(ledger.map((row) => [row.customerId, Number(row.minutes)]));

  const pending = await q
    .select({ customerId: projects.customerId, minutes: sql<number>`sum(${timeEntries.minutes})::int` })
    .from(timeEntries)
    .innerJoin(timesheets, eq(timesheets.id, timeEntries.timesheetId))
    .innerJoin(projects, eq(projects.id, timeEntries.projectId))
    .where(
      and(inArray(projects.customerId, prepaidIds), eq(timesheets.status, 'submitted'), eq(timeEntries.billable, true)),
    )
    .groupBy(projects.customerId);
  const pendingByCustomer = new Map(pending.map((row) => [row.customerId, Number(row.minutes)]));

  return prepaid.map((row) => ({
    ...row,
    remainingMinutes: remainingByCustomer.get(row.customerId) ?? 0,
    pendingMinutes: pendingByCustomer.get(row.customerId) ?? 0,
  }));
}
