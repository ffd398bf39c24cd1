/**
 * Approval fan-out: one consultant submits a timesheet with time on 10 projects, each with 3
 * managers, so 30 manager DMs go out through the outbox. Measures the time from sending
 * `/timesheet submit` until the 30th DM is in the fake Slack, calm and under a 429 storm.
 *
 *   npx tsx bench/approval-fanout.ts                                                       # PGlite in memory
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/approval-fanout.ts
 */
import { loadConfig } from '../src/config.js';
import { timeEntries, timesheets, approvals, outbox, slackMessages } from '../src/db/schema.js';
import { systemClock } from '../src/domain/clock.js';
import { silentLogger } from '../src/logger.js';
import { startConsulTracker } from '../src/server.js';
import { importSetup } from '../src/services/setup-import.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { SlackClientSimulator } from '../test/support/slack-requests.js';
import { recordFigure } from './figures.js';
import { answerOf } from './log-load.js';
import { benchDatabase } from './throwaway-database.js';

const PROJECTS = 10;
const MANAGERS_PER_PROJECT = 3;
const DMS = PROJECTS * MANAGERS_PER_PROJECT;
const SECRET = 'bench-secret';

const fake = await startFakeSlack();
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

const today = new Date().toISOString().slice(0, 10);
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
fake.users.set('U0CONSULT', { id: 'U0CONSULT', real_name: 'Casey', tz: 'UTC' });

try {
  console.log(`database: ${label}`);
  const calm = await round();
  console.log(
    `submit -> ${DMS} manager DMs delivered: ${calm.ms.toFixed(0)} ms (${calm.calls} chat.postMessage calls)`,
  );
  // A storm: Slack rate-limits the first 10 posts with Retry-After: 1.
  fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 }, 10);
  const storm = await round();
  console.log(
    `same under 10 x 429 (Retry-After 1 s): ${storm.ms.toFixed(0)} ms (${storm.calls} chat.postMessage calls, each DM once: ${storm.exactlyOnce})`,
  );
  const benchmark = `P5 fan-out, ${label}`;
  recordFigure({ benchmark, figure: `submit -> ${DMS} DMs delivered, calm`, value: calm.ms, unit: 'ms' });
  // The storm costs about one Retry-After per wave of rate-limited lanes; the reference is the calm round.
  recordFigure({
    benchmark,
    figure: `submit -> ${DMS} DMs, 10 x 429 (Retry-After 1 s)`,
    value: storm.ms,
    unit: 'ms',
    reference: { label: 'calm round', value: calm.ms },
  });
  recordFigure({
    benchmark,
    figure: 'each DM delivered once, calm and storm',
    value: DMS,
    unit: 'DMs',
    check: calm.exactlyOnce && storm.exactlyOnce,
  });
} finally {
  await app.stop();
  await fake.close();
  await drop();
}

/** Logs one entry per project, submits over HTTP, waits until every manager has exactly one DM. */
async function round(): Promise<{ ms: number; calls: number; exactlyOnce: boolean }> {
  const { db } = connection;
  await db.delete(outbox);
  await db.delete(slackMessages);
  await db.delete(approvals);
  await db.delete(timeEntries);
  await db.update(timesheets).set({ reopenedFrom: null });
  await db.delete(timesheets);
  fake.reset();
  for (let p = 0; p < PROJECTS; p++) {
    const responseUrl = fake.responseUrl();
    const logged = await slack.slashCommand({
      command: '/log',
      text: `30m PRJ-${p} ${today} work on ${p}`,
      userId: 'U0CONSULT',
      responseUrl,
    });
    await answerOf(fake, logged, responseUrl, 'Logged');
  }
  const started = performance.now();
  const responseUrl = fake.responseUrl();
  const submitted = await slack.slashCommand({
    command: '/timesheet',
    text: 'submit',
    userId: 'U0CONSULT',
    responseUrl,
  });
  await answerOf(fake, submitted, responseUrl, 'Submitted');
  for (;;) {
    const delivered = [...fake.messages.values()].filter((messages) => messages.length > 0).length;
    if (delivered >= DMS) break;
    if (performance.now() - started > 120_000) throw new Error(`only ${delivered} of ${DMS} DMs after 2 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const ms = performance.now() - started;
  await app.settled();
  const exactlyOnce = [...fake.messages.values()].every((messages) => messages.length === 1);
  return { ms, calls: fake.callsTo('chat.postMessage').length, exactlyOnce };
}

function setup(): string {
  const managers = Array.from({ length: DMS }, (_, i) => `U0MGR${String(i).padStart(2, '0')}`);
  const first = `${today.slice(0, 8)}01`;
  const last = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)), 0)).toISOString().slice(0, 10);
  return [
    'customers:',
    '  - { code: ACME, name: Acme }',
    'employees:',
    '  - { user: U0CONSULT, name: Casey, consultant: { cost_rate: 50, price_rate: 100 } }',
    ...managers.map((m) => `  - { user: ${m}, name: Manager ${m}, manager: true }`),
    'projects:',
    ...Array.from(
      { length: PROJECTS },
      (_, p) =>
        `  - { code: PRJ-${p}, customer: ACME, name: Project ${p}, managers: [${managers.slice(p * 3, p * 3 + 3).join(', ')}], consultants: [ { user: U0CONSULT } ] }`,
    ),
    'roles:',
    '  - { name: Consultant, rights: [entry] }',
    '  - { name: Manager, rights: [approval] }',
    'users:',
    '  - { user: U0CONSULT, roles: [Consultant] }',
    ...managers.map((m) => `  - { user: ${m}, roles: [Manager] }`),
    'periods:',
    `  - { starts: ${first}, ends: ${last} }`,
    '',
  ].join('\n');
}
