/**
 * Use cases that take the same rows, forced into each interleaving that could deadlock or act on
 * what it read without the lock that guards it: one is held at a pause point with its first locks
 * taken, the other started and seen waiting (or left to commit), then the first let go. The lock
 * order they share: a sheet before its entries and before the project a copied entry points at; a
 * user's roles change without a lock a decision's foreign keys wait for; a submit routes its sheet
 * under `lockTeamsToRoute`, which every change of who may decide waits for. PostgreSQL only: PGlite
 * runs one transaction at a time.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, roles, timeEntries, timesheets } from '../../src/db/schema.js';
import { adminDecide, decideTimesheet } from '../../src/services/approval-decisions.js';
import { assignToProject, removeFromProjects } from '../../src/services/employee-assignments.js';
import { deleteProjects, saveProject } from '../../src/services/projects.js';
import { setUserRoles } from '../../src/services/security.js';
import { deleteEntries, editEntry, logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addManager,
  addPeriod,
  addProject,
  addUser,
  approvalIdOf,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { Interleaving } from '../support/interleaving.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-30T12:00:00Z');
const admin = () => serviceContext(database.db, asUser('UADMIN'), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADMIN', { rights: ['admin', 'security'] });
  await addPeriod(database.db, '2026-10-01', '2026-10-31');
  await addPeriod(database.db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

/** A consultant with 90 minutes on project `${prefix}-P` (managed by `managers`), submitted unless told not to. */
async function sheetOn(prefix: string, managers: string[], { submit = true } = {}) {
  const { db } = database;
  const managerIds: number[] = [];
  for (const id of managers) {
    await addUser(db, id, { rights: ['approval'] });
    managerIds.push(await addManager(db, id));
  }
  const consultantUser = `U${prefix}C`;
  await addUser(db, consultantUser, { rights: ['entry'] });
  const consultant = await addConsultant(db, consultantUser);
  const customerId = await addCustomer(db, `${prefix}-CUST`);
  const code = `${prefix}-P`;
  const projectId = await addProject(db, code, customerId, { consultants: [consultant], managers: managerIds });
  const ctx = serviceContext(db, asUser(consultantUser), clock);
  const work = { projectCode: code, minutes: 90, description: 'work', billable: true, source: 'command' } as const;
  expect(await logTime(ctx, work)).toMatchObject({ ok: true });
  const [entry] = await db
    .select({ id: timeEntries.id, sheet: timeEntries.timesheetId })
    .from(timeEntries)
    .where(eq(timeEntries.projectId, projectId));
  if (submit) expect(await submitTimesheet(ctx)).toMatchObject({ ok: true });
  return { ctx, code, customerId, projectId, managerIds, sheetId: entry!.sheet, entryId: entry!.id };
}

const projectForm = (one: { code: string; customerId: number; projectId: number }, managerIds: number[]) => ({
  id: one.projectId,
  code: one.code,
  customerId: one.customerId,
  name: `${one.code} project`,
  description: '',
  address: '',
  notes: '',
  active: true,
  managerIds,
});

describe("a manager's roles change while they decide", () => {
  it('the roles saved (the user row locked, then the sheets waiting for them) and their approval (the sheet, then a key share on the user) both finish', async () => {
    const { db } = database;
    const one = await sheetOn('ROLES', ['UROLESM']);
    const [own] = await db.select({ id: roles.id }).from(roles).where(eq(roles.name, 'role-UROLESM'));
    const [extra] = await db
      .insert(roles)
      .values({ name: 'extra-ROLES', rights: ['entry'] })
      .returning();
    const approvalId = await approvalIdOf(db, one.sheetId, 'UROLESM');

    const interleaving = new Interleaving(database);
    const decider = interleaving.hold(serviceContext(db, asUser('UROLESM'), clock), 'decide:sheet-locked');
    const decided = decideTimesheet(decider.ctx, { approvalId, decision: 'approve' });
    await decider.reached;
    // The approval right stays, with another role: they remain the approver.
    const changed = setUserRoles(admin(), { userId: 'UROLESM', roleIds: [own!.id, extra!.id] });
    await interleaving.waiting(1);
    decider.release();

    expect(await changed).toMatchObject({ ok: true });
    expect(await decided).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });
  });
});

describe("a project's managers change while one of its sheets is decided or the project removed", () => {
  it('the new manager saved (the sheets, then the project) and a rejection (the sheet, then the project its copied entries point at) both finish', async () => {
    const { db } = database;
    const one = await sheetOn('TEAMREJ', ['UTEAMREJA', 'UTEAMREJB']);
    const approvalId = await approvalIdOf(db, one.sheetId, 'UTEAMREJA');
    await addUser(db, 'UTEAMREJNEW', { rights: ['approval'] });
    const newcomer = await addManager(db, 'UTEAMREJNEW');

    const interleaving = new Interleaving(database);
    const decider = interleaving.hold(serviceContext(db, asUser('UTEAMREJA'), clock), 'decide:sheet-locked');
    const rejected = decideTimesheet(decider.ctx, { approvalId, decision: 'reject', reason: 'wrong project' });
    await decider.reached;
    const saved = saveProject(admin(), projectForm(one, [...one.managerIds, newcomer]));
    await interleaving.waiting(1);
    decider.release();

    expect(await rejected).toMatchObject({ ok: true, outcome: { sheetStatus: 'cancelled' } });
    expect(await saved).toMatchObject({ ok: true });
  });

  it('the new manager saved and the project removed (the sheets, then the project) both finish, in either order', async () => {
    const { db } = database;
    const one = await sheetOn('TEAMDEL', ['UTEAMDELA']);
    await addUser(db, 'UTEAMDELNEW', { rights: ['approval'] });
    const newcomer = await addManager(db, 'UTEAMDELNEW');

    const interleaving = new Interleaving(database);
    const removal = interleaving.hold(admin(), 'removal:sheets-locked');
    const removed = deleteProjects(removal.ctx, [one.projectId]);
    await removal.reached;
    const saved = saveProject(admin(), projectForm(one, [...one.managerIds, newcomer]));
    await interleaving.waiting(1);
    removal.release();

    expect(await removed).toMatchObject({ ok: true });
    expect(await saved).toMatchObject({ ok: false, error: { code: 'gone' } });
  });
});

describe('a manager assigned to or taken off a project while it is removed', () => {
  it.each(['assigned', 'taken off'] as const)(
    'the manager %s (the sheets, then the project’s managers) and the removal (the sheets, then the project) both finish',
    async (change) => {
      const { db } = database;
      const prefix = change === 'assigned' ? 'ASSIGNRM' : 'UNASSIGNRM';
      const one = await sheetOn(prefix, [`U${prefix}M`]);
      await addUser(db, `U${prefix}NEW`, { rights: ['approval'] });
      const newcomer = await addManager(db, `U${prefix}NEW`);

      const interleaving = new Interleaving(database);
      const removal = interleaving.hold(admin(), 'removal:sheets-locked');
      const removed = deleteProjects(removal.ctx, [one.projectId]);
      await removal.reached;
      const changed =
        change === 'assigned'
          ? assignToProject(admin(), {
              employeeId: newcomer,
              projectId: one.projectId,
              as: 'manager',
              costRate: '',
              priceRate: '',
            })
          : removeFromProjects(admin(), one.managerIds[0]!, [{ projectId: one.projectId, as: 'manager' }]);
      await interleaving.waiting(1);
      removal.release();

      expect(await removed).toMatchObject({ ok: true });
      expect(await changed).toMatchObject(
        change === 'assigned' ? { ok: false, error: { code: 'unknown_project' } } : { ok: true, removed: 0 },
      );
    },
  );
});

describe('an entry deleted while its sheet or project is taken', () => {
  it('the last approval (the sheet, then its entries) and a stale Delete of an entry on it (the sheet first too): the approval wins, the delete is refused', async () => {
    const { db } = database;
    const one = await sheetOn('ENTRYAPP', ['UENTRYAPPM']);
    const approvalId = await approvalIdOf(db, one.sheetId, 'UENTRYAPPM');

    const interleaving = new Interleaving(database);
    const decider = interleaving.hold(serviceContext(db, asUser('UENTRYAPPM'), clock), 'decide:sheet-locked');
    const decided = decideTimesheet(decider.ctx, { approvalId, decision: 'approve' });
    await decider.reached;
    const deleted = deleteEntries(one.ctx, { entryIds: [one.entryId] });
    await interleaving.waiting(1);
    decider.release();

    expect(await decided).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });
    expect(await deleted).toMatchObject({ ok: false, error: { code: 'entry_read_only' } });
  });

  it('an administrator deleting an open sheet (the sheet, then its entries) and the consultant deleting one of them: the sheet goes, the delete finds the entry gone', async () => {
    const one = await sheetOn('ENTRYDEL', ['UENTRYDELM'], { submit: false });

    const interleaving = new Interleaving(database);
    const deciding = interleaving.hold(admin(), 'admin-decide:sheet-locked');
    const sheetGone = adminDecide(deciding.ctx, { timesheetId: one.sheetId, decision: 'delete' });
    await deciding.reached;
    const entryGone = deleteEntries(one.ctx, { entryIds: [one.entryId] });
    await interleaving.waiting(1);
    deciding.release();

    expect(await sheetGone).toMatchObject({ ok: true, status: 'deleted' });
    expect(await entryGone).toMatchObject({ ok: false, error: { code: 'entry_gone' } });
  });

  it('its project removed (the sheets, the project, then the open entries) and the consultant deleting the entry: the removal takes it, the delete finds it gone', async () => {
    const one = await sheetOn('ENTRYRM', ['UENTRYRMM'], { submit: false });

    const interleaving = new Interleaving(database);
    const removal = interleaving.hold(admin(), 'removal:projects-locked');
    const removed = deleteProjects(removal.ctx, [one.projectId]);
    await removal.reached;
    const entryGone = deleteEntries(one.ctx, { entryIds: [one.entryId] });
    await interleaving.waiting(1);
    removal.release();

    expect(await removed).toMatchObject({ ok: true });
    expect(await entryGone).toMatchObject({ ok: false, error: { code: 'entry_gone' } });
  });
});

describe('an Undo of entries on two sheets while a range past midnight is logged across them', () => {
  it('the delete (its entries’ sheets in id order, whatever order it was given them) and the /log (both sheets, in id order) both finish', async () => {
    const one = await sheetOn('UNDO2', ['UUNDO2M'], { submit: false });
    const on = (date: string) =>
      logTime(one.ctx, {
        projectCode: one.code,
        date: { kind: 'iso', date },
        minutes: 30,
        description: `on ${date}`,
        billable: true,
        source: 'command',
      });
    const october = await on('2026-10-31');
    const november = await on('2026-11-01');
    if (!october.ok || !november.ok) throw new Error('could not log the two entries');

    const interleaving = new Interleaving(database);
    const undo = interleaving.hold(one.ctx, 'delete:entry-locked');
    // November's sheet came first (sheetOn logged today), so has the lower id: given October's
    // entry first, the delete still locks November's sheet first, as the /log does.
    const undone = deleteEntries(undo.ctx, {
      entryIds: [october.entries[0]!.entryId, november.entries[0]!.entryId],
    });
    await undo.reached;
    const logged = logTime(one.ctx, {
      projectCode: one.code,
      date: { kind: 'iso', date: '2026-10-31' },
      beginsAt: '22:00',
      endsAt: '01:30',
      minutes: 210,
      description: 'deploy',
      billable: true,
      source: 'command',
    });
    await interleaving.waiting(1);
    undo.release();

    expect(await undone).toMatchObject({ ok: true, deleted: [{ workDate: '2026-10-31' }, { workDate: '2026-11-01' }] });
    expect(await logged).toMatchObject({
      ok: true,
      entries: [
        { workDate: '2026-10-31', minutes: 120 },
        { workDate: '2026-11-01', minutes: 90 },
      ],
    });
  });
});

describe('a delete of an entry an edit is moving to another period', () => {
  it('waits for the edit, then says the entry moved, not that it is gone', async () => {
    const one = await sheetOn('MOVEDEL', ['UMOVEDELM'], { submit: false });
    const interleaving = new Interleaving(database);
    const editing = interleaving.hold(one.ctx, 'edit:entry-locked');
    const edited = editEntry(editing.ctx, {
      entryId: one.entryId,
      projectCode: one.code,
      date: { kind: 'iso', date: '2026-10-30' },
      minutes: 90,
      description: 'work',
      billable: true,
    });
    await editing.reached;
    const deleted = deleteEntries(one.ctx, { entryIds: [one.entryId] });
    await interleaving.waiting(1);
    editing.release();

    expect(await edited).toMatchObject({ ok: true, entry: { workDate: '2026-10-30' } });
    expect(await deleted).toMatchObject({
      ok: false,
      error: {
        code: 'entry_moved',
        message: 'That entry was just moved to another day; look at it again, then retry.',
      },
    });
  });
});

describe('a submit routing its sheet while a manager is taken off the project', () => {
  it('the change waits for the submit, then withdraws the decision it asked of that manager: the other manager’s approval approves the sheet', async () => {
    const { db } = database;
    const one = await sheetOn('STALE', ['USTALEA', 'USTALEB'], { submit: false });

    const interleaving = new Interleaving(database);
    const submitting = interleaving.hold(one.ctx, 'submit:routes-read');
    const submitted = submitTimesheet(submitting.ctx);
    await submitting.reached;
    const takenOff = removeFromProjects(admin(), one.managerIds[0]!, [{ projectId: one.projectId, as: 'manager' }]);
    await interleaving.waiting(1);
    submitting.release();
    expect(await submitted).toMatchObject({ ok: true });
    expect(await takenOff).toMatchObject({ ok: true, removed: 1 });

    const waitingFor = await db
      .select({ approver: approvals.approverId, status: approvals.status })
      .from(approvals)
      .where(eq(approvals.timesheetId, one.sheetId))
      .orderBy(approvals.approverId);
    expect(waitingFor).toEqual([{ approver: 'USTALEB', status: 'pending' }]);
    const decision = await decideTimesheet(serviceContext(db, asUser('USTALEB'), clock), {
      approvalId: await approvalIdOf(db, one.sheetId, 'USTALEB'),
      decision: 'approve',
    });
    expect(decision).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });
    const [sheet] = await db
      .select({ status: timesheets.status })
      .from(timesheets)
      .where(eq(timesheets.id, one.sheetId));
    expect(sheet!.status).toBe('approved');
  });
});
