/** What the roles, users, delegates and settings pages refuse, with the words shown, writing nothing. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, roles } from '../../src/db/schema.js';
import { ADMINISTRATORS_ROLE } from '../../src/domain/rights.js';
import {
  adminSections,
  auditTrail,
  createRole,
  deactivateUser,
  deleteRole,
  listRoles,
  listUsers,
  setDelegates,
  setRoleRights,
  setUserRoles,
} from '../../src/services/security.js';
import { saveSettings, settingsForEditing } from '../../src/services/settings.js';
import { ensureAdministrators } from '../../src/services/users.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { changedTables, digestTables, type TableDigest } from '../support/database-digest.js';
import { addUser, asUser, serviceContext } from '../support/fixtures.js';

let database: TestDatabase;
const as = (userId: string) => serviceContext(database.db, asUser(userId));
let before: TableDigest[];
const unchanged = async () => expect(changedTables(before, await digestTables(database.db))).toEqual([]);
const forbidden = { ok: false, error: { code: 'forbidden' } };
let builtin: number;
let guardRole: number;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  // UGUARD alone holds security; UADMIN holds every other right, so the last-holder guard can be reached.
  await addUser(db, 'UGUARD', { rights: ['security'] });
  await addUser(db, 'UADMIN', { rights: ['admin', 'entry', 'approval', 'payable', 'receivable'] });
  await addUser(db, 'UCLERK', { rights: ['entry'] });
  await ensureAdministrators(db, []);
  builtin = (await db.query.roles.findFirst({ where: (r, { eq }) => eq(r.name, ADMINISTRATORS_ROLE) }))!.id;
  guardRole = (await db.query.roles.findFirst({ where: (r, { eq }) => eq(r.name, 'role-UGUARD') }))!.id;
});
afterAll(async () => database.drop());
beforeEach(async () => {
  before = await digestTables(database.db);
});

describe('roles', () => {
  it('refuses every roles and users page to someone without the security right', async () => {
    expect(await listRoles(as('UCLERK'))).toMatchObject(forbidden);
    expect(await listUsers(as('UCLERK'))).toMatchObject(forbidden);
    expect(await createRole(as('UCLERK'), { name: 'Sales', rights: [] })).toMatchObject(forbidden);
    expect(await setRoleRights(as('UCLERK'), { roleId: guardRole, rights: [] })).toMatchObject(forbidden);
    expect(await deleteRole(as('UCLERK'), { roleId: guardRole })).toMatchObject(forbidden);
    expect(await setUserRoles(as('UCLERK'), { userId: 'UCLERK', roleIds: [builtin] })).toMatchObject(forbidden);
    expect(await setDelegates(as('UCLERK'), { principalId: 'UCLERK', delegateIds: ['UADMIN'] })).toMatchObject(
      forbidden,
    );
    expect(await deactivateUser(as('UCLERK'), { userId: 'UGUARD' })).toMatchObject(forbidden);
    await unchanged();
  });

  it('refuses a role name with other characters, a name taken in another case, and an unknown right', async () => {
    expect(await createRole(as('UGUARD'), { name: 'Sales/Ops', rights: [] })).toEqual({
      ok: false,
      error: {
        code: 'invalid_name',
        message: 'A role name is 1 to 100 letters, digits, spaces, dots, dashes or underscores.',
        field: 'name',
      },
    });
    expect(await createRole(as('UGUARD'), { name: ADMINISTRATORS_ROLE.toUpperCase(), rights: [] })).toEqual({
      ok: false,
      error: {
        code: 'duplicate',
        message: `There is already a role called ${ADMINISTRATORS_ROLE.toUpperCase()}.`,
        field: 'name',
      },
    });
    expect(await createRole(as('UGUARD'), { name: 'Sales', rights: ['entry', 'sell', 'buy'] })).toEqual({
      ok: false,
      error: {
        code: 'unknown_right',
        message: 'Unknown rights sell, buy; the rights are admin, entry, approval, payable, receivable, security.',
        field: 'rights',
      },
    });
    expect(await setRoleRights(as('UGUARD'), { roleId: guardRole, rights: ['owner'] })).toMatchObject({
      ok: false,
      error: { code: 'unknown_right', message: expect.stringMatching(/^Unknown right owner;/), field: 'rights' },
    });
    await unchanged();
  });

  it('refuses to change or delete the built-in role or a role that is gone', async () => {
    expect(await setRoleRights(as('UGUARD'), { roleId: builtin, rights: ['entry'] })).toEqual({
      ok: false,
      error: { code: 'builtin', message: `${ADMINISTRATORS_ROLE} is built in: it always has every right.` },
    });
    expect(await deleteRole(as('UGUARD'), { roleId: builtin })).toEqual({
      ok: false,
      error: { code: 'builtin', message: `${ADMINISTRATORS_ROLE} is built in and cannot be deleted.` },
    });
    expect(await setRoleRights(as('UGUARD'), { roleId: 999_999, rights: [] })).toEqual({
      ok: false,
      error: { code: 'gone', message: 'That role no longer exists.' },
    });
    expect(await deleteRole(as('UGUARD'), { roleId: 999_999 })).toEqual({
      ok: false,
      error: { code: 'gone', message: 'That role no longer exists.' },
    });
    await unchanged();
  });

  it('refuses any change that leaves nobody with the security right, keeping the role and its member', async () => {
    const lastHolder = {
      ok: false,
      error: {
        code: 'last_security_holder',
        message: 'Nobody would have the security right any more. Give it to someone else first.',
      },
    };
    expect(await setRoleRights(as('UGUARD'), { roleId: guardRole, rights: ['entry'] })).toEqual(lastHolder);
    expect(await deleteRole(as('UGUARD'), { roleId: guardRole })).toEqual(lastHolder);
    expect(await setUserRoles(as('UGUARD'), { userId: 'UGUARD', roleIds: [] })).toEqual(lastHolder);
    expect(await deactivateUser(as('UGUARD'), { userId: 'UGUARD' })).toEqual(lastHolder);
    await unchanged();
  });

  it('refuses roles for a user it does not know and a role that is gone', async () => {
    expect(await setUserRoles(as('UGUARD'), { userId: 'UNOBODY', roleIds: [guardRole] })).toEqual({
      ok: false,
      error: {
        code: 'unknown_user',
        message: 'ConsulTracker does not know that user yet; add them as an employee first.',
      },
    });
    expect(await setUserRoles(as('UGUARD'), { userId: 'UCLERK', roleIds: [999_999] })).toEqual({
      ok: false,
      error: { code: 'unknown_role', message: 'One of those roles no longer exists; refresh and try again.' },
    });
    await unchanged();
  });

  it('on a grid page changes only the roles that page shows, keeping the others', async () => {
    const sales = await createRole(as('UGUARD'), { name: 'Sales', rights: ['receivable'] });
    const sales2 = sales.ok ? sales.role.id : 0;
    const clerkRole = (await database.db.query.roles.findFirst({ where: (r, { eq }) => eq(r.name, 'role-UCLERK') }))!
      .id;
    expect(await setUserRoles(as('UGUARD'), { userId: 'UCLERK', roleIds: [sales2], among: [sales2, builtin] })).toEqual(
      { ok: true, roles: ['Sales', 'role-UCLERK'] },
    );
    const users = await listUsers(as('UGUARD'));
    expect(users.ok && users.users.find((u) => u.id === 'UCLERK')?.roleIds.sort()).toEqual([clerkRole, sales2].sort());
    expect(await setUserRoles(as('UGUARD'), { userId: 'UCLERK', roleIds: [], among: [sales2] })).toEqual({
      ok: true,
      roles: ['role-UCLERK'],
    });
    await database.db.delete(roles).where(eq(roles.id, sales2));
  });
});

describe('delegates and deactivation', () => {
  it('refuses a user as their own delegate, on the delegates field', async () => {
    expect(await setDelegates(as('UGUARD'), { principalId: 'UCLERK', delegateIds: ['UADMIN', 'UCLERK'] })).toEqual({
      ok: false,
      error: { code: 'self', message: 'Nobody needs to be their own delegate.', field: 'delegates' },
    });
    await unchanged();
  });

  it('refuses delegates for a user it does not know', async () => {
    expect(await setDelegates(as('UGUARD'), { principalId: 'UNOBODY', delegateIds: ['UADMIN'] })).toEqual({
      ok: false,
      error: { code: 'unknown_user', message: 'ConsulTracker does not know that user.' },
    });
    await unchanged();
  });

  it('says a user already deactivated is already deactivated', async () => {
    await addUser(database.db, 'UGONE');
    expect(await deactivateUser(as('UGUARD'), { userId: 'UGONE' })).toEqual({ ok: true, name: 'UGONE' });
    before = await digestTables(database.db);
    expect(await deactivateUser(as('UGUARD'), { userId: 'UGONE' })).toEqual({
      ok: false,
      error: { code: 'gone', message: 'That user is already deactivated.' },
    });
    await unchanged();
  });
});

describe('the audit trail', () => {
  it('is refused to someone without a right that opens it', async () => {
    expect(await auditTrail(as('UCLERK'))).toMatchObject(forbidden);
  });

  it('filters by user (as actor or principal), entity and days, and names the people', async () => {
    const { db } = database;
    await db.insert(auditLog).values([
      {
        at: new Date('2026-11-02T10:00:00Z'),
        actorId: 'UADMIN',
        actingFor: 'UCLERK',
        action: 'entry.log',
        entity: 'time_entry',
        entityId: '1',
      },
      {
        at: new Date('2026-11-03T10:00:00Z'),
        actorId: 'UCLERK',
        action: 'entry.log',
        entity: 'time_entry',
        entityId: '2',
      },
      { at: new Date('2026-11-03T11:00:00Z'), actorId: 'UOUTSIDER', action: 'x', entity: 'time_entry', entityId: '3' },
      { at: new Date('2026-11-04T10:00:00Z'), actorId: 'UCLERK', action: 'y', entity: 'project', entityId: '4' },
    ]);
    const trail = await auditTrail(as('UADMIN'), {
      userId: 'UCLERK',
      entity: 'time_entry',
      from: '2026-11-01',
      to: '2026-11-03',
    });
    expect(trail).toMatchObject({
      ok: true,
      rows: [
        { actor: 'UCLERK', actingFor: null, entityId: '2' },
        { actor: 'UADMIN', actingFor: 'UCLERK', entityId: '1' },
      ],
    });
    const unknownActor = await auditTrail(as('UADMIN'), { from: '2026-11-03', to: '2026-11-03', limit: 1 });
    expect(unknownActor).toMatchObject({ ok: true, rows: [{ actor: 'UOUTSIDER', entityId: '3' }] });
  });
});

describe('admin sections and settings', () => {
  it('opens no section to a job, and the sections of the rights a user holds', async () => {
    const job = serviceContext(database.db, { kind: 'system', name: 'job' });
    expect(await adminSections(job)).toEqual({ periods: false, security: false, reports: false, settings: false });
    expect(await adminSections(as('UCLERK'))).toEqual({
      periods: false,
      security: false,
      reports: false,
      settings: false,
    });
    expect(await adminSections(as('UGUARD'))).toMatchObject({ security: true, settings: false });
  });

  it('refuses the settings to someone without the admin right, writing nothing', async () => {
    expect(await settingsForEditing(as('UCLERK'))).toMatchObject(forbidden);
    expect(await saveSettings(as('UCLERK'), {})).toMatchObject(forbidden);
    await unchanged();
  });

  it('refuses a setting that is not valid, naming its key', async () => {
    const result = await saveSettings(as('UADMIN'), { firm_name: 'x'.repeat(201) });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid_setting', field: 'firm_name', message: expect.stringMatching(/at most 200 characters/) },
    });
    await unchanged();
  });

  it('saves the same values again without an audit row', async () => {
    const current = await settingsForEditing(as('UADMIN'));
    if (!current.ok) throw new Error('settings refused');
    const again = await saveSettings(as('UADMIN'), current.settings);
    expect(again).toEqual({ ok: true, settings: current.settings });
    await unchanged();
  });
});
