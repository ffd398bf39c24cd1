import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, timeEntries, timesheets } from '../../src/db/schema.js';
import { queryRows } from '../../src/db/client.js';
import { logTime, type LogTimeInput } from '../../src/services/time-entries.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addDelegate,
  addPeriod,
  addProject,
  addTimesheet,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { Interleaving } from '../support/interleaving.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let clock: TestClock;
let november: number;

const entry = (overrides: Partial<LogTimeInput> = {}): LogTimeInput => ({
  projectCode: 'ACME-WEB',
  minutes: 120,
  description: 'design review',
  billable: true,
  source: 'command',
  ...overrides,
});

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UALICE', { rights: ['entry'], timeZone: 'Pacific/Auckland' });
  await addUser(db, 'UCAROL', { rights: ['entry'] });
  await addUser(db, 'UBOB', { rights: ['approval'] });
  await addUser(db, 'UNORIGHTS');
  const alice = await addConsultant(db, 'UALICE');
  const carol = await addConsultant(db, 'UCAROL');
  await addConsultant(db, 'UNORIGHTS');
  const acme = await addCustomer(db, 'ACME');
  await addProject(db, 'ACME-WEB', acme, { consultants: [alice] });
  await addProject(db, 'ACME-APP', acme, { consultants: [alice] });
  await addProject(db, 'ACME-OLD', acme, { consultants: [alice], active: false });
  await addProject(db, 'CAROL-ONLY', acme, { consultants: [carol] });
  november = await addPeriod(db, '2026-11-01', '2026-11-30');
  await addDelegate(db, 'UALICE', 'UBOB');
  // Gus works in Berlin, where the clocks change on 29 March and 25 October 2026.
  await addUser(db, 'UGUS', { rights: ['entry'], timeZone: 'Europe/Berlin' });
  await addProject(db, 'GUS-WORK', acme, { consultants: [await addConsultant(db, 'UGUS')] });
  await addPeriod(db, '2026-03-01', '2026-03-31');
  await addPeriod(db, '2026-10-01', '2026-10-31');
});

afterAll(async () => database.drop());

beforeEach(() => {
  // 2026-11-24 23:30 UTC is already 2026-11-25 in Auckland, Alice's time zone.
  clock = new TestClock('2026-11-24T23:30:00Z');
});

const entriesOf = async () => database.db.select().from(timeEntries);

describe('logTime', () => {
  it('saves the entry on today in the consultant’s time zone, in an open sheet created on first use', async () => {
    const result = await logTime(serviceContext(database.db, asUser('UALICE'), clock), entry({ requestKey: 'k1' }));
    expect(result).toMatchObject({
      ok: true,
      entries: [{ projectCode: 'ACME-WEB', workDate: '2026-11-25', minutes: 120 }],
    });

    const [saved] = await database.db.select().from(timeEntries).where(eq(timeEntries.requestKey, 'k1'));
    expect(saved).toMatchObject({
      workDate: '2026-11-25',
      minutes: 120,
      description: 'design review',
      billable: true,
      createdBy: 'UALICE',
      actingFor: null,
    });
    const [sheet] = await database.db.select().from(timesheets).where(eq(timesheets.id, saved!.timesheetId));
    expect(sheet!.status).toBe('open');
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, String(saved!.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'time_entry.create', actorId: 'UALICE' });
  });

  it('audits the entry as it was saved: the clock’s time, no before (SQL null), the whole row after', async () => {
    await logTime(serviceContext(database.db, asUser('UALICE'), clock), entry({ requestKey: 'audited' }));
    const [saved] = await database.db.select().from(timeEntries).where(eq(timeEntries.requestKey, 'audited'));
    const [audit] = await queryRows<{ at: Date | string; before_is_null: boolean; after: unknown }>(
      database.db,
      sql`select at, before is null as before_is_null, after from audit_log where entity_id = ${String(saved!.id)}`,
    );
    expect(new Date(audit!.at)).toEqual(clock.now());
    expect(audit!.before_is_null).toBe(true);
    const after = typeof audit!.after === 'string' ? (JSON.parse(audit!.after) as unknown) : audit!.after;
    expect(after).toEqual(JSON.parse(JSON.stringify(saved)));
  });

  it('never saves a repeated request twice', async () => {
    const ctx = serviceContext(database.db, asUser('UALICE'), clock);
    const before = (await entriesOf()).length;
    const [first, second] = await Promise.all([
      logTime(ctx, entry({ requestKey: 'retry-1' })),
      logTime(ctx, entry({ requestKey: 'retry-1' })),
    ]);
    expect(first.ok && second.ok).toBe(true);
    expect((await entriesOf()).length).toBe(before + 1);
    const repeated = await logTime(ctx, entry({ requestKey: 'retry-1' }));
    expect(repeated).toMatchObject({ ok: true, entries: [{ repeated: true }] });
    expect((await entriesOf()).length).toBe(before + 1);
  });

  it('answers a retry of a timed entry that arrives while the first delivery holds its sheet with the first’s entry: one entry, one audit row', async () => {
    const ctx = serviceContext(database.db, asUser('UALICE'), clock);
    const race = new Interleaving(database);
    const first = race.hold(ctx, 'entry:project-held');
    const timed = entry({ requestKey: 'retry-held', beginsAt: '07:00', endsAt: '08:00' });
    const firstLogged = logTime(first.ctx, timed);
    await first.reached;
    // On PostgreSQL the retry reads no earlier entry, waits for the sheet, then finds the key taken
    // by the insert; on PGlite it waits for the first transaction and reads the first's entry.
    const retried = logTime(race.racer(ctx), timed);
    await race.waiting(1);
    first.release();

    const [saved, again] = [await firstLogged, await retried];
    expect(saved).toMatchObject({ ok: true, entries: [{ repeated: false }] });
    const entryId = saved.ok ? saved.entries[0]!.entryId : undefined;
    expect(again).toMatchObject({ ok: true, entries: [{ repeated: true, entryId }] });
    const entries = await database.db.select().from(timeEntries).where(eq(timeEntries.requestKey, 'retry-held'));
    expect(entries.map((e) => e.id)).toEqual([entryId]);
    const audits = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, String(entryId)));
    expect(audits.map((a) => a.action)).toEqual(['time_entry.create']);
  });

  it('records a delegate acting for the consultant', async () => {
    const result = await logTime(
      serviceContext(database.db, asUser('UBOB', 'UALICE'), clock),
      entry({ requestKey: 'delegated' }),
    );
    expect(result.ok).toBe(true);
    const [saved] = await database.db.select().from(timeEntries).where(eq(timeEntries.requestKey, 'delegated'));
    expect(saved).toMatchObject({ createdBy: 'UBOB', actingFor: 'UALICE' });
  });

  it.each([
    ['a user without the entry right', asUser('UNORIGHTS'), entry(), 'forbidden'],
    ['someone acting for a user who did not delegate to them', asUser('UCAROL', 'UALICE'), entry(), 'not_a_delegate'],
    ['an unknown user', asUser('UNOBODY'), entry(), 'not_a_user'],
    ['a user who is not a consultant', asUser('UBOB'), entry(), 'forbidden'],
    ['an unknown project', asUser('UALICE'), entry({ projectCode: 'ACME-WBE' }), 'unknown_project'],
    [
      'a project the consultant is not on',
      asUser('UALICE'),
      entry({ projectCode: 'CAROL-ONLY' }),
      'project_not_allowed',
    ],
    ['an inactive project', asUser('UALICE'), entry({ projectCode: 'ACME-OLD' }), 'project_not_allowed'],
    [
      'a date outside every period',
      asUser('UALICE'),
      entry({ date: { kind: 'iso', date: '2026-09-30' } }),
      'no_period',
    ],
    ['a date in the future', asUser('UALICE'), entry({ date: { kind: 'iso', date: '2026-11-26' } }), 'future_date'],
    ['a zero duration', asUser('UALICE'), entry({ minutes: 0 }), 'invalid_duration'],
    ['more than 24 hours', asUser('UALICE'), entry({ minutes: 1441 }), 'duration_too_long'],
    ['an empty description', asUser('UALICE'), entry({ description: '   ' }), 'description_required'],
    [
      'a description over 500 characters',
      asUser('UALICE'),
      entry({ description: 'x'.repeat(501) }),
      'description_too_long',
    ],
  ])('refuses %s and writes nothing', async (_case, actor, input, code) => {
    const before = await entriesOf();
    const result = await logTime(serviceContext(database.db, actor, clock), input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeGreaterThan(10);
    }
    expect(await entriesOf()).toEqual(before);
  });

  it('suggests the closest project codes the consultant may use', async () => {
    const result = await logTime(
      serviceContext(database.db, asUser('UALICE'), clock),
      entry({ projectCode: 'acme-wbe' }),
    );
    expect(!result.ok && result.error.message).toContain('`ACME-WEB`');
    expect(!result.ok && result.error.message).not.toContain('CAROL-ONLY');
  });

  it('keeps one consultant’s day at 24 hours or less', async () => {
    const ctx = serviceContext(database.db, asUser('UCAROL'), clock);
    const day = { kind: 'iso', date: '2026-11-20' } as const;
    expect((await logTime(ctx, entry({ projectCode: 'CAROL-ONLY', minutes: 1200, date: day }))).ok).toBe(true);
    const over = await logTime(ctx, entry({ projectCode: 'CAROL-ONLY', minutes: 241, date: day }));
    expect(over).toMatchObject({ ok: false, error: { code: 'day_full' } });
    expect((await logTime(ctx, entry({ projectCode: 'CAROL-ONLY', minutes: 240, date: day }))).ok).toBe(true);
  });

  it('refuses a time range that overlaps another entry that day', async () => {
    const ctx = serviceContext(database.db, asUser('UALICE'), clock);
    const day = { kind: 'iso', date: '2026-11-19' } as const;
    const first = await logTime(ctx, entry({ date: day, beginsAt: '09:00', endsAt: '11:30', minutes: 150 }));
    expect(first.ok).toBe(true);
    const clash = await logTime(
      ctx,
      entry({ projectCode: 'ACME-APP', date: day, beginsAt: '11:00', endsAt: '12:00', minutes: 60 }),
    );
    expect(clash).toMatchObject({ ok: false, error: { code: 'overlap' } });
    const adjacent = await logTime(
      ctx,
      entry({ projectCode: 'ACME-APP', date: day, beginsAt: '11:30', endsAt: '12:00', minutes: 30 }),
    );
    expect(adjacent.ok).toBe(true);
  });

  it('refuses time on a submitted timesheet', async () => {
    // Dora has her own sheet, submitted before she logs, so no other test's sheet is touched.
    const { db } = database;
    await addUser(db, 'UDORA', { rights: ['entry'] });
    const dora = await addConsultant(db, 'UDORA');
    await addProject(db, 'DORA-WORK', await addCustomer(db, 'DORACO'), { consultants: [dora] });
    await addTimesheet(db, dora, november, 'submitted');

    const ctx = serviceContext(db, asUser('UDORA'), clock);
    const result = await logTime(ctx, entry({ projectCode: 'DORA-WORK', date: { kind: 'iso', date: '2026-11-18' } }));
    expect(result).toMatchObject({ ok: false, error: { code: 'timesheet_locked' } });
    expect((await entriesOf()).filter((e) => e.createdBy === 'UDORA')).toEqual([]);
  });
});

describe('time ranges in the user’s zone', () => {
  const gus = () => serviceContext(database.db, asUser('UGUS'), clock);
  const range = (beginsAt: string, endsAt: string, date?: string, requestKey?: string): LogTimeInput => ({
    ...entry({ projectCode: 'GUS-WORK', beginsAt, endsAt }),
    ...(date ? { date: { kind: 'iso' as const, date } } : {}),
    ...(requestKey ? { requestKey } : {}),
  });
  const gusEntries = async () =>
    (await entriesOf())
      .filter((e) => e.createdBy === 'UGUS')
      .map((e) => [e.workDate, e.beginsAt?.slice(0, 5), e.endsAt?.slice(0, 5), e.minutes]);

  it('counts the minutes that passed across a daylight-saving change: 2 hours on the spring night, 4 on the autumn one', async () => {
    expect(await logTime(gus(), range('01:00', '04:00', '2026-03-29'))).toMatchObject({
      ok: true,
      entries: [{ workDate: '2026-03-29', beginsAt: '01:00', endsAt: '04:00', minutes: 120 }],
    });
    expect(await logTime(gus(), range('01:00', '04:00', '2026-10-25'))).toMatchObject({
      ok: true,
      entries: [{ minutes: 240 }],
    });
  });

  it('saves a range past midnight as one entry per day, the date being the day it begins, and all of it or nothing', async () => {
    // Now is 00:30 on 25 November in Berlin.
    const saved = await logTime(gus(), range('22:00', '01:30', '2026-11-20', 'night-1'));
    expect(saved).toMatchObject({
      ok: true,
      entries: [
        { workDate: '2026-11-20', beginsAt: '22:00', endsAt: '24:00', minutes: 120, repeated: false },
        { workDate: '2026-11-21', beginsAt: '00:00', endsAt: '01:30', minutes: 90, repeated: false },
      ],
    });
    expect(await logTime(gus(), range('22:00', '01:30', '2026-11-20', 'night-1'))).toMatchObject({
      ok: true,
      entries: [{ repeated: true }, { repeated: true }],
    });
    // Without a date it ended today, so it began yesterday.
    expect(await logTime(gus(), range('23:00', '00:15'))).toMatchObject({
      ok: true,
      entries: [
        { workDate: '2026-11-24', minutes: 60 },
        { workDate: '2026-11-25', minutes: 15 },
      ],
    });
    // The second day clashes with time already there: neither half is saved.
    expect(await logTime(gus(), range('21:00', '01:00', '2026-11-20'))).toMatchObject({
      ok: false,
      error: { code: 'overlap' },
    });
    expect(await gusEntries()).toEqual(
      expect.arrayContaining([
        ['2026-11-20', '22:00', '24:00', 120],
        ['2026-11-21', '00:00', '01:30', 90],
        ['2026-11-24', '23:00', '24:00', 60],
        ['2026-11-25', '00:00', '00:15', 15],
      ]),
    );
    expect((await gusEntries()).filter(([date]) => String(date) >= '2026-11-20')).toHaveLength(4);
  });

  it('saves a range past midnight into two periods while a timed /log into the second holds its sheet: both saved, no deadlock', async () => {
    const race = new Interleaving(database);
    const november = race.hold(gus(), 'entry:project-held');
    const held = logTime(november.ctx, range('09:00', '11:00', '2026-11-02'));
    await november.reached;
    // Its first day goes on October's sheet; its second waits for November's, which the /log holds.
    const night = logTime(race.racer(gus()), range('22:00', '02:00', '2026-10-31'));
    await race.waiting(1);
    november.release();

    expect(await held).toMatchObject({ ok: true, entries: [{ workDate: '2026-11-02' }] });
    expect(await night).toMatchObject({
      ok: true,
      entries: [
        { workDate: '2026-10-31', minutes: 120 },
        { workDate: '2026-11-01', minutes: 120 },
      ],
    });
    expect(await gusEntries()).toEqual(
      expect.arrayContaining([
        ['2026-10-31', '22:00', '24:00', 120],
        ['2026-11-01', '00:00', '02:00', 120],
        ['2026-11-02', '09:00', '11:00', 120],
      ]),
    );
  });
});
