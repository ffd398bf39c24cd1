/** App Home's last entries: the entries logged last, wherever a rejection has copied older ones since. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideTimesheet } from '../../src/services/approval-decisions.js';
import { homeOverview } from '../../src/services/home.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addPeriod,
  addProject,
  addUser,
  approvalIdOf,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-10-30T12:00:00Z');
const ctxFor = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UALICE', { rights: ['entry'], name: 'Alice' });
  await addUser(db, 'UADMIN', { rights: ['admin'], name: 'Ada' });
  const alice = await addConsultant(db, 'UALICE');
  await addProject(db, 'ACME-WEB', await addCustomer(db, 'ACME'), { consultants: [alice] });
  await addPeriod(db, '2026-10-01', '2026-10-31');
  await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

describe("App Home's last entries", () => {
  it('still show the entry logged this morning after last month’s sheet is sent back and copied', async () => {
    const work = { projectCode: 'ACME-WEB', minutes: 60, billable: true, source: 'command' } as const;
    for (let day = 20; day <= 26; day++) {
      const date = { kind: 'iso', date: `2026-10-${day}` } as const;
      expect(await logTime(ctxFor('UALICE'), { ...work, date, description: `october ${day}` })).toMatchObject({
        ok: true,
      });
    }
    expect(await submitTimesheet(ctxFor('UALICE'))).toMatchObject({ ok: true });
    clock.set('2026-11-24T09:00:00Z');
    expect(await logTime(ctxFor('UALICE'), { ...work, description: 'this morning' })).toMatchObject({ ok: true });
    clock.set('2026-11-24T10:00:00Z');
    const october = (await database.db.query.timesheets.findFirst({
      where: (t, { eq }) => eq(t.status, 'submitted'),
    }))!;
    const rejected = await decideTimesheet(ctxFor('UADMIN'), {
      approvalId: await approvalIdOf(database.db, october.id, 'UADMIN'),
      decision: 'reject',
      reason: 'fix the descriptions',
    });
    expect(rejected).toMatchObject({ ok: true, outcome: { sheetStatus: 'cancelled' } });

    const home = await homeOverview(ctxFor('UALICE'));
    if (!home.ok || home.home.kind !== 'consultant') throw new Error('no App Home for Alice');
    expect(home.home.recent.map((entry) => entry.description)[0]).toBe('this morning');
  });
});
