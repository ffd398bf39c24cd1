/**
 * /admin lists clicked by someone the service refuses (they lost the right since the list was
 * drawn), over signed HTTP against the fake Slack: the click must not just do nothing. Each
 * redraw (Timesheets, Users, Roles, Periods, the audit filter, the project form) tells them why in
 * a DM, leaves the view as it was and writes nothing. So does each /admin section button (Periods,
 * Roles, Users, the audit trail, Customers, Employees, Settings); a search offers them nothing.
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
