/**
 * Walks the rights table (src/services/operations.ts): for every operation and every single-right
 * role (and no role), the service allows exactly what the table says and refuses the rest.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, roles, timeEntries, timesheets, userRoles } from '../../src/db/schema.js';
import type { ReportRequest } from '../../src/domain/report-request.js';
import { RIGHTS, type Right } from '../../src/domain/rights.js';
import type { Result } from '../../src/domain/result.js';
import { adminTimesheets } from '../../src/services/approval-views.js';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import { setAway } from '../../src/services/away.js';
import type { ServiceContext } from '../../src/services/context.js';
import { adjustCredits, creditsOverview } from '../../src/services/credits.js';
import { saveCustomer } from '../../src/services/customers.js';
import { type Operation, OPERATIONS } from '../../src/services/operations.js';
import { listEmployees } from '../../src/services/employees.js';
import { addPeriods } from '../../src/services/periods.js';
import { listProjects } from '../../src/services/projects.js';
import { prepareReport, reportFormChoices } from '../../src/services/reports.js';
import { runJobNow } from '../../src/services/scheduled-jobs.js';
import { saveSettings } from '../../src/services/settings.js';
import { invoiceExport } from '../../src/services/invoice-documents.js';
import { draftInvoices, listInvoices } from '../../src/services/invoices.js';
import { issueInvoice, voidInvoice } from '../../src/services/invoice-decisions.js';
import { auditTrail, createRole, deleteRole, setRoleRights, setUserRoles } from '../../src/services/security.js';
import { exportSetup } from '../../src/services/setup-export.js';
import { importSetup } from '../../src/services/setup-import.js';
import { deleteEntries, editEntry, entryForm, logTime } from '../../src/services/time-entries.js';
import { runningTimer } from '../../src/services/timers.js';
import { submitTimesheet, timesheetOverview } from '../../src/services/timesheets.js';
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
import { TestClock } from '../support/test-clock.js';

type Subject = {
  userId: string;
  roleIds: number[];
  entryToEdit: number;
  entryToDelete: number;
  approvalToDecide: number;
  scratchRoleId: number;
  index: number;
};
type Invoke = (
  ctx: ServiceContext,
  subject: Subject,
) => Promise<Result | { ok: false; errors: string[] } | { ok: true }>;

const clock = new TestClock('2026-11-25T12:00:00Z');
const entry = { projectCode: 'ACME-WEB', minutes: 30, description: 'work', billable: true } as const;
const reportRequest: ReportRequest = {
  kind: 'ar',
  level: 'summary',
  periods: [{ kind: 'starts', on: '2026-11-01' }],
  customerCodes: [],
  projectCodes: [],
  consultantUserIds: [],
};

/** One call per operation; a new operation without one fails the completeness test below. */
const INVOKE: Record<Operation, Invoke> = {
  logTime: (ctx) => logTime(ctx, { ...entry, source: 'command' }),
  editEntry: (ctx, s) => editEntry(ctx, { entryId: s.entryToEdit, ...entry, minutes: 45 }),
  deleteEntry: (ctx, s) => deleteEntries(ctx, { entryIds: [s.entryToDelete] }),
  openEntryForm: (ctx) => entryForm(ctx),
  runTimer: (ctx) => runningTimer(ctx),
  viewOwnTimesheet: (ctx) => timesheetOverview(ctx),
  submitTimesheet: (ctx) => submitTimesheet(ctx),
  decideTimesheet: (ctx, s) => decideTimesheet(ctx, { approvalId: s.approvalToDecide, decision: 'approve' }),
  markAway: (ctx) => setAway(ctx, { away: true }),
  importSetup: (ctx, s) => importSetup(ctx, `roles:\n  - { name: Imported-${s.index}, rights: [entry] }\n`),
  exportSetup: (ctx) => exportSetup(ctx),
  managePeriods: (ctx, s) =>
    addPeriods(ctx, { startsOn: `2030-0${s.index + 1}-01`, endsOn: `2030-0${s.index + 1}-28` }),
  manageRoles: (ctx, s) => setRoleRights(ctx, { roleId: s.scratchRoleId, rights: ['payable'] }),
  grantRoles: (ctx, s) => setUserRoles(ctx, { userId: s.userId, roleIds: s.roleIds }),
  manageTimesheets: (ctx) => adminTimesheets(ctx),
  manageProjects: (ctx) => listProjects(ctx),
  manageEmployees: (ctx) => listEmployees(ctx),
  manageCustomers: (ctx, s) =>
    saveCustomer(ctx, {
      code: `NEW-${s.index}`,
      name: 'New',
      currency: 'USD',
      billingMode: 'hourly',
      address: '',
      notes: '',
    }),
  viewAudit: (ctx) => auditTrail(ctx),
  manageSettings: (ctx, s) => saveSettings(ctx, { firm_name: `Firm ${s.index}` }),
  runScheduledJobs: (ctx) =>
    runJobNow(
      ctx,
      [{ name: 'check', description: 'a job that does nothing', settings: [] }],
      () => Promise.resolve([]),
      'check',
    ),
  // Nobody but administrators works for a prepaid customer here: an allowed caller gets "none".
  viewCredits: (ctx) => creditsOverview(ctx),
  manageCredits: (ctx, s) => adjustCredits(ctx, { customerCode: 'PREPAID', hours: '1', reason: `check ${s.index}` }),
  reportReceivable: (ctx) => prepareReport(ctx, { ...reportRequest, kind: 'ar' }),
  reportPayable: (ctx) => prepareReport(ctx, { ...reportRequest, kind: 'ap' }),
  openReports: (ctx) => reportFormChoices(ctx),
  // The invoice ids name no invoice: an allowed caller gets past authorisation to "gone".
  draftInvoices: (ctx) =>
    draftInvoices(ctx, { periods: [{ kind: 'starts', on: '2026-11-01' }], customerCodes: [], channel: undefined }),
  issueInvoices: (ctx) => issueInvoice(ctx, { invoiceId: 999_999 }),
  voidInvoices: (ctx) => voidInvoice(ctx, { invoiceId: 999_999, reason: 'rights walk' }),
  listInvoices: (ctx) => listInvoices(ctx, { status: undefined, customerCodes: [] }),
  exportInvoices: (ctx) => invoiceExport(ctx, { periods: [{ kind: 'starts', on: '2026-11-01' }] }),
};

let database: TestDatabase;
const subjects = new Map<Right | 'none', Subject>();

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  // Someone else keeps the security right, so no change here can lock the firm out.
  await addUser(db, 'UKEEPER', { rights: ['security'] });
  const acme = await addCustomer(db, 'ACME');
  await addCustomer(db, 'PREPAID', 'prepaid');
  const kinds: (Right | 'none')[] = [...RIGHTS, 'none'];
  const ids = kinds.map((kind) => `U${kind.toUpperCase()}`);
  // Each subject decides on the sheet of a consultant of their own.
  const others: number[] = [];
  for (const [i] of kinds.entries()) {
    await addUser(db, `UOTHER${i}`, { rights: ['entry'] });
    others.push(await addConsultant(db, `UOTHER${i}`));
  }
  const people: number[] = [...others];
  for (const [i, kind] of kinds.entries()) {
    await addUser(db, ids[i]!, kind === 'none' ? {} : { rights: [kind] });
    people.push(await addConsultant(db, ids[i]!));
  }
  const managerIds: number[] = [];
  for (const id of ids) managerIds.push(await addManager(db, id));
  await addProject(db, 'ACME-WEB', acme, { consultants: people, managers: managerIds });
  await addPeriod(db, '2026-11-01', '2026-11-30');

  for (const [index, kind] of kinds.entries()) {
    const userId = ids[index]!;
    const sheet = (
      await db
        .insert(timesheets)
        .values({ consultantId: people[others.length + index]!, periodId: 1 })
        .returning()
    )[0]!;
    const [toEdit, toDelete] = await db
      .insert(timeEntries)
      .values(
        [1, 2].map(() => ({
          timesheetId: sheet.id,
          projectId: 1,
          workDate: '2026-11-20',
          minutes: 30,
          description: 'seed',
          billable: true,
          source: 'command' as const,
          createdBy: userId,
        })),
      )
      .returning();
    // A submitted sheet of someone else, waiting for this user as its manager.
    const theirs = (
      await db.insert(timesheets).values({ consultantId: others[index]!, periodId: 1, status: 'submitted' }).returning()
    )[0]!;
    const [approval] = await db
      .insert(approvals)
      .values({ timesheetId: theirs.id, approverId: userId, route: 'manager', projectIds: [1] })
      .returning();
    const scratch = (
      await db
        .insert(roles)
        .values({ name: `Scratch-${index}`, rights: ['entry'] })
        .returning()
    )[0]!;
    const roleIds = (await db.select({ id: userRoles.roleId }).from(userRoles).where(eq(userRoles.userId, userId))).map(
      (r) => r.id,
    );
    subjects.set(kind, {
      userId,
      roleIds,
      entryToEdit: toEdit!.id,
      entryToDelete: toDelete!.id,
      approvalToDecide: approval!.id,
      scratchRoleId: scratch.id,
      index,
    });
  }
});
afterAll(async () => database.drop());

/**
 * Which rights open each operation, written out from the product's rights (the seed: "admin"
 * Administration/Setup, "entry" Consultant Functions, "approval" Manager Functions, "payable"
 * Accounts Payable, "receivable" Accounts Receivable, "security" Security Administration) and
 * DESIGN.md, so the walk checks the code against the product, not against itself.
 */
const EXPECTED: Record<Operation, readonly Right[]> = {
  logTime: ['entry'],
  editEntry: ['entry'],
  deleteEntry: ['entry'],
  openEntryForm: ['entry'],
  runTimer: ['entry'],
  viewOwnTimesheet: ['entry'],
  submitTimesheet: ['entry'],
  decideTimesheet: ['approval'],
  markAway: ['approval'],
  importSetup: ['admin'],
  exportSetup: ['admin'],
  managePeriods: ['admin'],
  manageTimesheets: ['admin'],
  manageProjects: ['admin'],
  manageEmployees: ['admin'],
  manageCustomers: ['admin'],
  manageSettings: ['admin'],
  runScheduledJobs: ['admin'],
  viewAudit: ['admin', 'security'],
  manageRoles: ['security'],
  grantRoles: ['security'],
  reportReceivable: ['receivable'],
  reportPayable: ['payable'],
  openReports: ['receivable', 'payable'],
  draftInvoices: ['receivable'],
  issueInvoices: ['receivable'],
  voidInvoices: ['receivable'],
  listInvoices: ['receivable'],
  exportInvoices: ['receivable'],
  viewCredits: ['entry', 'approval', 'admin'],
  manageCredits: ['admin'],
};

const REFUSALS = new Set(['forbidden', 'not_a_user']);
/** Answers that come after the rights check: the walk's invoice ids, periods and customers hold nothing to act on. */
const NOTHING_TO_ACT_ON = new Set(['gone', 'nothing_issued', 'none']);

/** Allowed, refused for want of a right, or something else went wrong (a failure either way). */
function outcomeOf(result: Awaited<ReturnType<Invoke>>): 'allowed' | 'refused' | 'unexpected' {
  if (result.ok) return 'allowed';
  if ('error' in result) {
    if (NOTHING_TO_ACT_ON.has(result.error.code)) return 'allowed';
    return REFUSALS.has(result.error.code) ? 'refused' : 'unexpected';
  }
  return result.errors.some((e) => /right/.test(e)) ? 'refused' : 'unexpected';
}

describe('the rights table', () => {
  it('has a call for every operation, and the expected table names every operation', () => {
    expect(Object.keys(INVOKE).sort()).toEqual(Object.keys(OPERATIONS).sort());
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(OPERATIONS).sort());
  });

  it('every operation allows exactly the rights the product gives it, for every role', async () => {
    const mismatches: string[] = [];
    for (const [kind, subject] of subjects) {
      for (const operation of Object.keys(OPERATIONS) as Operation[]) {
        const ctx = serviceContext(database.db, asUser(subject.userId), clock);
        const result = await INVOKE[operation](ctx, subject);
        const outcome = outcomeOf(result);
        const expected = kind !== 'none' && EXPECTED[operation].includes(kind) ? 'allowed' : 'refused';
        if (outcome !== expected) {
          mismatches.push(`${operation} with ${kind}: ${outcome} (${JSON.stringify(result).slice(0, 160)})`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('a refusal names the missing right and how to get it', async () => {
    const result = await logTime(serviceContext(database.db, asUser('UNONE'), clock), { ...entry, source: 'command' });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'forbidden',
        message:
          'You do not have the time entry right. An administrator can give you a role with it in /admin > Users.',
      },
    });
  });
});

describe('security rules', () => {
  it('the audit trail shows who acted, for whom, and what changed, filtered by user and entity', async () => {
    // A day of its own, so the trail holds only what this test does.
    const later = new TestClock('2027-01-04T12:00:00Z');
    const ctx = serviceContext(database.db, asUser('USECURITY'), later);
    const created = await createRole(ctx, { name: 'Audited', rights: ['entry'] });
    if (!created.ok) throw new Error(created.error.message);
    expect(await setRoleRights(ctx, { roleId: created.role.id, rights: ['payable'] })).toMatchObject({ ok: true });
    expect(
      await createRole(serviceContext(database.db, asUser('UKEEPER'), later), { name: 'Kept', rights: [] }),
    ).toMatchObject({ ok: true });
    await saveSettings(serviceContext(database.db, asUser('UADMIN'), later), { firm_name: 'Audited firm' });

    const trail = await auditTrail(ctx, { userId: 'USECURITY', entity: 'role', from: '2027-01-04' });
    // Newest first: the change of rights, then the creation; the keeper's role is someone else's act.
    expect(trail.ok && trail.rows.map((r) => r.action)).toEqual(['role.set_rights', 'role.create']);
    expect(trail.ok && trail.rows[1]).toMatchObject({
      actor: 'USECURITY',
      actingFor: null,
      entity: 'role',
      after: { name: 'Audited', rights: ['entry'] },
    });
    expect(trail.ok && trail.rows[0]).toMatchObject({ before: { rights: ['entry'] }, after: { rights: ['payable'] } });
    const everyone = await auditTrail(ctx, { from: '2027-01-04' });
    expect(everyone.ok && everyone.rows.map((r) => [r.actor, r.entity])).toEqual([
      ['UADMIN', 'settings'],
      ['UKEEPER', 'role'],
      ['USECURITY', 'role'],
      ['USECURITY', 'role'],
    ]);
    expect(await auditTrail(ctx, { from: '2030-01-01' })).toEqual({ ok: true, rows: [] });
  });

  it('nobody can take the last security right away', async () => {
    const ctx = serviceContext(database.db, asUser('USECURITY'), clock);
    const keeperRole = (await database.db.select().from(userRoles).where(eq(userRoles.userId, 'UKEEPER')))[0]!.roleId;
    expect(await setUserRoles(ctx, { userId: 'UKEEPER', roleIds: [] })).toMatchObject({ ok: true });
    // USECURITY is now the only holder: removing it from themselves is refused and changes nothing.
    const own = subjects.get('security')!;
    expect(await setUserRoles(ctx, { userId: 'USECURITY', roleIds: [] })).toMatchObject({
      ok: false,
      error: { code: 'last_security_holder' },
    });
    expect(await setRoleRights(ctx, { roleId: own.roleIds[0]!, rights: ['entry'] })).toMatchObject({
      ok: false,
      error: { code: 'last_security_holder' },
    });
    expect(await deleteRole(ctx, { roleId: own.roleIds[0]! })).toMatchObject({
      ok: false,
      error: { code: 'last_security_holder' },
    });
    expect(
      (await database.db.select().from(userRoles).where(eq(userRoles.userId, 'USECURITY'))).map((r) => r.roleId),
    ).toEqual(own.roleIds);
    await setUserRoles(ctx, { userId: 'UKEEPER', roleIds: [keeperRole] });
  });

  it('two holders taking the security right from each other at once: one succeeds, the other is refused', async () => {
    const security = serviceContext(database.db, asUser('USECURITY'), clock);
    const keeper = serviceContext(database.db, asUser('UKEEPER'), clock);
    const rolesOf = async (userId: string) =>
      (await database.db.select().from(userRoles).where(eq(userRoles.userId, userId))).map((r) => r.roleId);
    const before = { security: await rolesOf('USECURITY'), keeper: await rolesOf('UKEEPER') };
    const outcomes = await Promise.all([
      setUserRoles(security, { userId: 'UKEEPER', roleIds: [] }),
      setUserRoles(keeper, { userId: 'USECURITY', roleIds: [] }),
    ]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.find((o) => !o.ok)).toMatchObject({
      ok: false,
      error: { code: expect.stringMatching(/last_security_holder|forbidden/) },
    });
    const winner = outcomes[0].ok ? security : keeper;
    await setUserRoles(winner, { userId: 'USECURITY', roleIds: before.security });
    await setUserRoles(winner, { userId: 'UKEEPER', roleIds: before.keeper });
  });

  it('roles have unique names and known rights; the built-in role cannot change', async () => {
    const ctx = serviceContext(database.db, asUser('USECURITY'), clock);
    expect(await createRole(ctx, { name: 'Finance', rights: ['payable', 'receivable'] })).toMatchObject({
      ok: true,
      role: { name: 'Finance', rights: ['payable', 'receivable'] },
    });
    expect(await createRole(ctx, { name: 'finance', rights: [] })).toMatchObject({
      ok: false,
      error: { code: 'duplicate', field: 'name' },
    });
    expect(await createRole(ctx, { name: 'Wizards', rights: ['magic'] })).toMatchObject({
      ok: false,
      error: {
        code: 'unknown_right',
        message: expect.stringContaining('admin, entry, approval, payable, receivable, security'),
      },
    });
    const [builtin] = await database.db
      .insert(roles)
      .values({ name: 'Administrators', rights: [...RIGHTS], builtin: true })
      .returning();
    expect(await deleteRole(ctx, { roleId: builtin!.id })).toMatchObject({ ok: false, error: { code: 'builtin' } });
    expect(await setRoleRights(ctx, { roleId: builtin!.id, rights: [] })).toMatchObject({
      ok: false,
      error: { code: 'builtin' },
    });
  });
});
