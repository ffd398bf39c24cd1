/**
 * Removing projects while their time is being logged, submitted, approved or sent back: removed
 * time goes, approved and rejected time is never lost. Each interleaving is forced
 * (test/support/interleaving.ts); the last race runs many at once for deadlocks. The removal that
 * starts over instead of deadlocking with a `/log` is in removal-restart.postgres.test.ts.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { employees, projects, timeEntries, timesheets } from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import { startingOverWhileTimeMoves, timeMoved } from '../../src/services/open-time.js';
import { deleteProjects } from '../../src/services/projects.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  approvalIdOf,
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

const PAIRS = 10;
let database: TestDatabase;
let managerId: number;
let customerId: number;
const clock = new TestClock('2026-11-30T12:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UMGR', { rights: ['approval'] });
  managerId = await addManager(db, 'UMGR');
  customerId = await addCustomer(db, 'RACE');
  await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

const work = { minutes: 60, description: 'work', billable: true, source: 'command' } as const;
const admin = () => serviceContext(database.db, asUser('UADMIN'), clock);

/** A consultant with an hour on a project of their own (code `code`), the sheet submitted or open. */
async function consultantWithTime(code: string, { submitted }: { submitted: boolean }) {
  const { db } = database;
  const userId = `U${code}`;
  await addUser(db, userId, { rights: ['entry'] });
  const consultant = await addConsultant(db, userId);
  const projectId = await addProject(db, code, customerId, { consultants: [consultant], managers: [managerId] });
  const ctx = serviceContext(db, asUser(userId), clock);
  const logged = await logTime(ctx, { ...work, projectCode: code });
  if (!logged.ok) throw new Error(logged.error.message);
  const [sheet] = await db.select().from(timesheets).where(eq(timesheets.consultantId, consultant));
  if (submitted) expect((await submitTimesheet(ctx)).ok).toBe(true);
  const approvalId = submitted ? await approvalIdOf(db, sheet!.id, 'UMGR') : undefined;
  return { userId, projectId, sheetId: sheet!.id, approvalId };
}

/** What is left of the project, its time, and sheets of the consultant still waiting for approval. */
async function leftOf({ userId, projectId }: { userId: string; projectId: number }) {
  const { db } = database;
  const [project] = await db.select().from(projects).where(eq(projects.id, projectId));
  const entries = await db.select().from(timeEntries).where(eq(timeEntries.projectId, projectId));
  const waiting = await db
    .select()
    .from(timesheets)
    .innerJoin(employees, eq(employees.id, timesheets.consultantId))
    .where(and(eq(employees.userId, userId), eq(timesheets.status, 'submitted')));
  return { project, entries: entries.length, waitingSheets: waiting.length };
}

describe('removing projects during submit, approval, send-back and /log, each interleaving forced', () => {
  it('a submit holding the sheet makes a removal wait; the removal then takes the submitted time off and withdraws the emptied sheet', async () => {
    const one = await consultantWithTime('SUBFIRST', { submitted: false });
    const race = new Interleaving(database);
    const submit = race.hold(serviceContext(database.db, asUser(one.userId), clock), 'submit:sheet-locked');
    const submitted = submitTimesheet(submit.ctx);
    await submit.reached;
    const removal = deleteProjects(race.racer(admin()), [one.projectId]);
    await race.waiting(1);
    submit.release();

    expect(await submitted).toMatchObject({ ok: true, submitted: { entryCount: 1 } });
    expect(await removal).toMatchObject({ ok: true, deleted: { projects: 1, archived: [] } });
    expect(await leftOf(one)).toEqual({ project: undefined, entries: 0, waitingSheets: 0 });
  });

  it('a removal holding the project makes a submit wait; the submit then finds the sheet empty and asks first', async () => {
    const one = await consultantWithTime('REMFIRST', { submitted: false });
    const race = new Interleaving(database);
    const removal = race.hold(admin(), 'remove-projects:locked');
    const removed = deleteProjects(removal.ctx, [one.projectId]);
    await removal.reached;
    const submitted = submitTimesheet(race.racer(serviceContext(database.db, asUser(one.userId), clock)));
    await race.waiting(1);
    removal.release();

    expect(await removed).toMatchObject({ ok: true, deleted: { projects: 1 } });
    expect(await submitted).toMatchObject({ ok: false, error: { code: 'empty_needs_confirm' } });
    expect(await leftOf(one)).toEqual({ project: undefined, entries: 0, waitingSheets: 0 });
  });

  it('an approval holding the sheet makes a removal wait; the approved time is kept and the project archived', async () => {
    const one = await consultantWithTime('APPFIRST', { submitted: true });
    const race = new Interleaving(database);
    const approve = race.hold(serviceContext(database.db, asUser('UMGR'), clock), 'decide:sheet-locked');
    const approved = decideTimesheet(approve.ctx, { approvalId: one.approvalId!, decision: 'approve' });
    await approve.reached;
    const removal = deleteProjects(race.racer(admin()), [one.projectId]);
    await race.waiting(1);
    approve.release();

    expect(await approved).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });
    expect(await removal).toMatchObject({ ok: true, deleted: { archived: ['APPFIRST'] } });
    const [project] = await database.db.select().from(projects).where(eq(projects.id, one.projectId));
    expect(project?.archivedAt).toBeInstanceOf(Date);
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, one.projectId))).toMatchObject([
      { minutes: 60, priceRateCents: expect.any(Number) },
    ]);
  });

  it('a removal holding the project makes an approval wait; the approval then finds the sheet gone', async () => {
    const one = await consultantWithTime('REMAPP', { submitted: true });
    const race = new Interleaving(database);
    const removal = race.hold(admin(), 'remove-projects:locked');
    const removed = deleteProjects(removal.ctx, [one.projectId]);
    await removal.reached;
    const approved = decideTimesheet(race.racer(serviceContext(database.db, asUser('UMGR'), clock)), {
      approvalId: one.approvalId!,
      decision: 'approve',
    });
    await race.waiting(1);
    removal.release();

    expect(await removed).toMatchObject({ ok: true, deleted: { projects: 1, archived: [] } });
    expect(await approved).toMatchObject({
      ok: false,
      error: { code: expect.stringMatching(/^(no_timesheet|withdrawn)$/) },
    });
    expect(await leftOf(one)).toEqual({ project: undefined, entries: 0, waitingSheets: 0 });
  });

  it('a send-back holding the sheet makes a removal wait: the rejected time stays on record, the open copy loses it', async () => {
    const one = await consultantWithTime('REJFIRST', { submitted: true });
    const race = new Interleaving(database);
    const reject = race.hold(serviceContext(database.db, asUser('UMGR'), clock), 'decide:sheet-locked');
    const rejected = decideTimesheet(reject.ctx, { approvalId: one.approvalId!, decision: 'reject', reason: 'redo' });
    await reject.reached;
    const removal = deleteProjects(race.racer(admin()), [one.projectId]);
    await race.waiting(1);
    reject.release();

    expect(await rejected).toMatchObject({ ok: true, outcome: { sheetStatus: 'cancelled' } });
    expect(await removal).toMatchObject({ ok: true, deleted: { archived: ['REJFIRST'] } });
    const left = await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, one.projectId));
    expect(left.map((e) => e.timesheetId)).toEqual([one.sheetId]);
  });

  it('a timed /log holding the project in its transaction makes a removal wait; the removal then takes the new entry along', async () => {
    const one = await consultantWithTime('LOGFIRST', { submitted: false });
    const race = new Interleaving(database);
    const logging = race.hold(serviceContext(database.db, asUser(one.userId), clock), 'entry:project-held');
    // A time range is checked for overlaps under the sheet's lock, so it always takes the transaction.
    const logged = logTime(logging.ctx, { ...work, projectCode: 'LOGFIRST', beginsAt: '09:00', endsAt: '09:30' });
    await logging.reached;
    const removal = deleteProjects(race.racer(admin()), [one.projectId]);
    await race.waiting(1);
    logging.release();

    expect(await logged).toMatchObject({ ok: true });
    expect(await removal).toMatchObject({ ok: true, deleted: { projects: 1, archived: [] } });
    expect(await leftOf(one)).toEqual({ project: undefined, entries: 0, waitingSheets: 0 });
  });

  it('a removal between a /log’s read and its write: the /log is told there is no such project, and nothing is left', async () => {
    const one = await consultantWithTime('READLOG', { submitted: false });
    const race = new Interleaving(database);
    const logging = race.hold(serviceContext(database.db, asUser(one.userId), clock), 'entry:placed-unlocked');
    const logged = logTime(logging.ctx, { ...work, projectCode: 'READLOG', minutes: 30 });
    await logging.reached;
    expect(await deleteProjects(admin(), [one.projectId])).toMatchObject({ ok: true, deleted: { projects: 1 } });
    logging.release();

    expect(await logged).toMatchObject({ ok: false, error: { code: 'unknown_project' } });
    expect(await leftOf(one)).toEqual({ project: undefined, entries: 0, waitingSheets: 0 });
  });

  it('a removal between a /log’s read and its write of a project the sheet has no time on: the write finds no project, nothing is left', async () => {
    const one = await consultantWithTime('HASTIME', { submitted: false });
    const employeeId = (await database.db.select().from(employees).where(eq(employees.userId, one.userId)))[0]!.id;
    const other = await addProject(database.db, 'NOTIME', customerId, { consultants: [employeeId] });
    const race = new Interleaving(database);
    const logging = race.hold(serviceContext(database.db, asUser(one.userId), clock), 'entry:placed-unlocked');
    const logged = logTime(logging.ctx, { ...work, projectCode: 'NOTIME', minutes: 30 });
    await logging.reached;
    // The sheet's revision does not change: only the project's absence can stop the write.
    expect(await deleteProjects(admin(), [other])).toMatchObject({ ok: true, deleted: { projects: 1, archived: [] } });
    logging.release();

    expect(await logged).toMatchObject({ ok: false, error: { code: 'unknown_project' } });
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, other))).toEqual([]);
    expect(await database.db.select().from(projects).where(eq(projects.id, other))).toEqual([]);
  });

  it('a removal holding the project makes a /log wait; the /log is then told the project was just removed', async () => {
    const one = await consultantWithTime('REMLOG', { submitted: false });
    const race = new Interleaving(database);
    const removal = race.hold(admin(), 'remove-projects:locked');
    const removed = deleteProjects(removal.ctx, [one.projectId]);
    await removal.reached;
    const logged = logTime(race.racer(serviceContext(database.db, asUser(one.userId), clock)), {
      ...work,
      projectCode: 'REMLOG',
      minutes: 30,
    });
    await race.waiting(1);
    removal.release();

    expect(await removed).toMatchObject({ ok: true, deleted: { projects: 1 } });
    expect(await logged).toMatchObject({ ok: false, error: { code: 'unknown_project' } });
    expect(await leftOf(one)).toEqual({ project: undefined, entries: 0, waitingSheets: 0 });
  });

  it('a send-back or a /log racing a removal ends cleanly: no deadlock, no crash, no time left on the removed project', async () => {
    const { db } = database;
    await addUser(db, 'UMGR2', { rights: ['approval'] });
    const manager = await addManager(db, 'UMGR2');
    const customer = await addCustomer(db, 'RACE2');
    const sheets: number[] = [];
    const ids: number[] = [];
    for (let i = 0; i < 2 * PAIRS; i++) {
      const user = `URACE2${String(i).padStart(2, '0')}`;
      await addUser(db, user, { rights: ['entry'] });
      ids.push(
        await addProject(db, `RACE2-${i}`, customer, {
          consultants: [await addConsultant(db, user)],
          managers: [manager],
        }),
      );
      expect(
        (
          await logTime(serviceContext(db, asUser(user), clock), {
            projectCode: `RACE2-${i}`,
            minutes: 60,
            description: 'work',
            billable: true,
            source: 'command',
          })
        ).ok,
      ).toBe(true);
      if (i < PAIRS) {
        const submitted = await submitTimesheet(serviceContext(db, asUser(user), clock));
        sheets.push(submitted.ok ? submitted.submitted.timesheetId : 0);
      }
    }
    const admin = serviceContext(db, asUser('UADMIN'), clock);
    const approvalIds: number[] = [];
    for (const sheet of sheets) approvalIds.push(await approvalIdOf(db, sheet, 'UMGR2'));
    const results = await Promise.all(
      Array.from({ length: PAIRS }, (_, k) =>
        Promise.allSettled([
          decideTimesheet(serviceContext(db, asUser('UMGR2'), clock), {
            approvalId: approvalIds[k]!,
            decision: 'reject',
            reason: 'redo',
          }),
          deleteProjects(admin, [ids[k]!]),
          logTime(serviceContext(db, asUser(`URACE2${String(PAIRS + k).padStart(2, '0')}`), clock), {
            projectCode: `RACE2-${PAIRS + k}`,
            minutes: 30,
            description: 'more',
            billable: true,
            source: 'command',
          }),
          deleteProjects(admin, [ids[PAIRS + k]!]),
        ]),
      ),
    );
    const crashes = results
      .flat()
      .filter((r) => r.status === 'rejected')
      .map((r) => String(r.reason));
    expect(crashes).toEqual([]);
    for (let k = 0; k < PAIRS; k++) {
      const [, removedRejected, logged, removedLogged] = results[k]!.map(
        (r) => (r as PromiseFulfilledResult<{ ok: boolean; error?: { code: string } }>).value,
      );
      expect(removedRejected!.ok && removedLogged!.ok).toBe(true);
      if (!logged!.ok) expect(logged!.error!.code).toBe('unknown_project');
      // A rejection that landed first is kept as the record (the project archived); otherwise the time is gone.
      const [later] = await db
        .select()
        .from(projects)
        .where(eq(projects.id, ids[PAIRS + k]!));
      expect(later).toBeUndefined();
      expect(
        await db
          .select()
          .from(timeEntries)
          .where(eq(timeEntries.projectId, ids[PAIRS + k]!)),
      ).toEqual([]);
    }
  });
});

describe('a removal that time keeps moving under', () => {
  it('starts over at most five times, then tells the admin that nothing was removed and to try again', async () => {
    let attempts = 0;
    const answer = await startingOverWhileTimeMoves(() => {
      attempts++;
      return Promise.resolve(timeMoved());
    });
    expect(attempts).toBe(5);
    expect(answer).toMatchObject({
      ok: false,
      error: { code: 'time_moved', message: expect.stringMatching(/nothing was removed\. Try again/) },
    });
  });
});
