/**
 * PGlite's named statements (src/db/pglite-statements.ts) read what PGlite's own `query` reads:
 * the same values through drizzle, from a PGlite left as it comes. The rest of their behaviour is
 * tested on both databases in statement-names.test.ts.
 */
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DatabaseConnection, openPglite, queryRows } from '../../src/db/client.js';

let named: DatabaseConnection;
let plain: PGlite;

beforeAll(async () => {
  named = await openPglite({ inMemory: true });
  plain = await PGlite.create();
});

afterAll(async () => {
  await named?.close();
  await plain?.close();
});

it('sends and reads values as PGlite itself does: null, dates, timestamps, json, arrays, bigint text', async () => {
  const at = new Date('2026-11-24T12:34:56.789Z');
  const probe = sql`select ${null}::text as nothing, ${'2026-11-24'}::date as day, ${at}::timestamptz as at,
    ${JSON.stringify({ minutes: 30 })}::jsonb as payload, ${'{approval,entry}'}::text[] as rights,
    ${'9007199254740993'}::bigint as big -- statement-names types`;

  const [viaName] = await queryRows<Record<string, unknown>>(named.db, probe);
  const [unnamed] = await queryRows<Record<string, unknown>>(drizzle({ client: plain }), probe);

  expect(viaName).toEqual(unnamed);
  expect(viaName).toMatchObject({ nothing: null, payload: { minutes: 30 }, rights: ['approval', 'entry'] });
  const prepared = await queryRows(
    named.db,
    sql`select 1 from pg_prepared_statements where starts_with(statement, ${'select $1::text as nothing'})`,
  );
  expect(prepared).toHaveLength(1);
});
