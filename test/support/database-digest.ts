import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../src/db/client.js';

/** One table's row count and a checksum of every row's text, so any insert, update or delete shows. */
export type TableDigest = { table: string; rows: number; checksum: string };

/**
 * Rows that follow reading, not changing: an App Home publish is queued in the outbox (kind
 * `home`) whenever a user opens App Home or a form, refused or not. Every other outbox row (a
 * post, an update, an upload) and every other table counts.
 */
const NOT_STATE: Record<string, string> = { outbox: `kind <> 'home'` };

/**
 * Every table of the app's schema, digested in one query: two digests are equal exactly when no
 * table gained, lost or changed a row. Tests use it to show a refused request changed nothing.
 */
export async function digestTables(db: Queryable): Promise<TableDigest[]> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  const parts = tables.map(
    ({ name }) =>
      `select '${name}' as "table", count(*)::int as rows, coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as checksum from "${name}" t${NOT_STATE[name] ? ` where ${NOT_STATE[name]}` : ''}`,
  );
  return queryRows<TableDigest>(db, sql.raw(parts.join(' union all ')));
}

/** The tables whose digest differs, for an assertion message that names them. */
export function changedTables(before: TableDigest[], after: TableDigest[]): string[] {
  const was = new Map(before.map((digest) => [digest.table, digest]));
  return after
    .filter((digest) => {
      const old = was.get(digest.table);
      return !old || old.rows !== digest.rows || old.checksum !== digest.checksum;
    })
    .map((digest) => `${digest.table} (${was.get(digest.table)?.rows ?? 0} -> ${digest.rows} rows)`);
}
