/**
 * A `/log` of minutes on an open sheet reads without a transaction and writes in one statement
 * guarded by the sheet's revision (services/guarded-log.ts). Each interleaving of another change
 * between its read and its write is forced (test/support/interleaving.ts).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingDatabase } from '../../src/db/client.js';
import { auditLog, timeEntries, timesheets, users } from '../../src/db/schema.js';
import { logAsRequestUser } from '../../src/services/guarded-log.js';
import { PROFILE_MAX_AGE_MS } from '../../src/services/users.js';
import { deleteEntries, editEntry, logTime, type LogTimeInput } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addManager,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { Interleaving } from '../support/interleaving.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let customerId: number;
let managerId: number;
const clock = new TestClock('2026-11-24T12:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UMGR', { rights: ['approval'] });
  managerId = await addManager(db, 'UMGR');
  customerId = await addCustomer(db, 'GUARD');
  await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

const work = (minutes: number, requestKey?: string): LogTimeInput => ({
  projectCode: 'GUARD-WORK',
  minutes,
  description: 'work',
  billable: true,
  source: 'command',
  ...(requestKey ? { requestKey } : {}),
});

/** A consultant of their own (so tests share no sheet) on GUARD-WORK, with `minutes` logged today. */
async function consultant(userId: string, minutes = 0) {
  const { db } = database;
  await addUser(db, userId, { rights: ['entry'] });
  const employeeId = await addConsultant(db, userId);
  await addProject(db, `GUARD-${userId}`, customerId, { consultants: [employeeId], managers: [managerId] });
  const ctx = () => serviceContext(db, asUser(userId), clock);
  const log = (input: LogTimeInput) => logTime(ctx(), { ...input, projectCode: `GUARD-${userId}` });
  if (minutes > 0) expect((await log(work(minutes))).ok).toBe(true);
  const sheet = async () => (await db.select().from(timesheets).where(eq(timesheets.consultantId, employeeId)))[0]!;
  const minutesToday = async () =>
    (
      await db
        .select()
        .from(timeEntries)
        .where(eq(timeEntries.timesheetId, (await sheet()).id))
    ).map((e) => e.minutes);
  return { ctx, log, sheet, minutesToday };
}

describe('a /log between its read and its write, each interleaving forced', () => {
  it('is refused as over 24h when another /log filled the day meanwhile; only the other’s time is saved', async () => {
    const ann = await consultant('UANN', 20 * 60);
    const race = new Interleaving(database);
    const first = race.hold(ann.ctx(), 'entry:placed-unlocked');
    // 20h + 3h fits the day as the first read it.
    const late = logTime(first.ctx, { ...work(180), projectCode: 'GUARD-UANN' });
    await first.reached;
    expect(await ann.log(work(120))).toMatchObject({ ok: true });
    first.release();

    expect(await late).toMatchObject({ ok: false, error: { code: 'day_full' } });
    expect((await ann.minutesToday()).sort((a, b) => a - b)).toEqual([120, 1200]);
  });

  it('is refused when the sheet was submitted meanwhile; the submitted sheet gets no entry', async () => {
    const ben = await consultant('UBEN', 60);
    const race = new Interleaving(database);
    const first = race.hold(ben.ctx(), 'entry:placed-unlocked');
    const late = logTime(first.ctx, { ...work(30), projectCode: 'GUARD-UBEN' });
    await first.reached;
    expect(await submitTimesheet(ben.ctx())).toMatchObject({ ok: true });
    first.release();

    expect(await late).toMatchObject({ ok: false, error: { code: 'timesheet_locked' } });
    expect(await ben.minutesToday()).toEqual([60]);
    expect((await ben.sheet()).status).toBe('submitted');
  });

  it('answers with the retry’s entry when a retry of the same request saved meanwhile: one entry, one audit row', async () => {
    const cat = await consultant('UCAT', 60);
    const race = new Interleaving(database);
    const first = race.hold(cat.ctx(), 'entry:placed-unlocked');
    const firstDelivery = logTime(first.ctx, { ...work(30, 'guarded-retry'), projectCode: 'GUARD-UCAT' });
    await first.reached;
    const retry = await cat.log(work(30, 'guarded-retry'));
    first.release();

    expect(retry).toMatchObject({ ok: true, entries: [{ repeated: false }] });
    const entryId = retry.ok ? retry.entries[0]!.entryId : undefined;
    expect(await firstDelivery).toMatchObject({ ok: true, entries: [{ repeated: true, entryId }] });
    const saved = await database.db.select().from(timeEntries).where(eq(timeEntries.requestKey, 'guarded-retry'));
    expect(saved.map((e) => e.id)).toEqual([entryId]);
    const audits = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, String(entryId)));
    expect(audits.map((a) => a.action)).toEqual(['time_entry.create']);
  });

  it('waits while a timed /log holds the sheet in its transaction, then is refused as over 24h counting its time', async () => {
    const dan = await consultant('UDAN', 22 * 60);
    const race = new Interleaving(database);
    const timed = race.hold(dan.ctx(), 'entry:project-held');
    const timedLog = logTime(timed.ctx, { ...work(60), beginsAt: '08:00', endsAt: '09:00', projectCode: 'GUARD-UDAN' });
    await timed.reached;
    // 22h + 1h30 fits the day as read before the timed hour commits; with it, 24h30 does not.
    const quick = logTime(race.racer(dan.ctx()), { ...work(90), projectCode: 'GUARD-UDAN' });
    await race.waiting(1);
    timed.release();

    expect(await timedLog).toMatchObject({ ok: true });
    expect(await quick).toMatchObject({ ok: false, error: { code: 'day_full' } });
    expect((await dan.minutesToday()).sort((a, b) => a - b)).toEqual([60, 1320]);
  });
});

describe('a /log for a Slack request’s user', () => {
  const deps = () => {
    const { actor: _actor, ...rest } = serviceContext(database.db, asUser('UNOBODY'), clock);
    return rest;
  };

  it('reads the user, whom she acts for, her access and the entry’s place in one statement, then writes it in a second', async () => {
    const gil = await consultant('UGIL', 60);
    await database.db.update(users).set({ profileRefreshedAt: clock.now() }).where(eq(users.id, 'UGIL'));
    const { db, counter } = countingDatabase(database);
    const logged = await logAsRequestUser({ ...deps(), db }, 'UGIL', { ...work(30), projectCode: 'GUARD-UGIL' });

    expect(logged).toMatchObject({ known: { needsRefresh: false, actingFor: null }, logged: { ok: true } });
    expect(counter.statements).toBe(2);
    expect(counter.transactions).toBe(0);
    expect((await gil.minutesToday()).sort((a, b) => a - b)).toEqual([30, 60]);
  });

  it('leaves a consultant whose time zone the database does not know (US/Pacific-New) to the transaction, which saves on her day', async () => {
    const ivy = await consultant('UIVY', 60);
    await database.db
      .update(users)
      .set({ timeZone: 'US/Pacific-New', profileRefreshedAt: clock.now() })
      .where(eq(users.id, 'UIVY'));
    // 05:00 UTC on the 24th is the evening of the 23rd in California.
    const early = new TestClock('2026-11-24T05:00:00Z');
    const { actor: _actor, ...deps } = serviceContext(database.db, asUser('UIVY'), early);
    const entry = { ...work(30), projectCode: 'GUARD-UIVY' };

    expect(await logAsRequestUser(deps, 'UIVY', entry)).toBeUndefined();
    expect(await logTime(serviceContext(database.db, asUser('UIVY'), early), entry)).toMatchObject({
      ok: true,
      entries: [{ workDate: '2026-11-23', minutes: 30 }],
    });
    expect((await ivy.minutesToday()).sort((a, b) => a - b)).toEqual([30, 60]);
  });

  it('writes nothing and asks for the profile refresh first when her stored profile is more than a day old', async () => {
    const hal = await consultant('UHAL', 60);
    const stale = new Date(clock.now().getTime() - PROFILE_MAX_AGE_MS - 1);
    await database.db.update(users).set({ profileRefreshedAt: stale }).where(eq(users.id, 'UHAL'));
    const logged = await logAsRequestUser(deps(), 'UHAL', { ...work(30), projectCode: 'GUARD-UHAL' });

    expect(logged).toEqual({ known: { needsRefresh: true, actingFor: null }, logged: undefined });
    expect(await hal.minutesToday()).toEqual([60]);
  });
});

describe('a /log to a prepaid customer', () => {
  it('confirms the saved entry without the balance line when the balance cannot be read after it is saved', async () => {
    const { db } = database;
    await addUser(db, 'UJO', { rights: ['entry'] });
    const jo = await addConsultant(db, 'UJO');
    await addProject(db, 'PREPAID-JO', await addCustomer(db, 'PREPAIDJO', 'prepaid'), { consultants: [jo] });
    const entry = { ...work(60), projectCode: 'PREPAID-JO' };
    expect(await logTime(serviceContext(db, asUser('UJO'), clock), entry)).toMatchObject({
      ok: true,
      entries: [{ prepaid: { remainingMinutes: 0 } }],
    });
    const failing = countingDatabase(database, (query) => {
      if (query.includes('credit_ledger')) throw new Error('connection lost');
    });

    const logged = await logTime(serviceContext(failing.db, asUser('UJO'), clock), { ...entry, minutes: 30 });
    expect(logged).toMatchObject({ ok: true, entries: [{ minutes: 30, prepaid: null, repeated: false }] });
    const saved = await db.select().from(timeEntries).where(eq(timeEntries.createdBy, 'UJO'));
    expect(saved.map((e) => e.minutes).sort((a, b) => a - b)).toEqual([30, 60]);
  });
});

describe('a sheet’s revision', () => {
  it('goes up once for each /log, edit and delete of its entries, and for no other sheet’s', async () => {
    const eve = await consultant('UEVE', 60);
    const other = await consultant('UFAY', 60);
    const before = (await eve.sheet()).revision;
    const otherBefore = (await other.sheet()).revision;

    const logged = await eve.log(work(30));
    expect((await eve.sheet()).revision).toBe(before + 1);
    const entryId = logged.ok ? logged.entries[0]!.entryId : -1;
    expect(await editEntry(eve.ctx(), { ...work(45), projectCode: 'GUARD-UEVE', entryId })).toMatchObject({ ok: true });
    expect((await eve.sheet()).revision).toBe(before + 2);
    expect(await deleteEntries(eve.ctx(), { entryIds: [entryId] })).toMatchObject({ ok: true });
    expect((await eve.sheet()).revision).toBe(before + 3);
    expect((await other.sheet()).revision).toBe(otherBefore);
  });
});
