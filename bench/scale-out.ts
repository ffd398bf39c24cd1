/**
 * Scale-out on PostgreSQL: the same closed-loop `/log` load against one app process, then against
 * two app processes on the same database (clients spread between them), as a production
 * deployment behind a load balancer would run. During the two-instance round a consultant submits
 * a sheet whose 30 manager DMs go out through the outbox both instances dispatch. Checks that
 * every confirmed `/log` was saved once, every DM delivered once, no outbox message left
 * undelivered or dead, and every scheduled job unit both instances caught up on at start (the
 * last 24 h: the daily credit check and dead-letter digest at least) claimed and run once.
 *
 *   npm run build && BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/scale-out.ts
 *
 * BENCH_CONCURRENCY (default 16) clients, BENCH_SECONDS (default 10) per round.
 */
import { sql } from 'drizzle-orm';
import { connectPostgres, queryRows } from '../src/db/client.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { systemClock } from '../src/domain/clock.js';
import { silentLogger } from '../src/logger.js';
import { importSetup } from '../src/services/setup-import.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { SlackClientSimulator } from '../test/support/slack-requests.js';
import { startAppProcess, stopAppProcess } from './app-process.js';
import { recordFigure } from './figures.js';
import { answerOf, LogLoad } from './log-load.js';
import { lastAndThisMonth, reportFirmYaml } from './report-data.js';
import { createThrowawayDatabase } from './throwaway-database.js';

const CONSULTANTS = 60;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const FAN_OUT = { projects: 3, managersPerProject: 10 };
const DMS = FAN_OUT.projects * FAN_OUT.managersPerProject;
const SUBMITTER = 'U0SUBMIT';
const SECRET = 'bench-secret';
const PORTS = [0, 1].map(() => 3900 + Math.floor(Math.random() * 90)).map((port, i) => port + i * 100);

const serverUrl = process.env.BENCH_DATABASE_URL;
if (!serverUrl) {
  console.error('Set BENCH_DATABASE_URL to a PostgreSQL server (two instances need a shared database).');
  process.exit(1);
}
const months = lastAndThisMonth();
const people = Array.from({ length: CONSULTANTS }, (_, e) => `U${String(e).padStart(5, '0')}`);
const fake = await startFakeSlack();
for (const id of [...people, SUBMITTER]) fake.users.set(id, { id, real_name: id, tz: 'UTC' });
const throwaway = await createThrowawayDatabase(serverUrl);
const connection = connectPostgres(throwaway.url);
const load = new LogLoad(fake, people, (userId) => `P${Math.floor(Number(userId.slice(1)) / 3)}`);
const env = (port: number) => ({
  ...process.env,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_API_URL: fake.apiUrl,
  PORT: String(port),
  LOG_LEVEL: 'warn',
  DATABASE_URL: throwaway.url,
});
const simulator = (port: number) =>
  new SlackClientSimulator({
    appUrl: `http://127.0.0.1:${port}`,
    signingSecret: SECRET,
    responseUrl: fake.responseUrl,
  });

try {
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
      customers: 4,
      projects: Math.ceil(CONSULTANTS / 3),
      consultants: CONSULTANTS,
      periods: [months.current],
      fanOut: FAN_OUT,
      everyoneLogs: true,
    }),
  );
  if (!imported.ok) throw new Error(imported.errors.join('\n'));

  const first = await startAppProcess(env(PORTS[0]!), PORTS[0]!);
  const a = simulator(PORTS[0]!);
  await load.closedLoop([a], 4, 2); // warm-up
  for (let f = 0; f < FAN_OUT.projects; f++) {
    const responseUrl = fake.responseUrl();
    const logged = await a.slashCommand({ command: '/log', text: `30m F${f} fan-out`, userId: SUBMITTER, responseUrl });
    await answerOf(fake, logged, responseUrl, 'Logged');
  }
  const one = await load.closedLoop([a], CONCURRENCY, SECONDS);

  const second = await startAppProcess(env(PORTS[1]!), PORTS[1]!);
  const b = simulator(PORTS[1]!);
  await load.closedLoop([b], 4, 2); // warm-up of the second instance
  const submitUrl = fake.responseUrl();
  const submitted = b.slashCommand({
    command: '/timesheet',
    text: 'submit',
    userId: SUBMITTER,
    responseUrl: submitUrl,
  });
  const two = await load.closedLoop([a, b], CONCURRENCY, SECONDS);
  await answerOf(fake, await submitted, submitUrl, 'Submitted');
  const outboxDone = await outboxSettled(60_000);
  const dms = [...fake.messages].filter(([channel]) => channel.startsWith('DU0MGR'));
  const dmsOnce = dms.length === DMS && dms.every(([, messages]) => messages.length === 1);
  await stopAppProcess(second.child);
  await stopAppProcess(first.child);
  const saved = await load.savedOnce(connection);
  const jobs = await jobUnitsOnce();

  console.log(`PostgreSQL; ${CONSULTANTS} consultants, ${CONCURRENCY} clients, ${SECONDS} s per round`);
  for (const [label, round] of [
    ['one instance', one],
    ['two instances', two],
  ] as const)
    console.log(
      `${label}: ${round.perSecond.toFixed(1)} /log req/s, ack p50 ${round.p50.toFixed(0)} ms, p99 ${round.p99.toFixed(0)} ms, ${round.late} over 3 s of ${round.requests}`,
    );
  console.log(saved.text);
  console.log(`${dms.length} of ${DMS} manager DMs, each once: ${dmsOnce}; outbox: ${outboxDone.text}`);
  console.log(jobs.text);

  const benchmark = `scale-out, PostgreSQL, ${CONCURRENCY} clients`;
  recordFigure({
    benchmark,
    figure: '/log req/s, two instances',
    value: two.perSecond,
    unit: 'req/s',
    reference: { label: 'one instance', value: one.perSecond },
  });
  recordFigure({
    benchmark,
    figure: '/log ack p99, two instances',
    value: two.p99,
    unit: 'ms',
    reference: { label: 'one instance', value: one.p99 },
  });
  recordFigure({
    benchmark,
    figure: 'every confirmed /log saved once',
    value: load.confirmed.size,
    unit: 'entries',
    check: saved.ok,
  });
  recordFigure({
    benchmark,
    figure: 'each DM once; outbox all sent, none dead',
    value: dms.length,
    unit: 'DMs',
    check: dmsOnce && outboxDone.ok,
  });
  recordFigure({
    benchmark,
    figure: 'each job unit claimed and run once, none failed',
    value: jobs.units,
    unit: 'units',
    check: jobs.ok,
  });
} finally {
  await connection.close();
  await fake.close();
  await throwaway.drop();
}

/**
 * Every job unit either instance caught up on: one claim each where it ran (two would mean both
 * instances ran it), none for the units the catch-up skipped as older than 24 h; all finished, no error.
 */
async function jobUnitsOnce(): Promise<{ ok: boolean; units: number; text: string }> {
  const rows = await queryRows<{ attempts: number; finished: boolean; error: string | null }>(
    connection.db,
    sql`select attempts, finished_at is not null as finished, error from job_runs`,
  );
  const ran = rows.filter((row) => row.attempts === 1).length;
  const skipped = rows.filter((row) => row.attempts === 0).length;
  const twice = rows.filter((row) => row.attempts > 1).length;
  const failed = rows.filter((row) => !row.finished || row.error !== null).length;
  return {
    ok: ran > 0 && twice === 0 && failed === 0,
    units: rows.length,
    text: `${rows.length} job units: ${ran} run once, ${skipped} skipped as older than 24 h, ${twice} claimed more than once, ${failed} unfinished or failed`,
  };
}

/** Waits until no outbox message is pending; every message must then be sent (none dead). */
async function outboxSettled(timeoutMs: number): Promise<{ ok: boolean; text: string }> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const rows = await queryRows<{ status: string; n: number }>(
      connection.db,
      sql`select status::text, count(*)::int as n from outbox group by status`,
    );
    const count = (status: string) => rows.find((row) => row.status === status)?.n ?? 0;
    if (count('pending') === 0 || performance.now() > until) {
      const text = rows.map((row) => `${row.n} ${row.status}`).join(', ');
      return { ok: count('pending') === 0 && count('dead') === 0, text };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
