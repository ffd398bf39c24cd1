/**
 * PGlite sends each parameterised statement as a named statement it parses once
 * (src/db/pglite-statements.ts), as the PostgreSQL pool does per connection
 * (statement-names.postgres.test.ts). What comes back must be what PGlite's own `query` gives.
 */
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseConnection, openPglite, queryRows } from '../../src/db/client.js';

let connection: DatabaseConnection;

beforeAll(async () => {
  connection = await openPglite({ inMemory: true });
});

afterAll(async () => {
  await connection?.close();
});

/** The session's prepared statements whose text starts with `prefix`. */
async function preparedLike(prefix: string): Promise<string[]> {
  const rows = await queryRows<{ statement: string }>(
    connection.db,
    sql`select statement from pg_prepared_statements where starts_with(statement, ${prefix})`,
  );
  return rows.map((row) => row.statement);
}

const SYNTAX_ERROR = '42601';
const DIVISION_BY_ZERO = '22012';
const UNIQUE_VIOLATION = '23505';

/** The SQLSTATE the database failed the query with (drizzle wraps the driver's error as its cause). */
async function sqlState(query: Promise<unknown>): Promise<string | undefined> {
  return query.then(
    () => undefined,
    (error: { cause?: { code?: string } }) => error.cause?.code,
  );
}

describe('statement names on PGlite', () => {
  it('prepares a parameterised statement once and answers every call with its own values', async () => {
    const doubled = (n: number) =>
      queryRows<{ doubled: number }>(connection.db, sql`select ${n}::int * 2 as doubled -- statement-names probe`);

    expect(await doubled(2)).toEqual([{ doubled: 4 }]);
    expect(await doubled(21)).toEqual([{ doubled: 42 }]);
    expect(await preparedLike('select $1::int * 2 as doubled')).toHaveLength(1);
  });

  it('gives texts that differ their own statements', async () => {
    await queryRows(connection.db, sql`select ${'a'}::text as one -- statement-names pair`);
    await queryRows(connection.db, sql`select ${'a'}::text as one, ${'b'}::text as two -- statement-names pair`);

    expect(await preparedLike('select $1::text as one')).toHaveLength(2);
  });

  it('sends and reads values as PGlite itself does: null, dates, timestamps, json, arrays, bigint text', async () => {
    const at = new Date('2026-11-24T12:34:56.789Z');
    const probe = sql`select ${null}::text as nothing, ${'2026-11-24'}::date as day, ${at}::timestamptz as at,
      ${JSON.stringify({ minutes: 30 })}::jsonb as payload, ${'{approval,entry}'}::text[] as rights,
      ${'9007199254740993'}::bigint as big -- statement-names types`;
    const plain = await PGlite.create();
    try {
      const [named] = await queryRows<Record<string, unknown>>(connection.db, probe);
      const [unnamed] = await queryRows<Record<string, unknown>>(drizzle({ client: plain }), probe);

      expect(named).toEqual(unnamed);
      expect(named).toMatchObject({ nothing: null, payload: { minutes: 30 }, rights: ['approval', 'entry'] });
      expect(await preparedLike('select $1::text as nothing')).toHaveLength(1);
    } finally {
      await plain.close();
    }
  });

  it('keeps the database usable after a named statement fails, when it is parsed and when it runs', async () => {
    const broken = () => queryRows(connection.db, sql`selec ${1}::int -- statement-names broken`);
    expect(await sqlState(broken())).toBe(SYNTAX_ERROR);
    expect(await sqlState(broken())).toBe(SYNTAX_ERROR);

    const divide = (by: number) =>
      queryRows<{ q: number }>(connection.db, sql`select 10 / ${by}::int as q -- statement-names divide`);
    expect(await sqlState(divide(0))).toBe(DIVISION_BY_ZERO);
    expect(await divide(5)).toEqual([{ q: 2 }]);
  });

  it('rolls a transaction back whole when a named statement in it fails, and the next one commits', async () => {
    await connection.db.execute(sql`create table named_probe (tag text primary key)`);
    const insert = (tag: string) => sql`insert into named_probe (tag) values (${tag}) -- statement-names insert`;

    const failed = connection.db.transaction(async (tx) => {
      await tx.execute(insert('first'));
      await tx.execute(insert('first'));
    });
    expect(await sqlState(failed)).toBe(UNIQUE_VIOLATION);
    await connection.db.transaction(async (tx) => {
      await tx.execute(insert('second'));
    });

    expect(await queryRows(connection.db, sql`select tag from named_probe`)).toEqual([{ tag: 'second' }]);
  });

  it('leaves statements without parameters unnamed', async () => {
    await queryRows(connection.db, sql`select 1 as plain -- statement-names plain`);

    expect(await preparedLike('select 1 as plain')).toEqual([]);
  });
});
