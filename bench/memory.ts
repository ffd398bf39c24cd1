/**
 * Resident memory of the built app as its own process: idle after start, and at its peak while
 * 20 people log time and open App Home at once. Next to it, in the same run: a bare Node process,
 * and a bare PGlite process that opens the same data directory and reads every table.
 *
 *   npm run build && npx tsx bench/memory.ts            # embedded PGlite in a temporary directory
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/memory.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { SlackClientSimulator } from '../test/support/slack-requests.js';
import { residentMemory, startAppProcess, stopAppProcess } from './app-process.js';
import { recordFigure } from './figures.js';
import { createThrowawayDatabase } from './throwaway-database.js';
import { PGLITE_SETTINGS } from '../src/db/client.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = 8;
const PEOPLE = 20;
const SIGNING_SECRET = 'bench-signing-secret';
const PORT = 3900 + Math.floor(Math.random() * 90);

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'consultracker-memory-'));
const fake = await startFakeSlack();
const people = Array.from({ length: PEOPLE }, (_, i) => `U0${String(i).padStart(2, '0')}PERSON`);
for (const id of people) fake.users.set(id, { id, real_name: `Person ${id}`, tz: 'UTC' });

const pgliteDir = join(work, 'pglite');
const database = process.env.BENCH_DATABASE_URL
  ? await createThrowawayDatabase(process.env.BENCH_DATABASE_URL).then((d) => ({
      label: 'PostgreSQL',
      env: { DATABASE_URL: d.url },
      drop: d.drop,
    }))
  : { label: 'PGlite (embedded)', env: { PGLITE_DIR: pgliteDir }, drop: async () => {} };
const env = {
  ...process.env,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: fake.apiUrl,
  PORT: String(PORT),
  LOG_LEVEL: 'warn',
  METRICS_ENABLED: 'true',
  ...database.env,
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (value: number) => `${value.toFixed(0)} MB`;

try {
  const setup = join(work, 'setup.yaml');
  writeFileSync(setup, firmSetup());
  execFileSync('node', [join(root, 'dist/src/cli/main.js'), 'migrate'], { env, stdio: 'ignore' });
  execFileSync('node', [join(root, 'dist/src/cli/main.js'), 'import', setup], { env, stdio: 'ignore' });

  const bareNode = await measureProcess(['-e', 'setInterval(() => {}, 1000)']);
  const { child } = await startAppProcess(env, PORT);
  await sleep(3000);
  const idle = residentMemory(child.pid!);

  const slack = new SlackClientSimulator({
    appUrl: `http://127.0.0.1:${PORT}`,
    signingSecret: SIGNING_SECRET,
    responseUrl: fake.responseUrl,
  });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const user = people[i % PEOPLE]!;
        const response =
          i % 10 === 9
            ? await slack.event({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home' })
            : await slack.slashCommand({ command: '/log', text: `5m ACME-WEB memory bench ${i}`, userId: user });
        if (response.status !== 200) throw new Error(`request ${i} failed: ${response.status} ${response.text}`);
      }
    }),
  );
  const busySeconds = (performance.now() - started) / 1000;
  const busy = residentMemory(child.pid!);
  const heap = await heapBreakdown();
  await sleep(3000);
  const after = residentMemory(child.pid!);
  await stopAppProcess(child);

  console.log(
    `database: ${database.label}; ${REQUESTS} requests (9 in 10 /log, 1 in 10 App Home) by ${PEOPLE} people, ${CONCURRENCY} at a time, in ${busySeconds.toFixed(1)} s`,
  );
  console.log(`app idle after start:        ${mb(idle.nowMb)}`);
  console.log(`app peak under load:         ${mb(busy.peakMb)}`);
  console.log(`app 3 s after the load:      ${mb(after.nowMb)}`);
  console.log(`reference, bare Node:        ${mb(bareNode)}`);
  console.log(
    `inside the app after the load: JS heap used ${mb(heap.heapUsed)} of ${mb(heap.heapTotal)}, external ${mb(heap.external)} (PGlite's WebAssembly memory is here)`,
  );
  const benchmark = `memory, ${database.label}`;
  // Issue 18's ceilings: 250 MB on PostgreSQL, 400 MB on PGlite.
  const ceiling = { goal: { of: 'value' as const, atMost: process.env.BENCH_DATABASE_URL ? 250 : 400 } };
  if (!process.env.BENCH_DATABASE_URL) {
    const barePglite = await measureProcess(['--input-type=module', '-e', barePgliteScript(pgliteDir)], '(read)');
    console.log(`reference, bare PGlite:      ${mb(barePglite)} (opens the same directory and reads every table)`);
    recordFigure({
      benchmark,
      figure: `app peak RSS, ${REQUESTS} requests`,
      value: busy.peakMb,
      unit: 'MB',
      reference: { label: 'bare PGlite', value: barePglite },
      ...ceiling,
    });
  } else {
    recordFigure({
      benchmark,
      figure: `app peak RSS, ${REQUESTS} requests`,
      value: busy.peakMb,
      unit: 'MB',
      reference: { label: 'bare Node', value: bareNode },
      ...ceiling,
    });
  }
  recordFigure({
    benchmark,
    figure: 'app RSS 3 s after the load',
    value: after.nowMb,
    unit: 'MB',
    reference: { label: 'idle after start', value: idle.nowMb },
  });
} finally {
  await fake.close();
  await database.drop();
  rmSync(work, { recursive: true, force: true });
}

/** Node's own account of its memory, from the app's /metrics (prom-client's process metrics). */
async function heapBreakdown(): Promise<{ heapUsed: number; heapTotal: number; external: number }> {
  const text = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
  const megabytes = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1024 / 1024;
  return {
    heapUsed: megabytes('nodejs_heap_size_used_bytes'),
    heapTotal: megabytes('nodejs_heap_size_total_bytes'),
    external: megabytes('nodejs_external_memory_bytes'),
  };
}

/** Peak resident memory of a short Node process; with `readyLine`, measured once it prints that line. */
async function measureProcess(args: string[], readyLine?: string): Promise<number> {
  const child = spawn('node', args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  if (readyLine) {
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => chunk.includes(readyLine) && resolve()),
    );
  } else {
    await sleep(500);
  }
  const { peakMb } = residentMemory(child.pid!);
  child.kill();
  return peakMb;
}

function barePgliteScript(dataDir: string): string {
  return `
    import { PGlite } from '@electric-sql/pglite';
    const db = await PGlite.create(${JSON.stringify(dataDir)}, ${JSON.stringify(PGLITE_SETTINGS)});
    const tables = await db.query("select tablename from pg_tables where schemaname = 'public'");
    for (const { tablename } of tables.rows) await db.query('select * from "' + tablename + '"');
    console.log('(read)');
    setInterval(() => {}, 1000);`;
}

/** The bench runs on the real clock, so its reporting period is the current month. */
function firmSetup(): string {
  const today = new Date();
  const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  const last = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0));
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const employees = people
    .map((id) => `  - { user: ${id}, name: Person ${id}, consultant: { cost_rate: "70.00", price_rate: "140.00" } }`)
    .join('\n');
  return `customers:
  - { code: ACME, name: Acme Corp, currency: USD, billing: hourly }
employees:
${employees}
projects:
  - { code: ACME-WEB, customer: ACME, name: Website relaunch, consultants: [ ${people.map((id) => `{ user: ${id} }`).join(', ')} ] }
roles:
  - { name: Consultant, rights: [entry] }
users:
${people.map((id) => `  - { user: ${id}, roles: [Consultant] }`).join('\n')}
periods:
  - { starts: ${iso(first)}, ends: ${iso(last)} }
`;
}
