/** Issue 11, item 14: the App Home acting-as switch, decided from the database. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, delegates, users } from '../../src/db/schema.js';
import { setActingAs } from '../../src/services/acting-as.js';
import { homeOverview } from '../../src/services/home.js';
import { requestUser } from '../../src/services/users.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addDelegate,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-25T12:00:00Z');
const ctxFor = (userId: string, actingFor?: string) => serviceContext(database.db, asUser(userId, actingFor), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UANN', { name: 'Ann', rights: ['entry'] });
  await addUser(db, 'UPAT', { name: 'Pat Assistant' });
  await addUser(db, 'UOTHER', { name: 'Other', rights: ['entry'] });
  const ann = await addConsultant(db, 'UANN');
  await addProject(db, 'WEB', await addCustomer(db, 'ACME'), { consultants: [ann] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
  await addDelegate(db, 'UANN', 'UPAT');
});
afterAll(async () => database.drop());

describe('the acting-as switch', () => {
  it('lets a delegate act for a principal until switched back, refuses anyone else, and audits each switch', async () => {
    expect(await setActingAs(ctxFor('UPAT'), { principalId: 'UOTHER' })).toMatchObject({
      ok: false,
      error: { code: 'not_a_delegate' },
    });
    expect(await setActingAs(ctxFor('UPAT'), { principalId: 'UANN' })).toEqual({
      ok: true,
      actingFor: { userId: 'UANN', name: 'Ann' },
    });
    expect(await requestUser(database.db, clock, 'UPAT')).toMatchObject({ actingFor: { userId: 'UANN', name: 'Ann' } });
    const home = await homeOverview(ctxFor('UPAT', 'UANN'));
    expect(home).toMatchObject({
      ok: true,
      home: { kind: 'consultant', name: 'Ann' },
      actingAs: { principals: [{ userId: 'UANN', name: 'Ann' }], current: { userId: 'UANN' } },
    });
    expect(await setActingAs(ctxFor('UPAT'), { principalId: null })).toEqual({ ok: true, actingFor: null });
    expect((await database.db.select().from(users).where(eq(users.id, 'UPAT')))[0]?.actingFor).toBeNull();
    const switches = await database.db.select().from(auditLog).where(eq(auditLog.action, 'user.act_as'));
    expect(switches.map((row) => row.after)).toEqual([{ actingFor: 'UANN' }, { actingFor: null }]);
  });

  it('lapses when the delegation ends or the principal is deactivated', async () => {
    expect(await setActingAs(ctxFor('UPAT'), { principalId: 'UANN' })).toMatchObject({ ok: true });
    await database.db.update(users).set({ active: false }).where(eq(users.id, 'UANN'));
    expect(await requestUser(database.db, clock, 'UPAT')).toMatchObject({ actingFor: null });
    await database.db.update(users).set({ active: true }).where(eq(users.id, 'UANN'));
    await database.db.delete(delegates);
    expect(await requestUser(database.db, clock, 'UPAT')).toMatchObject({ actingFor: null });
  });
});
