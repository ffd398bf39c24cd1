/**
 * /admin lists clicked by someone the service refuses (they lost the right since the list was
 * drawn), over signed HTTP against the fake Slack: the click must not just do nothing. Each
 * redraw (Timesheets, Users, Roles, Periods, the audit filter, the project form) tells them why in
 * a DM, leaves the view as it was and writes nothing. So does each /admin section button (Periods,
 * Roles, Users, the audit trail, Customers, Employees, Settings) and each change in the role and
 * user grids; the role form puts the refusal on its name field; a search offers them nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { changedTables, digestTables, type TableDigest } from '../support/database-digest.js';

let h: AppHarness;
// Bob manages projects but holds none of the administration rights.
const BOB = 'U02BOB';
let before: TableDigest[];
let dms: number;
let updates: number;
let pushes: number;

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z', adminUserIds: ['U0ADMIN'] });
  for (const id of ['U01ALICE', BOB]) h.fake.users.set(id, { id, real_name: id, tz: 'UTC' });
  await importFixture(h, 'small-firm.yaml');
  // Bob's first request stores his Slack profile; the refusals below must write nothing else.
  await h.slack.slashCommand({ command: '/admin', text: '', userId: BOB });
  await h.app.settled();
});
afterAll(async () => h.stop());

beforeEach(async () => {
  before = await digestTables(h.database.db);
  dms = h.fake.callsTo('chat.postMessage').length;
  updates = h.fake.callsTo('views.update').length;
  pushes = h.fake.callsTo('views.push').length;
});

const inView = (callbackId: string, privateMetadata: object, values: object = {}) => ({
  type: 'view' as const,
  viewId: 'VLIST',
  view: { callback_id: callbackId, private_metadata: JSON.stringify(privateMetadata), state: { values } },
});

/** The DMs Bob got since the test began; the view is neither redrawn nor stacked on, and nothing is written. */
async function toldBob(): Promise<string[]> {
  await h.app.settled();
  expect(h.fake.callsTo('views.update')).toHaveLength(updates);
  expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
  expect(changedTables(before, await digestTables(h.database.db))).toEqual([]);
  return h.fake
    .callsTo('chat.postMessage')
    .slice(dms)
    .filter((c) => c.args.channel === BOB)
    .map((c) => String(c.args.text));
}

describe('a list redraw the service refuses', () => {
  it('tells someone without the administration right who changes the Timesheets filter why, in a DM', async () => {
    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.admin.filterCustomer,
      selectedOption: 'GLOBEX',
      container: inView(ids.admin.timesheetsModal, {}),
    });
    expect(await toldBob()).toEqual([expect.stringContaining('You do not have the administration right.')]);
  });

  it('tells someone without the right to grant roles who turns the Users page why, in a DM', async () => {
    await h.slack.blockAction({
      userId: BOB,
      actionId: `${ids.admin.usersPage}_on`,
      value: '1',
      container: inView(ids.admin.usersModal, { page: 0, rolePage: 0, roleIds: [] }),
    });
    expect(await toldBob()).toEqual([expect.stringContaining('You do not have the security administration right.')]);
  });

  it('tells someone without the right to manage roles who turns the Roles page why, in a DM', async () => {
    await h.slack.blockAction({
      userId: BOB,
      actionId: `${ids.admin.rolesPage}_on`,
      value: '1',
      container: inView(ids.admin.rolesModal, { page: 0 }),
    });
    expect(await toldBob()).toEqual([expect.stringContaining('You do not have the security administration right.')]);
  });

  it('tells someone without the right to manage periods who deletes marked periods why, in a DM, deleting none', async () => {
    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.admin.deletePeriods,
      value: 'delete',
      container: inView(
        ids.admin.periodsModal,
        {},
        {
          admin_periods_marked_0: {
            [ids.admin.markedPeriods]: { type: 'checkboxes', selected_options: [{ value: '1' }] },
          },
        },
      ),
    });
    expect(await toldBob()).toEqual([expect.stringContaining('You do not have the administration right.')]);
  });

  it('tells someone without the right to read the audit trail who filters it why, in a DM', async () => {
    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.admin.auditEntity,
      selectedOption: 'timesheet',
      container: inView(ids.admin.auditModal, {}),
    });
    expect(await toldBob()).toEqual([expect.stringContaining('You do not have the administration right.')]);
  });

  it.each([
    ['Customers', ids.admin.backToCustomers, ids.admin.customerPage],
    ['Employees', ids.admin.backToEmployees, ids.admin.employeePage],
    ['Projects', ids.admin.backToProjects, ids.admin.projectPage],
  ])(
    'tells someone without the administration right who goes back to %s why, in a DM',
    async (_, actionId, callbackId) => {
      await h.slack.blockAction({ userId: BOB, actionId, value: 'back', container: inView(callbackId, {}) });
      expect(await toldBob()).toEqual([expect.stringContaining('You do not have the administration right.')]);
    },
  );

  it('tells someone without the administration right who presses New project why, in a DM, opening no form', async () => {
    await h.slack.blockAction({
      userId: BOB,
      actionId: ids.admin.newProject,
      value: 'new',
      container: inView(ids.admin.projectsModal, {}),
    });
    expect(await toldBob()).toEqual([expect.stringContaining('You do not have the administration right.')]);
  });
});

describe('an /admin section opened by someone the service refuses', () => {
  const administration = 'You do not have the administration right.';
  const security = 'You do not have the security administration right.';
  it.each([
    ['Periods', ids.admin.openPeriods, administration],
    ['Roles', ids.admin.openRoles, security],
    ['Users', ids.admin.openUsers, security],
    ['Audit trail', ids.admin.openAudit, administration],
    ['Customers', ids.admin.openCustomers, administration],
    ['Employees', ids.admin.openEmployees, administration],
    ['Settings', ids.admin.openSettings, administration],
  ])('tells someone without the right who presses %s why, in a DM, opening nothing', async (_, actionId, message) => {
    await h.slack.blockAction({
      userId: BOB,
      actionId,
      value: 'open',
      container: inView(ids.admin.homeModal, {}),
    });
    expect(await toldBob()).toEqual([expect.stringContaining(message)]);
  });

  it('offers someone without the administration right no customers, employees or projects when they search', async () => {
    const search = (actionId: string) =>
      h.slack.blockSuggestion({
        userId: BOB,
        actionId,
        blockId: 'open',
        value: '',
        view: { id: 'VLIST', callback_id: ids.admin.homeModal, private_metadata: '{}' },
      });
    for (const actionId of [ids.admin.openCustomer, ids.admin.openEmployee, ids.admin.openProject])
      expect((await search(actionId)).body).toEqual({ options: [] });
    expect(await toldBob()).toEqual([]);
  });
});

describe('a role or user grid change by someone without the security administration right', () => {
  const security = 'You do not have the security administration right.';
  it.each([
    [
      'ticks a right of a role',
      ids.admin.roleRights,
      ids.admin.rolesModal,
      { blockId: 'role_1', checkedOptions: ['entry'] },
    ],
    ['deletes a role', ids.admin.deleteRole, ids.admin.rolesModal, { value: '1' }],
    [
      "ticks a user's role",
      ids.admin.userRoles,
      ids.admin.usersModal,
      { blockId: `user_${BOB}`, checkedOptions: ['1'] },
    ],
    [
      "changes a user's delegates",
      ids.admin.userDelegates,
      ids.admin.usersModal,
      { blockId: 'user_U01ALICE', selectedUsers: [BOB] },
    ],
    ['deactivates a user', ids.admin.deactivateUser, ids.admin.usersModal, { value: 'U01ALICE' }],
  ])(
    'tells someone who %s without the right why, in a DM, changing nothing',
    async (_, actionId, callbackId, element) => {
      await h.slack.blockAction({
        userId: BOB,
        actionId,
        ...element,
        container: inView(callbackId, { page: 0, rolePage: 0, roleIds: [1] }),
      });
      expect(await toldBob()).toEqual([expect.stringContaining(security)]);
    },
  );

  it('puts the missing right on the name field of the role form, creating no role', async () => {
    const created = await h.slack.viewSubmission({
      userId: BOB,
      callbackId: ids.admin.roleForm,
      privateMetadata: JSON.stringify({ parentViewId: 'VLIST' }),
      values: {
        [ids.admin.roleName.block]: { [ids.admin.roleName.action]: { type: 'plain_text_input', value: 'Mine' } },
      },
    });
    expect(created.body).toEqual({
      response_action: 'errors',
      errors: { [ids.admin.roleName.block]: expect.stringContaining(security) },
    });
    expect(await toldBob()).toEqual([]);
  });
});
