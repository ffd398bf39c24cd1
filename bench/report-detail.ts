/**
 * A 20,000-row AR detail. The built app runs as its own process (as in production) on the fake
 * Slack: `/log` ack latency alone and while `/report` builds and uploads the detail and a
 * submitted sheet's 30 manager DMs are dispatched (P2, ack under load), and the app's resident
 * memory. Then, with the app stopped, the report's renderer against the same rows as a bare
 * pdfmake table and a bare hand-drawn pdfkit table.
 *
 *   npm run build && npx tsx bench/report-detail.ts                                       # PGlite
 *   npm run build && BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/report-detail.ts
 *
 * BENCH_RENDER_ROWS (default all) renders only the first rows in the renderer comparison,
 * BENCH_RENDER_ROUNDS (default 3) its rounds (0 leaves the comparison out), BENCH_PDFMAKE=0 leaves out the (slow) pdfmake table.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectPostgres, type DatabaseConnection, openPglite } from '../src/db/client.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { systemClock } from '../src/domain/clock.js';
import { silentLogger } from '../src/logger.js';
import { reportHeading } from '../src/reports/report-heading.js';
import { reportLayout } from '../src/reports/report-layout.js';
import { ReportRenderer } from '../src/reports/render-pool.js';
import type { ServiceContext } from '../src/services/context.js';
import { type ArDetailRow, planDetail, prepareReport, reportDetailPages } from '../src/services/reports.js';
import { importSetup } from '../src/services/setup-import.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { SlackClientSimulator } from '../test/support/slack-requests.js';
import { residentMemory, startAppProcess, stopAppProcess } from './app-process.js';
import type { BareRow } from './bare-tables.js';
import { recordFigure } from './figures.js';
import { answerOf } from './log-load.js';
import { lastAndThisMonth, reportFirmYaml, seedApprovedEntries } from './report-data.js';
import { createThrowawayDatabase } from './throwaway-database.js';

// One in ten seeded entries is not billable: 22,223 entries make 20,000 AR rows.
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 22_223);
const RENDER_ROWS = Number(process.env.BENCH_RENDER_ROWS ?? Infinity);
const RENDER_ROUNDS = Number(process.env.BENCH_RENDER_ROUNDS ?? 3);
const WITH_PDFMAKE = process.env.BENCH_PDFMAKE !== '0';
// The fan-out dispatched during the report: U0SUBMIT's sheet on 3 projects with 10 managers each.
const FAN_OUT = { projects: 3, managersPerProject: 10 };
const DMS = FAN_OUT.projects * FAN_OUT.managersPerProject;
const SUBMITTER = 'U0SUBMIT';
const SECRET = 'bench-secret';
const FINANCE = 'U0FINANCE';
const CONSULTANT = 'U00000';
const PORT = 3900 + Math.floor(Math.random() * 90);

const months = lastAndThisMonth();
const work = mkdtempSync(join(tmpdir(), 'consultracker-report-bench-'));
const fake = await startFakeSlack();
for (const id of [FINANCE, CONSULTANT, SUBMITTER]) fake.users.set(id, { id, real_name: id, tz: 'UTC' });
const database = await prepareDatabase();

try {
  // The firm and its approved time, written before the app starts (a PGlite directory has one owner).
  const connection = await database.open();
  await migrateDatabase(connection);
  const ctx = (db: DatabaseConnection): ServiceContext => ({
    db: db.db,
    actor: { kind: 'user', userId: FINANCE },
    clock: systemClock,
    log: silentLogger,
    org: { timeZone: 'UTC', currency: 'USD' },
  });
  const imported = await importSetup(
    { ...ctx(connection), actor: { kind: 'system', name: 'cli' } },
    reportFirmYaml({
      customers: 20,
      projects: 60,
      consultants: 40,
      periods: [months.last, months.current],
      fanOut: FAN_OUT,
    }),
  );
  if (!imported.ok) throw new Error(imported.errors.join('\n'));
  await seedApprovedEntries(connection.db, { periodStartsOn: months.last.starts, count: ENTRIES });
  const prepared = await prepareReport(ctx(connection), {
    kind: 'ar',
    level: 'detail',
    periods: [{ kind: 'starts', on: months.last.starts }],
    customerCodes: [],
    projectCodes: [],
    consultantUserIds: [],
  });
  if (!prepared.ok) throw new Error(prepared.error.message);
  const spec = prepared.spec;
  const plan = await planDetail(ctx(connection), spec);
  // The same rows for every renderer, read once.
  const rows: ArDetailRow[] = [];
  for await (const page of reportDetailPages(ctx(connection), spec, plan)) rows.push(...(page as ArDetailRow[]));
  await connection.close();
  console.log(
    `database: ${database.label}; AR detail of ${plan.rows} rows (${months.last.starts}); Node ${process.version}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  // 1. The app: /log acks alone, then while /report builds and uploads the detail and 30 DMs go out; its memory.
  const app = await startAppProcess(
    {
      ...process.env,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: String(PORT),
      LOG_LEVEL: 'warn',
      ...database.env,
    },
    PORT,
  );
  const slack = new SlackClientSimulator({
    appUrl: `http://127.0.0.1:${PORT}`,
    signingSecret: SECRET,
    responseUrl: fake.responseUrl,
  });
  const logAcks = async (until: () => boolean, atLeast: number) => {
    const latencies: number[] = [];
    // One minute each: a slow machine keeps logging while the report builds, and a day holds 24h.
    for (let i = 0; latencies.length < atLeast || !until(); i++) {
      const response = await slack.slashCommand({ command: '/log', text: `1m P0 bench ${i}`, userId: CONSULTANT });
      // A "Saving…" ack (the app's deadline passed) is still an ack: its time is what Slack waits for.
      if (!/Logged|Saving/.test(response.text)) throw new Error(`/log failed: ${response.text}`);
      latencies.push(response.ms);
    }
    return latencies;
  };
  await logAcks(() => true, 20); // warm-up
  for (let f = 0; f < FAN_OUT.projects; f++) {
    const responseUrl = fake.responseUrl();
    const logged = await slack.slashCommand({
      command: '/log',
      text: `30m F${f} fan-out ${f}`,
      userId: SUBMITTER,
      responseUrl,
    });
    await answerOf(fake, logged, responseUrl, 'Logged');
  }
  const alone = await logAcks(() => true, 100);
  const before = residentMemory(app.child.pid!);
  const managerDms = () => [...fake.messages].filter(([channel]) => channel.startsWith('DU0MGR'));
  let uploaded = false;
  const started = performance.now();
  const upload = fake
    .waitFor('files.completeUploadExternal', () => true, 600_000)
    .then(() => {
      uploaded = true;
      return performance.now() - started;
    });
  const command = await slack.slashCommand({
    command: '/report',
    text: `ar detail ${months.last.starts}`,
    userId: FINANCE,
    channelId: 'C0BENCH',
  });
  const submitUrl = fake.responseUrl();
  const submitted = await slack.slashCommand({
    command: '/timesheet',
    text: 'submit',
    userId: SUBMITTER,
    responseUrl: submitUrl,
  });
  await answerOf(fake, submitted, submitUrl, 'Submitted');
  const during = await logAcks(() => uploaded && managerDms().length >= DMS, 20);
  const toUpload = await upload;
  const dmsOnce = managerDms().length === DMS && managerDms().every(([, messages]) => messages.length === 1);
  const after = residentMemory(app.child.pid!);
  await stopAppProcess(app.child);
  console.log(`/report ack ${fmt(command.ms)} ms; command -> PDF and CSV uploaded ${fmt(toUpload)} ms`);
  console.log(`/log ack alone (${alone.length}): p50 ${fmt(pct(alone, 50))} ms, p99 ${fmt(pct(alone, 99))} ms`);
  console.log(
    `/log ack while the report builds and ${DMS} DMs go out (${during.length}): p50 ${fmt(pct(during, 50))} ms, p99 ${fmt(pct(during, 99))} ms; each DM once: ${dmsOnce}`,
  );
  const bench = `P2 ack under load, ${database.label}`;
  recordFigure({
    benchmark: bench,
    figure: `/log ack p99 during a ${plan.rows}-row detail + ${DMS}-DM fan-out`,
    value: pct(during, 99),
    unit: 'ms',
    reference: { label: 'idle p99', value: pct(alone, 99) },
    goal: { of: 'value', atMost: 100 },
  });
  recordFigure({
    benchmark: bench,
    figure: `each of the ${DMS} DMs delivered once`,
    value: managerDms().length,
    unit: 'DMs',
    check: dmsOnce,
  });
  recordFigure({
    benchmark: bench,
    figure: 'app peak RSS with the report',
    value: after.peakMb,
    unit: 'MB',
    reference: { label: 'before the report', value: before.nowMb },
  });
  console.log(
    `app RSS: ${fmt(before.nowMb)} MB before the report (peak so far ${fmt(before.peakMb)} MB), peak ${fmt(after.peakMb)} MB with the report`,
  );

  // 2-4. The report's renderer against the bare tables (BENCH_RENDER_ROUNDS=0 leaves them out).
  if (RENDER_ROUNDS > 0) {
    // The renderer: the render thread's CSV, and the PDF with sections and subtotals.
    const layout = reportLayout('ar', 'detail');
    const rowsFile = join(work, 'rows.json');
    const rendered = rows.slice(0, RENDER_ROWS);
    writeFileSync(rowsFile, JSON.stringify(rendered.map((row) => layout.line(row).cells as BareRow)));
    const bareRun = (kind: 'pdfmake' | 'pdfkit') =>
      JSON.parse(
        execFileSync('npx', ['tsx', new URL('./bare-tables.ts', import.meta.url).pathname, kind, rowsFile], {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        }),
      ) as { ms: number; bytes: number; peakRssMb: number };
    const renderer = new ReportRenderer({ threads: 1, queueLimit: 1 });
    const renderTimes: number[] = [];
    const pdfkitRuns: { ms: number; peakRssMb: number }[] = [];
    // Turns, so a busy moment on the machine does not land on one side only.
    for (let round = 0; round < RENDER_ROUNDS; round++) {
      const renderStarted = performance.now();
      const pages = Array.from({ length: Math.ceil(rendered.length / 2000) }, (_, i) =>
        rendered.slice(i * 2000, i * 2000 + 2000),
      );
      const output = await renderer.render(
        { kind: 'ar', level: 'detail', heading: reportHeading(spec), withPdf: true },
        pages,
      );
      renderTimes.push(performance.now() - renderStarted);
      if (round === 0)
        console.log(`report PDF ${kb(output.pdf!.length)}, CSV ${kb(output.csv.length)} for ${output.rows} rows`);
      pdfkitRuns.push(bareRun('pdfkit'));
    }
    await renderer.close();
    const pdfmakeRun = WITH_PDFMAKE ? bareRun('pdfmake') : undefined;
    const ours = pct(renderTimes, 50);
    const pdfkitMs = pct(
      pdfkitRuns.map((r) => r.ms),
      50,
    );
    console.log(`report renderer (CSV + PDF on its thread): ${fmt(ours)} ms, median of ${RENDER_ROUNDS}`);
    console.log(
      `bare pdfkit table:  ${fmt(pdfkitMs)} ms, median of ${RENDER_ROUNDS}, peak RSS ${fmt(pdfkitRuns[0]!.peakRssMb)} MB -> report / bare pdfkit = ${(ours / pdfkitMs).toFixed(2)}x`,
    );
    const p4 = `P4 detail PDF, ${database.label}`;
    recordFigure({
      benchmark: p4,
      figure: `report renderer, ${rendered.length} rows (CSV + PDF)`,
      value: ours,
      unit: 'ms',
      reference: { label: 'bare pdfkit table', value: pdfkitMs },
    });
    if (pdfmakeRun) {
      console.log(
        `bare pdfmake table: ${fmt(pdfmakeRun.ms)} ms, peak RSS ${fmt(pdfmakeRun.peakRssMb)} MB -> pdfmake / pdfkit = ${(pdfmakeRun.ms / pdfkitMs).toFixed(2)}x`,
      );
      recordFigure({
        benchmark: p4,
        figure: `bare pdfmake table, ${rendered.length} rows`,
        value: pdfmakeRun.ms,
        unit: 'ms',
        reference: { label: 'bare pdfkit table', value: pdfkitMs },
      });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  await fake.close();
  await database.drop();
}

async function prepareDatabase(): Promise<{
  label: string;
  env: Record<string, string>;
  open: () => Promise<DatabaseConnection>;
  drop(): Promise<void>;
}> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    const dataDir = join(work, 'pglite');
    return {
      label: 'PGlite (embedded)',
      env: { PGLITE_DIR: dataDir },
      open: () => openPglite({ dataDir }),
      drop: async () => {},
    };
  }
  const throwaway = await createThrowawayDatabase(url);
  return {
    label: 'PostgreSQL',
    env: { DATABASE_URL: throwaway.url },
    open: () => Promise.resolve(connectPostgres(throwaway.url)),
    drop: throwaway.drop,
  };
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function fmt(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

function kb(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;
}
