/**
 * How costs grow with the firm: at 1x, 10x and 100x the data (approved entries, projects,
 * consultants and customers), each on a fresh database with the in-process app on the fake
 * Slack, measures a consultant's `/log` ack, `/timesheet` opening the sheet (until views.open),
 * the approval request (`/timesheet submit` until its 30 manager DMs are delivered) and `/report ar
 * summary` (until the PDF and CSV are uploaded). A consultant's own costs should not grow with the
 * firm; the AR summary reads every entry of the month by design.
 *
 *   npx tsx bench/growth.ts                                                        # PGlite in memory
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/growth.ts
 *
 * BENCH_SCALES (default 1,10,100) and BENCH_BASE_ENTRIES (default 1000: 100,000 entries at 100x).
 */
import { loadConfig } from '../src/config.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { systemClock } from '../src/domain/clock.js';
import { silentLogger } from '../src/logger.js';
import { startConsulTracker } from '../src/server.js';
import { importSetup } from '../src/services/setup-import.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { SlackClientSimulator } from '../test/support/slack-requests.js';
import { quantile, recordFigure } from './figures.js';
import { answerOf } from './log-load.js';
import { lastAndThisMonth, reportFirmYaml, seedApprovedEntries } from './report-data.js';
import { benchDatabase } from './throwaway-database.js';

const SCALES = (process.env.BENCH_SCALES ?? '1,10,100').split(',').map(Number);
const BASE = { customers: 2, projects: 4, consultants: 5, entries: Number(process.env.BENCH_BASE_ENTRIES ?? 1000) };
const FAN_OUT = { projects: 3, managersPerProject: 10 };
const DMS = FAN_OUT.projects * FAN_OUT.managersPerProject;
const CONSULTANT = 'U00000';
const SUBMITTER = 'U0SUBMIT';
const FINANCE = 'U0FINANCE';
const SECRET = 'bench-secret';

type Costs = { log: number; timesheet: number; approval: number; summary: number; seedSeconds: number };

const months = lastAndThisMonth();
const fake = await startFakeSlack();
for (const id of [CONSULTANT, SUBMITTER, FINANCE]) fake.users.set(id, { id, real_name: id, tz: 'UTC' });
const results: { scale: number; costs: Costs }[] = [];
let label = '';

try {
  for (const scale of SCALES) {
    const costs = await measure(scale);
    results.push({ scale, costs });
    console.log(
      `${label}, ${scale}x (${(BASE.entries * scale).toLocaleString('en-US')} entries, ${BASE.projects * scale} projects, ${BASE.consultants * scale} consultants; seeded in ${costs.seedSeconds.toFixed(0)} s): /log ack ${costs.log.toFixed(1)} ms, /timesheet open ${costs.timesheet.toFixed(1)} ms, submit -> ${DMS} DMs ${costs.approval.toFixed(0)} ms, AR summary uploaded ${costs.summary.toFixed(0)} ms`,
    );
  }
  for (const { scale, costs } of results)
    recordFigure({
      benchmark: `growth, ${label}`,
      figure: `seeding ${scale}x (migrate, import, entries)`,
      value: costs.seedSeconds,
      unit: 's',
      goal: { of: 'value', atMost: 60 },
    });
  const first = results[0]!;
  for (const { scale, costs } of results.slice(1)) {
    const benchmark = `growth, ${label}, ${scale}x vs ${first.scale}x`;
    const flat = { goal: { of: 'ratio' as const, atMost: 1.2 } }; // issue 18: per-request cost flat with history
    const reference = (value: number) => ({ reference: { label: `at ${first.scale}x`, value } });
    recordFigure({
      benchmark,
      figure: '/log ack p50',
      value: costs.log,
      unit: 'ms',
      ...reference(first.costs.log),
      ...flat,
    });
    recordFigure({
      benchmark,
      figure: '/timesheet open p50',
      value: costs.timesheet,
      unit: 'ms',
      ...reference(first.costs.timesheet),
      ...flat,
    });
    recordFigure({
      benchmark,
      figure: `approval: submit -> ${DMS} DMs`,
      value: costs.approval,
      unit: 'ms',
      ...reference(first.costs.approval),
      ...flat,
    });
    recordFigure({
      benchmark,
      figure: `AR summary uploaded (${scale / first.scale}x the entries)`,
      value: costs.summary,
      unit: 'ms',
      ...reference(first.costs.summary),
    });
  }
} finally {
  await fake.close();
}

async function measure(scale: number): Promise<Costs> {
  const database = await benchDatabase();
  label = database.label;
  const { connection } = database;
  fake.reset();
  const seeding = performance.now();
  await migrateDatabase(connection);
  const imported = await importSetup(
    {
      db: connection.db,
      actor: { kind: 'system', name: 'cli' },
      clock: systemClock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    reportFirmYaml({
      customers: BASE.customers * scale,
      projects: BASE.projects * scale,
      consultants: BASE.consultants * scale,
      periods: [months.last, months.current],
      fanOut: FAN_OUT,
    }),
  );
  if (!imported.ok) throw new Error(imported.errors.join('\n'));
  await seedApprovedEntries(connection.db, { periodStartsOn: months.last.starts, count: BASE.entries * scale });
  const seedSeconds = (performance.now() - seeding) / 1000;

  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
  });
  const app = await startConsulTracker({ config, connection, clock: systemClock, log: silentLogger });
  try {
    await app.initialised;
    const slack = new SlackClientSimulator({
      appUrl: `http://127.0.0.1:${app.port}`,
      signingSecret: SECRET,
      responseUrl: fake.responseUrl,
    });
    const logAcks: number[] = [];
    for (let i = 0; i < 25; i++) {
      const response = await slack.slashCommand({ command: '/log', text: `5m P0 growth ${i}`, userId: CONSULTANT });
      if (!/Logged|Saving/.test(response.text)) throw new Error(`/log failed: ${response.text}`);
      if (i >= 5) logAcks.push(response.ms); // the first five warm up
    }
    const opens: number[] = [];
    for (let i = 0; i < 13; i++) {
      const before = fake.callsTo('views.open').length;
      const started = performance.now();
      await slack.slashCommand({ command: '/timesheet', text: '', userId: CONSULTANT });
      await until(() => fake.callsTo('views.open').length > before);
      if (i >= 3) opens.push(performance.now() - started);
    }
    for (let f = 0; f < FAN_OUT.projects; f++) {
      const responseUrl = fake.responseUrl();
      const logged = await slack.slashCommand({
        command: '/log',
        text: `30m F${f} fan-out`,
        userId: SUBMITTER,
        responseUrl,
      });
      await answerOf(fake, logged, responseUrl, 'Logged');
    }
    const submitStarted = performance.now();
    const submitUrl = fake.responseUrl();
    const submitted = await slack.slashCommand({
      command: '/timesheet',
      text: 'submit',
      userId: SUBMITTER,
      responseUrl: submitUrl,
    });
    await answerOf(fake, submitted, submitUrl, 'Submitted');
    await until(() => [...fake.messages.keys()].filter((channel) => channel.startsWith('DU0MGR')).length >= DMS);
    const approval = performance.now() - submitStarted;
    const summaries: number[] = [];
    for (let round = 0; round < 3; round++) {
      const before = fake.callsTo('files.completeUploadExternal').length;
      const started = performance.now();
      await slack.slashCommand({
        command: '/report',
        text: `ar summary ${months.last.starts}`,
        userId: FINANCE,
        channelId: 'C0BENCH',
      });
      await until(() => fake.callsTo('files.completeUploadExternal').length > before);
      summaries.push(performance.now() - started);
    }
    return {
      log: quantile(logAcks, 0.5),
      timesheet: quantile(opens, 0.5),
      approval,
      summary: quantile(summaries, 0.5),
      seedSeconds,
    };
  } finally {
    await app.stop();
    await database.drop();
  }
}

async function until(done: () => boolean, timeoutMs = 300_000): Promise<void> {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > timeoutMs) throw new Error(`not done after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
