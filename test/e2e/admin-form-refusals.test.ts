/**
 * /admin > Projects and Customers when something is wrong, over signed HTTP against the fake Slack: the project
 * and rates forms put each refusal on its field and write nothing; a project without consultants,
 * or one that is gone, is said so on the page; a non-admin pressing Projects is told in a DM; the
 * project search of a customer's or an employee's page offers only that page's projects; the
 * customer form asks to reopen an incomplete form and puts a bad currency on its field.
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
const pageUpdate = async () => {
  await h.app.settled();
  return JSON.stringify(h.fake.callsTo('views.update').at(-1)!.args);
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
