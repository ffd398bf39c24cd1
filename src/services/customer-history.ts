import { sql } from 'drizzle-orm';
import { type Queryable, queryRows, sqlList } from '../db/client.js';

/** What a customer's money already rests on: approved time, invoices, prepaid credit. */
export type CustomerHistory = 'approved time' | 'invoices' | 'prepaid credit';

/**
 * The customers among these whose approved time, invoices or prepaid credit were counted in their
 * currency and billing mode, with what they have. Such a customer's currency and billing mode are fixed.
 */
export async function customersWithHistory(
  q: Queryable,
  customerIds: number[],
): Promise<Map<number, CustomerHistory[]>> {
  const history = new Map<number, CustomerHistory[]>();
  if (customerIds.length === 0) return history;
  const list = sqlList(customerIds);
  const rows = await queryRows<{ customer_id: number; kind: CustomerHistory }>(
    q,
    sql`select distinct p.customer_id, 'approved time' as kind
          from projects p
         where p.customer_id in (${list})
           and exists (select 1 from time_entries te join timesheets t on t.id = te.timesheet_id
                        where te.project_id = p.id and t.status = 'approved')
        union select distinct customer_id, 'invoices' from invoices where customer_id in (${list})
        union select distinct customer_id, 'prepaid credit' from credit_ledger where customer_id in (${list})`,
  );
  for (const row of rows) {
    const id = Number(row.customer_id);
    history.set(id, [...(history.get(id) ?? []), row.kind].sort());
  }
  return history;
}

/** "approved time and invoices" */
export function describeHistory(kinds: CustomerHistory[]): string {
  return kinds.length <= 1 ? (kinds[0] ?? '') : `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)!}`;
}
