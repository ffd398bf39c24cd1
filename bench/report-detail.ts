/**
 * A 20,000-row AR detail: how long the report's PDF takes against the same rows as a bare pdfmake
 * table and a bare hand-drawn pdfkit table; the app's peak memory; and `/log` ack latency while
 * the report renders, against the same `/log`s with nothing else running.
 *
 *   npx tsx bench/report-detail.ts                                                        # PGlite in memory
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/report-detail.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { systemClock } from '../src/domain/clock.js';
import { silentLogger } from '../src/logger.js';
import { reportHeading } from '../src/reports/report-heading.js';
import { reportLayout } from '../src/reports/report-layout.js';
import { ReportRenderer } from '../src/reports/render-pool.js';
import { startConsulTracker } from '../src/server.js';
import type { ServiceContext } from '../src/services/context.js';
import { type ArDetailRow, planDetail, prepareReport, reportDetailPages } from '../src/services/reports.js';
import { importSetup } from '../src/services/setup-import.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { SlackClientSimulator } from '../test/support/slack-requests.js';
import type { BareRow } from './bare-tables.js';
import { lastAndThisMonth, reportFirmYaml, seedApprovedEntries } from './report-data.js';
import { benchDatabase } from './throwaway-database.js';

// One in ten seeded entries is not billable: 22,223 entries make 20,000 AR rows.
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 22_223);
const SECRET = 'bench-secret';
const FINANCE = 'U0FINANCE';
const CONSULTANT = 'U00000';

const months = lastAndThisMonth();
const fake = await startFakeSlack();
for (const id of [FINANCE, CONSULTANT]) fake.users.set(id, { id, real_name: id, tz: 'UTC' });
const { connection, label, drop } = await benchDatabase();
const config = loadConfig({
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_API_URL: fake.apiUrl,
  PORT: '0',
});
const app = await startConsulTracker({ config, connection, clock: systemClock, log: silentLogger });
await app.initialised;
const slack = new SlackClientSimulator({
  appUrl: `http://127.0.0.1:${app.port}`,
  signingSecret: SECRET,
  responseUrl: fake.responseUrl,
});
const ctx: ServiceContext = {
  db: connection.db,
  actor: { kind: 'user', userId: FINANCE },
  clock: systemClock,
  log: silentLogger,
  org: { timeZone: 'UTC', currency: 'USD' },
};
const work = mkdtempSync(join(tmpdir(), 'consultracker-report-bench-'));

try {
  const imported = await importSetup(
    { ...ctx, actor: { kind: 'system', name: 'cli' } },
    reportFirmYaml({ customers: 20, projects: 60, consultants: 40, periods: [months.last, months.current] }),
  );
  if (!imported.ok) throw new Error(imported.errors.join('\n'));
  await seedApprovedEntries(connection.db, { periodStartsOn: months.last.starts, count: ENTRIES });
  const prepared = await prepareReport(ctx, {
    kind: 'ar',
    level: 'detail',
    periods: [{ kind: 'starts', on: months.last.starts }],
    customerCodes: [],
    projectCodes: [],
    consultantUserIds: [],
  });
  if (!prepared.ok) throw new Error(prepared.error.message);
  const spec = prepared.spec;
  const plan = await planDetail(ctx, spec);
  const rowCount = plan.rows;
  console.log(`database: ${label}; AR detail of ${rowCount} rows (${months.last.starts}), Node ${process.version}`);

  // The same rows for every renderer, read once.
  const rows: ArDetailRow[] = [];
  for await (const page of reportDetailPages(ctx, spec, plan)) rows.push(...(page as ArDetailRow[]));
  const layout = reportLayout('ar', 'detail');
  const bare: BareRow[] = rows.map((row) => layout.line(row).cells as BareRow);
  const rowsFile = join(work, 'rows.json');
  writeFileSync(rowsFile, JSON.stringify(bare));

  // 1. The report's renderer (render thread: CSV and the sectioned PDF with subtotals), rows from memory.
  const renderer = new ReportRenderer({ threads: 1, queueLimit: 1 });
  const renderTimes: number[] = [];
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    const pages = Array.from({ length: Math.ceil(rows.length / 2000) }, (_, i) =>
      rows.slice(i * 2000, i * 2000 + 2000),
    );
    const rendered = await renderer.render(
      { kind: 'ar', level: 'detail', heading: reportHeading(spec), withPdf: true },
      pages,
    );
    renderTimes.push(performance.now() - started);
    if (round === 0)
      console.log(
        `report PDF: ${rendered.pdf!.length.toLocaleString()} bytes, CSV ${rendered.csv.length.toLocaleString()} bytes`,
      );
  }
  await renderer.close();

  // 2. and 3. The bare tables, each in its own process.
  const bareRun = (kind: 'pdfmake' | 'pdfkit') =>
    JSON.parse(
      execFileSync('npx', ['tsx', new URL('./bare-tables.ts', import.meta.url).pathname, kind, rowsFile], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      }),
    ) as { ms: number; bytes: number; peakRssMb: number };
  const pdfkitRuns = [bareRun('pdfkit'), bareRun('pdfkit'), bareRun('pdfkit')];
  const pdfmakeRuns = [bareRun('pdfmake')];
  const ours = median(renderTimes);
  const pdfkitMs = median(pdfkitRuns.map((r) => r.ms));
  const pdfmakeMs = median(pdfmakeRuns.map((r) => r.ms));
  console.log(`report renderer (render thread, CSV + PDF): ${fmt(ours)} ms (median of 3)`);
  console.log(
    `bare pdfkit table:  ${fmt(pdfkitMs)} ms, peak RSS ${fmt(pdfkitRuns[0]!.peakRssMb)} MB  -> report / pdfkit = ${(ours / pdfkitMs).toFixed(2)}x`,
  );
  console.log(
    `bare pdfmake table: ${fmt(pdfmakeMs)} ms, peak RSS ${fmt(pdfmakeRuns[0]!.peakRssMb)} MB -> pdfmake / pdfkit = ${(pdfmakeMs / pdfkitMs).toFixed(2)}x`,
  );

  // 4. /log acks alone, then while /report builds and uploads the same detail.
  const logAcks = async (until: () => boolean, atLeast: number) => {
    const latencies: number[] = [];
    for (let i = 0; latencies.length < atLeast || !until(); i++) {
      const response = await slack.slashCommand({ command: '/log', text: `5m P0 bench ${i}`, userId: CONSULTANT });
      if (!JSON.stringify(response.body).includes('Logged')) throw new Error(`/log failed: ${response.text}`);
      latencies.push(response.ms);
    }
    return latencies;
  };
  await logAcks(() => true, 20); // warm-up
  const alone = await logAcks(() => true, 100);
  const rssBefore = process.resourceUsage().maxRSS / 1024;
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
  const during = await logAcks(() => uploaded, 20);
  const toUpload = await upload;
  const peakRss = process.resourceUsage().maxRSS / 1024;
  console.log(`/report ack ${fmt(command.ms)} ms; command -> files uploaded ${fmt(toUpload)} ms`);
  console.log(`/log ack alone (${alone.length}): p50 ${fmt(pct(alone, 50))} ms, p99 ${fmt(pct(alone, 99))} ms`);
  console.log(
    `/log ack while the report builds (${during.length}): p50 ${fmt(pct(during, 50))} ms, p99 ${fmt(pct(during, 99))} ms`,
  );
  console.log(
    `process peak RSS (app, fake Slack and bench in one process): ${fmt(rssBefore)} MB before the report, ${fmt(peakRss)} MB after`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  await app.stop();
  await drop();
  await fake.close();
}

function median(values: number[]): number {
  return pct(values, 50);
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function fmt(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}
