import { eq } from 'drizzle-orm';
import { countingDatabase } from '../../src/db/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, projectConsultants, timesheets, users } from '../../src/db/schema.js';
import { homeOverview } from '../../src/services/home.js';
import { deleteEntries, logTime, type LogTimeInput } from '../../src/services/time-entries.js';
import { submitTimesheet, timesheetHistory, timesheetOverview } from '../../src/services/timesheets.js';
import { timesheetHistoryMessage } from '../../blocks/timesheet-history.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addDelegate,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { Interleaving } from '../support/interleaving.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-25T12:00:00Z');
const ctxFor = (userId: string, actingFor?: string) => serviceContext(database.db, asUser(userId, actingFor), clock);
let october: number;
let november: number;
let december: number;
const projectIds: number[] = [];

/** A consultant of its own for a test that must not see the others' time: on both projects, nothing logged. */
async function freshConsultant(userId: string, name: string): Promise<void> {
  await addUser(database.db, userId, { rights: ['entry'], name });
  const consultantId = await addConsultant(database.db, userId);
  for (const projectId of projectIds) await database.db.insert(projectConsultants).values({ projectId, consultantId });
}

async function log(userId: string, overrides: Partial<LogTimeInput>): Promise<number> {
  const result = await logTime(ctxFor(userId), {
    projectCode: 'ACME-WEB',
    minutes: 60,
    description: 'work',
    billable: true,
    source: 'command',
    ...overrides,
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.entries[0]!.entryId;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  for (const id of ['UALICE', 'UCAROL', 'UDAN', 'UEVE'])
    await addUser(db, id, { rights: ['entry'], name: id.slice(1, 2) + id.slice(2).toLowerCase() });
  await addUser(db, 'UBOB', { rights: ['approval'] });
  // No project has a manager here: every sheet goes to the administrator.
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  const consultants = await Promise.all(['UALICE', 'UCAROL', 'UDAN', 'UEVE'].map((id) => addConsultant(db, id)));
  const acme = await addCustomer(db, 'ACME');
  const globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  projectIds.push(await addProject(db, 'ACME-WEB', acme, { consultants }));
  projectIds.push(await addProject(db, 'GLOBEX-OPS', globex, { consultants }));
  october = await addPeriod(db, '2026-10-01', '2026-10-31');
  november = await addPeriod(db, '2026-11-01', '2026-11-30');
  december = await addPeriod(db, '2026-12-01', '2026-12-31');
  await addDelegate(db, 'UALICE', 'UBOB');
});
afterAll(async () => database.drop());

describe('timesheetOverview', () => {
  it('groups the current period’s entries by day, with day totals and billable/non-billable totals', async () => {
    await log('UALICE', { date: { kind: 'iso', date: '2026-11-24' }, minutes: 120, description: 'b' });
    await log('UALICE', {
      date: { kind: 'iso', date: '2026-11-23' },
      minutes: 30,
      beginsAt: '09:00',
      endsAt: '09:30',
      description: 'a',
    });
    await log('UALICE', {
      date: { kind: 'iso', date: '2026-11-24' },
      minutes: 45,
      billable: false,
      projectCode: 'GLOBEX-OPS',
      source: 'meeting',
      description: 'c',
    });
    const answer = await timesheetOverview(ctxFor('UALICE'));
    expect(answer).toMatchObject({
      ok: true,
      overview: {
        period: { id: november, startsOn: '2026-11-01', endsOn: '2026-11-30' },
        previousPeriodId: october,
        nextPeriodId: december,
        status: 'open',
        editable: true,
        totals: { totalMinutes: 195, billableMinutes: 150, nonBillableMinutes: 45, entryCount: 3 },
      },
    });
    const days = answer.ok ? answer.overview.days : [];
    expect(days.map((d) => [d.date, d.totalMinutes, d.entries.map((e) => e.description)])).toEqual([
      ['2026-11-23', 30, ['a']],
      ['2026-11-24', 165, ['b', 'c']],
    ]);
    expect(days[0]!.entries[0]).toMatchObject({ beginsAt: '09:00', endsAt: '09:30' });
  });

  it('shows a period without a sheet as empty and open, and creates nothing by reading it', async () => {
    const before = await database.db.select().from(timesheets);
    expect(await timesheetOverview(ctxFor('UCAROL'), { periodId: october })).toMatchObject({
      ok: true,
      overview: { status: 'open', days: [], totals: { entryCount: 0 } },
    });
    expect(await database.db.select().from(timesheets)).toEqual(before);
  });

  it('is the consultant’s own (or their principal’s) only', async () => {
    expect(await timesheetOverview(ctxFor('UBOB'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Her delegate sees exactly what Alice sees.
    const asDelegate = await timesheetOverview(ctxFor('UBOB', 'UALICE'));
    expect(asDelegate).toMatchObject({ ok: true, overview: { consultantName: 'Alice' } });
    expect(asDelegate).toEqual(await timesheetOverview(ctxFor('UALICE')));
  });
});

describe('submitTimesheet', () => {
  it('submits, locks the entries, records who submitted, and a second submit changes nothing', async () => {
    const entryId = await log('UCAROL', { date: { kind: 'iso', date: '2026-11-20' } });
    const submitted = await submitTimesheet(ctxFor('UCAROL'));
    expect(submitted).toMatchObject({
      ok: true,
      submitted: { totalMinutes: 60, entryCount: 1, period: { startsOn: '2026-11-01' } },
    });
    const [sheet] = await database.db
      .select()
      .from(timesheets)
      .where(eq(timesheets.id, submitted.ok ? submitted.submitted.timesheetId : 0));
    expect(sheet).toMatchObject({ status: 'submitted', submittedBy: 'UCAROL', submittedAt: clock.now() });

    expect(await submitTimesheet(ctxFor('UCAROL'))).toMatchObject({
      ok: false,
      error: { code: 'not_open', message: expect.stringMatching(/already submitted/) },
    });
    expect(
      await logTime(ctxFor('UCAROL'), {
        projectCode: 'ACME-WEB',
        minutes: 5,
        description: 'late',
        billable: true,
        source: 'command',
      }),
    ).toMatchObject({ ok: false, error: { code: 'timesheet_locked' } });
    expect(await deleteEntries(ctxFor('UCAROL'), { entryIds: [entryId] })).toMatchObject({
      ok: false,
      error: { code: 'entry_read_only' },
    });
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.action, 'timesheet.submit'));
    expect(audit).toHaveLength(1);
  });

  it('two submits at once leave one submission: the second waits for the first, then finds the sheet submitted', async () => {
    await log('UDAN', { date: { kind: 'iso', date: '2026-10-05' } });
    const race = new Interleaving(database);
    const first = race.hold(ctxFor('UDAN'), 'submit:sheet-locked');
    const firstAnswer = submitTimesheet(first.ctx, { periodId: october });
    await first.reached;
    const secondAnswer = submitTimesheet(race.racer(ctxFor('UDAN')), { periodId: october });
    await race.waiting(1);
    first.release();

    const submitted = await firstAnswer;
    expect(submitted).toMatchObject({ ok: true, submitted: { entryCount: 1 } });
    expect(await secondAnswer).toMatchObject({
      ok: false,
      error: { code: 'not_open', message: expect.stringMatching(/already submitted/) },
    });
    const sheetId = submitted.ok ? submitted.submitted.timesheetId : 0;
    const audits = await database.db.select().from(auditLog).where(eq(auditLog.action, 'timesheet.submit'));
    expect(audits.filter((a) => a.entityId === String(sheetId))).toHaveLength(1);
  });

  it('submits an empty sheet only after the user confirms there was no time', async () => {
    const sheetsBefore = await database.db.select().from(timesheets).where(eq(timesheets.periodId, october));
    expect(await submitTimesheet(ctxFor('UCAROL'), { periodId: october })).toMatchObject({
      ok: false,
      error: { code: 'empty_needs_confirm' },
    });
    // Nothing half-written: the refusal leaves no sheet behind.
    expect(await database.db.select().from(timesheets).where(eq(timesheets.periodId, october))).toEqual(sheetsBefore);
    expect(await submitTimesheet(ctxFor('UCAROL'), { periodId: october, confirmEmpty: true })).toMatchObject({
      ok: true,
      submitted: { entryCount: 0 },
    });
  });

  it('does not submit time under an old "no time this period" confirmation', async () => {
    await log('UDAN', { date: { kind: 'iso', date: '2026-11-02' }, minutes: 30 });
    expect(await submitTimesheet(ctxFor('UDAN'), { periodId: november, confirmEmpty: true })).toMatchObject({
      ok: false,
      error: { code: 'no_longer_empty' },
    });
    expect(await submitTimesheet(ctxFor('UDAN'), { periodId: november })).toMatchObject({
      ok: true,
      submitted: { entryCount: 1 },
    });
  });

  it('opens and submits a period named by a day in it or as the last one that ended, so late time can be submitted', async () => {
    await log('UEVE', { date: { kind: 'iso', date: '2026-10-12' }, minutes: 90 });
    expect(await timesheetOverview(ctxFor('UEVE'), { period: { kind: 'last' } })).toMatchObject({
      ok: true,
      overview: { period: { id: october }, status: 'open', totals: { totalMinutes: 90 } },
    });
    expect(
      await timesheetOverview(ctxFor('UEVE'), { period: { kind: 'containing', date: '2026-12-01' } }),
    ).toMatchObject({ ok: true, overview: { period: { id: december } } });
    expect(await submitTimesheet(ctxFor('UEVE'), { period: { kind: 'last' } })).toMatchObject({
      ok: true,
      submitted: { period: { startsOn: '2026-10-01' }, totalMinutes: 90 },
    });
    expect(await submitTimesheet(ctxFor('UEVE'), { period: { kind: 'containing', date: '2026-10-01' } })).toMatchObject(
      {
        ok: false,
        error: { code: 'not_open' },
      },
    );
    expect(await timesheetOverview(ctxFor('UEVE'), { period: { kind: 'containing', date: '2027-05-01' } })).toEqual({
      ok: false,
      error: {
        code: 'no_period',
        message: 'No reporting period covers Sat 1 May 2027. `/timesheet history` lists the periods.',
      },
    });
  });

  it('lets a delegate submit for the principal, recording the delegate as submitter', async () => {
    await freshConsultant('UFAY', 'Fay');
    await addUser(database.db, 'UGUS', { rights: ['approval'] });
    await addDelegate(database.db, 'UFAY', 'UGUS');
    await log('UFAY', { date: { kind: 'iso', date: '2026-11-03' } });
    const result = await submitTimesheet(ctxFor('UGUS', 'UFAY'));
    expect(result).toMatchObject({ ok: true, submitted: { entryCount: 1 } });
    const [sheet] = await database.db
      .select()
      .from(timesheets)
      .where(eq(timesheets.id, result.ok ? result.submitted.timesheetId : 0));
    expect(sheet).toMatchObject({ status: 'submitted', submittedBy: 'UGUS' });
  });
});

describe('timesheetHistory and the App Home', () => {
  it('lists earlier periods, newest first, with what became of each', async () => {
    await freshConsultant('UHAL', 'Hal');
    await log('UHAL', { date: { kind: 'iso', date: '2026-10-05' }, minutes: 45 });
    await log('UHAL', { date: { kind: 'iso', date: '2026-10-06' }, minutes: 15, billable: false });
    expect(await submitTimesheet(ctxFor('UHAL'), { periodId: october })).toMatchObject({ ok: true });
    await log('UHAL', { date: { kind: 'iso', date: '2026-11-05' }, minutes: 30 });
    const history = await timesheetHistory(ctxFor('UHAL'));
    expect(history).toEqual({
      ok: true,
      history: [
        {
          periodId: october,
          startsOn: '2026-10-01',
          endsOn: '2026-10-31',
          status: 'submitted',
          totalMinutes: 60,
          billableMinutes: 45,
        },
      ],
      more: false,
    });
  });

  it('says when older periods are left out, and how to open one', async () => {
    const history = await timesheetHistory(ctxFor('UHAL'), { limit: 1 });
    expect(history).toMatchObject({ ok: true, more: false, history: [{ periodId: october }] });
    await addPeriod(database.db, '2026-09-01', '2026-09-30');
    const longer = await timesheetHistory(ctxFor('UHAL'), { limit: 1 });
    if (!longer.ok) throw new Error(longer.error.message);
    expect(longer).toMatchObject({ more: true, history: [{ periodId: october }] });
    expect(JSON.stringify(timesheetHistoryMessage(longer.history, longer.more).blocks)).toContain(
      'Older periods are not shown: `/timesheet 2026-09-30` opens the one before these (any date opens the period holding it).',
    );
  });

  it('shows the consultant this period, recent entries (read-only once submitted) and prepaid balances', async () => {
    await freshConsultant('UIDA', 'Ida');
    await log('UIDA', { date: { kind: 'iso', date: '2026-11-24' }, description: 'b' });
    await log('UIDA', { date: { kind: 'iso', date: '2026-11-23' }, description: 'a' });
    await log('UIDA', { date: { kind: 'iso', date: '2026-11-24' }, projectCode: 'GLOBEX-OPS', description: 'c' });
    expect(await submitTimesheet(ctxFor('UIDA'))).toMatchObject({ ok: true });
    const home = await homeOverview(ctxFor('UIDA'));
    expect(home).toMatchObject({
      ok: true,
      home: { kind: 'consultant', name: 'Ida', timesheet: { status: 'submitted', editable: false }, timer: null },
    });
    const recent = home.ok && home.home.kind === 'consultant' ? home.home.recent : [];
    expect(recent.map((e) => [e.description, e.editable])).toEqual([
      ['c', false],
      ['a', false],
      ['b', false],
    ]);
    expect(home.ok && home.home.kind === 'consultant' && home.home.prepaid.map((p) => p.customerCode)).toEqual([
      'GLOBEX',
    ]);
    expect(await homeOverview(ctxFor('UBOB'))).toMatchObject({
      ok: true,
      home: { kind: 'not-a-consultant', reason: expect.stringMatching(/time entry right/) },
    });
  });

  it('shows a consultant whose time zone the database does not know (US/Pacific-New) the period of her own day', async () => {
    await freshConsultant('UKIM', 'Kim');
    await database.db.update(users).set({ timeZone: 'US/Pacific-New' }).where(eq(users.id, 'UKIM'));
    // 05:00 UTC on 1 December is the evening of 30 November in California: November's period.
    const evening = serviceContext(database.db, asUser('UKIM'), new TestClock('2026-12-01T05:00:00Z'));
    expect(await homeOverview(evening)).toMatchObject({
      ok: true,
      home: { kind: 'consultant', timesheet: { period: { id: november, startsOn: '2026-11-01' } } },
    });
  });

  it('reads the period, its sheet, its total and the last entries in one statement, so a /log is in all of them or none', async () => {
    await freshConsultant('UJOE', 'Joe');
    const { db, counter } = countingDatabase(database);
    const joe = serviceContext(db, asUser('UJOE'), clock);
    const shown = (answer: Awaited<ReturnType<typeof homeOverview>>) =>
      answer.ok && answer.home.kind === 'consultant'
        ? { total: answer.home.timesheet?.totals.totalMinutes, recent: answer.home.recent.map((e) => e.description) }
        : undefined;
    counter.reset();
    expect(shown(await homeOverview(joe))).toEqual({ total: 0, recent: [] });
    expect([counter.statements, counter.transactions]).toEqual([1, 0]);
    expect(
      await logTime(joe, {
        projectCode: 'ACME-WEB',
        minutes: 60,
        description: 'logged between two reads',
        billable: true,
        source: 'command',
      }),
    ).toMatchObject({ ok: true });
    expect(shown(await homeOverview(joe))).toEqual({ total: 60, recent: ['logged between two reads'] });
  });
});
