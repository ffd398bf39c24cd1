/** /admin over HTTP: reporting periods and the role x right grid, from modal to database and back. */
import { asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import {
  auditLog,
  consultants,
  customers,
  delegates,
  employees,
  managers,
  projectConsultants,
  projectManagers,
  projects,
  reportingPeriods,
  roles,
  timesheets,
  userRoles,
  users,
} from '../../src/db/schema.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import { addConsultant, addManager, addUser } from '../support/fixtures.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

let h: AppHarness;
const ADMIN = 'U0ADMIN';

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-25T10:00:00Z', adminUserIds: [ADMIN] });
  h.fake.users.set(ADMIN, { id: ADMIN, real_name: 'Ada Admin', tz: 'UTC' });
  await addUser(h.database.db, 'U0PLAIN', { rights: ['entry'] });
});
afterAll(async () => h.stop());

type View = {
  private_metadata?: string;
  blocks: { type: string; block_id?: string; elements?: { options?: { value: string }[] }[] }[];
};
const inView = (viewId: string, values: Record<string, unknown> = {}) => ({
  type: 'view' as const,
  viewId,
  view: { state: { values } },
});
const lastCall = (method: string) => h.fake.callsTo(method).at(-1)!;
const dateValues = (starts: string, ends: string, cadence?: string) => ({
  starts: { starts_pick: { type: 'datepicker', selected_date: starts } },
  ends: { ends_pick: { type: 'datepicker', selected_date: ends } },
  ...(cadence ? { cadence: { cadence_select: { type: 'static_select', selected_option: { value: cadence } } } } : {}),
});

describe('/admin', () => {
  it('refuses someone without administration or security rights', async () => {
    const response = await h.slack.slashCommand({ command: '/admin', text: '', userId: 'U0PLAIN' });
    expect(JSON.stringify(response.body)).toContain(
      'Administration needs the administration, security, Accounts Receivable or Accounts Payable right',
    );
  });

  it('reporting periods: add one, generate a series, see an overlap inline, delete marked after a dialog with counts', async () => {
    await h.slack.slashCommand({ command: '/admin', text: '', userId: ADMIN });
    const home = (await h.fake.waitFor('views.open')).args.view as View;
    expectWithinSlackLimits('modal', home);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openPeriods,
      value: 'periods',
      container: inView('VHOME'),
    });
    await h.app.settled();
    expect(JSON.stringify(lastCall('views.push').args.view)).toContain('No reporting periods yet');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.addPeriod,
      value: 'add',
      container: inView('VPERIODS'),
    });
    await h.app.settled();
    const addForm = lastCall('views.push').args.view as View;
    const added = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.periodForm,
      privateMetadata: addForm.private_metadata!,
      values: dateValues('2026-11-01', '2026-11-30'),
    });
    expect(added.text).toBe('');
    await h.app.settled();
    expect(lastCall('views.update').args).toMatchObject({ view_id: 'VPERIODS' });
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain('Added 1 period.');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.generatePeriods,
      value: 'generate',
      container: inView('VPERIODS'),
    });
    await h.app.settled();
    const series = lastCall('views.push').args.view as View;
    const clash = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.periodForm,
      privateMetadata: series.private_metadata!,
      values: dateValues('2026-11-30', '2027-01-31', 'monthly'),
    });
    expect(clash.body).toMatchObject({
      response_action: 'errors',
      errors: { starts: expect.stringMatching(/overlaps the period Sun 1 Nov 2026 – Mon 30 Nov 2026/) },
    });
    const generated = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.periodForm,
      privateMetadata: series.private_metadata!,
      values: dateValues('2026-12-01', '2027-02-28', 'monthly'),
    });
    expect(generated.text).toBe('');
    const periods = await h.database.db.select().from(reportingPeriods).orderBy(asc(reportingPeriods.startsOn));
    expect(periods.map((p) => `${p.startsOn}/${p.endsOn}`)).toEqual([
      '2026-11-01/2026-11-30',
      '2026-12-01/2026-12-31',
      '2027-01-01/2027-01-31',
      '2027-02-01/2027-02-28',
    ]);

    // November has an open sheet; deleting it says so.
    await h.database.db
      .insert(timesheets)
      .values({ consultantId: await addConsultant(h.database.db, 'U0PLAIN'), periodId: periods[0]!.id });
    const marked = {
      admin_periods_marked_0: {
        admin_periods_marked: {
          type: 'checkboxes',
          selected_options: [{ value: String(periods[0]!.id) }, { value: String(periods[3]!.id) }],
        },
      },
    };
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.deletePeriods,
      value: 'delete',
      container: inView('VPERIODS', marked),
    });
    await h.app.settled();
    const dialog = lastCall('views.push').args.view as View;
    expect(JSON.stringify(dialog)).toContain(
      'Delete 2 reporting periods? This also deletes 1 open timesheet (0 entries).',
    );
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.deletePeriodsConfirm,
      privateMetadata: dialog.private_metadata!,
      values: {},
    });
    await h.app.settled();
    expect((await h.database.db.select().from(reportingPeriods)).map((p) => p.startsOn).sort()).toEqual([
      '2026-12-01',
      '2027-01-01',
    ]);
    expect(await h.database.db.select().from(timesheets)).toEqual([]);
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain('Deleted 2 periods.');
  });

  it('roles and rights: create a role, tick rights in the grid, delete it', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openRoles,
      value: 'roles',
      container: inView('VHOME'),
    });
    await h.app.settled();
    const grid = lastCall('views.push').args.view as View;
    expectWithinSlackLimits('modal', grid);
    expect(JSON.stringify(grid)).toContain('Administrators* · 1 member · built in');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.newRole,
      value: 'new',
      container: inView('VROLES'),
    });
    await h.app.settled();
    const form = lastCall('views.push').args.view as View;
    const values = (name: string) => ({
      role_name: { role_name_input: { type: 'plain_text_input', value: name } },
      role_rights: { role_rights_check: { type: 'checkboxes', selected_options: [{ value: 'payable' }] } },
    });
    const duplicate = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.roleForm,
      privateMetadata: form.private_metadata!,
      values: values('administrators'),
    });
    expect(duplicate.body).toMatchObject({
      response_action: 'errors',
      errors: { role_name: 'There is already a role called administrators.' },
    });
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.roleForm,
      privateMetadata: form.private_metadata!,
      values: values('Finance'),
    });
    await h.app.settled();
    const [finance] = await h.database.db.select().from(roles).where(eq(roles.name, 'Finance'));
    expect(finance).toMatchObject({ rights: ['payable'] });

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.roleRights,
      blockId: `role_${finance!.id}`,
      checkedOptions: ['payable', 'receivable'],
      container: inView('VROLES'),
    });
    await h.app.settled();
    expect((await h.database.db.select().from(roles).where(eq(roles.id, finance!.id)))[0]!.rights).toEqual([
      'payable',
      'receivable',
    ]);
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain('Saved Finance.');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.deleteRole,
      value: String(finance!.id),
      container: inView('VROLES'),
    });
    await h.app.settled();
    expect(await h.database.db.select().from(roles).where(eq(roles.id, finance!.id))).toEqual([]);

    // More roles than a page holds: the next page shows the rest, and a tick there stays on that page.
    const extra = await h.database.db
      .insert(roles)
      .values(
        Array.from({ length: 45 }, (_, i) => ({
          name: `Paged ${String(i).padStart(2, '0')}`,
          rights: ['entry' as const],
        })),
      )
      .returning();
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: `${ids.admin.rolesPage}_on`,
      value: '1',
      container: inView('VROLES'),
    });
    await h.app.settled();
    const second = lastCall('views.update').args.view as View;
    expectWithinSlackLimits('modal', second);
    const total = (await h.database.db.select().from(roles)).length;
    expect(JSON.stringify(second)).toContain(`Roles 41–${total} of ${total}.`);
    const onSecond = second.blocks.find((b) => b.block_id?.startsWith('role_'))!.block_id!;
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.roleRights,
      blockId: onSecond,
      checkedOptions: ['entry', 'approval'],
      container: { type: 'view', viewId: 'VROLES', view: { private_metadata: second.private_metadata } },
    });
    await h.app.settled();
    expect(
      (
        await h.database.db
          .select()
          .from(roles)
          .where(eq(roles.id, Number(onSecond.replace('role_', ''))))
      )[0]!.rights.sort(),
    ).toEqual(['approval', 'entry']);
    expect(JSON.parse((lastCall('views.update').args.view as View).private_metadata!)).toEqual({ page: 1 });
    await h.database.db.delete(roles).where(
      inArray(
        roles.id,
        extra.map((r) => r.id),
      ),
    );
  });

  it('users: tick roles in the user x role grid, set delegates, deactivate; the audit trail shows each change', async () => {
    const managerRole = (
      await h.database.db
        .insert(roles)
        .values({ name: 'Manager', rights: ['approval'] })
        .returning()
    )[0]!;
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openUsers,
      value: 'users',
      container: inView('VHOME'),
    });
    await h.app.settled();
    const grid = lastCall('views.push').args.view as View;
    expectWithinSlackLimits('modal', grid);
    expect(JSON.stringify(grid)).toContain('user_U0PLAIN');
    const plainRoles = (await h.database.db.select().from(userRoles).where(eq(userRoles.userId, 'U0PLAIN'))).map((r) =>
      String(r.roleId),
    );
    const inGrid = { type: 'view' as const, viewId: 'VUSERS', view: { private_metadata: grid.private_metadata } };

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.userRoles,
      blockId: 'user_U0PLAIN',
      checkedOptions: [...plainRoles, String(managerRole.id)],
      container: inGrid,
    });
    await h.app.settled();
    expect(
      (await h.database.db.select().from(userRoles).where(eq(userRoles.userId, 'U0PLAIN'))).map((r) => r.roleId),
    ).toContain(managerRole.id);
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain('Saved: Manager');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.userDelegates,
      blockId: 'user_U0PLAIN',
      selectedUsers: ['U0HELPER'],
      container: inView('VUSERS'),
    });
    await h.app.settled();
    expect(await h.database.db.select().from(delegates)).toMatchObject([
      { principalId: 'U0PLAIN', delegateId: 'U0HELPER' },
    ]);

    // The admin cannot take away the last security right (their own).
    const adminRoles = (await h.database.db.select().from(userRoles).where(eq(userRoles.userId, ADMIN))).map((r) =>
      String(r.roleId),
    );
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.userRoles,
      blockId: `user_${ADMIN}`,
      checkedOptions: [],
      container: inGrid,
    });
    await h.app.settled();
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain(
      'Nobody would have the security right any more',
    );
    expect(
      (await h.database.db.select().from(userRoles).where(eq(userRoles.userId, ADMIN))).map((r) => String(r.roleId)),
    ).toEqual(adminRoles);

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.deactivateUser,
      value: 'U0HELPER',
      container: inView('VUSERS'),
    });
    await h.app.settled();
    expect((await h.database.db.select().from(users).where(eq(users.id, 'U0HELPER')))[0]).toMatchObject({
      active: false,
    });

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openAudit,
      value: 'audit',
      container: inView('VHOME'),
    });
    await h.app.settled();
    const audit = JSON.stringify(lastCall('views.push').args.view);
    expect(audit).toContain('`user.deactivate` user U0HELPER');
    expect(audit).toContain('`user.set_delegates` user U0PLAIN');
    expect(audit).toContain('[] → [\\"U0HELPER\\"]');
    expect((await h.database.db.select().from(auditLog).where(eq(auditLog.action, 'user.set_roles'))).length).toBe(1);

    // Filtered to a day with no changes, then by entity.
    const auditView = { type: 'view' as const, viewId: 'VAUDIT', view: { private_metadata: '{}' } };
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.auditFrom,
      selectedDate: '2030-01-01',
      container: auditView,
    });
    await h.app.settled();
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain('No changes match.');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.auditEntity,
      selectedOption: 'role',
      container: auditView,
    });
    await h.app.settled();
    const byEntity = JSON.stringify(lastCall('views.update').args.view);
    expect(byEntity).toContain('`role.');
    expect(byEntity).not.toContain('`user.deactivate`');
  });

  it('users with more than ten roles: move to the second role page, tick a role there; the roles on the first page are kept', async () => {
    type Element = {
      action_id?: string;
      value?: string;
      text?: { text: string };
      options?: { value: string }[];
      initial_options?: { value: string }[];
    };
    type GridView = { private_metadata: string; blocks: { type: string; block_id?: string; elements?: Element[] }[] };
    const element = (view: GridView, actionId: string, blockId?: string) =>
      view.blocks
        .filter((b) => blockId === undefined || b.block_id === blockId)
        .flatMap((b) => b.elements ?? [])
        .find((e) => e.action_id === actionId)!;
    const { db } = h.database;
    await db.insert(roles).values(
      Array.from({ length: 12 }, (_, i) => ({
        name: `Team ${String(i + 1).padStart(2, '0')}`,
        rights: ['entry' as const],
      })),
    );
    const roleCount = (await db.select().from(roles)).length;
    expect(roleCount).toBeGreaterThan(10);
    const plainRoles = async () =>
      (await db.select().from(userRoles).where(eq(userRoles.userId, 'U0PLAIN')))
        .map((r) => r.roleId)
        .sort((a, b) => a - b);
    const before = await plainRoles();
    const [manager] = await db.select().from(roles).where(eq(roles.name, 'Manager'));
    expect(before).toContain(manager!.id);

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openUsers,
      value: 'users',
      container: inView('VHOME'),
    });
    await h.app.settled();
    const first = lastCall('views.push').args.view as GridView;
    expectWithinSlackLimits('modal', first);
    expect(JSON.stringify(first)).toContain(`Roles 1–10 of ${roleCount}`);
    expect(element(first, ids.admin.userRoles, 'user_U0PLAIN').options!.map((o) => Number(o.value))).toContain(
      manager!.id,
    );
    const next = element(first, `${ids.admin.usersPage}_roles_on`);
    expect(next.text!.text).toBe(`Roles 11–${roleCount} →`);

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: next.action_id!,
      value: next.value!,
      container: { type: 'view', viewId: 'VUSERS', view: { private_metadata: first.private_metadata } },
    });
    await h.app.settled();
    const second = lastCall('views.update').args.view as GridView;
    expectWithinSlackLimits('modal', second);
    expect(JSON.parse(second.private_metadata)).toMatchObject({ page: 0, rolePage: 1 });
    expect(JSON.stringify(second)).toContain(`Roles 11–${roleCount} of ${roleCount}`);
    expect(element(second, `${ids.admin.usersPage}_roles_back`).text!.text).toBe('← Roles 1–10');

    // Slack sends the group's ticks after the click: what was ticked on this page, plus the new one.
    const checkboxes = element(second, ids.admin.userRoles, 'user_U0PLAIN');
    const tickedHere = (checkboxes.initial_options ?? []).map((o) => o.value);
    const added = checkboxes.options!.map((o) => Number(o.value)).find((id) => !before.includes(id))!;
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.userRoles,
      blockId: 'user_U0PLAIN',
      checkedOptions: [...tickedHere, String(added)],
      container: { type: 'view', viewId: 'VUSERS', view: { private_metadata: second.private_metadata } },
    });
    await h.app.settled();
    expect(await plainRoles()).toEqual([...before, added].sort((a, b) => a - b));
    const saved = lastCall('views.update').args.view as GridView;
    expect(JSON.stringify(saved)).toContain('Saved: ');
    expect(JSON.stringify(saved)).toContain(`Roles 11–${roleCount} of ${roleCount}`);
    expect(element(saved, ids.admin.userRoles, 'user_U0PLAIN').initial_options!.map((o) => Number(o.value))).toContain(
      added,
    );
  });

  it('customers: create with inline errors, edit, and delete marked after a dialog that counts what goes', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openCustomers,
      value: 'customers',
      container: inView('VHOME'),
    });
    await h.app.settled();
    expect(JSON.stringify(lastCall('views.push').args.view)).toContain('No customers yet.');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.newCustomer,
      value: 'new',
      container: inView('VCUST'),
    });
    await h.app.settled();
    const form = lastCall('views.push').args.view as View;
    expectWithinSlackLimits('modal', form);
    const values = (code: string, currency = 'EUR') => ({
      customer_code: { value: { type: 'plain_text_input', value: code } },
      customer_name: { value: { type: 'plain_text_input', value: 'Initech' } },
      customer_currency: { value: { type: 'plain_text_input', value: currency } },
      customer_billing: { value: { type: 'static_select', selected_option: { value: 'prepaid' } } },
      customer_notes: { value: { type: 'plain_text_input', value: 'TPS' } },
    });
    const bad = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.customerForm,
      privateMetadata: form.private_metadata!,
      values: values('initech', 'euro'),
    });
    expect(bad.body).toMatchObject({
      response_action: 'errors',
      errors: { customer_currency: expect.stringMatching(/3-letter ISO 4217 currency/) },
    });
    expect(
      (
        await h.slack.viewSubmission({
          userId: ADMIN,
          callbackId: ids.admin.customerForm,
          privateMetadata: form.private_metadata!,
          values: values('initech'),
        })
      ).text,
    ).toBe('');
    await h.app.settled();
    const [initech] = await h.database.db.select().from(customers).where(eq(customers.code, 'INITECH'));
    expect(initech).toMatchObject({ name: 'Initech', currency: 'EUR', billingMode: 'prepaid', notes: 'TPS' });
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain('Saved INITECH.');

    const marked = {
      admin_customers_marked_0: {
        admin_customers_marked: { type: 'checkboxes', selected_options: [{ value: String(initech!.id) }] },
      },
    };
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.deleteCustomers,
      value: 'delete',
      container: inView('VCUST', marked),
    });
    await h.app.settled();
    const dialog = lastCall('views.push').args.view as View;
    expect(JSON.stringify(dialog)).toContain('Delete 1 customer and 0 projects?');
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.deleteCustomersConfirm,
      privateMetadata: dialog.private_metadata!,
      values: {},
    });
    await h.app.settled();
    expect(await h.database.db.select().from(customers).where(eq(customers.id, initech!.id))).toEqual([]);
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain('Deleted 1, archived 0.');
  });

  it('projects: create with a customer and a team, refuse a duplicate code inline, edit the team', async () => {
    const { db } = h.database;
    await db.insert(customers).values({ code: 'ACME', name: 'Acme', currency: 'USD' });
    const [acme] = await db.select().from(customers).where(eq(customers.code, 'ACME'));
    await addUser(db, 'U0ALICE2');
    await addUser(db, 'U0BOB2');
    const alice = await addConsultant(db, 'U0ALICE2');
    const bob = await addManager(db, 'U0BOB2');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openProjects,
      value: 'projects',
      container: inView('VHOME'),
    });
    await h.app.settled();
    expect(JSON.stringify(lastCall('views.push').args.view)).toContain('No projects yet.');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.newProject,
      value: 'new',
      container: inView('VPROJ'),
    });
    await h.app.settled();
    const form = lastCall('views.push').args.view as View;
    expectWithinSlackLimits('modal', form);
    const values = (code: string, team: { managers: number[]; consultants: number[] }) => ({
      project_code: { value: { type: 'plain_text_input', value: code } },
      project_customer: { value: { type: 'static_select', selected_option: { value: String(acme!.id) } } },
      project_name: { value: { type: 'plain_text_input', value: 'Website' } },
      project_active: { value: { type: 'checkboxes', selected_options: [{ value: 'active' }] } },
      project_managers: {
        value: { type: 'multi_static_select', selected_options: team.managers.map((id) => ({ value: String(id) })) },
      },
      project_consultants: {
        value: { type: 'multi_static_select', selected_options: team.consultants.map((id) => ({ value: String(id) })) },
      },
    });
    expect(
      (
        await h.slack.viewSubmission({
          userId: ADMIN,
          callbackId: ids.admin.projectForm,
          privateMetadata: form.private_metadata!,
          values: values('acme-web', { managers: [bob], consultants: [alice] }),
        })
      ).text,
    ).toBe('');
    await h.app.settled();
    const [web] = await db.select().from(projects).where(eq(projects.code, 'ACME-WEB'));
    expect(web).toMatchObject({ customerId: acme!.id, name: 'Website', active: true });
    expect(await db.select().from(projectManagers).where(eq(projectManagers.projectId, web!.id))).toMatchObject([
      { managerId: bob },
    ]);
    expect(await db.select().from(projectConsultants).where(eq(projectConsultants.projectId, web!.id))).toMatchObject([
      { consultantId: alice },
    ]);

    const again = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.projectForm,
      privateMetadata: form.private_metadata!,
      values: values('ACME-WEB', { managers: [], consultants: [] }),
    });
    expect(again.body).toMatchObject({
      response_action: 'errors',
      errors: { project_code: 'There is already a project ACME-WEB.' },
    });

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openProject,
      selectedOption: String(web!.id),
      container: inView('VPROJ'),
    });
    await h.app.settled();
    const page = lastCall('views.update').args.view as View;
    expectWithinSlackLimits('modal', page);
    expect(JSON.stringify(page)).toContain('Customer: ACME · Acme');
    expect(JSON.stringify(page)).toContain('• U0BOB2');
    const onPage = {
      type: 'view' as const,
      viewId: 'VPROJ',
      view: { callback_id: ids.admin.projectPage, private_metadata: page.private_metadata },
    };
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.editProjectDetails,
      value: String(web!.id),
      container: onPage,
    });
    await h.app.settled();
    const edit = lastCall('views.push').args.view as View;
    expect(JSON.stringify(edit)).toContain('"initial_value":"ACME-WEB"');
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.projectForm,
      privateMetadata: edit.private_metadata!,
      values: values('ACME-WEB', { managers: [], consultants: [alice] }),
    });
    await h.app.settled();
    expect(await db.select().from(projectManagers).where(eq(projectManagers.projectId, web!.id))).toEqual([]);
    const saved = JSON.stringify(lastCall('views.update').args.view);
    expect(saved).toContain('Saved ACME-WEB.');
    expect(saved).toContain('_None: its time goes to administrators for approval._');

    // Alice's rates on this project: a price override, cost from her default.
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.projectRates,
      value: String(web!.id),
      container: onPage,
    });
    await h.app.settled();
    const rates = lastCall('views.push').args.view as View;
    expectWithinSlackLimits('modal', rates);
    const rateValues = (price: string) => ({
      rates_consultant: { value: { type: 'static_select', selected_option: { value: String(alice) } } },
      rates_cost: { value: { type: 'plain_text_input', value: null } },
      rates_price: { value: { type: 'plain_text_input', value: price } },
    });
    const bad = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.ratesForm,
      privateMetadata: rates.private_metadata!,
      values: rateValues('150.001'),
    });
    expect(bad.body).toMatchObject({
      response_action: 'errors',
      errors: { rates_price: expect.stringMatching(/not an amount/) },
    });
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.ratesForm,
      privateMetadata: rates.private_metadata!,
      values: rateValues('150.10'),
    });
    await h.app.settled();
    expect(await db.select().from(projectConsultants).where(eq(projectConsultants.projectId, web!.id))).toMatchObject([
      { consultantId: alice, costRateCents: null, priceRateCents: 15010 },
    ]);
    const withRates = JSON.stringify(lastCall('views.update').args.view);
    expect(withRates).toContain('Rates saved.');
    expect(withRates).toContain('• U0ALICE2 · cost $70.00 (default) · price $150.10');

    // The page links to its customer and its people.
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openProjectCustomer,
      value: String(acme!.id),
      container: onPage,
    });
    await h.app.settled();
    expect((lastCall('views.update').args.view as { callback_id: string }).callback_id).toBe(ids.admin.customerPage);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openProjectEmployee,
      selectedOption: String(alice),
      container: onPage,
    });
    await h.app.settled();
    expect((lastCall('views.update').args.view as { callback_id: string }).callback_id).toBe(ids.admin.employeePage);
  });

  it('employees: create from a Slack member as a consultant with exact rates, then make them a manager instead', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openEmployees,
      value: 'employees',
      container: inView('VHOME'),
    });
    await h.app.settled();
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.newEmployee,
      value: 'new',
      container: inView('VEMP'),
    });
    await h.app.settled();
    const form = lastCall('views.push').args.view as View;
    expectWithinSlackLimits('modal', form);
    const values = (roles: string[], cost?: string, price?: string) => ({
      employee_user: { value: { type: 'users_select', selected_user: 'U0CARLA' } },
      employee_name: { value: { type: 'plain_text_input', value: 'Carla Diaz' } },
      employee_roles: { value: { type: 'checkboxes', selected_options: roles.map((value) => ({ value })) } },
      employee_cost: { value: { type: 'plain_text_input', value: cost ?? null } },
      employee_price: { value: { type: 'plain_text_input', value: price ?? null } },
    });
    const missing = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.employeeForm,
      privateMetadata: form.private_metadata!,
      values: values(['consultant'], '70.10'),
    });
    expect(missing.body).toMatchObject({
      response_action: 'errors',
      errors: { employee_price: expect.stringMatching(/default price rate/) },
    });
    const badRate = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.employeeForm,
      privateMetadata: form.private_metadata!,
      values: values(['consultant'], '70.10', '1,40'),
    });
    expect(badRate.body).toMatchObject({
      response_action: 'errors',
      errors: { employee_price: expect.stringMatching(/not an amount/) },
    });
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.employeeForm,
      privateMetadata: form.private_metadata!,
      values: values(['consultant'], '70.10', '140.10'),
    });
    await h.app.settled();
    const [carla] = await h.database.db.select().from(employees).where(eq(employees.userId, 'U0CARLA'));
    expect(
      (await h.database.db.select().from(consultants).where(eq(consultants.employeeId, carla!.id)))[0],
    ).toMatchObject({ defaultCostRateCents: 7010, defaultPriceRateCents: 14010, archivedAt: null });
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain('Carla Diaz · consultant 70.10 / 140.10');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openEmployee,
      selectedOption: String(carla!.id),
      container: inView('VEMP'),
    });
    await h.app.settled();
    expect(JSON.stringify(lastCall('views.update').args.view)).toContain(
      'Consultant: cost 70.10, price 140.10 USD per hour by default',
    );
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.editEmployeeDetails,
      value: String(carla!.id),
      container: inView('VEMP'),
    });
    await h.app.settled();
    const edit = lastCall('views.push').args.view as View;
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.employeeForm,
      privateMetadata: edit.private_metadata!,
      values: values(['manager']),
    });
    await h.app.settled();
    expect(
      (await h.database.db.select().from(consultants).where(eq(consultants.employeeId, carla!.id)))[0],
    ).toMatchObject({ archivedAt: expect.any(Date) });
    expect(await h.database.db.select().from(managers).where(eq(managers.employeeId, carla!.id))).toMatchObject([
      { archivedAt: null },
    ]);
  });
});
