/** Issue 11, decisions: nobody decides their own sheet, authority is current, one approval per click, deleted periods. */
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  approvals,
  auditLog,
  delegates,
  outbox,
  projectManagers,
  reportingPeriods,
  timeEntries,
  timesheets,
  userRoles,
  users,
} from '../../src/db/schema.js';
import { adminDecide, decideTimesheet } from '../../src/services/approval-decisions.js';
import { pendingApprovals, timesheetForApprover } from '../../src/services/approval-views.js';
import { homeOverview } from '../../src/services/home.js';
import { assignToProject, removeFromProjects } from '../../src/services/employee-assignments.js';
import { deletePeriods } from '../../src/services/periods.js';
import { deactivateUser, setDelegates, setUserRoles } from '../../src/services/security.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addDelegate,
  addManager,
  addPeriod,
  addProject,
  addUser,
  approvalIdOf,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-25T12:00:00Z');
const ctxFor = (userId: string, actingFor?: string) => serviceContext(database.db, asUser(userId, actingFor), clock);
let web: number;
let ops: number;
let period: number;
const managerIds: Record<string, number> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { name: 'Ada Admin', rights: ['admin', 'security'] });
  await addUser(db, 'UADMIN2', { name: 'Abe Admin', rights: ['admin', 'entry'] });
  await addUser(db, 'UMGR', { name: 'Mia Manager', rights: ['approval'] });
  await addUser(db, 'UMGR2', { name: 'Max Manager', rights: ['approval'] });
  await addUser(db, 'UDEL', { name: 'Del Consultant', rights: ['entry'] });
  await addUser(db, 'UCON', { name: 'Cid Consultant', rights: ['entry'] });
  await addUser(db, 'UERIN', { name: 'Erin Delegate' });
  const del = await addConsultant(db, 'UDEL');
  const con = await addConsultant(db, 'UCON');
  const admin2 = await addConsultant(db, 'UADMIN2');
  managerIds.UMGR = await addManager(db, 'UMGR');
  managerIds.UMGR2 = await addManager(db, 'UMGR2');
  const acme = await addCustomer(db, 'ACME');
  web = await addProject(db, 'WEB', acme, { consultants: [del, con, admin2], managers: [managerIds.UMGR] });
  ops = await addProject(db, 'OPS', acme, { consultants: [con], managers: [managerIds.UMGR2] });
  await addProject(db, 'LAB', acme, { consultants: [admin2] });
  period = await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

beforeEach(async () => {
  const { db } = database;
  await db.delete(outbox);
  await db.delete(approvals);
  await db.delete(timeEntries);
  await db.update(timesheets).set({ reopenedFrom: null });
  await db.delete(timesheets);
  await db.delete(delegates);
  await db.update(users).set({ active: true });
  await db.update(reportingPeriods).set({ archivedAt: null });
  await db.delete(projectManagers);
  await db.insert(projectManagers).values([
    { projectId: web, managerId: managerIds.UMGR! },
    { projectId: ops, managerId: managerIds.UMGR2! },
  ]);
});

/** The consultant logs on these projects and submits; answers the sheet's id. */
async function submits(consultant: string, projects: string[]): Promise<number> {
  for (const projectCode of projects)
    expect(
      await logTime(ctxFor(consultant), {
        projectCode,
        minutes: 60,
        description: `work on ${projectCode}`,
        billable: true,
        source: 'command',
      }),
    ).toMatchObject({ ok: true });
  const submitted = await submitTimesheet(ctxFor(consultant));
  expect(submitted).toMatchObject({ ok: true });
  return submitted.ok ? submitted.submitted.timesheetId : 0;
}
const approvalsOf = (sheetId: number) =>
  database.db.select().from(approvals).where(eq(approvals.timesheetId, sheetId)).orderBy(approvals.approverId);
const statusOf = async (sheetId: number) =>
  (await database.db.select().from(timesheets).where(eq(timesheets.id, sheetId)))[0]?.status;

describe('nobody decides their own timesheet', () => {
  it('a consultant who is their manager’s delegate cannot approve their own sheet, as the manager or by a forged approval, and is not offered it', async () => {
    await addDelegate(database.db, 'UMGR', 'UDEL');
    const sheet = await submits('UDEL', ['WEB']);
    const managers = await approvalIdOf(database.db, sheet, 'UMGR');

    for (const attempt of [ctxFor('UDEL'), ctxFor('UDEL', 'UMGR')]) {
      expect(await decideTimesheet(attempt, { approvalId: managers, decision: 'approve' })).toMatchObject({
        ok: false,
        error: { code: 'own_timesheet', message: expect.stringMatching(/Nobody decides on their own timesheet/) },
      });
      expect(
        await decideTimesheet(attempt, { approvalId: managers, decision: 'reject', reason: 'let me edit' }),
      ).toMatchObject({ ok: false, error: { code: 'own_timesheet' } });
    }
    expect(await pendingApprovals(ctxFor('UDEL'))).toEqual({ ok: true, pending: [] });
    expect(await statusOf(sheet)).toBe('submitted');
    expect((await approvalsOf(sheet)).map((a) => [a.approverId, a.status])).toEqual([['UMGR', 'pending']]);
    // The manager still decides.
    expect(await decideTimesheet(ctxFor('UMGR'), { approvalId: managers, decision: 'approve' })).toMatchObject({
      ok: true,
      outcome: { sheetStatus: 'approved' },
    });
  });

  it('an administrator cannot force-approve their own sheet while another administrator can', async () => {
    const sheet = await submits('UADMIN2', ['LAB']);
    // LAB has no manager: the other administrator decides, never the consultant.
    expect((await approvalsOf(sheet)).map((a) => [a.approverId, a.route])).toEqual([['UADMIN', 'admin_fallback']]);
    expect(await adminDecide(ctxFor('UADMIN2'), { timesheetId: sheet, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'own_timesheet' },
    });
    expect(await statusOf(sheet)).toBe('submitted');
    expect(await adminDecide(ctxFor('UADMIN'), { timesheetId: sheet, decision: 'approve' })).toMatchObject({
      ok: true,
    });
  });
});

describe('a decision needs current authority', () => {
  it("a deactivated delegate's old button decides nothing", async () => {
    await addDelegate(database.db, 'UMGR', 'UERIN');
    const sheet = await submits('UCON', ['WEB']);
    const managers = await approvalIdOf(database.db, sheet, 'UMGR');
    expect(await deactivateUser(ctxFor('UADMIN'), { userId: 'UERIN' })).toMatchObject({ ok: true });
    expect(await decideTimesheet(ctxFor('UERIN'), { approvalId: managers, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'not_a_user' },
    });
    expect((await approvalsOf(sheet)).map((a) => a.status)).toEqual(['pending']);
  });

  it("a deactivated delegate no longer lists their principal's decisions, in /approvals or App Home, nor opens the sheet", async () => {
    await addDelegate(database.db, 'UMGR', 'UERIN');
    const sheet = await submits('UCON', ['WEB']);
    expect(await pendingApprovals(ctxFor('UERIN'))).toMatchObject({ ok: true, pending: [{ timesheetId: sheet }] });
    expect(await timesheetForApprover(ctxFor('UERIN'), sheet)).toMatchObject({ ok: true });
    expect(await deactivateUser(ctxFor('UADMIN'), { userId: 'UERIN' })).toMatchObject({ ok: true });

    expect(await pendingApprovals(ctxFor('UERIN'))).toEqual({ ok: true, pending: [] });
    const home = await homeOverview(ctxFor('UERIN'));
    expect(home.ok && home.duties.approvals).toEqual([]);
    expect(await timesheetForApprover(ctxFor('UERIN'), sheet)).toMatchObject({
      ok: false,
      error: { code: 'not_a_user' },
    });
  });

  it('a manager who lost the approval right, or left the project after deciding, no longer lists the decision or opens the sheet', async () => {
    const { db } = database;
    await addUser(db, 'UMGR3', { name: 'Moe Manager', rights: ['approval'] });
    await db.insert(projectManagers).values({ projectId: ops, managerId: await addManager(db, 'UMGR3') });
    const sheet = await submits('UCON', ['WEB', 'OPS']);
    expect(
      await decideTimesheet(ctxFor('UMGR'), {
        approvalId: await approvalIdOf(db, sheet, 'UMGR'),
        decision: 'approve',
      }),
    ).toMatchObject({ ok: true });
    expect(await timesheetForApprover(ctxFor('UMGR'), sheet)).toMatchObject({ ok: true });
    expect(
      await removeFromProjects(ctxFor('UADMIN'), managerIds.UMGR!, [{ projectId: web, as: 'manager' }]),
    ).toMatchObject({ ok: true });
    expect(await timesheetForApprover(ctxFor('UMGR'), sheet)).toMatchObject({
      ok: false,
      error: { code: 'not_an_approver' },
    });

    expect(await pendingApprovals(ctxFor('UMGR3'))).toMatchObject({ ok: true, pending: [{ timesheetId: sheet }] });
    await db.delete(userRoles).where(eq(userRoles.userId, 'UMGR3'));
    expect(await pendingApprovals(ctxFor('UMGR3'))).toEqual({ ok: true, pending: [] });
    expect(await timesheetForApprover(ctxFor('UMGR3'), sheet)).toMatchObject({ ok: false });
    // The other manager of OPS still has it.
    expect(await pendingApprovals(ctxFor('UMGR2'))).toMatchObject({ ok: true, pending: [{ timesheetId: sheet }] });
    expect(await timesheetForApprover(ctxFor('UMGR2'), sheet)).toMatchObject({ ok: true });
  });

  it('a delegate whose delegation ended, or a manager made inactive behind the app’s back, decides nothing', async () => {
    await addDelegate(database.db, 'UMGR', 'UERIN');
    const sheet = await submits('UCON', ['WEB']);
    const managers = await approvalIdOf(database.db, sheet, 'UMGR');
    expect(await setDelegates(ctxFor('UADMIN'), { principalId: 'UMGR', delegateIds: [] })).toMatchObject({ ok: true });
    expect(await decideTimesheet(ctxFor('UERIN'), { approvalId: managers, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'not_an_approver', message: expect.stringMatching(/you are not their delegate/) },
    });
    await database.db.update(users).set({ active: false }).where(eq(users.id, 'UMGR'));
    expect(await decideTimesheet(ctxFor('UMGR'), { approvalId: managers, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'not_a_user' },
    });
    expect((await approvalsOf(sheet)).map((a) => a.status)).toEqual(['pending']);
  });

  it('taking a manager off a project withdraws their pending decision, a new manager is asked, and a project left without one goes to the administrators', async () => {
    const sheet = await submits('UCON', ['WEB']);
    const old = await approvalIdOf(database.db, sheet, 'UMGR');

    // Max joins WEB: asked at once, in the team change's transaction.
    expect(
      await assignToProject(ctxFor('UADMIN'), {
        employeeId: managerIds.UMGR2!,
        projectId: web,
        as: 'manager',
        costRate: '',
        priceRate: '',
      }),
    ).toMatchObject({ ok: true });
    expect((await approvalsOf(sheet)).map((a) => [a.approverId, a.status])).toEqual([
      ['UMGR', 'pending'],
      ['UMGR2', 'pending'],
    ]);
    const posts = await database.db
      .select()
      .from(outbox)
      .where(like(outbox.dedupeKey, `post:approval:${sheet}:UMGR2:%`));
    expect(posts).toHaveLength(1);

    // Mia leaves WEB: her decision is withdrawn, her DM says so, and her old button does nothing.
    expect(
      await removeFromProjects(ctxFor('UADMIN'), managerIds.UMGR!, [{ projectId: web, as: 'manager' }]),
    ).toMatchObject({ ok: true });
    expect((await approvalsOf(sheet)).map((a) => a.approverId)).toEqual(['UMGR2']);
    const [withdrawn] = await database.db
      .select()
      .from(outbox)
      .where(like(outbox.dedupeKey, `update:approval:${sheet}:UMGR:withdrawn:%`));
    expect(withdrawn?.payload).toMatchObject({ content: { model: { myStatus: 'withdrawn' } } });
    expect(await decideTimesheet(ctxFor('UMGR'), { approvalId: old, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'withdrawn' },
    });

    // Max leaves too: nobody manages WEB, so the administrators decide.
    expect(
      await removeFromProjects(ctxFor('UADMIN'), managerIds.UMGR2!, [{ projectId: web, as: 'manager' }]),
    ).toMatchObject({ ok: true });
    expect((await approvalsOf(sheet)).map((a) => [a.approverId, a.route, a.status])).toEqual([
      ['UADMIN', 'admin_fallback', 'pending'],
      ['UADMIN2', 'admin_fallback', 'pending'],
    ]);
    expect(await statusOf(sheet)).toBe('submitted');
  });

  it('a manager whose approval right is taken away is no longer waited for: the administrators are asked, and the manager again once it is back', async () => {
    const { db } = database;
    const sheet = await submits('UCON', ['OPS']);
    const routes = async () => (await approvalsOf(sheet)).map((a) => [a.approverId, a.route, a.status]);
    expect(await routes()).toEqual([['UMGR2', 'manager', 'pending']]);
    const roleIds = (await db.select().from(userRoles).where(eq(userRoles.userId, 'UMGR2'))).map((r) => r.roleId);

    expect(await setUserRoles(ctxFor('UADMIN'), { userId: 'UMGR2', roleIds: [] })).toMatchObject({ ok: true });
    expect(await routes()).toEqual([
      ['UADMIN', 'admin_fallback', 'pending'],
      ['UADMIN2', 'admin_fallback', 'pending'],
    ]);
    const withdrawn = await db
      .select()
      .from(outbox)
      .where(like(outbox.dedupeKey, `update:approval:${sheet}:UMGR2:withdrawn:%`));
    expect(withdrawn).toHaveLength(1);

    expect(await setUserRoles(ctxFor('UADMIN'), { userId: 'UMGR2', roleIds })).toMatchObject({ ok: true });
    expect(await routes()).toEqual([['UMGR2', 'manager', 'pending']]);
    expect(
      await decideTimesheet(ctxFor('UMGR2'), {
        approvalId: await approvalIdOf(db, sheet, 'UMGR2'),
        decision: 'approve',
      }),
    ).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });
  });

  it('a manager who approved and then lost the approval right leaves their approval standing: nobody else is asked for their projects', async () => {
    const { db } = database;
    await addUser(db, 'UMAY', { name: 'May Manager', rights: ['approval'] });
    await db.insert(projectManagers).values({ projectId: ops, managerId: await addManager(db, 'UMAY') });
    await db.delete(projectManagers).where(eq(projectManagers.managerId, managerIds.UMGR2!));
    const sheet = await submits('UCON', ['WEB', 'OPS']);
    expect(
      await decideTimesheet(ctxFor('UMAY'), { approvalId: await approvalIdOf(db, sheet, 'UMAY'), decision: 'approve' }),
    ).toMatchObject({ ok: true, outcome: { sheetStatus: 'submitted' } });

    expect(await setUserRoles(ctxFor('UADMIN'), { userId: 'UMAY', roleIds: [] })).toMatchObject({ ok: true });
    expect((await approvalsOf(sheet)).map((a) => [a.approverId, a.status])).toEqual([
      ['UMAY', 'approved'],
      ['UMGR', 'pending'],
    ]);
    expect(
      await decideTimesheet(ctxFor('UMGR'), { approvalId: await approvalIdOf(db, sheet, 'UMGR'), decision: 'approve' }),
    ).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });
  });

  it('deactivating a manager moves their pending decision to the administrators', async () => {
    const sheet = await submits('UCON', ['OPS']);
    expect(await deactivateUser(ctxFor('UADMIN'), { userId: 'UMGR2' })).toMatchObject({ ok: true });
    expect((await approvalsOf(sheet)).map((a) => [a.approverId, a.route])).toEqual([
      ['UADMIN', 'admin_fallback'],
      ['UADMIN2', 'admin_fallback'],
    ]);
  });
});

describe('each click decides the approval it names', () => {
  it('a manager who is also a delegate of another sees both decisions and makes each on its own', async () => {
    await addDelegate(database.db, 'UMGR2', 'UMGR');
    const sheet = await submits('UCON', ['WEB', 'OPS']);
    const mine = await approvalIdOf(database.db, sheet, 'UMGR');
    const principals = await approvalIdOf(database.db, sheet, 'UMGR2');
    const listed = await pendingApprovals(ctxFor('UMGR'));
    expect(listed.ok && listed.pending.map((p) => [p.approvalId, p.approverId])).toEqual([
      [mine, 'UMGR'],
      [principals, 'UMGR2'],
    ]);

    // Deciding for Max leaves Mia's own decision pending, and the reverse.
    expect(await decideTimesheet(ctxFor('UMGR'), { approvalId: principals, decision: 'approve' })).toMatchObject({
      ok: true,
      outcome: { sheetStatus: 'submitted' },
    });
    expect((await approvalsOf(sheet)).map((a) => [a.approverId, a.status, a.decidedBy])).toEqual([
      ['UMGR', 'pending', null],
      ['UMGR2', 'approved', 'UMGR'],
    ]);
    const [audit] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'approval.approve'), eq(auditLog.entityId, String(sheet))));
    expect(audit).toMatchObject({ actorId: 'UMGR', actingFor: 'UMGR2' });
    expect(await decideTimesheet(ctxFor('UMGR'), { approvalId: mine, decision: 'approve' })).toMatchObject({
      ok: true,
      outcome: { sheetStatus: 'approved' },
    });
  });
});

describe('rejecting a sheet whose period was deleted', () => {
  it('is refused with the reason, by a manager and by an administrator, and no open copy is made', async () => {
    const sheet = await submits('UCON', ['WEB']);
    expect(await deletePeriods(ctxFor('UADMIN'), [period])).toMatchObject({ ok: true });
    const managers = await approvalIdOf(database.db, sheet, 'UMGR');
    const refusal = {
      ok: false,
      error: {
        code: 'period_deleted',
        message: expect.stringMatching(
          /period Sun 1 Nov 2026 – Mon 30 Nov 2026 was deleted.*restore the period.*or delete the timesheet/,
        ),
      },
    };
    expect(
      await decideTimesheet(ctxFor('UMGR'), { approvalId: managers, decision: 'reject', reason: 'redo' }),
    ).toMatchObject(refusal);
    expect(
      await adminDecide(ctxFor('UADMIN'), { timesheetId: sheet, decision: 'reject', reason: 'redo' }),
    ).toMatchObject(refusal);
    expect((await database.db.select().from(timesheets)).map((t) => [t.id, t.status])).toEqual([[sheet, 'submitted']]);
  });
});

describe('the firm’s only administrator', () => {
  let solo: TestDatabase;
  afterAll(async () => solo?.drop());

  it('approves their own sheet: asked in a DM that says so, the approval audited as a self-approval', async () => {
    solo = await createTestDatabase();
    const { db } = solo;
    await addUser(db, 'USOLO', { name: 'Sol Owner', rights: ['admin', 'entry', 'approval'] });
    const owner = await addConsultant(db, 'USOLO');
    const acme = await addCustomer(db, 'ACME');
    await addProject(db, 'OWN', acme, { consultants: [owner], managers: [await addManager(db, 'USOLO')] });
    await addPeriod(db, '2026-11-01', '2026-11-30');
    const ctx = serviceContext(db, asUser('USOLO'), clock);
    await logTime(ctx, { projectCode: 'OWN', minutes: 90, description: 'books', billable: true, source: 'command' });
    const submitted = await submitTimesheet(ctx);
    expect(submitted).toMatchObject({ ok: true });
    const sheet = submitted.ok ? submitted.submitted.timesheetId : 0;

    const [dm] = await db
      .select()
      .from(outbox)
      .where(like(outbox.dedupeKey, `post:approval:${sheet}:USOLO:%`));
    expect(dm?.payload).toMatchObject({ content: { model: { selfApproval: true, route: 'admin_fallback' } } });
    const listed = await pendingApprovals(ctx);
    expect(listed.ok && listed.pending).toHaveLength(1);
    expect(
      await decideTimesheet(ctx, { approvalId: await approvalIdOf(db, sheet, 'USOLO'), decision: 'approve' }),
    ).toMatchObject({ ok: true, outcome: { sheetStatus: 'approved' } });
    const actions = (
      await db
        .select()
        .from(auditLog)
        .where(eq(auditLog.entityId, String(sheet)))
    ).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['approval.self_approve', 'timesheet.self_approve']));
    const [told] = await db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `decided:${sheet}`));
    expect(told?.payload).toMatchObject({ content: { model: { outcome: 'approved', selfDecided: true } } });
  });
});
