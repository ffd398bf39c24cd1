/**
 * The PostgreSQL pool names each parameterised statement after its text, so a connection parses
 * and plans it once (src/db/client.ts, StatementNames). PGlite's own naming has its own file,
 * statement-names.pglite.test.ts.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connectPostgres, type DatabaseConnection, queryRows } from '../../src/db/client.js';

const setup = inject('testDatabase');
let connection: DatabaseConnection;

beforeAll(() => {
  if (setup.kind !== 'postgres') throw new Error('needs PostgreSQL');
  // One connection, so every statement below meets the same server session.
  connection = connectPostgres(setup.url, { max: 1 });
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

/** The SQLSTATE the server failed the query with (drizzle wraps the driver's error as its cause). */
async function sqlState(query: Promise<unknown>): Promise<string | undefined> {
  return query.then(
    () => undefined,
    (error: { cause?: { code?: string } }) => error.cause?.code,
  );
}

describe('statement names on PostgreSQL', () => {
  it('prepares a parameterised statement once per connection and answers every call with its own values', async () => {
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

  it('keeps the connection usable after a named statement fails, when it is parsed and when it runs', async () => {
    const broken = () => queryRows(connection.db, sql`selec ${1}::int -- statement-names broken`);
    expect(await sqlState(broken())).toBe(SYNTAX_ERROR);
    expect(await sqlState(broken())).toBe(SYNTAX_ERROR);

    const divide = (by: number) =>
      queryRows<{ q: number }>(connection.db, sql`select 10 / ${by}::int as q -- statement-names divide`);
    expect(await sqlState(divide(0))).toBe(DIVISION_BY_ZERO);
    expect(await divide(5)).toEqual([{ q: 2 }]);
  });

  it('leaves statements without parameters unnamed', async () => {
    await queryRows(connection.db, sql`select 1 as plain -- statement-names plain`);

    expect(await preparedLike('select 1 as plain')).toEqual([]);
  });
});
