/**
 * The AR summary over 1,000,000 approved billable entries on PostgreSQL: the report's query time
 * against the same SQL typed into psql (ratio), and the time from `/report` to the uploaded files.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/report-summary.ts
 *
 * A throwaway database is created next to the one named and dropped after; psql must be on PATH.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { loadConfig } from '../src/config.js';
import { connectPostgres, queryRows } from '../src/db/client.js';
import { systemClock } from '../src/domain/clock.js';
import { silentLogger } from '../src/logger.js';
import { startConsulTracker } from '../src/server.js';
import type { ServiceContext } from '../src/services/context.js';
import { prepareReport, reportSummary, summaryQuery } from '../src/services/reports.js';
import { importSetup } from '../src/services/setup-import.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { SlackClientSimulator } from '../test/support/slack-requests.js';
import { lastAndThisMonth, reportFirmYaml, seedApprovedEntries } from './report-data.js';
import { recordFigure } from './figures.js';
import { createThrowawayDatabase } from './throwaway-database.js';

// One in ten seeded entries is not billable: 1,111,112 entries make 1,000,000 AR entries.
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 1_111_112);
const ROUNDS = 5;
const SECRET = 'bench-secret';
const FINANCE = 'U0FINANCE';

const serverUrl = process.env.BENCH_DATABASE_URL;
if (!serverUrl) {
  console.error('Set BENCH_DATABASE_URL to a PostgreSQL server (the reference is psql).');
  process.exit(1);
}
const months = lastAndThisMonth();
const throwaway = await createThrowawayDatabase(serverUrl);
const connection = connectPostgres(throwaway.url);
const fake = await startFakeSlack();
fake.users.set(FINANCE, { id: FINANCE, real_name: 'Erin Finance', tz: 'UTC' });
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
const work = mkdtempSync(join(tmpdir(), 'consultracker-summary-bench-'));

try {
  const imported = await importSetup(
    { ...ctx, actor: { kind: 'system', name: 'cli' } },
    reportFirmYaml({ customers: 100, projects: 500, consultants: 200, periods: [months.last, months.current] }),
  );
  if (!imported.ok) throw new Error(imported.errors.join('\n'));
  const seeding = performance.now();
  await seedApprovedEntries(connection.db, { periodStartsOn: months.last.starts, count: ENTRIES });
  await connection.db.execute(sql`vacuum analyze`);
  console.log(
    `seeded ${ENTRIES.toLocaleString('en-US')} approved entries in ${Math.round((performance.now() - seeding) / 1000)} s`,
  );

  const prepared = await prepareReport(ctx, {
    kind: 'ar',
    level: 'summary',
    periods: [{ kind: 'starts', on: months.last.starts }],
    customerCodes: [],
    projectCodes: [],
    consultantUserIds: [],
  });
  if (!prepared.ok) throw new Error(prepared.error.message);
  const spec = prepared.spec;

  // The report's query through the app's pool (node-postgres), rows mapped as the report maps them.
  const ours: number[] = [];
  let groups = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const started = performance.now();
    const rows = await reportSummary(ctx, spec);
    if (round > 0) ours.push(performance.now() - started);
    groups = rows.length;
  }

  // The same statement, parameters written in, typed into psql with \timing.
  const { sql: text, params } = new PgDialect().sqlToQuery(summaryQuery(spec));
  const literal = (value: unknown) =>
    typeof value === 'number' ? String(value) : `'${String(value).replace(/'/g, "''")}'`;
  const typed = text.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]));
  const script = join(work, 'summary.sql');
  writeFileSync(
    script,
    `\\timing on\n\\o /dev/null\n${Array.from({ length: ROUNDS + 1 }, () => `${typed};`).join('\n')}\n`,
  );
  const output = execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', script, throwaway.url], {
    encoding: 'utf8',
  });
  const psql = [...output.matchAll(/Time: ([\d.]+) ms/g)].map((m) => Number(m[1])).slice(1);

  // From the command to the PDF and CSV in the fake Slack.
  const toFiles: number[] = [];
  for (let round = 0; round < 3; round++) {
    fake.reset();
    const started = performance.now();
    const uploaded = fake.waitFor('files.completeUploadExternal', () => true, 600_000);
    await slack.slashCommand({
      command: '/report',
      text: `ar summary ${months.last.starts}`,
      userId: FINANCE,
      channelId: 'C0BENCH',
    });
    await uploaded;
    toFiles.push(performance.now() - started);
  }

  const oursMs = median(ours);
  const psqlMs = median(psql);
  console.log(
    `PostgreSQL ${await serverVersion()}; AR summary of ${groups} projects over ${ENTRIES.toLocaleString('en-US')} approved entries (9 in 10 billable)`,
  );
  console.log(`report query (node-postgres, rows mapped): ${oursMs.toFixed(0)} ms median of ${ROUNDS}`);
  console.log(
    `same SQL in psql (\\timing): ${psqlMs.toFixed(0)} ms median of ${ROUNDS} -> ratio ${(oursMs / psqlMs).toFixed(2)}x`,
  );
  console.log(`/report -> PDF and CSV uploaded: ${median(toFiles).toFixed(0)} ms median of 3`);
  const benchmark = 'P3 AR summary, PostgreSQL';
  recordFigure({
    benchmark,
    figure: `summary query, ${ENTRIES.toLocaleString('en-US')} entries`,
    value: oursMs,
    unit: 'ms',
    reference: { label: 'same SQL in psql', value: psqlMs },
    goal: { of: 'ratio', atMost: 1.5 },
  });
  recordFigure({
    benchmark,
    figure: '/report ar summary -> PDF and CSV uploaded',
    value: median(toFiles),
    unit: 'ms',
    reference: { label: 'summary query alone', value: oursMs },
  });
} finally {
  rmSync(work, { recursive: true, force: true });
  await app.stop();
  await throwaway.drop();
  await fake.close();
}

async function serverVersion(): Promise<string> {
  const [row] = await queryRows<{ server_version: string }>(connection.db, sql`show server_version`);
  return row!.server_version;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
