/**
 * /admin > Projects and Customers when something is wrong, over signed HTTP against the fake Slack: the project
 * and rates forms put each refusal on its field and write nothing; a project without consultants,
 * or one that is gone, is said so on the page; a non-admin pressing Projects is told in a DM; the
 * project search of a customer's or an employee's page offers only that page's projects; the
 * customer form asks to reopen an incomplete form and puts a bad currency on its field. The employee,
 * assign and settings forms put each refusal on its field; a page of a record that is gone shows its
 * list saying so; a deletion confirmed after the records went says they are already gone.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { customers, employees, projects } from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { changedTables, digestTables, type TableDigest } from '../support/database-digest.js';

let h: AppHarness;
const [ADMIN, ALICE] = ['U0ADMIN', 'U01ALICE'];
const f = ids.admin.projectField;
const r = ids.admin.ratesField;
let web: number;
let lab: number;
let empty: number;
let acme: number;
let alice: number;
let carl: number;
let before: TableDigest[];
const unchanged = async () => expect(changedTables(before, await digestTables(h.database.db))).toEqual([]);
const text = (value: string | null) => ({ value: { type: 'plain_text_input', value } });
const select = (value: number | null) => ({
  value: { type: 'static_select', selected_option: value === null ? null : { value: String(value) } },
});

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-25T10:00:00Z', adminUserIds: [ADMIN] });
  for (const [id, name] of [
    [ADMIN, 'Ada Admin'],
    [ALICE, 'Alice Doe'],
  ] as const)
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  await importFixture(h, 'approvals-firm.yaml');
  const { db } = h.database;
  const code = async (c: string) => (await db.select().from(projects).where(eq(projects.code, c)))[0]!.id;
  web = await code('ACME-WEB');
  lab = await code('CARL-LAB');
  acme = (await db.select().from(customers).where(eq(customers.code, 'ACME')))[0]!.id;
  empty = (await db.insert(projects).values({ code: 'ACME-NEW', name: 'Nobody yet', customerId: acme }).returning())[0]!
    .id;
  const employee = async (userId: string) =>
    (await db.select().from(employees).where(eq(employees.userId, userId)))[0]!.id;
  alice = await employee(ALICE);
  carl = await employee('U04CARL');
  // The admin's first request stores their Slack profile; the refusals below must write nothing else.
  await h.slack.slashCommand({ command: '/admin', text: '', userId: ADMIN });
  await h.app.settled();
});
afterAll(async () => h.stop());

const onPage = (projectId: number) => ({
  type: 'view' as const,
  viewId: 'VPAGE',
  view: { callback_id: ids.admin.projectPage, private_metadata: JSON.stringify({ projectId }) },
});
let updatesSeen = 0;
/** The page the click just redrew (a redraw since the last look, or the test fails). */
const pageUpdate = async () => {
  await h.app.settled();
  const updates = h.fake.callsTo('views.update');
  expect(updates.length).toBeGreaterThan(updatesSeen);
  updatesSeen = updates.length;
  return JSON.stringify(updates.at(-1)!.args);
};

describe('the project form', () => {
  const submit = (values: Record<string, Record<string, unknown>>) =>
    h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.projectForm,
      privateMetadata: JSON.stringify({ parentViewId: 'VPAGE', back: { kind: 'projects' } }),
      values,
    });

  it('asks to open a form again that came back without its code, to choose a customer, and for a shorter name', async () => {
    before = await digestTables(h.database.db);
    expect((await submit({ [f.customer]: select(acme), [f.name]: text('Web') })).body).toEqual({
      response_action: 'errors',
      errors: { [f.code]: 'The form came back incomplete; open it again.' },
    });
    expect((await submit({ [f.code]: text('ACME-X'), [f.customer]: select(null), [f.name]: text('X') })).body).toEqual({
      response_action: 'errors',
      errors: { [f.customer]: 'Choose a customer.' },
    });
    const long = await submit({
      [f.code]: text('ACME-X'),
      [f.customer]: select(acme),
      [f.name]: text('n'.repeat(101)),
    });
    expect(long.body).toEqual({
      response_action: 'errors',
      errors: { [f.name]: 'Give a name of at most 100 characters.' },
    });
    await unchanged();
  });

  it('takes the customer from the search menu a firm of more than 100 customers gets, and offers the ones matching what is typed', async () => {
    const matching = (
      (
        await h.slack.blockSuggestion({
          userId: ADMIN,
          actionId: ids.admin.projectCustomerSearch,
          blockId: f.customer,
          value: 'acm',
          view: { id: 'VFORM', callback_id: ids.admin.projectForm, private_metadata: '{}' },
        })
      ).body as { options: { value: string }[] }
    ).options.map((o) => o.value);
    expect(matching).toEqual([String(acme)]);
    const saved = await submit({
      [f.code]: text('ACME-SEARCHED'),
      [f.customer]: {
        [ids.admin.projectCustomerSearch]: { type: 'external_select', selected_option: { value: String(acme) } },
      },
      [f.name]: text('Found by search'),
    });
    expect(saved.text).toBe('');
    await h.app.settled();
    const [project] = await h.database.db.select().from(projects).where(eq(projects.code, 'ACME-SEARCHED'));
    expect(project).toMatchObject({ customerId: acme, name: 'Found by search' });
    // The customer's page searches below expect its projects as they were.
    await h.database.db.delete(projects).where(eq(projects.id, project!.id));
  });
});

describe('the rates form', () => {
  const submit = (values: Record<string, Record<string, unknown>>, projectId = web) =>
    h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.ratesForm,
      privateMetadata: JSON.stringify({ projectId, parentViewId: 'VPAGE', back: { kind: 'project', projectId } }),
      values,
    });

  it('puts each refusal on its field: no consultant, a cost that is not an amount, someone not on the project', async () => {
    before = await digestTables(h.database.db);
    expect((await submit({ [r.consultant]: select(null), [r.price]: text('150') })).body).toEqual({
      response_action: 'errors',
      errors: { [r.consultant]: 'Choose a consultant.' },
    });
    expect((await submit({ [r.consultant]: select(alice), [r.cost]: text('cheap') })).body).toMatchObject({
      response_action: 'errors',
      errors: { [r.cost]: expect.any(String) },
    });
    expect((await submit({ [r.consultant]: select(carl), [r.price]: text('150') })).body).toEqual({
      response_action: 'errors',
      errors: { [r.consultant]: 'That consultant is not on this project any more; add them first.' },
    });
    await unchanged();
  });
});

describe('project pages', () => {
  it('says to add consultants before setting rates on a project without any', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.projectRates,
      value: String(empty),
      container: onPage(empty),
    });
    expect(await pageUpdate()).toContain('Add consultants to ACME-NEW first; then set their rates.');
    expect(h.fake.callsTo('views.push')).toEqual([]);
  });

  it('says a project deleted meanwhile no longer exists when its details are edited', async () => {
    const gone = (
      await h.database.db.insert(projects).values({ code: 'ACME-GONE', name: 'Gone', customerId: acme }).returning()
    )[0]!.id;
    await h.database.db.delete(projects).where(eq(projects.id, gone));
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.editProjectDetails,
      value: String(gone),
      container: onPage(gone),
    });
    expect(await pageUpdate()).toContain('That project no longer exists.');
  });

  it('tells a consultant pressing Projects in a DM that it needs the administration right', async () => {
    const since = h.fake.callsTo('chat.postMessage').length;
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.admin.openProjects,
      container: { type: 'view', viewId: 'VADMIN', view: { callback_id: ids.admin.homeModal } },
    });
    await h.app.settled();
    const told = h.fake
      .callsTo('chat.postMessage')
      .slice(since)
      .filter((c) => c.args.channel === ALICE);
    expect(told.map((c) => c.args.text)).toEqual([
      expect.stringContaining('You do not have the administration right.'),
    ]);
  });

  it("searches only the customer's projects on a customer page and the employee's on an employee page", async () => {
    const search = (callbackId: string, metadata: object) =>
      h.slack.blockSuggestion({
        userId: ADMIN,
        actionId: ids.admin.openProject,
        blockId: 'open_project',
        value: '',
        view: { id: 'VPAGE', callback_id: callbackId, private_metadata: JSON.stringify(metadata) },
      });
    const values = (response: { body: unknown }) =>
      (response.body as { options: { value: string }[] }).options.map((o) => o.value).sort();
    expect(values(await search(ids.admin.customerPage, { customerId: acme }))).toEqual(
      [String(web), String(empty)].sort(),
    );
    expect(values(await search(ids.admin.employeePage, { employeeId: carl }))).toEqual([String(lab)]);
  });
});

describe('searches of forms and pages', () => {
  const optionsOf = async (blockId: string, actionId: string, value: string, callbackId: string, metadata: object) =>
    (
      (
        await h.slack.blockSuggestion({
          userId: ADMIN,
          actionId,
          blockId,
          value,
          view: { id: 'VPAGE', callback_id: callbackId, private_metadata: JSON.stringify(metadata) },
        })
      ).body as { options: { value: string }[] }
    ).options.map((o) => o.value);

  it('searches every project from the project list, and none from the page of an employee who is gone', async () => {
    const search = (callbackId: string, metadata: object) =>
      optionsOf('open_project', ids.admin.openProject, 'lab', callbackId, metadata);
    expect(await search(ids.admin.projectsModal, {})).toEqual([String(lab)]);
    expect(await search(ids.admin.employeePage, { employeeId: 999_999 })).toEqual([]);
  });

  it("the assign form's project search offers the projects matching what is typed, and none for an employee who is gone", async () => {
    const a = ids.admin.assignField;
    const search = (employeeId: number) =>
      optionsOf(a.project, 'value', 'lab', ids.admin.assignForm, { employeeId, parentViewId: 'VPAGE' });
    expect(await search(alice)).toEqual([String(lab)]);
    expect(await search(999_999)).toEqual([]);
  });
});

describe('the customer form and page', () => {
  const c = ids.admin.customerField;
  const submit = (values: Record<string, Record<string, unknown>>) =>
    h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.customerForm,
      privateMetadata: JSON.stringify({ customerId: acme, parentViewId: 'VPAGE' }),
      values,
    });

  it('asks to open an incomplete form again and puts a currency that is not one on its field, writing nothing', async () => {
    before = await digestTables(h.database.db);
    expect((await submit({ [c.code]: text('ACME'), [c.name]: text('Acme Corp') })).body).toEqual({
      response_action: 'errors',
      errors: { [c.code]: 'The form came back incomplete; open it again.' },
    });
    const currency = await submit({
      [c.code]: text('ACME'),
      [c.name]: text('Acme Corp'),
      [c.currency]: text('dollars'),
      [c.billing]: { value: { type: 'static_select', selected_option: { value: 'hourly' } } },
    });
    expect(currency.body).toMatchObject({ response_action: 'errors', errors: { [c.currency]: expect.any(String) } });
    await unchanged();
  });

  it('shows the customer list, saying the customer is gone, when Edit details is pressed on a deleted one', async () => {
    const gone = (
      await h.database.db.insert(customers).values({ code: 'GONE', name: 'Gone Ltd', currency: 'USD' }).returning()
    )[0]!.id;
    await h.database.db.delete(customers).where(eq(customers.id, gone));
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.editCustomerDetails,
      value: String(gone),
      container: {
        type: 'view',
        viewId: 'VPAGE',
        view: { callback_id: ids.admin.customerPage, private_metadata: JSON.stringify({ customerId: gone }) },
      },
    });
    expect(await pageUpdate()).toContain('That customer no longer exists.');
    expect(
      h.fake.callsTo('views.push').filter((call) => JSON.stringify(call.args).includes(ids.admin.customerForm)),
    ).toEqual([]);
  });
});

describe('the employee and assign forms', () => {
  const e = ids.admin.employeeField;
  const a = ids.admin.assignField;
  const roles = (...values: string[]) => ({
    value: { type: 'checkboxes', selected_options: values.map((value) => ({ value })) },
  });
  const submitEmployee = (values: Record<string, Record<string, unknown>>) =>
    h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.employeeForm,
      privateMetadata: JSON.stringify({ parentViewId: 'VPAGE' }),
      values,
    });
  const submitAssign = (values: Record<string, Record<string, unknown>>) =>
    h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.assignForm,
      privateMetadata: JSON.stringify({ employeeId: alice, parentViewId: 'VPAGE' }),
      values,
    });
  const as = (value: string | null) => ({
    value: { type: 'static_select', selected_option: value === null ? null : { value } },
  });

  it('asks to open an incomplete employee form again, and a consultant for the default rates left empty', async () => {
    before = await digestTables(h.database.db);
    expect((await submitEmployee({ [e.name]: text('Nia New') })).body).toEqual({
      response_action: 'errors',
      errors: { [e.name]: 'The form came back incomplete; open it again.' },
    });
    const person = { value: { type: 'users_select', selected_user: 'U09NIA' } };
    expect(
      (await submitEmployee({ [e.user]: person, [e.name]: text('Nia New'), [e.roles]: roles('consultant') })).body,
    ).toEqual({
      response_action: 'errors',
      errors: {
        [e.cost]: 'A consultant needs a default cost rate, like 70.00.',
        [e.price]: 'A consultant needs a default price rate, like 140.00.',
      },
    });
    const noPrice = await submitEmployee({
      [e.user]: person,
      [e.name]: text('Nia New'),
      [e.roles]: roles('consultant', 'manager'),
      [e.cost]: text('70.00'),
      [e.price]: text('  '),
    });
    expect(noPrice.body).toEqual({
      response_action: 'errors',
      errors: { [e.price]: 'A consultant needs a default price rate, like 140.00.' },
    });
    await unchanged();
  });

  it('asks for a project and a role, refuses rates for a manager and a role the employee lacks, on their fields', async () => {
    before = await digestTables(h.database.db);
    expect((await submitAssign({ [a.project]: select(web) })).body).toEqual({
      response_action: 'errors',
      errors: { [a.project]: 'The form came back incomplete; open it again.' },
    });
    expect((await submitAssign({ [a.project]: select(null), [a.as]: as(null) })).body).toEqual({
      response_action: 'errors',
      errors: { [a.project]: 'Choose a project.', [a.as]: 'Choose consultant or manager.' },
    });
    expect(
      (await submitAssign({ [a.project]: select(lab), [a.as]: as('manager'), [a.cost]: text('50') })).body,
    ).toEqual({
      response_action: 'errors',
      errors: { [a.cost]: 'Rates apply to consultants; leave them empty for a manager.' },
    });
    expect((await submitAssign({ [a.project]: select(lab), [a.as]: as('manager') })).body).toEqual({
      response_action: 'errors',
      errors: { [a.as]: 'Make them a manager first (Edit details), then assign them.' },
    });
    expect((await submitAssign({ [a.project]: select(999_999), [a.as]: as('consultant') })).body).toEqual({
      response_action: 'errors',
      errors: { [a.project]: 'Choose a project that still exists.' },
    });
    await unchanged();
  });
});

describe('pages of records that are gone, and deletions confirmed too late', () => {
  const GONE = 999_999;
  const click = (actionId: string, callbackId: string, metadata: object) =>
    h.slack.blockAction({
      userId: ADMIN,
      actionId,
      value: String(GONE),
      container: {
        type: 'view',
        viewId: 'VPAGE',
        view: { callback_id: callbackId, private_metadata: JSON.stringify(metadata) },
      },
    });

  it('shows the employee list, saying the employee is gone, when Edit details or Assign to project is pressed', async () => {
    const pushes = h.fake.callsTo('views.push').length;
    for (const actionId of [ids.admin.editEmployeeDetails, ids.admin.assignToProject]) {
      await click(actionId, ids.admin.employeePage, { employeeId: GONE });
      expect(await pageUpdate()).toContain('That employee no longer exists.');
    }
    expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
  });

  it('shows the project list, saying the project is gone, when Set rates is pressed on it', async () => {
    const pushes = h.fake.callsTo('views.push').length;
    await click(ids.admin.projectRates, ids.admin.projectPage, { projectId: GONE });
    expect(await pageUpdate()).toContain('That project no longer exists.');
    expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
  });

  it("says to mark projects first when Take off is pressed on an employee's page with none marked", async () => {
    before = await digestTables(h.database.db);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.removeAssignments,
      value: String(alice),
      container: {
        type: 'view',
        viewId: 'VPAGE',
        view: { callback_id: ids.admin.employeePage, private_metadata: JSON.stringify({ employeeId: alice }) },
      },
    });
    expect(await pageUpdate()).toContain('Mark the projects to take them off first.');
    await unchanged();
  });

  it.each([
    [
      'customers',
      ids.admin.deleteCustomersConfirm,
      () => ({ customerIds: [GONE], parentViewId: 'VPAGE' }),
      'Some of those customers are already gone; refresh the list and try again.',
    ],
    [
      "a customer's projects",
      ids.admin.removeProjectsConfirm,
      () => ({ projectIds: [GONE], parentViewId: 'VPAGE', back: { kind: 'customer', customerId: acme } }),
      'Some of those projects are already gone; look at the list again and retry.',
    ],
    [
      'employees',
      ids.admin.deleteEmployeesConfirm,
      () => ({ employeeIds: [GONE], parentViewId: 'VPAGE' }),
      'Some of those employees are already gone; look at the list again and retry.',
    ],
  ])(
    'says marked %s deleted meanwhile are already gone when the delete is confirmed',
    async (_, callbackId, metadata, said) => {
      before = await digestTables(h.database.db);
      await h.slack.viewSubmission({
        userId: ADMIN,
        callbackId,
        privateMetadata: JSON.stringify(metadata()),
        values: {},
      });
      expect(await pageUpdate()).toContain(said);
      await unchanged();
    },
  );
});

describe('the settings form', () => {
  it('puts each setting that is not valid on its own field, saving none', async () => {
    before = await digestTables(h.database.db);
    const input = (value: string) => ({ type: 'plain_text_input', value });
    const saved = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.settingsModal,
      values: {
        firm_name: { firm_name: input('Doe & Partners') },
        payment_terms_days: { payment_terms_days: input('soon') },
        missing_time_nudge: { missing_time_nudge: input('maybe') },
      },
    });
    expect(saved.body).toEqual({
      response_action: 'errors',
      errors: {
        payment_terms_days: expect.stringMatching(/^Payment terms \(days\) must be a whole number of days from 0 to/),
        missing_time_nudge: 'Missing-time nudge must be on or off, not "maybe"',
      },
    });
    await unchanged();
  });
});

describe('each refusal of a form on the field it is about', () => {
  const long = 'x'.repeat(2001);
  const errorsOf = async (callbackId: string, privateMetadata: object, values: Record<string, unknown>) =>
    (
      (
        await h.slack.viewSubmission({
          userId: ADMIN,
          callbackId,
          privateMetadata: JSON.stringify(privateMetadata),
          values: values as Record<string, Record<string, unknown>>,
        })
      ).body as { errors: Record<string, string> }
    ).errors;

  it('the customer form: code, address, notes, payment terms, tax id, billing email and rounding', async () => {
    const c = ids.admin.customerField;
    const form = (changes: Record<string, unknown>) => ({
      [c.code]: text('ACME'),
      [c.name]: text('Acme Corp'),
      [c.currency]: text('USD'),
      [c.billing]: { value: { type: 'static_select', selected_option: { value: 'hourly' } } },
      ...changes,
    });
    const submit = (changes: Record<string, unknown>) =>
      errorsOf(ids.admin.customerForm, { customerId: acme, parentViewId: 'VPAGE' }, form(changes));
    before = await digestTables(h.database.db);
    expect(await submit({ [c.code]: text('-') })).toEqual({
      [c.code]: 'A code is 2 to 20 letters, digits or dashes, starting with a letter or digit, like ACME.',
    });
    expect(await submit({ [c.address]: text(long) })).toEqual({ [c.address]: 'Keep the address to 2000 characters.' });
    expect(await submit({ [c.notes]: text(long) })).toEqual({ [c.notes]: 'Keep the notes to 2000 characters.' });
    expect(await submit({ [c.paymentTerms]: text('400') })).toEqual({
      [c.paymentTerms]:
        'Payment terms are a whole number of days from 0 to 365, like 30; leave it empty for the firm’s default.',
    });
    expect(await submit({ [c.taxId]: text('T'.repeat(61)) })).toEqual({
      [c.taxId]: 'Keep the tax id to 60 characters.',
    });
    expect(await submit({ [c.billingEmail]: text('accounts at acme') })).toEqual({
      [c.billingEmail]: 'Give one email address like accounts@acme.example, or leave it empty.',
    });
    expect(
      await submit({ [c.rounding]: { value: { type: 'static_select', selected_option: { value: '10' } } } }),
    ).toEqual({ [c.rounding]: 'Round invoiced time to none, 6 or 15 minutes.' });
    await unchanged();
  });

  it('the project form: description, address, notes, a customer that is gone, a manager who is not one', async () => {
    const submit = (changes: Record<string, unknown>) =>
      errorsOf(
        ids.admin.projectForm,
        { projectId: web, parentViewId: 'VPAGE', back: { kind: 'project', projectId: web } },
        { [f.code]: text('ACME-WEB'), [f.customer]: select(acme), [f.name]: text('Website relaunch'), ...changes },
      );
    before = await digestTables(h.database.db);
    expect(await submit({ [f.description]: text(long) })).toEqual({
      [f.description]: 'Keep the description to 2000 characters.',
    });
    expect(await submit({ [f.address]: text(long) })).toEqual({ [f.address]: 'Keep the address to 2000 characters.' });
    expect(await submit({ [f.notes]: text(long) })).toEqual({ [f.notes]: 'Keep the notes to 2000 characters.' });
    expect(await submit({ [f.customer]: select(999_999) })).toEqual({
      [f.customer]: 'Choose a customer that still exists.',
    });
    expect(
      await submit({
        [f.managers]: { value: { type: 'multi_static_select', selected_options: [{ value: String(alice) }] } },
      }),
    ).toEqual({ [f.managers]: 'One of those managers is no longer a manager; open the form again.' });
    await unchanged();
  });

  it('the customer, project, employee and rates forms saved after their record was deleted say it no longer exists', async () => {
    const GONE = 999_999;
    const c = ids.admin.customerField;
    const e = ids.admin.employeeField;
    before = await digestTables(h.database.db);
    expect(
      await errorsOf(
        ids.admin.customerForm,
        { customerId: GONE, parentViewId: 'VPAGE' },
        {
          [c.code]: text('GONECO'),
          [c.name]: text('Gone Co'),
          [c.currency]: text('USD'),
          [c.billing]: { value: { type: 'static_select', selected_option: { value: 'hourly' } } },
        },
      ),
    ).toEqual({ [c.code]: 'That customer no longer exists.' });
    expect(
      await errorsOf(
        ids.admin.projectForm,
        { projectId: GONE, parentViewId: 'VPAGE', back: { kind: 'projects' } },
        { [f.code]: text('GONE-1'), [f.customer]: select(acme), [f.name]: text('Gone') },
      ),
    ).toEqual({ [f.code]: 'That project no longer exists.' });
    expect(
      await errorsOf(
        ids.admin.employeeForm,
        { employeeId: GONE, parentViewId: 'VPAGE' },
        { [e.user]: { value: { type: 'users_select', selected_user: 'U09GONE' } }, [e.name]: text('Gone') },
      ),
    ).toEqual({ [e.name]: 'That employee no longer exists.' });
    expect(
      await errorsOf(
        ids.admin.ratesForm,
        { projectId: GONE, parentViewId: 'VPAGE', back: { kind: 'projects' } },
        { [r.consultant]: select(alice), [r.price]: text('150') },
      ),
    ).toEqual({ [r.consultant]: 'That project no longer exists.' });
    await unchanged();
  });

  it('the employee form: the Slack person, a person who already has a record, address, notes and a rate that is not one', async () => {
    const e = ids.admin.employeeField;
    const submit = (changes: Record<string, unknown>) =>
      errorsOf(
        ids.admin.employeeForm,
        { parentViewId: 'VPAGE' },
        {
          [e.user]: { value: { type: 'users_select', selected_user: 'U09NIA' } },
          [e.name]: text('Nia New'),
          ...changes,
        },
      );
    before = await digestTables(h.database.db);
    expect(await submit({ [e.user]: { value: { type: 'users_select', selected_user: null } } })).toEqual({
      [e.user]: 'Choose the person in Slack.',
    });
    expect(await submit({ [e.user]: { value: { type: 'users_select', selected_user: ALICE } } })).toEqual({
      [e.user]: "Alice Doe is already this person's employee record.",
    });
    expect(await submit({ [e.address]: text(long) })).toEqual({ [e.address]: 'Keep the address to 2000 characters.' });
    expect(await submit({ [e.notes]: text(long) })).toEqual({ [e.notes]: 'Keep the notes to 2000 characters.' });
    const rates = await submit({
      [e.roles]: { value: { type: 'checkboxes', selected_options: [{ value: 'consultant' }] } },
      [e.cost]: text('cheap'),
      [e.price]: text('140.00'),
    });
    expect(Object.keys(rates)).toEqual([e.cost]);
    await unchanged();
  });
});

describe('a Delete or Remove pressed with nothing marked', () => {
  it.each([
    [
      'customers',
      ids.admin.deleteCustomers,
      ids.admin.customersModal,
      (): string => 'delete',
      'Mark the customers to delete first.',
    ],
    [
      'employees',
      ids.admin.deleteEmployees,
      ids.admin.employeesModal,
      (): string => 'delete',
      'Mark the employees to delete first.',
    ],
    [
      "a customer's projects",
      ids.admin.removeProjects,
      ids.admin.customerPage,
      (): string => String(acme),
      'Mark the projects to remove first.',
    ],
    [
      'periods',
      ids.admin.deletePeriods,
      ids.admin.periodsModal,
      (): string => 'delete',
      'Mark the periods to delete first.',
    ],
  ])(
    'says to mark the %s first, opening no dialog and deleting nothing',
    async (_, actionId, callbackId, buttonValue, said) => {
      before = await digestTables(h.database.db);
      const pushes = h.fake.callsTo('views.push').length;
      await h.slack.blockAction({
        userId: ADMIN,
        actionId,
        value: buttonValue(),
        container: {
          type: 'view',
          viewId: 'VPAGE',
          view: {
            callback_id: callbackId,
            private_metadata: JSON.stringify({ customerId: acme }),
            state: { values: {} },
          },
        },
      });
      expect(await pageUpdate()).toContain(said);
      expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
      await unchanged();
    },
  );
});
