/**
 * Removals and the use cases that save time, which could deadlock if either took its locks out of
 * order: sheets first, in id order, then projects, then what a removal deletes with its projects (a
 * timer). A removal that finds, once it holds the projects, a sheet that gained time on them after
 * it locked the sheets starts over rather than lock it (a `/log` may hold it and wait for a project
 * the removal holds); a `/log` on two sheets (a range past midnight into the next period) locks both
 * before the project; a customer removal that finds a project added to the customer, or moved away,
 * after it read their projects starts over; stopping or replacing a timer locks its sheets and
 * project before it takes the timer (with both projects, in id order, when a start replaces it); an
 * edit moving an entry to another period locks both sheets in id order. PostgreSQL only: PGlite runs
 * one transaction at a time, so nothing can log while a removal is under way.
 */
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { employees, projects, timeEntries, timers } from '../../src/db/schema.js';
import type { ServiceContext } from '../../src/services/context.js';
import { deleteCustomers } from '../../src/services/customers.js';
import { deleteProjects, saveProject } from '../../src/services/projects.js';
import { editEntry, logTime } from '../../src/services/time-entries.js';
import { startTimer, stopTimer } from '../../src/services/timers.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { holdAtFirst, Interleaving } from '../support/interleaving.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-30T12:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADMIN', { rights: ['admin'] });
  await addPeriod(database.db, '2026-11-01', '2026-11-30');
  await addPeriod(database.db, '2026-12-01', '2026-12-31');
});
afterAll(async () => database.drop());

const work = { minutes: 30, description: 'work', billable: true, source: 'command' } as const;

/** A consultant whose open sheet has time on a project of another customer, and who may log on `projectId`. */
async function consultantOn(code: string) {
  const { db } = database;
  const userId = `U${code}`;
  await addUser(db, userId, { rights: ['entry'] });
  const consultant = await addConsultant(db, userId);
  const other = await addCustomer(db, `${code}-OTHER`);
  await addProject(db, `${code}-A`, other, { consultants: [consultant] });
  const customerId = await addCustomer(db, `${code}-GONE`);
  const projectId = await addProject(db, `${code}-P`, customerId, { consultants: [consultant] });
  const ctx = serviceContext(db, asUser(userId), clock);
  expect(await logTime(ctx, { ...work, projectCode: `${code}-A` })).toMatchObject({ ok: true });
  return { ctx, projectCode: `${code}-P`, projectId, customerId };
}

describe('a removal and two /logs on a sheet that gains time on the removed project meanwhile', () => {
  const removals = {
    projects: (ctx: ServiceContext, one: Awaited<ReturnType<typeof consultantOn>>) =>
      deleteProjects(ctx, [one.projectId]),
    customers: (ctx: ServiceContext, one: Awaited<ReturnType<typeof consultantOn>>) =>
      deleteCustomers(ctx, [one.customerId]),
  };
  for (const [kind, remove] of Object.entries(removals)) {
    it(`removing ${kind}: a /log commits after the removal locked the sheets, a second /log on that sheet waits for the project the removal holds; the removal starts over instead of deadlocking and takes both entries along`, async () => {
      const one = await consultantOn(kind === 'projects' ? 'RESTARTP' : 'RESTARTC');
      const removal = holdAtFirst(serviceContext(database.db, asUser('UADMIN'), clock), [
        'removal:sheets-locked',
        'removal:projects-locked',
      ]);
      const removed = remove(removal.ctx, one);
      await removal.reached('removal:sheets-locked');
      // The sheet had no time on the project when the removal looked: it holds no lock on it.
      expect(await logTime(one.ctx, { ...work, projectCode: one.projectCode })).toMatchObject({ ok: true });
      removal.release('removal:sheets-locked');
      await removal.reached('removal:projects-locked');
      // This /log holds the sheet (its write raises the revision) and waits for the project.
      const logged = logTime(one.ctx, { ...work, projectCode: one.projectCode, description: 'second' });
      await new Interleaving(database).waiting(1);
      removal.release('removal:projects-locked');

      expect(await logged).toMatchObject({ ok: true });
      expect(await removed).toMatchObject({ ok: true, deleted: { openEntries: 2, openSheets: 1 } });
      expect(await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, one.projectId))).toEqual([]);
    });
  }
});

describe('a removal and a /log of a range past midnight into the next period', () => {
  it('the /log locks both days’ sheets before the project: it waits for the removal holding one of them, then finds no such project, and nothing is left on it', async () => {
    const one = await consultantOn('MIDNIGHT');
    const december = new TestClock('2026-12-01T08:00:00Z');
    const ctx = { ...one.ctx, clock: december };
    // The December sheet has time on the project, so the removal locks it; November's has none.
    expect(await logTime(ctx, { ...work, projectCode: one.projectCode })).toMatchObject({ ok: true });
    const removal = holdAtFirst(serviceContext(database.db, asUser('UADMIN'), december), ['removal:sheets-locked']);
    const removed = deleteProjects(removal.ctx, [one.projectId]);
    await removal.reached('removal:sheets-locked');
    // 23:00 on 30 November to 01:00 on 1 December: one part on each sheet.
    const logged = logTime(ctx, { ...work, projectCode: one.projectCode, beginsAt: '23:00', endsAt: '01:00' });
    await new Interleaving(database).waiting(1);
    removal.release('removal:sheets-locked');

    expect(await removed).toMatchObject({ ok: true, deleted: { projects: 1, openEntries: 1 } });
    expect(await logged).toMatchObject({ ok: false, error: { code: 'unknown_project' } });
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, one.projectId))).toEqual([]);
  });
});

describe('a customer removal and a project added to the customer or moved away meanwhile', () => {
  it('a project added and logged on after the removal read the customer’s projects: the removal starts over and takes it along with its time', async () => {
    const one = await consultantOn('ADDED');
    const removal = holdAtFirst(serviceContext(database.db, asUser('UADMIN'), clock), ['removal:sheets-locked']);
    const removed = deleteCustomers(removal.ctx, [one.customerId]);
    await removal.reached('removal:sheets-locked');
    const consultant = (await database.db.select().from(employees).where(eq(employees.userId, 'UADDED')))[0]!.id;
    const added = await addProject(database.db, 'ADDED-NEW', one.customerId, { consultants: [consultant] });
    expect(await logTime(one.ctx, { ...work, projectCode: 'ADDED-NEW' })).toMatchObject({ ok: true });
    removal.release('removal:sheets-locked');

    expect(await removed).toMatchObject({ ok: true, deleted: { customers: 1, projects: 2, openEntries: 1 } });
    expect(await database.db.select().from(projects).where(eq(projects.id, added))).toEqual([]);
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, added))).toEqual([]);
  });

  it('a project moved to another customer after the removal read the customer’s projects: the removal starts over and leaves that project and its time alone', async () => {
    const one = await consultantOn('MOVEDAWAY');
    const elsewhere = await addCustomer(database.db, 'MOVEDAWAY-ELSE');
    expect(await logTime(one.ctx, { ...work, projectCode: one.projectCode })).toMatchObject({ ok: true });
    const removal = holdAtFirst(serviceContext(database.db, asUser('UADMIN'), clock), ['removal:sheets-locked']);
    const removed = deleteCustomers(removal.ctx, [one.customerId]);
    await removal.reached('removal:sheets-locked');
    const project = { code: one.projectCode, name: 'Moved', description: '', address: '', notes: '', active: true };
    expect(
      await saveProject(serviceContext(database.db, asUser('UADMIN'), clock), {
        ...project,
        id: one.projectId,
        customerId: elsewhere,
      }),
    ).toMatchObject({ ok: true });
    removal.release('removal:sheets-locked');

    expect(await removed).toMatchObject({ ok: true, deleted: { customers: 1, projects: 0, openEntries: 0 } });
    expect(await database.db.select().from(projects).where(eq(projects.id, one.projectId))).toMatchObject([
      { customerId: elsewhere },
    ]);
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, one.projectId))).toHaveLength(
      1,
    );
  });
});

describe('a removal and a timer on the removed project', () => {
  it('stopping the timer while the removal holds the project: the stop waits before it takes the timer, which the removal then deletes with the project; the stop says so and nothing is saved', async () => {
    const one = await consultantOn('TIMED');
    expect(
      await startTimer(one.ctx, { projectCode: one.projectCode, description: 'work', billable: true, meeting: false }),
    ).toMatchObject({ ok: true });
    const removal = holdAtFirst(serviceContext(database.db, asUser('UADMIN'), clock), ['removal:projects-locked']);
    const removed = deleteProjects(removal.ctx, [one.projectId]);
    await removal.reached('removal:projects-locked');
    const stopped = stopTimer({ ...one.ctx, clock: new TestClock('2026-11-30T13:00:00Z') });
    await new Interleaving(database).waiting(1);
    removal.release('removal:projects-locked');

    expect(await removed).toMatchObject({ ok: true, deleted: { projects: 1, archived: [] } });
    expect(await stopped).toMatchObject({ ok: false, error: { code: 'timer_project_removed' } });
    expect(await database.db.select().from(timers).where(eq(timers.userId, 'UTIMED'))).toEqual([]);
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, one.projectId))).toEqual([]);
  });

  it('starting another timer while the removal holds the running one’s project: the start waits before it takes that timer, which the removal deletes with its project; the new timer runs', async () => {
    const one = await consultantOn('RESTART');
    const timing = { description: 'work', billable: true, meeting: false };
    expect(await startTimer(one.ctx, { ...timing, projectCode: one.projectCode })).toMatchObject({ ok: true });
    const removal = holdAtFirst(serviceContext(database.db, asUser('UADMIN'), clock), ['removal:projects-locked']);
    const removed = deleteProjects(removal.ctx, [one.projectId]);
    await removal.reached('removal:projects-locked');
    const started = startTimer(
      { ...one.ctx, clock: new TestClock('2026-11-30T13:00:00Z') },
      { ...timing, projectCode: 'RESTART-A' },
    );
    await new Interleaving(database).waiting(1);
    removal.release('removal:projects-locked');

    expect(await removed).toMatchObject({ ok: true, deleted: { projects: 1, archived: [] } });
    expect(await started).toMatchObject({ ok: true, timer: { projectCode: 'RESTART-A' }, stopped: [] });
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, one.projectId))).toEqual([]);
  });
});

describe('a removal of two projects and a timer start switching from one to the other', () => {
  it('the start holds both projects in id order before it places the new timer: the removal waits for it, then starts over and takes the saved time and the new timer along', async () => {
    const { db } = database;
    await addUser(db, 'USWITCH', { rights: ['entry'] });
    const consultant = await addConsultant(db, 'USWITCH');
    const customer = await addCustomer(db, 'SWITCH');
    // The new timer's project has the lower id; the sheet has time on neither project.
    const lower = await addProject(db, 'SWITCH-X', customer, { consultants: [consultant] });
    const higher = await addProject(db, 'SWITCH-Y', customer, { consultants: [consultant] });
    await addProject(db, 'SWITCH-Z', customer, { consultants: [consultant] });
    const ctx = serviceContext(db, asUser('USWITCH'), clock);
    expect(await logTime(ctx, { ...work, projectCode: 'SWITCH-Z' })).toMatchObject({ ok: true });
    const timing = { description: 'work', billable: true, meeting: false };
    expect(await startTimer(ctx, { ...timing, projectCode: 'SWITCH-Y' })).toMatchObject({ ok: true });
    const starting = holdAtFirst({ ...ctx, clock: new TestClock('2026-11-30T13:00:00Z') }, ['timer:saving-locked']);
    const started = startTimer(starting.ctx, { ...timing, projectCode: 'SWITCH-X' });
    await starting.reached('timer:saving-locked');
    const removed = deleteProjects(serviceContext(db, asUser('UADMIN'), clock), [lower, higher]);
    await new Interleaving(database).waiting(1);
    starting.release('timer:saving-locked');

    expect(await started).toMatchObject({ ok: true, stopped: [{ projectCode: 'SWITCH-Y', minutes: 60 }] });
    expect(await removed).toMatchObject({ ok: true, deleted: { projects: 2, openEntries: 1 } });
    expect(await db.select().from(timers).where(eq(timers.userId, 'USWITCH'))).toEqual([]);
    expect(
      await db
        .select()
        .from(timeEntries)
        .where(inArray(timeEntries.projectId, [lower, higher])),
    ).toEqual([]);
  });
});

describe('a removal and an entry moved to another period’s sheet', () => {
  it('the edit locks both sheets in id order before the entry’s own: the removal waits for it, then takes the moved entry along', async () => {
    const one = await consultantOn('MOVED');
    const december = { ...one.ctx, clock: new TestClock('2026-12-01T12:00:00Z') };
    // November's sheet (the older id) and December's both have time on the project; the entry to move is on December's.
    expect(await logTime(one.ctx, { ...work, projectCode: one.projectCode })).toMatchObject({ ok: true });
    expect(await logTime(december, { ...work, projectCode: one.projectCode })).toMatchObject({ ok: true });
    const moving = await logTime(december, { ...work, projectCode: 'MOVED-A', description: 'to move' });
    if (!moving.ok) throw new Error(moving.error.message);
    const editing = holdAtFirst(december, ['edit:entry-locked']);
    const edited = editEntry(editing.ctx, {
      ...work,
      entryId: moving.entries[0]!.entryId,
      projectCode: one.projectCode,
      date: { kind: 'iso', date: '2026-11-29' },
    });
    await editing.reached('edit:entry-locked');
    const removed = deleteProjects(serviceContext(database.db, asUser('UADMIN'), december.clock), [one.projectId]);
    await new Interleaving(database).waiting(1);
    editing.release('edit:entry-locked');

    expect(await edited).toMatchObject({ ok: true, entry: { workDate: '2026-11-29' } });
    expect(await removed).toMatchObject({ ok: true, deleted: { projects: 1, openEntries: 3, openSheets: 2 } });
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, one.projectId))).toEqual([]);
  });
});
