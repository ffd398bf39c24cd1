/** /admin record pages over HTTP: a customer's projects, an employee's projects, deleting employees. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import {
  creditLedger,
  customers,
  employees,
  projectConsultants,
  projectManagers,
  projects,
  timeEntries,
  timesheets,
} from '../../src/db/schema.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import { addConsultant, addCustomer, addManager, addPeriod, addProject, addUser } from '../support/fixtures.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

let h: AppHarness;
const ADMIN = 'U0ADMIN';

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-25T10:00:00Z', adminUserIds: [ADMIN] });
  h.fake.users.set(ADMIN, { id: ADMIN, real_name: 'Ada Admin', tz: 'UTC' });
  await addUser(h.database.db, 'U0CLERK', { rights: ['entry'] });
});
afterAll(async () => h.stop());

type View = { callback_id?: string; private_metadata?: string; blocks: unknown[] };
const lastCall = (method: string) => h.fake.callsTo(method).at(-1)!;
const lastView = (method: string) => lastCall(method).args.view as View;
/** A click inside a view Slack showed: the app reads the view's callback id, metadata and ticked boxes. */
const inView = (view: View, viewId: string, values: Record<string, unknown> = {}) => ({
  type: 'view' as const,
  viewId,
  view: { callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values } },
});
const ticked = (actionId: string, values: string[]) => ({
  [`${actionId}_0`]: { [actionId]: { type: 'checkboxes', selected_options: values.map((value) => ({ value })) } },
});
const entry = (projectId: number, timesheetId: number, createdBy: string) => ({
  timesheetId,
  projectId,
  workDate: '2026-11-10',
  minutes: 90,
  description: 'work',
  billable: true,
  source: 'command' as const,
  createdBy,
});

describe('/admin record pages', () => {
  it("a customer's page: add a project with the customer already chosen, then remove marked projects after a dialog that counts what goes", async () => {
    const { db } = h.database;
    await addUser(db, 'U0PIA');
    const pia = await addConsultant(db, 'U0PIA');
    const globex = await addCustomer(db, 'GLOBEX', 'prepaid');
    await db
      .insert(creditLedger)
      .values({ customerId: globex, minutes: 600, kind: 'purchase', occurredOn: '2026-11-01' });
    const ops = await addProject(db, 'GLOBEX-OPS', globex, { consultants: [pia] });
    const period = await addPeriod(db, '2026-11-01', '2026-11-30');
    const sheet = (await db.insert(timesheets).values({ consultantId: pia, periodId: period }).returning())[0]!;
    await db.insert(timeEntries).values([entry(ops, sheet.id, 'U0PIA'), entry(ops, sheet.id, 'U0PIA')]);

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openCustomers,
      value: 'customers',
      container: { type: 'view', viewId: 'VHOME' },
    });
    await h.app.settled();
    const list = lastView('views.push');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openCustomer,
      selectedOption: String(globex),
      container: inView(list, 'VCUST'),
    });
    await h.app.settled();
    const page = lastView('views.update');
    expectWithinSlackLimits('modal', page);
    expect(lastCall('views.update').args.view_id).toBe('VCUST');
    expect(page.callback_id).toBe(ids.admin.customerPage);
    expect(JSON.stringify(page)).toContain('GLOBEX-OPS · GLOBEX-OPS project · 0 managers · 1 consultant');
    expect(JSON.stringify(page)).toContain('GLOBEX Inc: 10h of prepaid time left');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.newCustomerProject,
      value: String(globex),
      container: inView(page, 'VCUST'),
    });
    await h.app.settled();
    const form = lastView('views.push');
    expect(JSON.stringify(form)).toContain(
      `"initial_option":{"text":{"type":"plain_text","text":"GLOBEX · GLOBEX Inc"},"value":"${globex}"}`,
    );
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.projectForm,
      privateMetadata: form.private_metadata!,
      values: {
        project_code: { value: { type: 'plain_text_input', value: 'globex-hr' } },
        project_customer: { value: { type: 'static_select', selected_option: { value: String(globex) } } },
        project_name: { value: { type: 'plain_text_input', value: 'HR portal' } },
        project_description: { value: { type: 'plain_text_input', value: 'Hiring workflow' } },
        project_address: { value: { type: 'plain_text_input', value: 'Cypress Creek 1' } },
        project_notes: { value: { type: 'plain_text_input', value: 'Badge needed on site' } },
        project_active: { value: { type: 'checkboxes', selected_options: [{ value: 'active' }] } },
      },
    });
    await h.app.settled();
    const [hr] = await db.select().from(projects).where(eq(projects.code, 'GLOBEX-HR'));
    expect(hr).toMatchObject({
      customerId: globex,
      name: 'HR portal',
      description: 'Hiring workflow',
      address: 'Cypress Creek 1',
      notes: 'Badge needed on site',
      active: true,
    });
    const afterSave = lastView('views.update');
    expect(lastCall('views.update').args.view_id).toBe('VCUST');
    expect(afterSave.callback_id).toBe(ids.admin.customerPage);
    expect(JSON.stringify(afterSave)).toContain('Saved GLOBEX-HR.');
    expect(JSON.stringify(afterSave)).toContain('GLOBEX-HR · HR portal');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.removeProjects,
      value: String(globex),
      container: inView(afterSave, 'VCUST', ticked(ids.admin.markedProjects, [String(ops), String(hr!.id)])),
    });
    await h.app.settled();
    const dialog = lastView('views.push');
    expect(JSON.stringify(dialog)).toContain('Remove 2 projects? This also removes 2 entries from 1 open timesheet.');
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.removeProjectsConfirm,
      privateMetadata: dialog.private_metadata!,
      values: {},
    });
    await h.app.settled();
    expect(await db.select().from(projects).where(eq(projects.customerId, globex))).toEqual([]);
    expect(await db.select().from(timeEntries).where(eq(timeEntries.timesheetId, sheet.id))).toEqual([]);
    const emptied = lastView('views.update');
    expect(JSON.stringify(emptied)).toContain('Removed 2, archived 0.');
    expect(JSON.stringify(emptied)).toContain('No projects yet.');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.backToCustomers,
      value: 'customers',
      container: inView(emptied, 'VCUST'),
    });
    await h.app.settled();
    expect(lastView('views.update').callback_id).toBe(ids.admin.customersModal);
    expect((await db.select().from(customers).where(eq(customers.id, globex)))[0]).toMatchObject({ archivedAt: null });
  });

  it("an employee's page: assign to a project as consultant with rates and as manager, open a project and come back, take them off marked projects", async () => {
    const { db } = h.database;
    await addUser(db, 'U0NED');
    const ned = await addConsultant(db, 'U0NED');
    await addManager(db, 'U0NED');
    const initech = await addCustomer(db, 'INITECH');
    const tps = await addProject(db, 'INITECH-TPS', initech);
    const web = await addProject(db, 'INITECH-WEB', initech);

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openEmployees,
      value: 'employees',
      container: { type: 'view', viewId: 'VHOME' },
    });
    await h.app.settled();
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openEmployee,
      selectedOption: String(ned),
      container: inView(lastView('views.push'), 'VEMP'),
    });
    await h.app.settled();
    const page = lastView('views.update');
    expectWithinSlackLimits('modal', page);
    expect(JSON.stringify(page)).toContain('Not on any project yet.');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.assignToProject,
      value: String(ned),
      container: inView(page, 'VEMP'),
    });
    await h.app.settled();
    const form = lastView('views.push');
    expectWithinSlackLimits('modal', form);
    expect(JSON.stringify(form)).toContain('Empty: their default, 140.00 USD (only for customers billed in USD).');
    const assign = (projectId: number, as: string, cost: string | null, price: string | null) => ({
      assign_project: { value: { type: 'static_select', selected_option: { value: String(projectId) } } },
      assign_as: { value: { type: 'radio_buttons', selected_option: { value: as } } },
      assign_cost: { value: { type: 'plain_text_input', value: cost } },
      assign_price: { value: { type: 'plain_text_input', value: price } },
    });
    const bad = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.assignForm,
      privateMetadata: form.private_metadata!,
      values: assign(tps, 'consultant', '-5', null),
    });
    expect(bad.body).toMatchObject({ response_action: 'errors', errors: { assign_cost: expect.any(String) } });
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.assignForm,
      privateMetadata: form.private_metadata!,
      values: assign(tps, 'consultant', '85.25', null),
    });
    await h.app.settled();
    expect(await db.select().from(projectConsultants).where(eq(projectConsultants.projectId, tps))).toMatchObject([
      { consultantId: ned, costRateCents: 8525, priceRateCents: null },
    ]);
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.assignForm,
      privateMetadata: form.private_metadata!,
      values: assign(web, 'manager', null, null),
    });
    await h.app.settled();
    expect(await db.select().from(projectManagers).where(eq(projectManagers.projectId, web))).toMatchObject([
      { managerId: ned },
    ]);
    const assigned = lastView('views.update');
    expect(lastCall('views.update').args.view_id).toBe('VEMP');
    expect(JSON.stringify(assigned)).toContain('Assigned to INITECH-WEB as manager.');
    expect(JSON.stringify(assigned)).toContain(
      'INITECH-TPS · INITECH-TPS project · consultant · cost $85.25, price default',
    );
    expect(JSON.stringify(assigned)).toContain('INITECH-WEB · INITECH-WEB project · manager');

    // Opening a project from the employee's page shows the project's page, which links back to them.
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openProject,
      selectedOption: String(tps),
      container: inView(assigned, 'VEMP'),
    });
    await h.app.settled();
    const projectPage = lastView('views.update');
    expect(projectPage.callback_id).toBe(ids.admin.projectPage);
    expect(JSON.stringify(projectPage)).toContain('• U0NED · cost $85.25 · price $140.00 (default)');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openProjectEmployee,
      selectedOption: String(ned),
      container: inView(projectPage, 'VEMP'),
    });
    await h.app.settled();
    const back = lastView('views.update');
    expect(back.callback_id).toBe(ids.admin.employeePage);

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.removeAssignments,
      value: String(ned),
      container: inView(back, 'VEMP', ticked(ids.admin.markedAssignments, [`consultant:${tps}`, `manager:${web}`])),
    });
    await h.app.settled();
    // Archived with its override, for the time Ned logged there.
    expect(await db.select().from(projectConsultants).where(eq(projectConsultants.consultantId, ned))).toMatchObject([
      { costRateCents: 8525, archivedAt: expect.any(Date) },
    ]);
    expect(await db.select().from(projectManagers).where(eq(projectManagers.managerId, ned))).toEqual([]);
    expect(JSON.stringify(lastView('views.update'))).toContain('Taken off 2 projects; their logged time stays.');
  });

  it('deletes marked employees after a dialog that counts their open timesheets; one with approved time is archived', async () => {
    const { db } = h.database;
    await addUser(db, 'U0OLGA');
    await addUser(db, 'U0PETE');
    const olga = await addConsultant(db, 'U0OLGA');
    const pete = await addConsultant(db, 'U0PETE');
    const project = await addProject(db, 'UMBRELLA-1', await addCustomer(db, 'UMBRELLA'), {
      consultants: [olga, pete],
    });
    const october = await addPeriod(db, '2026-10-01', '2026-10-31');
    const september = await addPeriod(db, '2026-09-01', '2026-09-30');
    const olgaOpen = (await db.insert(timesheets).values({ consultantId: olga, periodId: october }).returning())[0]!;
    const peteOpen = (
      await db.insert(timesheets).values({ consultantId: pete, periodId: october, status: 'submitted' }).returning()
    )[0]!;
    const peteApproved = (
      await db.insert(timesheets).values({ consultantId: pete, periodId: september, status: 'approved' }).returning()
    )[0]!;
    await db
      .insert(timeEntries)
      .values([
        entry(project, olgaOpen.id, 'U0OLGA'),
        entry(project, peteOpen.id, 'U0PETE'),
        entry(project, peteOpen.id, 'U0PETE'),
        entry(project, peteApproved.id, 'U0PETE'),
      ]);

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openEmployees,
      value: 'employees',
      container: { type: 'view', viewId: 'VHOME' },
    });
    await h.app.settled();
    const list = lastView('views.push');
    expectWithinSlackLimits('modal', list);
    // One dialog carries at most 200 marked rows.
    const many = Array.from({ length: 201 }, (_, i) => String(100000 + i));
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.deleteEmployees,
      value: 'delete',
      container: inView(list, 'VEMP', ticked(ids.admin.markedEmployees, many)),
    });
    await h.app.settled();
    expect(JSON.stringify(lastView('views.update'))).toContain(
      'Mark at most 200 employees at a time (you marked 201).',
    );

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.deleteEmployees,
      value: 'delete',
      container: inView(list, 'VEMP', ticked(ids.admin.markedEmployees, [String(olga), String(pete)])),
    });
    await h.app.settled();
    const dialog = lastView('views.push');
    expect(JSON.stringify(dialog)).toContain(
      'Delete 2 employees? This also removes 2 open or submitted timesheets (3 entries). U0PETE has approved or rejected timesheets: archived instead, kept in reports.',
    );
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.deleteEmployeesConfirm,
      privateMetadata: dialog.private_metadata!,
      values: {},
    });
    await h.app.settled();
    expect(await db.select().from(employees).where(eq(employees.id, olga))).toEqual([]);
    expect((await db.select().from(employees).where(eq(employees.id, pete)))[0]).toMatchObject({
      archivedAt: expect.any(Date),
    });
    expect((await db.select().from(timesheets).where(eq(timesheets.consultantId, pete))).map((t) => t.status)).toEqual([
      'approved',
    ]);
    const after = JSON.stringify(lastView('views.update'));
    expect(after).toContain('Deleted 1, archived 1.');
    expect(after).not.toContain('U0PETE ·');

    // The audit trail, filtered to employees, shows who went and how.
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.auditEntity,
      selectedOption: 'employee',
      container: { type: 'view', viewId: 'VAUDIT', view: { private_metadata: '{}' } },
    });
    await h.app.settled();
    const audit = JSON.stringify(lastView('views.update'));
    expect(audit).toContain(`\`employee.delete\` employee ${olga}`);
    expect(audit).toContain(`\`employee.archive\` employee ${pete}`);
    expect(audit).not.toContain('`project.');
  });

  it("a customer's page: Edit details opens the form filled in; saving it comes back to that customer's page", async () => {
    const { db } = h.database;
    const raincoat = await addCustomer(db, 'SOUTHWIND');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openCustomer,
      selectedOption: String(raincoat),
      container: { type: 'view', viewId: 'VCUSTPAGE' },
    });
    await h.app.settled();
    const page = lastView('views.update');
    expect(page.callback_id).toBe(ids.admin.customerPage);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.editCustomerDetails,
      value: String(raincoat),
      container: inView(page, 'VCUSTPAGE'),
    });
    await h.app.settled();
    const form = lastView('views.push');
    expect(form.callback_id).toBe(ids.admin.customerForm);
    expect(JSON.stringify(form)).toContain('SOUTHWIND Inc');
    const c = ids.admin.customerField;
    const input = (value: string) => ({ value: { type: 'plain_text_input', value } });
    const saved = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.customerForm,
      privateMetadata: form.private_metadata!,
      values: {
        [c.code]: input('SOUTHWIND'),
        [c.name]: input('Southwind Corporation'),
        [c.currency]: input('USD'),
        [c.billing]: { value: { type: 'static_select', selected_option: { value: 'hourly' } } },
      },
    });
    expect(saved.text).toBe('');
    await h.app.settled();
    expect((await db.select().from(customers).where(eq(customers.id, raincoat)))[0]!.name).toBe(
      'Southwind Corporation',
    );
    expect(lastCall('views.update').args.view_id).toBe('VCUSTPAGE');
    const back = lastView('views.update');
    expect(back.callback_id).toBe(ids.admin.customerPage);
    expect(JSON.stringify(back)).toContain('Saved SOUTHWIND.');
  });

  it("an employee's page: take them off the one marked project, saying so in the singular", async () => {
    const { db } = h.database;
    await addUser(db, 'U0OTTO');
    const otto = await addConsultant(db, 'U0OTTO');
    const project = await addProject(db, 'OTTO-ONE', await addCustomer(db, 'OTTOCO'), { consultants: [otto] });
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.removeAssignments,
      value: String(otto),
      container: {
        type: 'view',
        viewId: 'VEMP',
        view: {
          callback_id: ids.admin.employeePage,
          private_metadata: JSON.stringify({ employeeId: otto }),
          state: { values: ticked(ids.admin.markedAssignments, [`consultant:${project}`]) },
        },
      },
    });
    await h.app.settled();
    // Archived, not deleted: the time they logged there keeps its rates.
    expect(await db.select().from(projectConsultants).where(eq(projectConsultants.consultantId, otto))).toMatchObject([
      { projectId: project, archivedAt: expect.any(Date) },
    ]);
    expect(JSON.stringify(lastView('views.update'))).toContain('Taken off 1 project; their logged time stays.');
  });

  it('tells someone without the administration right why, and shows them nothing', async () => {
    const { db } = h.database;
    const customer = await addCustomer(db, 'HOOLI');
    const before = h.fake.callsTo('views.update').length;
    await h.slack.blockAction({
      userId: 'U0CLERK',
      actionId: ids.admin.openCustomer,
      selectedOption: String(customer),
      container: { type: 'view', viewId: 'VOLD' },
    });
    await h.app.settled();
    expect(h.fake.callsTo('views.update')).toHaveLength(before);
    const told = await h.fake.waitFor('chat.postMessage', (call) => call.args.channel === 'U0CLERK');
    expect(JSON.stringify(told.args)).toContain(
      'You do not have the administration right. An administrator can give you a role with it in /admin &gt; Users.',
    );
  });

  it('searches customers, employees and projects as the admin types once a list outgrows a menu', async () => {
    const { db } = h.database;
    await db.insert(customers).values(
      Array.from({ length: 101 }, (_, i) => ({
        code: `BULK-${String(i).padStart(3, '0')}`,
        name: i === 42 ? 'Zeta Works' : `Bulk ${i}`,
        currency: 'USD',
      })),
    );
    const [zeta] = await db.select().from(customers).where(eq(customers.code, 'BULK-042'));
    await db.insert(projects).values(
      Array.from({ length: 101 }, (_, i) => ({
        code: `ZP-${String(i).padStart(3, '0')}`,
        name: i === 7 ? 'Quasar portal' : `Piece ${i}`,
        customerId: zeta!.id,
      })),
    );
    await addUser(db, 'U0SAM');
    const sam = await addConsultant(db, 'U0SAM');

    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openCustomers,
      value: 'customers',
      container: { type: 'view', viewId: 'VHOME' },
    });
    await h.app.settled();
    const list = lastView('views.push');
    expectWithinSlackLimits('modal', list);
    expect(JSON.stringify(list)).toContain(`"type":"external_select","action_id":"${ids.admin.openCustomer}"`);
    const found = await h.slack.blockSuggestion({
      userId: ADMIN,
      actionId: ids.admin.openCustomer,
      blockId: 'admin_customer_actions',
      value: 'zeta',
      view: { id: 'VCUST', callback_id: ids.admin.customersModal },
    });
    expect(found.body).toEqual({
      options: [{ text: { type: 'plain_text', text: 'BULK-042 · Zeta Works' }, value: String(zeta!.id) }],
    });

    // On the customer's page, the project search looks only at that customer's projects.
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.openCustomer,
      selectedOption: String(zeta!.id),
      container: inView(list, 'VCUST'),
    });
    await h.app.settled();
    const page = lastView('views.update');
    expectWithinSlackLimits('modal', page);
    const quasar = await h.slack.blockSuggestion({
      userId: ADMIN,
      actionId: ids.admin.openProject,
      blockId: 'admin_customer_project_actions',
      value: 'QUASAR',
      view: { id: 'VCUST', callback_id: page.callback_id!, private_metadata: page.private_metadata! },
    });
    expect(quasar.body).toMatchObject({ options: [{ text: { text: 'ZP-007 · Quasar portal' } }] });

    // Assigning someone searches the projects too.
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.assignToProject,
      value: String(sam),
      container: { type: 'view', viewId: 'VEMP' },
    });
    await h.app.settled();
    const form = lastView('views.push');
    expectWithinSlackLimits('modal', form);
    const projectsFound = await h.slack.blockSuggestion({
      userId: ADMIN,
      actionId: 'value',
      blockId: 'assign_project',
      value: 'piece 10',
      view: { id: 'VASSIGN', callback_id: ids.admin.assignForm, private_metadata: form.private_metadata! },
    });
    expect((projectsFound.body as { options: { text: { text: string } }[] }).options.map((o) => o.text.text)).toEqual([
      'ZP-010 · Piece 10',
      'ZP-100 · Piece 100',
    ]);
  });
});
