/**
 * Every parameterised statement is sent as a named statement the session parses once: on
 * PostgreSQL each pool connection (src/db/client.ts, StatementNames), on PGlite its one session
 * (src/db/pglite-statements.ts). PGlite's values read as its own `query` reads them:
 * statement-names.pglite.test.ts.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;

beforeAll(async () => {
  // One connection, so every statement below meets the same session.
  database = await createTestDatabase({ connections: 1 });
});

afterAll(async () => {
  await database?.drop();
});

/** The session's prepared statements whose text starts with `prefix`. */
async function preparedLike(prefix: string): Promise<string[]> {
  const rows = await queryRows<{ statement: string }>(
    database.db,
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

describe('statement names', () => {
  it('prepares a parameterised statement once per session and answers every call with its own values', async () => {
    const doubled = (n: number) =>
      queryRows<{ doubled: number }>(database.db, sql`select ${n}::int * 2 as doubled -- statement-names probe`);

    expect(await doubled(2)).toEqual([{ doubled: 4 }]);
    expect(await doubled(21)).toEqual([{ doubled: 42 }]);
    expect(await preparedLike('select $1::int * 2 as doubled')).toHaveLength(1);
  });

  it('gives texts that differ their own statements', async () => {
    await queryRows(database.db, sql`select ${'a'}::text as one -- statement-names pair`);
    await queryRows(database.db, sql`select ${'a'}::text as one, ${'b'}::text as two -- statement-names pair`);

    expect(await preparedLike('select $1::text as one')).toHaveLength(2);
  });

  it('keeps the session usable after a named statement fails, when it is parsed and when it runs', async () => {
    const broken = () => queryRows(database.db, sql`selec ${1}::int -- statement-names broken`);
    expect(await sqlState(broken())).toBe(SYNTAX_ERROR);
    expect(await sqlState(broken())).toBe(SYNTAX_ERROR);

    const divide = (by: number) =>
      queryRows<{ q: number }>(database.db, sql`select 10 / ${by}::int as q -- statement-names divide`);
    expect(await sqlState(divide(0))).toBe(DIVISION_BY_ZERO);
    expect(await divide(5)).toEqual([{ q: 2 }]);
  });

  it('rolls a transaction back whole when a named statement in it fails, and the next one commits', async () => {
    await database.db.execute(sql`create table named_probe (tag text primary key)`);
    const insert = (tag: string) => sql`insert into named_probe (tag) values (${tag}) -- statement-names insert`;

    const failed = database.db.transaction(async (tx) => {
      await tx.execute(insert('first'));
      await tx.execute(insert('first'));
    });
    expect(await sqlState(failed)).toBe(UNIQUE_VIOLATION);
    await database.db.transaction(async (tx) => {
      await tx.execute(insert('second'));
    });

    expect(await queryRows(database.db, sql`select tag from named_probe`)).toEqual([{ tag: 'second' }]);
  });

  it('leaves statements without parameters unnamed', async () => {
    await queryRows(database.db, sql`select 1 as plain -- statement-names plain`);

    expect(await preparedLike('select 1 as plain')).toEqual([]);
  });
});
