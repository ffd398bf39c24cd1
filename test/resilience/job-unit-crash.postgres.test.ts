/**
 * The app process killed with SIGKILL in the middle of a scheduled job unit (issue 21): the period
 * close, which drafts the hourly customers' invoices and queues its post and the AR and AP
 * summaries in one transaction with its `job_runs` record (src/jobs/runner.ts, claims.ts).
 *
 * The unit is stopped at a chosen point, not hoped for: the test holds an uncommitted outbox row
 * with the dedupe key of the AR summary's PDF, so the unit, past its claim and its invoice drafts,
 * waits in its transaction on that key; then SIGKILL. The claim survives the crash with its lease;
 * a process started while the lease lasts leaves the unit alone; once the lease has passed, the
 * next process takes the unit over and runs it once, and everything it sends reaches Slack once.
 * Holding a row beside the app needs PostgreSQL (an embedded database has one owner).
 */
import { and, eq, like, type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db/client.js';
import { consultants, employees, invoiceLines, invoices, jobRuns, outbox, projects } from '../../src/db/schema.js';
import { addDays } from '../../src/domain/dates.js';
import { systemClock } from '../../src/domain/clock.js';
import { PERIOD_CLOSE } from '../../src/services/period-close.js';
import { silentLogger } from '../../src/logger.js';
import { importSetup } from '../../src/services/setup-import.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { approvedSheet, entry } from '../support/invoice-firm.js';
import {
  type AppProcess,
  type KeptDatabase,
  keptDatabase,
  killHard,
  spawnAppProcess,
  stopGracefully,
} from './app-process.js';
import { ResilienceTally } from './tally.js';

const FINANCE = 'C0FINANCE';
const tally = new ResilienceTally('job unit crash');

/** The app runs on the real clock: the period ended yesterday, so its close is due now. */
const today = new Date().toISOString().slice(0, 10);
const ENDS_ON = addDays(today, -1);
const STARTS_ON = addDays(ENDS_ON, -6);
const SLOT = ENDS_ON;

const FIRM = `
customers:
  - { code: ACME, name: Acme Corp, currency: USD, billing: hourly }
  - { code: BETA, name: Beta Ltd, currency: USD, billing: hourly }
employees:
  - { user: U01ALICE, name: Alice Doe, consultant: { cost_rate: '70.00', price_rate: '140.00' } }
  - { user: U02BOB, name: Bob Roe, consultant: { cost_rate: '70.00', price_rate: '120.00' } }
projects:
  - { code: ACME-WEB, customer: ACME, name: Website relaunch, consultants: [{ user: U01ALICE }, { user: U02BOB }] }
  - { code: BETA-OPS, customer: BETA, name: Operations, consultants: [{ user: U02BOB }] }
periods:
  - { starts: ${STARTS_ON}, ends: ${ENDS_ON} }
`;

let fake: FakeSlack;
let database: KeptDatabase;
let app: AppProcess | undefined;

beforeAll(async () => {
  fake = await startFakeSlack();
  database = await keptDatabase();
  await database.use(async (db) => {
    const imported = await importSetup(
      {
        db,
        actor: { kind: 'system', name: 'cli' },
        clock: systemClock,
        log: silentLogger,
        org: { timeZone: 'UTC', currency: 'USD' },
      },
      FIRM,
    );
    expect(imported.ok).toBe(true);
    await approvedTime(db);
  });
}, 60_000);

afterAll(async () => {
  tally.report();
  if (app) await killHard(app);
  await database?.drop();
  await fake?.close();
});

/** Both consultants' sheets of the period approved: three entries for ACME, one for BETA. */
async function approvedTime(db: Database): Promise<void> {
  const [period] = await queryRows<{ id: number }>(
    db,
    sql`select id from reporting_periods where ends_on = ${ENDS_ON}::date`,
  );
  const periodId = Number(period!.id);
  const consultantOf = async (userId: string) =>
    (
      await db
        .select({ id: consultants.employeeId })
        .from(consultants)
        .innerJoin(employees, eq(employees.id, consultants.employeeId))
        .where(eq(employees.userId, userId))
    )[0]!.id;
  const projectOf = async (code: string) =>
    (await db.select({ id: projects.id }).from(projects).where(eq(projects.code, code)))[0]!.id;
  const [acme, beta] = [await projectOf('ACME-WEB'), await projectOf('BETA-OPS')];
  const alice = await approvedSheet(db, await consultantOf('U01ALICE'), periodId);
  const bob = await approvedSheet(db, await consultantOf('U02BOB'), periodId);
  await entry(db, { sheet: alice, project: acme, date: STARTS_ON, minutes: 240, rate: 14000 });
  await entry(db, { sheet: alice, project: acme, date: addDays(STARTS_ON, 1), minutes: 90, rate: 14000 });
  await entry(db, { sheet: bob, project: acme, date: STARTS_ON, minutes: 60, rate: 12000 });
  await entry(db, { sheet: bob, project: beta, date: addDays(STARTS_ON, 2), minutes: 180, rate: 12000 });
}

/** Starts the app; its catch-up runs the jobs due in the last 24 hours before it listens. */
function spawn(): { app: AppProcess; listening: Promise<AppProcess> } {
  const spawned = spawnAppProcess({
    ...database.env,
    SLACK_BOT_TOKEN: 'xoxb-crash',
    SLACK_SIGNING_SECRET: 'job-crash-secret',
    SLACK_API_URL: fake.apiUrl,
    FINANCE_CHANNEL: FINANCE,
  });
  app = spawned.app;
  return spawned;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const closeRun = (db: Database) =>
  db
    .select()
    .from(jobRuns)
    .where(and(eq(jobRuns.job, PERIOD_CLOSE), eq(jobRuns.slot, SLOT)))
    .then((rows) => rows[0]);

/** Other connections to the test's database (the app's) in a state `where` names. */
async function backends(db: Database, where: SQL): Promise<number> {
  const [row] = await queryRows<{ count: number }>(
    db,
    sql`select count(*)::int as count from pg_stat_activity
         where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()
           and ${where}`,
  );
  return Number(row!.count);
}

/** The files shared in the finance channel, by file name. */
function financeFiles(): string[] {
  return (fake.messages.get(FINANCE) ?? [])
    .flatMap((message) => message.files ?? [])
    .map((file) => fake.uploads.get(file.id)?.filename ?? file.id);
}

describe('SIGKILL in the middle of a scheduled job unit', () => {
  it(
    'the period close killed mid-unit: its work is rolled back, the lease keeps it from a restart, then the next process takes it over and runs it once; every post and file reaches finance once',
    async () => {
      tally.cases++;
      // The hold: an uncommitted outbox row under the key the unit will queue the AR summary's PDF with.
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let taken!: () => void;
      const holding = new Promise<void>((resolve) => (taken = resolve));
      const now = new Date();
      const holder = database
        .use((db) =>
          db.transaction(async (tx) => {
            await tx.insert(outbox).values({
              kind: 'upload',
              dedupeKey: `job:${PERIOD_CLOSE}:${SLOT}:ar.pdf`,
              payload: {},
              nextAttemptAt: now,
              deliveringSince: now,
              createdAt: now,
              updatedAt: now,
            });
            taken();
            await released;
            throw new Error('rolled back by the test');
          }),
        )
        .catch((error: unknown) => expect(String(error)).toContain('rolled back by the test'));
      await holding;

      const first = spawn();
      // The unit is claimed and waits in its transaction, past its invoice drafts, on the held key.
      await database.use((db) =>
        until('the period close to wait on the held key', async () => {
          const run = await closeRun(db);
          return run?.attempts === 1 && (await backends(db, sql`wait_event_type = 'Lock'`)) > 0;
        }),
      );
      await killHard(first.app);
      app = undefined;
      tally.faults++;
      release();
      await holder;

      await database.use(async (db) => {
        // The dead process's work went with its transaction; its claim stays, leased.
        await until('the dead process’s transaction to end', async () => {
          return (await backends(db, sql`state <> 'idle'`)) === 0;
        });
        expect(await db.select().from(invoices)).toEqual([]);
        expect(
          await db
            .select()
            .from(outbox)
            .where(like(outbox.dedupeKey, `job:${PERIOD_CLOSE}:%`)),
        ).toEqual([]);
        const run = await closeRun(db);
        expect(run).toMatchObject({ attempts: 1, finishedAt: null });
        expect(run!.leaseUntil!.getTime()).toBeGreaterThan(Date.now());
      });

      // Restarted within the lease: the catch-up finds the unit held and leaves it.
      const second = spawn();
      await second.listening;
      await database.use(async (db) => expect(await closeRun(db)).toMatchObject({ attempts: 1, finishedAt: null }));
      await stopGracefully(second.app);
      app = undefined;
      expect(fake.messages.get(FINANCE)).toBeUndefined();

      // The dead holder's lease (5 minutes) has run out while the app was down.
      await database.use((db) =>
        db
          .update(jobRuns)
          .set({ leaseUntil: new Date(Date.now() - 1000) })
          .where(and(eq(jobRuns.job, PERIOD_CLOSE), eq(jobRuns.slot, SLOT))),
      );
      const third = spawn();
      await third.listening;
      await database.use((db) =>
        until('the close’s messages to be delivered', async () => {
          const pending = await db.select({ id: outbox.id }).from(outbox).where(eq(outbox.status, 'pending'));
          return (await closeRun(db))?.finishedAt != null && pending.length === 0;
        }),
      );
      await stopGracefully(third.app);
      app = undefined;

      await database.use(async (db) => {
        const run = await closeRun(db);
        expect(run).toMatchObject({ attempts: 2, error: null });
        expect(run!.result).toContain(`posted to ${FINANCE}: 2 invoice drafts`);
        const drafted = await db.select().from(invoices).orderBy(invoices.id);
        expect(drafted.map((invoice) => [invoice.status, invoice.totalCents])).toEqual([
          ['draft', 14000 * 5.5 + 12000],
          ['draft', 12000 * 3],
        ]);
        // Every approved entry on one invoice line.
        const lines = await db.select({ entry: invoiceLines.timeEntryId }).from(invoiceLines);
        const perEntry = new Map<number, number>();
        for (const line of lines) perEntry.set(line.entry!, (perEntry.get(line.entry!) ?? 0) + 1);
        const entries = await queryRows<{ id: number }>(db, sql`select id from time_entries`);
        for (const row of entries) tally.once(perEntry.get(Number(row.id)) ?? 0);

        // Each post once: the close and the two invoice messages, where slack_messages says they are.
        const posts = (fake.messages.get(FINANCE) ?? []).filter((message) => !message.files);
        const recorded = await queryRows<{ ref: string; ts: string }>(
          db,
          sql`select ref, ts from slack_messages where channel = ${FINANCE} order by ref`,
        );
        expect(recorded.map((row) => row.ref)).toEqual([
          ...drafted.map((invoice) => `invoice:${invoice.id}`),
          `${PERIOD_CLOSE}:${SLOT}`,
        ]);
        for (const row of recorded) tally.once(posts.filter((post) => post.ts === row.ts).length);
        expect(posts).toHaveLength(3);
        const close = JSON.stringify(posts.find((post) => post.ts === recorded.at(-1)!.ts)!.blocks);
        expect(close).toContain('*Invoice drafts* (each posted here to check and issue): ACME $890.00, BETA $360.00');

        // Each file once: the two DRAFT PDFs and the AR and AP summaries as PDF and CSV.
        const files = financeFiles();
        const expected = [...drafted.map((invoice) => `invoice-draft-${invoice.id}-`), 'ar-summary', 'ap-summary'];
        for (const prefix of expected.slice(0, 2)) tally.once(files.filter((name) => name.startsWith(prefix)).length);
        for (const report of expected.slice(2))
          for (const format of ['.pdf', '.csv'])
            tally.once(files.filter((name) => name.includes(report) && name.endsWith(format)).length);
        expect(files).toHaveLength(6);
      });
    },
    // Three app starts, each compiling the app (tsx): slow on a busy 2-core machine.
    180_000,
  );
});
