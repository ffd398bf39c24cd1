/** Removing projects and employees, and putting employees on projects: what goes, what is archived, what stays. */
import { desc, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvals,
  auditLog,
  outbox,
  consultants,
  employees,
  managers,
  projectConsultants,
  projectManagers,
  projects,
  timeEntries,
  timers,
  timesheets,
} from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import { customerDetail } from '../../src/services/customers.js';
import { assignToProject, employeeDetail, removeFromProjects } from '../../src/services/employee-assignments.js';
import { deleteEmployees, employeeDeletionImpact } from '../../src/services/employee-removal.js';
import { saveEmployee } from '../../src/services/employees.js';
import {
  deleteProjects,
  listProjects,
  projectDeletionImpact,
  projectDetail,
  saveProject,
} from '../../src/services/projects.js';
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
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const admin = () => serviceContext(database.db, asUser('UADMIN'));
const clerk = () => serviceContext(database.db, asUser('UCLERK'));
const entry = (projectId: number, timesheetId: number, createdBy: string) => ({
  timesheetId,
  projectId,
  workDate: '2026-11-10',
  minutes: 60,
  description: 'x',
  billable: true,
  source: 'command' as const,
  createdBy,
});

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADMIN', { rights: ['admin'] });
  await addUser(database.db, 'UCLERK', { rights: ['entry', 'approval'] });
});
afterAll(async () => database.drop());

describe('projects', () => {
  it('removes a project without history with its open time, archives one with approved time, and the customer page no longer lists either', async () => {
    const { db } = database;
    await addUser(db, 'UPAM');
    const pam = await addConsultant(db, 'UPAM');
    const period = await addPeriod(db, '2026-10-01', '2026-10-31');
    const earlier = await addPeriod(db, '2026-06-01', '2026-06-30');
    const customer = await addCustomer(db, 'WAYNE');
    const fresh = await addProject(db, 'WAYNE-NEW', customer, { consultants: [pam] });
    const old = await addProject(db, 'WAYNE-OLD', customer, { consultants: [pam] });
    const kept = await addProject(db, 'WAYNE-KEEP', customer);
    const open = (await db.insert(timesheets).values({ consultantId: pam, periodId: period }).returning())[0]!;
    const approved = (
      await db.insert(timesheets).values({ consultantId: pam, periodId: earlier, status: 'approved' }).returning()
    )[0]!;
    await db
      .insert(timeEntries)
      .values([
        entry(fresh, open.id, 'UPAM'),
        entry(fresh, open.id, 'UPAM'),
        entry(old, open.id, 'UPAM'),
        entry(old, approved.id, 'UPAM'),
      ]);
    await db
      .insert(timers)
      .values({ userId: 'UPAM', projectId: fresh, startedAt: new Date('2026-11-24T09:00:00Z'), startedBy: 'UPAM' });

    expect(await projectDeletionImpact(clerk(), [fresh])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await deleteProjects(clerk(), [fresh])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await projectDeletionImpact(admin(), [fresh, old])).toEqual({
      ok: true,
      impact: {
        projects: 2,
        openEntries: 3,
        openSheets: 1,
        submittedEntries: 0,
        submittedSheets: 0,
        keptEntries: 1,
        runningTimers: 1,
        archived: ['WAYNE-OLD'],
      },
    });
    expect(await deleteProjects(admin(), [fresh, old])).toMatchObject({
      ok: true,
      deleted: { projects: 2, archived: ['WAYNE-OLD'] },
    });

    expect(await db.select().from(projects).where(eq(projects.id, fresh))).toEqual([]);
    expect((await db.select().from(projects).where(eq(projects.id, old)))[0]).toMatchObject({
      archivedAt: expect.any(Date),
      active: false,
    });
    expect(
      (await db.select().from(timeEntries).where(eq(timeEntries.projectId, old))).map((e) => e.timesheetId),
    ).toEqual([approved.id]);
    expect(await db.select().from(timeEntries).where(eq(timeEntries.projectId, fresh))).toEqual([]);
    expect(await db.select().from(timers).where(eq(timers.userId, 'UPAM'))).toEqual([]);
    const audit = await db.select().from(auditLog).where(eq(auditLog.entity, 'project'));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['project.delete', 'project.archive']));
    const page = await customerDetail(admin(), customer);
    expect(page.ok && page.projects.map((p) => p.code)).toEqual(['WAYNE-KEEP']);
    expect(await deleteProjects(admin(), [old, kept])).toMatchObject({ ok: false, error: { code: 'stale' } });
    expect(await db.select().from(projects).where(eq(projects.id, kept))).toHaveLength(1);
  });

  it('tells each consultant which of their open time went with removed projects, and that their running timer stopped unsaved', async () => {
    const { db } = database;
    await addUser(db, 'UQUIN');
    await addUser(db, 'URAY');
    const quin = await addConsultant(db, 'UQUIN');
    const ray = await addConsultant(db, 'URAY');
    const period = await addPeriod(db, '2026-03-01', '2026-03-31');
    const customer = await addCustomer(db, 'OSCORP');
    const lab = await addProject(db, 'OSCORP-LAB', customer, { consultants: [quin, ray] });
    const web = await addProject(db, 'OSCORP-WEB', customer, { consultants: [quin] });
    const stays = await addProject(db, 'OSCORP-STAYS', customer, { consultants: [quin] });
    const quinSheet = (await db.insert(timesheets).values({ consultantId: quin, periodId: period }).returning())[0]!;
    await db.insert(timesheets).values({ consultantId: ray, periodId: period });
    await db.insert(timeEntries).values([
      { ...entry(lab, quinSheet.id, 'UQUIN'), workDate: '2026-03-10' },
      { ...entry(web, quinSheet.id, 'UQUIN'), workDate: '2026-03-10', minutes: 30 },
      { ...entry(stays, quinSheet.id, 'UQUIN'), workDate: '2026-03-10' },
    ]);
    await db.insert(timers).values([
      { userId: 'URAY', projectId: lab, startedAt: new Date('2026-03-24T09:00:00Z'), startedBy: 'URAY' },
      { userId: 'UQUIN', projectId: stays, startedAt: new Date('2026-03-24T10:00:00Z'), startedBy: 'UQUIN' },
    ]);
    const at = serviceContext(db, asUser('UADMIN'), new TestClock('2026-03-24T11:30:00Z'));

    expect(await deleteProjects(at, [lab, web])).toMatchObject({
      ok: true,
      deleted: { projects: 2, runningTimers: 1 },
    });

    const told = (await db.select().from(outbox).where(like(outbox.dedupeKey, 'time%-removed:%'))).filter((t) =>
      ['UQUIN', 'URAY'].includes((t.payload as { channel: string }).channel),
    );
    expect(told.map((t) => t.payload).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      expect.objectContaining({
        kind: 'post',
        channel: 'UQUIN',
        content: {
          template: 'time-removed',
          model: {
            period: { startsOn: '2026-03-01', endsOn: '2026-03-31' },
            removed: [
              { code: 'OSCORP-LAB', minutes: 60 },
              { code: 'OSCORP-WEB', minutes: 30 },
            ],
            sheetNow: 'open',
          },
        },
      }),
      expect.objectContaining({
        kind: 'post',
        channel: 'URAY',
        content: { template: 'timer-removed', model: { code: 'OSCORP-LAB', minutes: 150 } },
      }),
    ]);
    // Ray's open sheet had no time on the projects, so only his timer is news; Quin's timer runs on a project that stays.
    expect(await db.select({ userId: timers.userId }).from(timers).where(eq(timers.userId, 'UQUIN'))).toEqual([
      { userId: 'UQUIN' },
    ]);
  });

  it('takes removed time off submitted sheets and settles each: withdraws managers left with nothing, approves when everyone left has, deletes a sheet left empty', async () => {
    const { db } = database;
    for (const id of ['UWAL', 'UXIA', 'UMIA', 'UNED2']) await addUser(db, id, { rights: ['entry', 'approval'] });
    const wal = await addConsultant(db, 'UWAL');
    const xia = await addConsultant(db, 'UXIA');
    const mia = await addManager(db, 'UMIA');
    const ned = await addManager(db, 'UNED2');
    const customer = await addCustomer(db, 'ACME2');
    const going = await addProject(db, 'ACME2-OLD', customer, { consultants: [wal, xia], managers: [mia] });
    const staying = await addProject(db, 'ACME2-NEW', await addCustomer(db, 'ACME3'), {
      consultants: [wal],
      managers: [ned],
    });
    const period = await addPeriod(db, '2026-05-01', '2026-05-31');
    const walSheet = (
      await db.insert(timesheets).values({ consultantId: wal, periodId: period, status: 'submitted' }).returning()
    )[0]!;
    const xiaSheet = (
      await db.insert(timesheets).values({ consultantId: xia, periodId: period, status: 'submitted' }).returning()
    )[0]!;
    await db
      .insert(timeEntries)
      .values([
        entry(going, walSheet.id, 'UWAL'),
        entry(staying, walSheet.id, 'UWAL'),
        entry(going, xiaSheet.id, 'UXIA'),
      ]);
    // Ned already approved his part of Wal's sheet; Mia has not decided either sheet.
    await db.insert(approvals).values([
      { timesheetId: walSheet.id, approverId: 'UMIA', projectIds: [going] },
      { timesheetId: walSheet.id, approverId: 'UNED2', projectIds: [staying], status: 'approved', decidedBy: 'UNED2' },
      { timesheetId: xiaSheet.id, approverId: 'UMIA', projectIds: [going] },
    ]);

    expect(await projectDeletionImpact(admin(), [going])).toMatchObject({
      ok: true,
      impact: { submittedEntries: 2, submittedSheets: 2, openEntries: 0 },
    });
    expect(await deleteProjects(admin(), [going])).toMatchObject({ ok: true, deleted: { projects: 1, archived: [] } });

    expect(await db.select().from(projects).where(eq(projects.id, going))).toEqual([]);
    // Wal's sheet keeps its other time and, with Ned's approval the only one left, is approved with frozen rates.
    expect((await db.select().from(timesheets).where(eq(timesheets.id, walSheet.id)))[0]).toMatchObject({
      status: 'approved',
    });
    expect(await db.select().from(timeEntries).where(eq(timeEntries.timesheetId, walSheet.id))).toMatchObject([
      { projectId: staying, costRateCents: 7000, priceRateCents: 14000 },
    ]);
    expect(
      (await db.select().from(approvals).where(eq(approvals.timesheetId, walSheet.id))).map((a) => a.approverId),
    ).toEqual(['UNED2']);
    // Xia's sheet had nothing else: it is gone.
    expect(await db.select().from(timesheets).where(eq(timesheets.id, xiaSheet.id))).toEqual([]);
    // Mia's two messages are updated: withdrawn on Wal's sheet, deleted on Xia's.
    const updates = (await db.select().from(outbox)).filter(
      (row) =>
        row.dedupeKey.startsWith(`update:approval:${walSheet.id}:UMIA:withdrawn`) ||
        row.dedupeKey === `update:approval:${xiaSheet.id}:UMIA:deleted`,
    );
    expect(
      updates
        .map((u) => (u.payload as { content: { model: { myStatus: string; sheetStatus: string } } }).content.model)
        .map((m) => [m.myStatus, m.sheetStatus])
        .sort(),
    ).toEqual([
      ['pending', 'deleted'],
      ['withdrawn', 'submitted'],
    ]);
    const decided = await db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `decided:${walSheet.id}`));
    expect(decided).toHaveLength(1);
    // Both consultants hear what came off their sheets and what became of them.
    const told = await db.select().from(outbox).where(like(outbox.dedupeKey, 'time-removed:%'));
    expect(
      told
        .map((t) => t.payload as { channel: string; content: { model: { removed: unknown; sheetNow: string } } })
        .filter((p) => ['UWAL', 'UXIA'].includes(p.channel))
        .map((p) => [p.channel, p.content.model.removed, p.content.model.sheetNow])
        .sort(),
    ).toEqual([
      ['UWAL', [{ code: 'ACME2-OLD', minutes: 60 }], 'approved'],
      ['UXIA', [{ code: 'ACME2-OLD', minutes: 60 }], 'deleted'],
    ]);
  });
});

describe("managers' messages after a removal", () => {
  it('the last update each manager gets shows the final state, even after an earlier approver was withdrawn', async () => {
    const { db } = database;
    for (const id of ['UANA', 'UBEA']) await addUser(db, id, { rights: ['approval'] });
    await addUser(db, 'UCID', { rights: ['entry'] });
    const ana = await addManager(db, 'UANA');
    const bea = await addManager(db, 'UBEA');
    const cid = await addConsultant(db, 'UCID');
    const customer = await addCustomer(db, 'MSG');
    const first = await addProject(db, 'MSG-1', customer, { consultants: [cid], managers: [ana] });
    await addProject(db, 'MSG-2', customer, { consultants: [cid], managers: [bea] });
    await addPeriod(db, '2026-11-01', '2026-11-30');
    const clock = new TestClock('2026-11-24T12:00:00Z');
    const cidCtx = serviceContext(db, asUser('UCID'), clock);
    for (const code of ['MSG-1', 'MSG-2'])
      expect(
        (
          await logTime(cidCtx, {
            projectCode: code,
            minutes: 60,
            description: 'work',
            billable: true,
            source: 'command',
          })
        ).ok,
      ).toBe(true);
    const submitted = await submitTimesheet(cidCtx);
    const sheetId = submitted.ok ? submitted.submitted.timesheetId : 0;

    expect(
      await decideTimesheet(serviceContext(db, asUser('UANA'), clock), {
        approvalId: await approvalIdOf(db, sheetId, 'UANA'),
        decision: 'approve',
      }),
    ).toMatchObject({ ok: true });
    expect(await deleteProjects(admin(), [first])).toMatchObject({ ok: true });
    expect(
      await decideTimesheet(serviceContext(db, asUser('UBEA'), clock), {
        approvalId: await approvalIdOf(db, sheetId, 'UBEA'),
        decision: 'approve',
      }),
    ).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });

    const newest = await db
      .select()
      .from(outbox)
      .where(like(outbox.dedupeKey, `update:approval:${sheetId}:UBEA:%`))
      .orderBy(desc(outbox.id))
      .limit(1);
    expect((newest[0]!.payload as { content: { model: { sheetStatus: string } } }).content.model.sheetStatus).toBe(
      'approved',
    );
  });
});

describe('saving a project', () => {
  it('keeps a team the form left out, and replaces one it sent', async () => {
    const { db } = database;
    await addUser(db, 'UKIM');
    const kim = await addConsultant(db, 'UKIM');
    const customer = await addCustomer(db, 'KEEP');
    const project = await addProject(db, 'KEEP-1', customer, { consultants: [kim] });
    const input = {
      id: project,
      code: 'KEEP-1',
      customerId: customer,
      name: 'Renamed',
      description: '',
      address: '',
      notes: '',
      active: true,
    };
    expect(await saveProject(admin(), input)).toMatchObject({ ok: true });
    expect(await db.select().from(projectConsultants).where(eq(projectConsultants.projectId, project))).toMatchObject([
      { consultantId: kim },
    ]);
    expect(await saveProject(admin(), { ...input, consultantIds: [] })).toMatchObject({ ok: true });
    // Off the team: archived, not deleted (their logged time keeps its rates).
    expect(await db.select().from(projectConsultants).where(eq(projectConsultants.projectId, project))).toMatchObject([
      { consultantId: kim, archivedAt: expect.any(Date) },
    ]);
  });
});

describe('employees on projects', () => {
  it('assigns as consultant with exact override rates or as manager, refuses a role they do not hold, and takes them off marked projects', async () => {
    const { db } = database;
    await addUser(db, 'UQUINN');
    const quinn = await addConsultant(db, 'UQUINN');
    const customer = await addCustomer(db, 'STARK');
    const suits = await addProject(db, 'STARK-SUITS', customer);
    const labs = await addProject(db, 'STARK-LABS', customer);

    expect(
      await assignToProject(admin(), {
        employeeId: quinn,
        projectId: suits,
        as: 'consultant',
        costRate: '80.5',
        priceRate: '1,50',
      }),
    ).toMatchObject({ ok: false, error: { field: 'price' } });
    expect(
      await assignToProject(admin(), {
        employeeId: quinn,
        projectId: suits,
        as: 'consultant',
        costRate: '80.5',
        priceRate: '',
      }),
    ).toMatchObject({ ok: true, project: { code: 'STARK-SUITS' } });
    expect(await db.select().from(projectConsultants).where(eq(projectConsultants.projectId, suits))).toMatchObject([
      { consultantId: quinn, costRateCents: 8050, priceRateCents: null },
    ]);
    expect(
      await assignToProject(admin(), {
        employeeId: quinn,
        projectId: labs,
        as: 'manager',
        costRate: '',
        priceRate: '',
      }),
    ).toMatchObject({ ok: false, error: { field: 'as', message: expect.stringMatching(/Make them a manager first/) } });
    await addManager(db, 'UQUINN');
    expect(
      await assignToProject(admin(), {
        employeeId: quinn,
        projectId: labs,
        as: 'manager',
        costRate: '',
        priceRate: '',
      }),
    ).toMatchObject({ ok: true });
    expect(
      await assignToProject(clerk(), {
        employeeId: quinn,
        projectId: labs,
        as: 'consultant',
        costRate: '',
        priceRate: '',
      }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const detail = await employeeDetail(admin(), quinn);
    expect(detail.ok && detail.assignments.map((a) => [a.code, a.as, a.costRateCents])).toEqual([
      ['STARK-LABS', 'manager', null],
      ['STARK-SUITS', 'consultant', 8050],
    ]);
    expect(
      await removeFromProjects(admin(), quinn, [
        { projectId: labs, as: 'manager' },
        { projectId: suits, as: 'consultant' },
      ]),
    ).toEqual({ ok: true, removed: 2 });
    expect(await db.select().from(projectManagers).where(eq(projectManagers.managerId, quinn))).toEqual([]);
    expect(await db.select().from(projectConsultants).where(eq(projectConsultants.consultantId, quinn))).toMatchObject([
      { projectId: suits, costRateCents: 8050, archivedAt: expect.any(Date) },
    ]);
    expect(await removeFromProjects(admin(), quinn, [])).toMatchObject({
      ok: false,
      error: { code: 'nothing_marked' },
    });
  });

  it('leaves someone off every team once their manager role is dropped', async () => {
    const { db } = database;
    await addUser(db, 'ULOU');
    const lou = await addConsultant(db, 'ULOU');
    await addManager(db, 'ULOU');
    const project = await addProject(db, 'LOU-1', await addCustomer(db, 'LOU'), {
      consultants: [lou],
      managers: [lou],
    });
    expect(
      await saveEmployee(admin(), {
        id: lou,
        userId: 'ULOU',
        name: 'Lou',
        address: '',
        notes: '',
        consultant: { costRate: '70', priceRate: '140' },
        manager: false,
      }),
    ).toMatchObject({ ok: true });
    const page = await employeeDetail(admin(), lou);
    expect(page.ok && page.assignments.map((a) => a.as)).toEqual(['consultant']);
    const detail = await projectDetail(admin(), project);
    expect(detail.ok && [detail.managers, detail.consultants.map((c) => c.employeeId)]).toEqual([[], [lou]]);
    const listed = await listProjects(admin());
    expect(listed.ok && listed.projects.find((p) => p.id === project)?.managerIds).toEqual([]);
  });

  it('refuses to drop the consultant role while time is still open, naming the counts', async () => {
    const { db } = database;
    await addUser(db, 'URITA');
    const rita = await addConsultant(db, 'URITA');
    const project = await addProject(db, 'RITA-1', await addCustomer(db, 'RITA'), { consultants: [rita] });
    const period = await addPeriod(db, '2026-09-01', '2026-09-30');
    const sheet = (await db.insert(timesheets).values({ consultantId: rita, periodId: period }).returning())[0]!;
    await db.insert(timeEntries).values([entry(project, sheet.id, 'URITA'), entry(project, sheet.id, 'URITA')]);
    const dropped = await saveEmployee(admin(), {
      id: rita,
      userId: 'URITA',
      name: 'Rita',
      address: '',
      notes: '',
      consultant: null,
      manager: true,
    });
    expect(dropped).toMatchObject({
      ok: false,
      error: {
        field: 'roles',
        message:
          'Rita has 2 entries on 1 open or submitted timesheet. Settle those in Timesheets first, or delete Rita from the Employees list, which removes them too.',
      },
    });
    expect((await db.select().from(consultants).where(eq(consultants.employeeId, rita)))[0]).toMatchObject({
      archivedAt: null,
    });
    expect(await db.select().from(managers).where(eq(managers.employeeId, rita))).toEqual([]);
  });

  it('drops the consultant role when the only open sheet is empty, deleting that sheet', async () => {
    const { db } = database;
    await addUser(db, 'UCAT');
    const cat = await addConsultant(db, 'UCAT');
    const period = await addPeriod(db, '2026-04-01', '2026-04-30');
    await db.insert(timesheets).values({ consultantId: cat, periodId: period });
    expect(
      await saveEmployee(admin(), {
        id: cat,
        userId: 'UCAT',
        name: 'Cat',
        address: '',
        notes: '',
        consultant: null,
        manager: false,
      }),
    ).toMatchObject({ ok: true });
    expect(await db.select().from(timesheets).where(eq(timesheets.consultantId, cat))).toEqual([]);
    expect((await db.select().from(consultants).where(eq(consultants.employeeId, cat)))[0]).toMatchObject({
      archivedAt: expect.any(Date),
    });
  });
});

describe('deleting employees', () => {
  it('deletes open and submitted timesheets with them, archives anyone with approved time, and keeps decisions waiting on them', async () => {
    const { db } = database;
    await addUser(db, 'USAM');
    await addUser(db, 'UTESS');
    await addUser(db, 'UMAX');
    const sam = await addConsultant(db, 'USAM');
    const tess = await addConsultant(db, 'UTESS');
    const max = await addManager(db, 'UMAX');
    const project = await addProject(db, 'WAYNE-TOWER', await addCustomer(db, 'TOWER'), {
      consultants: [sam, tess],
      managers: [max],
    });
    const period = await addPeriod(db, '2026-08-01', '2026-08-31');
    const later = await addPeriod(db, '2026-07-01', '2026-07-31');
    const samOpen = (await db.insert(timesheets).values({ consultantId: sam, periodId: period }).returning())[0]!;
    const tessSubmitted = (
      await db.insert(timesheets).values({ consultantId: tess, periodId: period, status: 'submitted' }).returning()
    )[0]!;
    const tessApproved = (
      await db.insert(timesheets).values({ consultantId: tess, periodId: later, status: 'approved' }).returning()
    )[0]!;
    await db
      .insert(timeEntries)
      .values([
        entry(project, samOpen.id, 'USAM'),
        entry(project, tessSubmitted.id, 'UTESS'),
        entry(project, tessSubmitted.id, 'UTESS'),
        entry(project, tessApproved.id, 'UTESS'),
      ]);
    await db.insert(approvals).values({ timesheetId: tessSubmitted.id, approverId: 'UMAX', projectIds: [project] });

    expect(await employeeDeletionImpact(clerk(), [sam])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Max alone leaves a decision waiting; with Tess, her sheet (and so the decision) goes too.
    expect(await employeeDeletionImpact(admin(), [max])).toMatchObject({ ok: true, impact: { pendingDecisions: 1 } });
    expect(await employeeDeletionImpact(admin(), [sam, tess, max])).toEqual({
      ok: true,
      impact: { employees: 3, openSheets: 2, openEntries: 3, pendingDecisions: 0, archived: ['UTESS'] },
    });
    expect(await deleteEmployees(admin(), [sam, tess, max])).toMatchObject({
      ok: true,
      deleted: { employees: 3, archived: ['UTESS'] },
    });

    expect(await db.select().from(employees).where(eq(employees.id, sam))).toEqual([]);
    expect(await db.select().from(employees).where(eq(employees.id, max))).toEqual([]);
    expect((await db.select().from(employees).where(eq(employees.id, tess)))[0]).toMatchObject({
      archivedAt: expect.any(Date),
    });
    expect((await db.select().from(consultants).where(eq(consultants.employeeId, tess)))[0]).toMatchObject({
      archivedAt: expect.any(Date),
    });
    expect((await db.select().from(timesheets).where(eq(timesheets.consultantId, tess))).map((t) => t.id)).toEqual([
      tessApproved.id,
    ]);
    expect(
      (await db.select().from(timeEntries).where(eq(timeEntries.projectId, project))).map((e) => e.timesheetId),
    ).toEqual([tessApproved.id]);
    // Tess is archived with her assignment (its overrides on record); the others' went with them.
    expect(await db.select().from(projectConsultants).where(eq(projectConsultants.projectId, project))).toMatchObject([
      { consultantId: tess, archivedAt: expect.any(Date) },
    ]);
    expect(await db.select().from(projectManagers).where(eq(projectManagers.projectId, project))).toEqual([]);
    const audit = await db.select().from(auditLog).where(eq(auditLog.entity, 'employee'));
    expect(audit.filter((a) => ['employee.delete', 'employee.archive'].includes(a.action))).toHaveLength(3);
  });

  it('brings back the archived record of someone added again, with their history', async () => {
    const { db } = database;
    const [tess] = await db.select().from(employees).where(eq(employees.userId, 'UTESS'));
    const again = await saveEmployee(admin(), {
      userId: 'UTESS',
      name: 'Tess Again',
      address: '',
      notes: '',
      consultant: { costRate: '75', priceRate: '150' },
      manager: false,
    });
    expect(again).toMatchObject({ ok: true, employee: { id: tess!.id, name: 'Tess Again' } });
    expect((await db.select().from(employees).where(eq(employees.id, tess!.id)))[0]).toMatchObject({
      archivedAt: null,
    });
    expect((await db.select().from(consultants).where(eq(consultants.employeeId, tess!.id)))[0]).toMatchObject({
      archivedAt: null,
      defaultCostRateCents: 7500,
    });
    expect(await db.select().from(timesheets).where(eq(timesheets.consultantId, tess!.id))).toHaveLength(1);
    expect((await db.select().from(auditLog).where(eq(auditLog.action, 'employee.restore'))).length).toBe(1);
  });
});
