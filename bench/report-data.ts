/**
 * Report data for benchmarks and the docs pictures: a firm (as a setup file) and any number of
 * approved entries, inserted by one INSERT … SELECT over generate_series so a million rows take
 * seconds, with rates frozen the way approval freezes them.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../src/db/client.js';

const DESCRIPTIONS = [
  'Design review with the product team',
  'Workshop: requirements for the billing module',
  'Fixed login redirect after password reset',
  'Weekly status call',
  'Data migration dry run and checks',
  'Code review of the payment integration',
  'Performance tuning of the search page',
  'Documentation of the deployment process',
  'Incident follow-up and post-mortem notes',
  'Sprint planning',
];

/**
 * A firm as a setup file: customers in USD and EUR, projects of three consultants each, a finance
 * person U0FINANCE (AR and AP) and consultant U00000 with the entry right (for `/log`). With
 * `fanOut`, consultant U0SUBMIT also works on `projects` projects F0, F1, … with their own
 * `managersPerProject` managers each, so submitting U0SUBMIT's sheet DMs every one of them.
 * Consultant U0000k works on projects P(k/3), among others.
 */
export function reportFirmYaml(options: {
  customers: number;
  projects: number;
  consultants: number;
  periods: { starts: string; ends: string }[];
  fanOut?: { projects: number; managersPerProject: number };
  /** Every consultant may `/log` (has the Consultant role), not only U00000. */
  everyoneLogs?: boolean;
}): string {
  const fanOut = options.fanOut ?? { projects: 0, managersPerProject: 0 };
  const managerOf = (project: number, k: number) => `U0MGR${project}X${k}`;
  const managersOf = (project: number) =>
    Array.from({ length: fanOut.managersPerProject }, (_, k) => managerOf(project, k));
  const lines = ['settings:', '  firm_name: Northwind Consulting GmbH', 'customers:'];
  for (let c = 0; c < options.customers; c++)
    lines.push(`  - { code: C${c}, name: Customer ${c}, currency: ${c % 3 === 2 ? 'EUR' : 'USD'}, billing: hourly }`);
  lines.push('employees:');
  for (let e = 0; e < options.consultants; e++)
    lines.push(
      `  - { user: U${String(e).padStart(5, '0')}, name: Consultant ${e}, consultant: { cost_rate: '${60 + (e % 40)}.50', price_rate: '${120 + (e % 60)}.10' } }`,
    );
  if (fanOut.projects)
    lines.push(`  - { user: U0SUBMIT, name: Sam Submit, consultant: { cost_rate: '50.00', price_rate: '100.00' } }`);
  for (let f = 0; f < fanOut.projects; f++)
    for (const m of managersOf(f)) lines.push(`  - { user: ${m}, name: Manager ${m}, manager: true }`);
  lines.push('projects:');
  for (let f = 0; f < fanOut.projects; f++)
    lines.push(
      `  - { code: F${f}, customer: C0, name: Fan-out ${f}, managers: [${managersOf(f).join(', ')}], consultants: [ { user: U0SUBMIT } ] }`,
    );
  for (let p = 0; p < options.projects; p++) {
    const team = [0, 1, 2].map((k) => `U${String((p * 3 + k) % options.consultants).padStart(5, '0')}`);
    const customer = p % options.customers;
    // A consultant's default price rate is in the firm's currency: a EUR customer's project sets its own.
    const rate = customer % 3 === 2 ? `, price_rate: '${110 + (p % 50)}.00'` : '';
    lines.push(
      `  - { code: P${p}, customer: C${customer}, name: Project ${p}, consultants: [${[...new Set(team)].map((u) => `{ user: ${u}${rate} }`).join(', ')}] }`,
    );
  }
  lines.push(
    'roles:',
    '  - { name: Finance, rights: [receivable, payable] }',
    '  - { name: Consultant, rights: [entry] }',
    '  - { name: Manager, rights: [approval] }',
  );
  lines.push(
    'users:',
    '  - { user: U0FINANCE, name: Erin Finance, roles: [Finance] }',
    ...Array.from(
      { length: options.everyoneLogs ? options.consultants : 1 },
      (_, e) => `  - { user: U${String(e).padStart(5, '0')}, roles: [Consultant] }`,
    ),
  );
  if (fanOut.projects) lines.push('  - { user: U0SUBMIT, roles: [Consultant] }');
  for (let f = 0; f < fanOut.projects; f++)
    for (const m of managersOf(f)) lines.push(`  - { user: ${m}, roles: [Manager] }`);
  lines.push('periods:', ...options.periods.map((p) => `  - { starts: ${p.starts}, ends: ${p.ends} }`));
  return `${lines.join('\n')}\n`;
}

/**
 * `count` approved entries in the period starting `periodStartsOn`, spread over every consultant's
 * project assignments, one timesheet per consultant approved on the period's last evening; one in
 * ten entries is not billable.
 */
export async function seedApprovedEntries(
  db: Database,
  options: { periodStartsOn: string; count: number },
): Promise<void> {
  await db.execute(sql`
    insert into timesheets (consultant_id, period_id, status, submitted_at, decided_at)
    select c.employee_id, p.id, 'approved', p.ends_on + time '18:00', p.ends_on + time '18:00'
      from consultants c cross join reporting_periods p
     where p.starts_on = ${options.periodStartsOn}::date`);
  const descriptions = sql.join(
    DESCRIPTIONS.map((d) => sql`${d}`),
    sql`, `,
  );
  await db.execute(sql`
    with assignment as (
      select (row_number() over (order by pc.project_id, pc.consultant_id) - 1)::int as i,
             pc.project_id, t.id as sheet, e.user_id,
             coalesce(pc.cost_rate_cents, c.default_cost_rate_cents) as cost,
             coalesce(pc.price_rate_cents, c.default_price_rate_cents) as price,
             p.starts_on, p.ends_on
        from project_consultants pc
        join consultants c on c.employee_id = pc.consultant_id
        join employees e on e.id = c.employee_id
        join reporting_periods p on p.starts_on = ${options.periodStartsOn}::date
        join timesheets t on t.consultant_id = c.employee_id and t.period_id = p.id
    ), total as (select count(*)::int as n from assignment)
    insert into time_entries (timesheet_id, project_id, work_date, minutes, description, billable, source, created_by,
                              cost_rate_cents, price_rate_cents)
    select a.sheet, a.project_id, a.starts_on + (g % (a.ends_on - a.starts_on + 1)), 5 + (g * 37) % 475,
           (array[${descriptions}])[1 + g % ${DESCRIPTIONS.length}], g % 10 <> 0, 'command', a.user_id, a.cost, a.price
      from generate_series(0, ${options.count - 1}) g
      cross join total
      join assignment a on a.i = g % total.n`);
}

/** Last month (for the report) and this month (open for `/log`), from today's date. */
export function lastAndThisMonth(today = new Date()): {
  last: { starts: string; ends: string };
  current: { starts: string; ends: string };
} {
  const day = (year: number, month: number, date: number) =>
    new Date(Date.UTC(year, month, date)).toISOString().slice(0, 10);
  const [year, month] = [today.getUTCFullYear(), today.getUTCMonth()];
  return {
    last: { starts: day(year, month - 1, 1), ends: day(year, month, 0) },
    current: { starts: day(year, month, 1), ends: day(year, month + 1, 0) },
  };
}
