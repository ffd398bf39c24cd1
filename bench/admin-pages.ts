/**
 * /admin at the size of a busy firm: 300 customers, 1,000 projects, 250 employees (each project
 * with a manager and three consultants). Measures, over signed HTTP against the fake Slack, the
 * time from a click until Slack has been asked to show the page, and how fast a search answers.
 *
 *   npx tsx bench/admin-pages.ts                                                        # PGlite in memory
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/admin-pages.ts
 *
 * BENCH_ROUNDS (default 30) clicks per page.
 */
import { ids } from '../blocks/ids.js';
import { loadConfig } from '../src/config.js';
import { customers, employees, projects } from '../src/db/schema.js';
import { systemClock } from '../src/domain/clock.js';
import { silentLogger } from '../src/logger.js';
import { startConsulTracker } from '../src/server.js';
import { importSetup } from '../src/services/setup-import.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { SlackClientSimulator } from '../test/support/slack-requests.js';
import { recordFigure } from './figures.js';
import { benchDatabase } from './throwaway-database.js';

const CUSTOMERS = 300;
const PROJECTS = 1000;
const CONSULTANTS = 200;
const MANAGERS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const SECRET = 'bench-secret';
const ADMIN = 'U0ADMIN';

const fake = await startFakeSlack();
const { connection, label, drop } = await benchDatabase();
const config = loadConfig({
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_API_URL: fake.apiUrl,
  PORT: '0',
  ADMIN_USER_IDS: ADMIN,
});
const app = await startConsulTracker({ config, connection, clock: systemClock, log: silentLogger });
await app.initialised;
const slack = new SlackClientSimulator({
  appUrl: `http://127.0.0.1:${app.port}`,
  signingSecret: SECRET,
  responseUrl: fake.responseUrl,
});
fake.users.set(ADMIN, { id: ADMIN, real_name: 'Ada Admin', tz: 'UTC' });

const imported = await importSetup(
  {
    db: connection.db,
    actor: { kind: 'system', name: 'cli' },
    clock: systemClock,
    log: silentLogger,
    org: { timeZone: 'UTC', currency: 'USD' },
  },
  setup(),
);
if (!imported.ok) throw new Error(imported.errors.join('\n'));
const projectIds = (await connection.db.select({ id: projects.id }).from(projects)).map((p) => p.id);
const employeeIds = (await connection.db.select({ id: employees.id }).from(employees)).map((e) => e.id);
const customerIds = (await connection.db.select({ id: customers.id }).from(customers)).map((c) => c.id);

try {
  console.log(
    `database: ${label}; ${CUSTOMERS} customers, ${PROJECTS} projects, ${CONSULTANTS + MANAGERS} employees; ${ROUNDS} rounds each`,
  );
  report(
    'Projects list (views.push)',
    await rounds((i) =>
      until('views.push', () =>
        slack.blockAction({
          userId: ADMIN,
          actionId: ids.admin.openProjects,
          value: 'projects',
          container: { type: 'view', viewId: `VHOME${i}` },
        }),
      ),
    ),
  );
  report(
    "a project's page (views.update)",
    await rounds((i) =>
      until('views.update', () =>
        slack.blockAction({
          userId: ADMIN,
          actionId: ids.admin.openProject,
          selectedOption: String(projectIds[(i * 37) % projectIds.length]),
          container: { type: 'view', viewId: 'VPROJ' },
        }),
      ),
    ),
  );
  report(
    "an employee's page (views.update)",
    await rounds((i) =>
      until('views.update', () =>
        slack.blockAction({
          userId: ADMIN,
          actionId: ids.admin.openEmployee,
          selectedOption: String(employeeIds[(i * 7) % employeeIds.length]),
          container: { type: 'view', viewId: 'VEMP' },
        }),
      ),
    ),
  );
  report(
    "a customer's page (views.update)",
    await rounds((i) =>
      until('views.update', () =>
        slack.blockAction({
          userId: ADMIN,
          actionId: ids.admin.openCustomer,
          selectedOption: String(customerIds[(i * 11) % customerIds.length]),
          container: { type: 'view', viewId: 'VCUST' },
        }),
      ),
    ),
  );
  report(
    'project search answer (block_suggestion)',
    await rounds(async (i) => {
      const started = performance.now();
      const answer = await slack.blockSuggestion({
        userId: ADMIN,
        actionId: ids.admin.openProject,
        blockId: 'admin_project_actions',
        value: `P-${i}`,
        view: { id: 'VPROJ', callback_id: ids.admin.projectsModal },
      });
      if (!JSON.stringify(answer.body).includes('options')) throw new Error(answer.text);
      return performance.now() - started;
    }),
  );
} finally {
  await app.stop();
  await fake.close();
  await drop();
}

/** Sends the click and waits until the fake Slack has received one more call to `method`. */
async function until(method: string, click: () => Promise<unknown>): Promise<number> {
  const before = fake.callsTo(method).length;
  const started = performance.now();
  await click();
  while (fake.callsTo(method).length === before) {
    if (performance.now() - started > 30_000) throw new Error(`no ${method} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return performance.now() - started;
}

async function rounds(one: (i: number) => Promise<number>): Promise<number[]> {
  await one(ROUNDS); // warm-up, not counted
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) times.push(await one(i));
  return times.sort((a, b) => a - b);
}

function report(what: string, sorted: number[]): void {
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  console.log(`${what}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
  // Slack allows 3 s for the ack and for a search answer.
  recordFigure({
    benchmark: `admin pages, ${label}`,
    figure: `${what} p95`,
    value: Number(at(0.95)),
    unit: 'ms',
    goal: { of: 'value', atMost: 3000 },
  });
}

function setup(): string {
  const consultants = Array.from({ length: CONSULTANTS }, (_, i) => `U0C${String(i).padStart(4, '0')}`);
  const managers = Array.from({ length: MANAGERS }, (_, i) => `U0M${String(i).padStart(4, '0')}`);
  return [
    'customers:',
    ...Array.from({ length: CUSTOMERS }, (_, c) => `  - { code: C-${c}, name: Customer ${c} & Sons }`),
    'employees:',
    ...consultants.map(
      (u) => `  - { user: ${u}, name: Consultant ${u}, consultant: { cost_rate: 50, price_rate: 100 } }`,
    ),
    ...managers.map((u) => `  - { user: ${u}, name: Manager ${u}, manager: true }`),
    'projects:',
    ...Array.from({ length: PROJECTS }, (_, p) => {
      const team = [0, 1, 2].map((k) => `{ user: ${consultants[(p + k * 67) % CONSULTANTS]} }`).join(', ');
      return `  - { code: P-${p}, customer: C-${p % CUSTOMERS}, name: Project ${p}, managers: [${managers[p % MANAGERS]}], consultants: [ ${team} ] }`;
    }),
    '',
  ].join('\n');
}
