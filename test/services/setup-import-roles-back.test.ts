/** A setup file that names someone as consultant or manager makes them one, also when that role had been dropped. */
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { saveEmployee } from '../../src/services/employees.js';
import { importSetup } from '../../src/services/setup-import.js';
import { logTime } from '../../src/services/time-entries.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addUser, asUser, serviceContext } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

const example = readFileSync(new URL('../../examples/setup.yaml', import.meta.url), 'utf8');
const clock = new TestClock('2026-11-24T12:00:00Z');
const system = (db: Database) => serviceContext(db, { kind: 'system', name: 'cli' }, clock);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADMIN', { rights: ['admin'] });
});
afterAll(async () => database.drop());

describe('importing a file that names a dropped consultant as a consultant again', () => {
  it('gives the role back (with the file’s rates), so the person can log on the projects the file puts them on', async () => {
    const { db } = database;
    expect(await importSetup(system(db), example)).toMatchObject({ ok: true });
    const [carl] = await db.select().from(schema.employees).where(eq(schema.employees.userId, 'U03CARL'));

    // Carl stops consulting for a while (Edit details, Consultant unticked; he has no time yet).
    expect(
      await saveEmployee(serviceContext(db, asUser('UADMIN'), clock), {
        id: carl!.id,
        userId: 'U03CARL',
        name: 'Carl Poe',
        address: '',
        notes: '',
        consultant: null,
        manager: false,
      }),
    ).toMatchObject({ ok: true });

    // The firm's file, which says Carl is a consultant at 65.50 / 130.00 on ACME-WEB, is loaded again:
    // the import reports success...
    expect(await importSetup(system(db), example)).toMatchObject({ ok: true });

    // ...so Carl is a consultant again and logs on ACME-WEB, as the file says.
    const [consultant] = await db.select().from(schema.consultants).where(eq(schema.consultants.employeeId, carl!.id));
    expect(consultant).toMatchObject({ defaultCostRateCents: 6550, defaultPriceRateCents: 13000, archivedAt: null });
    expect(
      await logTime(serviceContext(db, asUser('U03CARL'), clock), {
        projectCode: 'ACME-WEB',
        minutes: 60,
        description: 'back at it',
        billable: true,
        source: 'command',
      }),
    ).toMatchObject({ ok: true });
  });
  it('gives a dropped manager role back too, so Bob decides his projects again', async () => {
    const { db } = database;
    expect(await importSetup(system(db), example)).toMatchObject({ ok: true });
    const [bob] = await db.select().from(schema.employees).where(eq(schema.employees.userId, 'U02BOB'));
    expect(
      await saveEmployee(serviceContext(db, asUser('UADMIN'), clock), {
        id: bob!.id,
        userId: 'U02BOB',
        name: 'Bob Roe',
        address: '',
        notes: '',
        consultant: null,
        manager: false,
      }),
    ).toMatchObject({ ok: true });
    expect(await importSetup(system(db), example)).toMatchObject({ ok: true });
    const [manager] = await db.select().from(schema.managers).where(eq(schema.managers.employeeId, bob!.id));
    expect(manager).toMatchObject({ archivedAt: null });
  });
});
