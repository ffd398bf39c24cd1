/**
 * `jsonOf` writes a row as jsonb in SQL exactly as `JSON.stringify(rowOf(...))` writes it in the
 * app: an audit row built in its change's statement reads like one built from drizzle's row.
 */
import { sql, type Table } from 'drizzle-orm';
import { numeric, pgTable, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnsOf, jsonOf, queryRows, rowOf } from '../../src/db/client.js';
import { auditLog, roles, timeEntries, timesheets } from '../../src/db/schema.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addConsultant, addCustomer, addPeriod, addProject, addUser } from '../support/fixtures.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => database.drop());

/** The first row of `table` as the app writes it in JSON, and as `jsonOf` does in SQL. */
async function bothWays(table: Table): Promise<{ app: unknown; database: unknown }> {
  const [raw] = await queryRows<Record<string, unknown>>(database.db, sql`select ${columnsOf(table)} from ${table}`);
  const [json] = await queryRows<{ row: unknown }>(
    database.db,
    sql`select ${jsonOf(table, 'r')} as row from ${table} r`,
  );
  const row = typeof json!.row === 'string' ? (JSON.parse(json!.row) as unknown) : json!.row;
  return { app: JSON.parse(JSON.stringify(rowOf(table, raw!))) as unknown, database: row };
}

describe('a row as jsonb (jsonOf)', () => {
  it('writes a time entry as the app does: dates, times, nulls, and a timestamp truncated to the millisecond', async () => {
    const { db } = database;
    await addUser(db, 'UALICE');
    const alice = await addConsultant(db, 'UALICE');
    const project = await addProject(db, 'ACME-WEB', await addCustomer(db, 'ACME'), { consultants: [alice] });
    const period = await addPeriod(db, '2026-11-01', '2026-11-30');
    const [sheet] = await db.insert(timesheets).values({ consultantId: alice, periodId: period }).returning();
    await db.insert(timeEntries).values({
      timesheetId: sheet!.id,
      projectId: project,
      workDate: '2026-11-24',
      beginsAt: '09:15',
      endsAt: '10:00',
      minutes: 45,
      description: 'a "quoted" ünïcode review',
      source: 'command',
      createdBy: 'UALICE',
    });
    // .123999: a rounding writer would say .124, where drizzle's Date keeps .123.
    await db.execute(sql`update time_entries set created_at = '2026-11-24 12:00:00.123999+00'`);

    const { app, database: written } = await bothWays(timeEntries);
    expect(written).toEqual(app);
    expect(written).toMatchObject({ createdAt: '2026-11-24T12:00:00.123Z', beginsAt: '09:15:00', actingFor: null });
  });

  it('writes arrays, jsonb and big integers as the app does', async () => {
    const { db } = database;
    await db.insert(roles).values({ name: 'both', rights: ['entry', 'approval'] });
    await db.insert(auditLog).values({
      at: new Date('2026-11-24T12:00:00Z'),
      actorId: 'UALICE',
      action: 'probe',
      entity: 'probe',
      entityId: '1',
      after: { nested: [1, 'two', null] },
    });

    const role = await bothWays(roles);
    expect(role.database).toEqual(role.app);
    const audit = await bothWays(auditLog);
    expect(audit.database).toEqual(audit.app);
    expect(audit.database).toMatchObject({ before: null, after: { nested: [1, 'two', null] } });
  });

  it('refuses a column it cannot write as the app does, when the statement is built', () => {
    const money = pgTable('money', { amount: numeric('amount') });
    const local = pgTable('local', { at: timestamp('at') });
    expect(() => jsonOf(money, 'r')).toThrow('jsonOf: column amount (PgNumeric) has no jsonb form');
    expect(() => jsonOf(local, 'r')).toThrow('jsonOf: column at (PgTimestamp) has no jsonb form');
  });
});
