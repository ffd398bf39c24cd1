/**
 * `/credits` needs a right like every other read: someone whose roles were all taken away (not
 * deactivated) and who was taken off the customer's project may not read its prepaid ledger (what
 * the customer paid for its hours, the PO note, every consultant's entries against it).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRoles } from '../../src/db/schema.js';
import { addCredits, creditsOverview } from '../../src/services/credits.js';
import { removeFromProjects } from '../../src/services/employee-assignments.js';
import { logTime } from '../../src/services/time-entries.js';
import { timesheetOverview } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-25T12:00:00Z');
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);
let con: number;
let project: number;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin', 'security'] });
  await addUser(db, 'UCON', { rights: ['entry'] });
  con = await addConsultant(db, 'UCON');
  const globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  project = await addProject(db, 'GLOBEX-OPS', globex, { consultants: [con] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

describe('/credits for someone who holds no right any more', () => {
  it('is refused, as every other consultant read is', async () => {
    expect(
      await logTime(as('UCON'), {
        projectCode: 'GLOBEX-OPS',
        minutes: 60,
        description: 'ops',
        billable: true,
        source: 'command',
      }),
    ).toMatchObject({ ok: true });
    expect(
      await addCredits(as('UADMIN'), {
        customerCode: 'GLOBEX',
        hours: '100',
        price: '15000',
        date: '2026-11-20',
        note: 'PO-4711',
      }),
    ).toMatchObject({ ok: true });

    // Off the project, and every role taken away (not deactivated).
    expect(await removeFromProjects(as('UADMIN'), con, [{ projectId: project, as: 'consultant' }])).toMatchObject({
      ok: true,
    });
    await database.db.delete(userRoles).where(eq(userRoles.userId, 'UCON'));
    expect(await timesheetOverview(as('UCON'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const overview = await creditsOverview(as('UCON'), 'GLOBEX');
    expect(overview.ok ? overview.customers[0]!.movements.map((m) => [m.kind, m.priceCents, m.note]) : []).toEqual([]);
    expect(overview).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
