import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { unlessZoneUnknown } from '../../src/db/unknown-zone.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());

const inZone = (zone: string) =>
  queryRows<{ day: string }>(database.db, sql`select (now() at time zone ${zone})::date::text as day`);

describe('a statement that counts a day in a time zone', () => {
  it('answers its rows for a zone the database knows', async () => {
    expect(await unlessZoneUnknown(inZone('America/Los_Angeles'))).toHaveLength(1);
  });

  it('answers undefined for a zone the database does not know (the legacy US/Pacific-New)', async () => {
    expect(await unlessZoneUnknown(inZone('US/Pacific-New'))).toBeUndefined();
  });

  it('answers undefined when the server says so in another language, by where it refused the zone', async () => {
    const french = Object.assign(new Error('le fuseau horaire « US/Pacific-New » n’est pas reconnu'), {
      code: '22023',
      routine: 'timestamptz_zone',
    });
    expect(await unlessZoneUnknown(Promise.reject(french))).toBeUndefined();
  });

  it('throws any other error of the statement, as the database gave it (division by zero)', async () => {
    const thrown = await unlessZoneUnknown(queryRows(database.db, sql`select 1 / 0`)).then(
      () => expect.unreachable('the statement should fail'),
      (error: unknown) => error as { cause?: { code?: string } },
    );
    expect(thrown.cause?.code).toBe('22012');
  });
});
