/**
 * Start-up time and `/log` ack latency of the built app, as a separate process, over real HTTP.
 *
 *   npm run build && npx tsx bench/log-ack.ts            # embedded PGlite in a temporary directory
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/log-ack.ts
 *
 * With BENCH_DATABASE_URL a throwaway database is created next to the one named and dropped after.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { SlackClientSimulator } from '../test/support/slack-requests.js';
import { startAppProcess, stopAppProcess } from './app-process.js';
import { recordFigure } from './figures.js';
import { createThrowawayDatabase } from './throwaway-database.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const SIGNING_SECRET = 'bench-signing-secret';
const PORT = 3900 + Math.floor(Math.random() * 90);

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'consultracker-bench-'));
const fake = await startFakeSlack();
fake.users.set('U01ALICE', { id: 'U01ALICE', real_name: 'Alice Doe', tz: 'UTC' });

const database = await prepareDatabase();
const env = {
  ...process.env,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: fake.apiUrl,
  PORT: String(PORT),
  LOG_LEVEL: 'warn',
  ...database.env,
};

try {
  const setup = join(work, 'setup.yaml');
  writeFileSync(setup, setupCoveringToday());
  const cold = await startAppProcess(env, PORT);
  await stopAppProcess(cold.child);
  execFileSync('node', [join(root, 'dist/src/cli/main.js'), 'import', setup], { env, stdio: 'ignore' });
  const warm = await startAppProcess(env, PORT);

  const slack = new SlackClientSimulator({
    appUrl: `http://127.0.0.1:${PORT}`,
    signingSecret: SIGNING_SECRET,
    responseUrl: fake.responseUrl,
  });
  const latencies: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const response = await slack.slashCommand({
      command: '/log',
      text: `5m ACME-WEB bench entry ${i}`,
      userId: 'U01ALICE',
    });
    if (response.status !== 200 || !JSON.stringify(response.body).includes('Logged')) {
      throw new Error(`request ${i} failed: ${response.status} ${response.text}`);
    }
    latencies.push(response.ms);
  }
  await stopAppProcess(warm.child);

  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!.toFixed(1);
  console.log(`database: ${database.label}`);
  console.log(`start-up to /readyz, empty data: ${cold.ms.toFixed(0)} ms (includes migrating)`);
  console.log(`start-up to /readyz, migrated:   ${warm.ms.toFixed(0)} ms`);
  console.log(`/log ack over ${REQUESTS} sequential requests: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
  const benchmark = `start-up and /log ack, ${database.label}`;
  recordFigure({
    benchmark,
    figure: 'start-up to /readyz, migrated',
    value: warm.ms,
    unit: 'ms',
    reference: { label: 'empty data (includes migrating)', value: cold.ms },
  });
  recordFigure({
    benchmark,
    figure: `/log ack p99, ${REQUESTS} sequential`,
    value: Number(at(0.99)),
    unit: 'ms',
    reference: { label: 'p50', value: Number(at(0.5)) },
    goal: { of: 'value', atMost: 3000 },
  });
} finally {
  await fake.close();
  await database.drop();
  rmSync(work, { recursive: true, force: true });
}

async function prepareDatabase(): Promise<{ label: string; env: Record<string, string>; drop(): Promise<void> }> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) return { label: 'PGlite (embedded)', env: { PGLITE_DIR: join(work, 'pglite') }, drop: async () => {} };
  const throwaway = await createThrowawayDatabase(url);
  return { label: 'PostgreSQL', env: { DATABASE_URL: throwaway.url }, drop: throwaway.drop };
}

/** The bench runs on the real clock, so its reporting period is the current month. */
function setupCoveringToday(): string {
  const today = new Date();
  const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  const last = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0));
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  return `customers:
  - { code: ACME, name: Acme Corp, currency: USD, billing: hourly }
employees:
  - { user: U01ALICE, name: Alice Doe, consultant: { cost_rate: "70.00", price_rate: "140.00" } }
projects:
  - { code: ACME-WEB, customer: ACME, name: Website relaunch, consultants: [ { user: U01ALICE } ] }
roles:
  - { name: Consultant, rights: [entry] }
users:
  - { user: U01ALICE, roles: [Consultant] }
periods:
  - { starts: ${iso(first)}, ends: ${iso(last)} }
`;
}
