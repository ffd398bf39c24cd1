/**
 * The period close over the real app and the fake Slack: once every sheet of a period is decided,
 * or `close_after_days` after its end, FINANCE_CHANNEL gets one checklist post with the AR and AP
 * summaries (PDF and CSV) in its thread and the hourly customers' invoice drafts; three instances
 * running the job, and running it again later, post nothing more. Without FINANCE_CHANNEL the run
 * says so and posts nothing.
 */
import { and, eq, like } from 'drizzle-orm';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, invoices, jobRuns, outbox, timesheets } from '../../src/db/schema.js';
import { periodCloseJob } from '../../src/jobs/period-close.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { silentLogger } from '../../src/logger.js';
import type { Clock } from '../../src/domain/clock.js';
import type { Database } from '../../src/db/client.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import type { SlackCall } from '../support/fake-slack.js';
import { addConsultant, addUser } from '../support/fixtures.js';
import { approvedSheet, entry, type InvoiceFirm, seedInvoiceFirm, sheetWith } from '../support/invoice-firm.js';
import { TestClock } from '../support/test-clock.js';

const FINANCE = 'C0FINANCE';

const runner = (db: Database, clock: Clock, financeChannel?: string) =>
  new JobRunner({
    ctx: {
      db,
      actor: { kind: 'system', name: 'job' },
      clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD', ...(financeChannel ? { financeChannel } : {}) },
    },
    jobs: [periodCloseJob],
  });

describe('the period close', () => {
  let h: AppHarness;
  let firm: InvoiceFirm;
  let bobDec: number;

  /** The app's own runner and two more instances on the same database, all at the clock's now. */
  const everyInstance = () =>
    Promise.all(
      [h.app.jobs, runner(h.database.db, h.clock, FINANCE), runner(h.database.db, h.clock, FINANCE)].map((instance) =>
        instance.runJob(periodCloseJob.name, h.clock.now()),
      ),
    );
  const closeRuns = () => h.database.db.select().from(jobRuns).where(eq(jobRuns.job, periodCloseJob.name));
  const closeRows = (slot: string) =>
    h.database.db
      .select()
      .from(outbox)
      .where(like(outbox.dedupeKey, `job:period-close:${slot}%`));
  const closePosts = () =>
    (h.fake.messages.get(FINANCE) ?? []).filter((m) => String(m.text).startsWith('Period close'));
  const uploadsInThread = (ts: string) =>
    h.fake.callsTo('files.completeUploadExternal').filter((c) => c.args.thread_ts === ts);
  const fileOf = (call: SlackCall) => {
    const [file] = call.args.files as { id: string }[];
    return h.fake.uploads.get(file!.id)!;
  };
  const pdfText = async (call: SlackCall) => {
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(fileOf(call).bytes)), {
      mergePages: true,
    });
    return text;
  };

  async function delivered(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      await h.app.outbox.runOnce();
      const pending = await h.database.db.select().from(outbox).where(eq(outbox.status, 'pending'));
      if (pending.length === 0) return;
      h.clock.advance({ seconds: 5 });
    }
    throw new Error('the outbox did not drain');
  }

  beforeAll(async () => {
    h = await startAppHarness({ now: '2026-12-01T12:00:00Z', financeChannel: FINANCE });
    // The test delivers the outbox itself, after each run.
    await h.app.outbox.stop();
    h.fake.conversations.set(FINANCE, { kind: 'public', appIsMember: true });
    const { db } = h.database;
    firm = await seedInvoiceFirm(db);
    await addUser(db, 'UMGR', { name: 'Mona Manager' });
    await addUser(db, 'UCARL', { name: 'Carl' });
    await addConsultant(db, 'UCARL');
    // November: Alice approved (ACME and BETA time), Bob waits for Mona, Carl never submitted.
    const aliceNov = await approvedSheet(db, firm.consultants.alice, firm.periods.nov);
    await entry(db, {
      sheet: aliceNov,
      project: firm.projects['ACME-WEB'],
      date: '2026-11-03',
      minutes: 120,
      rate: 15000,
    });
    await entry(db, {
      sheet: aliceNov,
      project: firm.projects['BETA-OPS'],
      date: '2026-11-04',
      minutes: 60,
      rate: 10000,
    });
    const bobNov = await sheetWith(db, firm.consultants.bob, firm.periods.nov, 'submitted');
    await db.insert(approvals).values({ timesheetId: bobNov, approverId: 'UMGR' });
    // December: Alice approved on the 31st, Bob still waiting.
    const aliceDec = await approvedSheet(db, firm.consultants.alice, firm.periods.dec);
    await db
      .update(timesheets)
      .set({ decidedAt: new Date('2026-12-31T15:00:00Z') })
      .where(eq(timesheets.id, aliceDec));
    await entry(db, {
      sheet: aliceDec,
      project: firm.projects['ACME-APP'],
      date: '2026-12-15',
      minutes: 60,
      rate: 15000,
    });
    bobDec = await sheetWith(db, firm.consultants.bob, firm.periods.dec, 'submitted');
  });
  afterAll(async () => h.stop());

  it('posts November once, close_after_days (3) after its end at the morning time, with drafts, checklist and summaries, and nothing when run again', async () => {
    // Thu 3 Dec 08:59 UTC: Bob's sheet is undecided and the deadline (09:00) has not come.
    h.clock.set('2026-12-03T08:59:00Z');
    await everyInstance();
    expect(await closeRuns()).toHaveLength(0);

    h.clock.set('2026-12-03T09:00:00Z');
    const reports = (await everyInstance()).flat();
    expect(reports.filter((r) => r.outcome === 'done')).toHaveLength(1);
    const [run] = await closeRuns();
    expect(run).toMatchObject({ slot: '2026-11-30', error: null });
    expect(run!.finishedAt).not.toBeNull();
    expect(run!.result).toBe('posted to C0FINANCE: 2 invoice drafts, 1 not submitted, 1 waiting for a decision');
    // The checklist post and the four summary files: one outbox row each.
    expect(await closeRows('2026-11-30')).toHaveLength(5);
    const drafts = await h.database.db.select().from(invoices).where(eq(invoices.status, 'draft'));
    expect(drafts.map((d) => d.customerId).sort()).toEqual([firm.customers.ACME, firm.customers.BETA].sort());

    await delivered();
    const [post] = closePosts();
    expect(closePosts()).toHaveLength(1);
    const blocks = JSON.stringify(post!.blocks);
    expect(blocks).toContain('Period close: Sun 1 Nov 2026 – Mon 30 Nov 2026*');
    expect(blocks).toContain('the days allowed after its end have passed');
    expect(blocks).toContain('1 approved · 1 waiting for a decision · 1 not submitted');
    expect(blocks).toContain('*Not submitted:* UCARL');
    expect(blocks).toContain('Bob Öberg’s timesheet waits for Mona Manager');
    expect(blocks).toMatch(/Invoice drafts\* \(each posted here to check and issue\): ACME \$300\.00, BETA €100\.00/);

    // The drafts are posted to the finance channel, each with its DRAFT PDF.
    const draftPosts = (h.fake.messages.get(FINANCE) ?? []).filter((m) =>
      String(JSON.stringify(m.blocks)).includes('Draft invoice'),
    );
    expect(draftPosts).toHaveLength(2);

    const files = uploadsInThread(post!.ts);
    expect(files.map((c) => fileOf(c).filename?.split('.').pop()).sort()).toEqual(['csv', 'csv', 'pdf', 'pdf']);
    const [arPdf, apPdf] = ['Accounts Receivable summary (PDF)', 'Accounts Payable summary (PDF)'].map((comment) =>
      files.find((c) => c.args.initial_comment === comment)!,
    );
    const ar = await pdfText(arPdf!);
    expect(ar).toContain('Accounts Receivable');
    expect(ar).toContain('Acme Corp');
    expect(ar).toContain('300.00');
    const ap = await pdfText(apPdf!);
    expect(ap).toContain('Accounts Payable');
    expect(ap).toContain('Alice Doe');
    const arCsv = fileOf(files.find((c) => c.args.initial_comment === 'Accounts Receivable summary (CSV)')!);
    expect(arCsv.bytes.toString('utf8')).toContain('ACME');

    // Run again, from every instance, later that day and the next: nothing more.
    const posted = h.fake.callsTo('chat.postMessage').length;
    const uploaded = h.fake.callsTo('files.completeUploadExternal').length;
    for (const at of ['2026-12-03T09:00:00Z', '2026-12-03T15:00:00Z', '2026-12-04T09:00:00Z']) {
      h.clock.set(at);
      const reports = (await everyInstance()).flat();
      expect(reports.filter((r) => r.outcome === 'done')).toEqual([]);
    }
    await delivered();
    expect(await closeRuns()).toHaveLength(1);
    expect(await closeRows('2026-11-30')).toHaveLength(5);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(posted);
    expect(h.fake.callsTo('files.completeUploadExternal')).toHaveLength(uploaded);
    expect(await h.database.db.select().from(invoices)).toHaveLength(2);
  });

  it('posts December when its last sheet is decided after the end, before the deadline', async () => {
    // Fri 1 Jan 00:00: December has ended but Bob's sheet is still undecided.
    h.clock.set('2027-01-01T00:00:00Z');
    await everyInstance();
    expect((await closeRuns()).map((r) => r.slot)).not.toContain('2026-12-31');
    // Bob's sheet is approved at 10:00: the close is due then, two days before the deadline.
    await h.database.db
      .update(timesheets)
      .set({ status: 'approved', decidedAt: new Date('2027-01-01T10:00:00Z') })
      .where(eq(timesheets.id, bobDec));
    await h.database.db.delete(approvals).where(eq(approvals.timesheetId, bobDec));
    h.clock.set('2027-01-01T10:00:00Z');
    const reports = (await everyInstance()).flat();
    expect(reports.filter((r) => r.outcome === 'done').map((r) => r.slot)).toEqual(['2026-12-31']);
    const [run] = await h.database.db
      .select()
      .from(jobRuns)
      .where(and(eq(jobRuns.job, periodCloseJob.name), eq(jobRuns.slot, '2026-12-31')));
    expect(run!.result).toBe('posted to C0FINANCE: 1 invoice draft, 1 not submitted, 0 waiting for a decision');
    await delivered();
    const december = closePosts().filter((m) => String(m.text).includes('Dec 2026'));
    expect(december).toHaveLength(1);
    const post = december[0]!;
    const blocks = JSON.stringify(post.blocks);
    expect(blocks).toContain('Period close: Tue 1 Dec 2026 – Thu 31 Dec 2026*');
    expect(blocks).toContain('every timesheet is decided');
    expect(blocks).toContain('No timesheet waits for a decision');
    expect(uploadsInThread(post.ts)).toHaveLength(4);
  });
});

describe('the period close without FINANCE_CHANNEL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    const firm = await seedInvoiceFirm(database.db);
    const sheet = await approvedSheet(database.db, firm.consultants.alice, firm.periods.nov);
    await entry(database.db, {
      sheet,
      project: firm.projects['ACME-WEB'],
      date: '2026-11-03',
      minutes: 60,
      rate: 15000,
    });
  });
  afterAll(async () => database.drop());

  it('records why nothing was posted, drafts nothing and queues nothing', async () => {
    // Every November sheet is decided: the close is due as November ends.
    const clock = new TestClock('2026-12-01T00:00:00Z');
    const [report] = await runner(database.db, clock).runJob(periodCloseJob.name, clock.now());
    expect(report).toMatchObject({ slot: '2026-11-30', outcome: 'done' });
    const [run] = await database.db.select().from(jobRuns);
    expect(run!.result).toBe('not posted: FINANCE_CHANNEL is not set, so the period close has nowhere to go');
    expect(await database.db.select().from(outbox)).toEqual([]);
    expect(await database.db.select().from(invoices)).toEqual([]);
  });
});
