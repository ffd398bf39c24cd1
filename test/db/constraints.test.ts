/** Rules the database itself enforces, whatever code runs against it. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, reportingPeriods } from '../../src/db/schema.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());

describe('audit_log is append-only', () => {
  it('accepts new rows and refuses UPDATE, DELETE and TRUNCATE', async () => {
    const { db } = database;
    await db.insert(auditLog).values({
      at: new Date('2026-11-24T12:00:00Z'),
      actorId: 'U1',
      action: 'test.write',
      entity: 'test',
      entityId: '1',
      before: null,
      after: { n: 1 },
    });
    await expect(db.execute(sql`update audit_log set action = 'rewritten'`)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/append-only: UPDATE/) },
    });
    await expect(db.execute(sql`delete from audit_log`)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/append-only: DELETE/) },
    });
    await expect(db.execute(sql`truncate audit_log`)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/append-only: TRUNCATE/) },
    });
    expect(await db.select().from(auditLog)).toMatchObject([{ action: 'test.write', after: { n: 1 } }]);
  });
});

describe('reporting periods', () => {
  it('never overlap, even when written directly', async () => {
    const { db } = database;
    await db.insert(reportingPeriods).values({ startsOn: '2026-11-01', endsOn: '2026-11-30' });
    await expect(
      db.insert(reportingPeriods).values({ startsOn: '2026-11-30', endsOn: '2026-12-31' }),
    ).rejects.toThrow();
    await expect(
      db.insert(reportingPeriods).values({ startsOn: '2026-12-05', endsOn: '2026-12-01' }),
    ).rejects.toThrow();
    await db.insert(reportingPeriods).values({ startsOn: '2026-12-01', endsOn: '2026-12-31' });
    expect(await db.select().from(reportingPeriods)).toHaveLength(2);
  });
});
