import { inArray, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
import { customers } from '../db/schema.js';

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

/**
 * A prepaid customer's balance, as columns of a select from `customers`: the one definition that
 * App Home's page and every other reader share.
 */
export const prepaidBalanceColumns = sql`customers.id as "customerId", customers.code as "customerCode",
  customers.name as "customerName", customers.low_credit_threshold_minutes as "lowCreditThresholdMinutes",
  coalesce((select sum(l.minutes) from credit_ledger l where l.customer_id = customers.id), 0)::int as "remainingMinutes",
  coalesce((select sum(e.minutes) from time_entries e
              join timesheets t on t.id = e.timesheet_id
              join projects p on p.id = e.project_id
             where p.customer_id = customers.id and t.status = 'submitted' and e.billable), 0)::int as "pendingMinutes"`;

/** Balances of the given prepaid customers (hourly customers are left out). */
export async function prepaidBalances(q: Queryable, customerIds: readonly number[]): Promise<PrepaidBalance[]> {
  if (customerIds.length === 0) return [];
  return queryRows<PrepaidBalance>(
    q,
    sql`select ${prepaidBalanceColumns} from customers
         where customers.billing_mode = 'prepaid' and ${inArray(customers.id, [...customerIds])}
         order by customers.code`,
  );
}
