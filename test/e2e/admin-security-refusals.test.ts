/**
 * /admin > Periods, Roles, Users and the audit trail when something is wrong, over signed HTTP
 * against the fake Slack: the period and role forms put each refusal on its field; the role and
 * user grids redraw saying why a tick, a delete, a delegate or a deactivation was refused (a role
 * that is gone or built in, the last holder of the security right), and write nothing; a firm with
 * no customers or projects yet says what to create first.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { auditLog, delegates, reportingPeriods, roles, userRoles, users } from '../../src/db/schema.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import { changedTables, digestTables, type TableDigest } from '../support/database-digest.js';
import { addConsultant, addUser } from '../support/fixtures.js';

let h: AppHarness;
const ADMIN = 'U0ADMIN';
let before: TableDigest[];
const unchanged = async () => expect(changedTables(before, await digestTables(h.database.db))).toEqual([]);

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-25T10:00:00Z', adminUserIds: [ADMIN] });
  h.fake.users.set(ADMIN, { id: ADMIN, real_name: 'Ada Admin', tz: 'UTC' });
  await addUser(h.database.db, 'U0PLAIN', { rights: ['entry'] });
  // The admin's first request stores their Slack profile; the refusals below must write nothing else.
  await h.slack.slashCommand({ command: '/admin', text: '', userId: ADMIN });
  await h.app.settled();
});
afterAll(async () => h.stop());

const inView = (viewId: string, privateMetadata: object = {}) => ({
  type: 'view' as const,
  viewId,
  view: { private_metadata: JSON.stringify(privateMetadata) },
});
let updatesSeen = 0;
/** The view the click just redrew in place (a redraw since the last look, or the test fails), as JSON text. */
const redrawn = async () => {
  await h.app.settled();
  const updates = h.fake.callsTo('views.update');
  expect(updates.length).toBeGreaterThan(updatesSeen);
  updatesSeen = updates.length;
  return JSON.stringify(updates.at(-1)!.args);
};
const builtin = async () => (await h.database.db.select().from(roles).where(eq(roles.builtin, true)))[0]!;

describe('a firm with nothing in it yet', () => {
  it('says to create a customer first when New project is pressed, opening no form', async () => {
    const pushes = h.fake.callsTo('views.push').length;
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.newProject,
      value: 'new',
      container: inView('VPROJECTS'),
    });
    expect(await redrawn()).toContain('Create a customer first: every project belongs to one.');
    expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
  });

  it("says there are no projects yet when Assign to project is pressed on an employee's page, opening no form", async () => {
    await addUser(h.database.db, 'U0CONS');
    const employeeId = await addConsultant(h.database.db, 'U0CONS');
    const pushes = h.fake.callsTo('views.push').length;
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.assignToProject,
      value: String(employeeId),
      container: inView('VEMPLOYEE', { employeeId }),
    });
    expect(await redrawn()).toContain('There are no projects yet: create one in Projects or on a customer first.');
    expect(h.fake.callsTo('views.push')).toHaveLength(pushes);
  });
});

describe('the period form', () => {
  const p = ids.admin;
  const submit = (kind: 'single' | 'series', values: Record<string, Record<string, unknown>>) =>
    h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.periodForm,
      privateMetadata: JSON.stringify({ kind, parentViewId: 'VPERIODS' }),
      values,
    });
  const date = (block: string, action: string, day: string | null) => ({
    [block]: { [action]: { type: 'datepicker', selected_date: day } },
  });

  it('asks for both dates, for how long each period of a series is, and for an end not before the start', async () => {
    before = await digestTables(h.database.db);
    expect((await submit('single', {})).body).toEqual({
      response_action: 'errors',
      errors: { [p.starts.block]: 'Choose a date.', [p.ends.block]: 'Choose a date.' },
    });
    const noCadence = await submit('series', {
      ...date(p.starts.block, p.starts.action, '2027-01-01'),
      ...date(p.ends.block, p.ends.action, '2027-03-31'),
      [p.cadence.block]: { [p.cadence.action]: { type: 'static_select', selected_option: null } },
    });
    expect(noCadence.body).toEqual({
      response_action: 'errors',
      errors: { [p.cadence.block]: 'Choose how long each period is.' },
    });
    const backwards = await submit('single', {
      ...date(p.starts.block, p.starts.action, '2027-01-31'),
      ...date(p.ends.block, p.ends.action, '2027-01-01'),
    });
    expect(backwards.body).toEqual({
      response_action: 'errors',
      errors: {
        [p.ends.block]: 'The period must begin on or before its end (Sun 31 Jan 2027 is after Fri 1 Jan 2027).',
      },
    });
    await unchanged();
  });

  it('restores a deleted period added again with the same dates, and says so', async () => {
    const [kept] = await h.database.db
      .insert(reportingPeriods)
      .values({ startsOn: '2026-10-01', endsOn: '2026-10-31', archivedAt: new Date('2026-11-01T00:00:00Z') })
      .returning();
    const added = await submit('single', {
      ...date(p.starts.block, p.starts.action, '2026-10-01'),
      ...date(p.ends.block, p.ends.action, '2026-10-31'),
    });
    expect(added.text).toBe('');
    expect(await redrawn()).toContain('Restored 1 period deleted before, with the timesheets kept in them.');
    expect(
      (await h.database.db.select().from(reportingPeriods).where(eq(reportingPeriods.id, kept!.id)))[0]!.archivedAt,
    ).toBeNull();
  });

  it('deletes one marked period once confirmed, saying so in the singular', async () => {
    const [period] = await h.database.db
      .insert(reportingPeriods)
      .values({ startsOn: '2027-04-01', endsOn: '2027-04-30' })
      .returning();
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.deletePeriodsConfirm,
      privateMetadata: JSON.stringify({ periodIds: [period!.id], parentViewId: 'VPERIODS' }),
      values: {},
    });
    expect(await redrawn()).toContain('Deleted 1 period.');
    expect(await h.database.db.select().from(reportingPeriods).where(eq(reportingPeriods.id, period!.id))).toEqual([]);
  });

  it('says marked periods deleted meanwhile are already gone when the delete is confirmed, deleting none', async () => {
    const [period] = await h.database.db
      .insert(reportingPeriods)
      .values({ startsOn: '2027-05-01', endsOn: '2027-05-31' })
      .returning();
    await h.database.db.delete(reportingPeriods).where(eq(reportingPeriods.id, period!.id));
    before = await digestTables(h.database.db);
    await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.deletePeriodsConfirm,
      privateMetadata: JSON.stringify({ periodIds: [period!.id], parentViewId: 'VPERIODS' }),
      values: {},
    });
    expect(await redrawn()).toContain('Some of those periods are already gone; refresh the list and try again.');
    await unchanged();
  });
});

describe('the role grid and form', () => {
  it('says the built-in role always has every right when its rights are unticked, keeping them', async () => {
    const role = await builtin();
    before = await digestTables(h.database.db);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.roleRights,
      blockId: `role_${role.id}`,
      checkedOptions: ['entry'],
      container: inView('VROLES', { page: 0 }),
    });
    expect(await redrawn()).toContain(`${role.name} is built in: it always has every right.`);
    await unchanged();
  });

  it('says the built-in role cannot be deleted, and a role deleted meanwhile no longer exists', async () => {
    const role = await builtin();
    const [gone] = await h.database.db
      .insert(roles)
      .values({ name: 'Gone', rights: ['entry'] })
      .returning();
    await h.database.db.delete(roles).where(eq(roles.id, gone!.id));
    before = await digestTables(h.database.db);
    const press = (roleId: number) =>
      h.slack.blockAction({
        userId: ADMIN,
        actionId: ids.admin.deleteRole,
        value: String(roleId),
        container: inView('VROLES', { page: 0 }),
      });
    await press(role.id);
    expect(await redrawn()).toContain(`${role.name} is built in and cannot be deleted.`);
    await press(gone!.id);
    expect(await redrawn()).toContain('That role no longer exists.');
    await unchanged();
  });

  it('puts a name with characters a role name may not have on the name field, creating no role', async () => {
    before = await digestTables(h.database.db);
    const created = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.roleForm,
      privateMetadata: JSON.stringify({ parentViewId: 'VROLES' }),
      values: {
        [ids.admin.roleName.block]: { [ids.admin.roleName.action]: { type: 'plain_text_input', value: 'Ops <all>' } },
      },
    });
    expect(created.body).toEqual({
      response_action: 'errors',
      errors: {
        [ids.admin.roleName.block]: 'A role name is 1 to 100 letters, digits, spaces, dots, dashes or underscores.',
      },
    });
    await unchanged();
  });

  it('puts a right that does not exist on the rights field of the role form, creating no role', async () => {
    before = await digestTables(h.database.db);
    const created = await h.slack.viewSubmission({
      userId: ADMIN,
      callbackId: ids.admin.roleForm,
      privateMetadata: JSON.stringify({ parentViewId: 'VROLES' }),
      values: {
        [ids.admin.roleName.block]: { [ids.admin.roleName.action]: { type: 'plain_text_input', value: 'Payroll' } },
        [ids.admin.roleFormRights.block]: {
          [ids.admin.roleFormRights.action]: { type: 'checkboxes', selected_options: [{ value: 'payroll' }] },
        },
      },
    });
    expect(created.body).toMatchObject({
      response_action: 'errors',
      errors: { [ids.admin.roleFormRights.block]: expect.stringMatching(/^Unknown right payroll; the rights are /) },
    });
    await unchanged();
  });
});

describe('the last holder of the security right', () => {
  it("cannot untick security from the only role giving it, nor delete that role, once the built-in role's holder is gone", async () => {
    const { db } = h.database;
    const [keys] = await db
      .insert(roles)
      .values({ name: 'Keys', rights: ['security', 'entry'] })
      .returning();
    await addUser(db, 'U0KEEPER');
    await db.insert(userRoles).values({ userId: 'U0KEEPER', roleId: keys!.id });
    await db.update(users).set({ active: false }).where(eq(users.id, ADMIN));
    try {
      before = await digestTables(db);
      await h.slack.blockAction({
        userId: 'U0KEEPER',
        actionId: ids.admin.roleRights,
        blockId: `role_${keys!.id}`,
        checkedOptions: ['entry'],
        container: inView('VROLES', { page: 0 }),
      });
      expect(await redrawn()).toContain(
        'Nobody would have the security right any more. Give it to someone else first.',
      );
      await h.slack.blockAction({
        userId: 'U0KEEPER',
        actionId: ids.admin.deleteRole,
        value: String(keys!.id),
        container: inView('VROLES', { page: 0 }),
      });
      expect(await redrawn()).toContain(
        'Nobody would have the security right any more. Give it to someone else first.',
      );
      await unchanged();
    } finally {
      await db.update(users).set({ active: true }).where(eq(users.id, ADMIN));
      await db.update(users).set({ active: false }).where(eq(users.id, 'U0KEEPER'));
    }
  });
});

describe('the user grid', () => {
  const grid = { page: 0, rolePage: 0, roleIds: [] as number[] };

  it("says 'no roles' when every role of a user is unticked, and takes them all away", async () => {
    grid.roleIds = (await h.database.db.select().from(roles)).map((r) => r.id);
    expect(await h.database.db.select().from(userRoles).where(eq(userRoles.userId, 'U0PLAIN'))).not.toEqual([]);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.userRoles,
      blockId: 'user_U0PLAIN',
      checkedOptions: [],
      container: inView('VUSERS', grid),
    });
    expect(await redrawn()).toContain('Saved: no roles.');
    expect(await h.database.db.select().from(userRoles).where(eq(userRoles.userId, 'U0PLAIN'))).toEqual([]);
  });

  it('says a ticked role deleted meanwhile no longer exists, keeping the roles the user has', async () => {
    const { db } = h.database;
    const [gone] = await db
      .insert(roles)
      .values({ name: 'Fleeting', rights: ['entry'] })
      .returning();
    await db.delete(roles).where(eq(roles.id, gone!.id));
    before = await digestTables(db);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.userRoles,
      blockId: 'user_U0PLAIN',
      checkedOptions: [String(gone!.id)],
      container: inView('VUSERS', { page: 0, rolePage: 0, roleIds: [gone!.id] }),
    });
    expect(await redrawn()).toContain('One of those roles no longer exists; refresh and try again.');
    await unchanged();
  });

  it('says nobody needs to be their own delegate, saving no delegate', async () => {
    before = await digestTables(h.database.db);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.userDelegates,
      blockId: 'user_U0PLAIN',
      selectedUsers: ['U0PLAIN', 'U0HELPER'],
      container: inView('VUSERS', grid),
    });
    expect(await redrawn()).toContain('Nobody needs to be their own delegate.');
    expect(await h.database.db.select().from(delegates)).toEqual([]);
    await unchanged();
  });

  it('refuses to deactivate the last holder of the security right, and says a deactivated user already is', async () => {
    await h.database.db.update(users).set({ active: false }).where(eq(users.id, 'U0PLAIN'));
    before = await digestTables(h.database.db);
    const press = (userId: string) =>
      h.slack.blockAction({
        userId: ADMIN,
        actionId: ids.admin.deactivateUser,
        value: userId,
        container: inView('VUSERS', grid),
      });
    await press(ADMIN);
    expect(await redrawn()).toContain('Nobody would have the security right any more. Give it to someone else first.');
    await press('U0PLAIN');
    expect(await redrawn()).toContain('That user is already deactivated.');
    expect((await h.database.db.select().from(users).where(eq(users.id, ADMIN)))[0]!.active).toBe(true);
    await unchanged();
  });
});

describe('the audit trail', () => {
  it('filters the audit trail by a person, whether they acted or were acted for', async () => {
    const at = new Date('2026-11-25T09:30:00Z');
    await h.database.db.insert(auditLog).values([
      { at, actorId: 'U0PLAIN', action: 'entry.mine', entity: 'time_entry', entityId: '1' },
      { at, actorId: 'U0HELPER', actingFor: 'U0PLAIN', action: 'entry.for', entity: 'time_entry', entityId: '2' },
      { at, actorId: 'U0HELPER', action: 'entry.other', entity: 'time_entry', entityId: '3' },
    ]);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.auditUser,
      selectedUser: 'U0PLAIN',
      container: inView('VAUDIT', {}),
    });
    const byPerson = await redrawn();
    expect(byPerson).toContain('`entry.mine`');
    expect(byPerson).toContain('`entry.for`');
    expect(byPerson).not.toContain('`entry.other`');
  });

  it('drops a filter whose choice is cleared, showing every kind of change again', async () => {
    const at = new Date('2026-11-25T09:00:00Z');
    await h.database.db.insert(auditLog).values([
      { at, actorId: ADMIN, action: 'user.note', entity: 'user', entityId: 'U0PLAIN' },
      { at, actorId: ADMIN, action: 'role.note', entity: 'role', entityId: '1' },
    ]);
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.auditEntity,
      selectedOption: 'user',
      container: inView('VAUDIT', { entity: 'role' }),
    });
    const byUser = await redrawn();
    expect(byUser).toContain('`user.note`');
    expect(byUser).not.toContain('`role.note`');
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.admin.auditEntity,
      container: inView('VAUDIT', { entity: 'user' }),
    });
    const all = (JSON.parse(await redrawn()) as { view: { private_metadata: string } }).view;
    expect(JSON.parse(all.private_metadata)).toEqual({});
    expect(JSON.stringify(all)).toContain('`user.note`');
    expect(JSON.stringify(all)).toContain('`role.note`');
  });
});
