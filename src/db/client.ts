import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import { type DirectoryOwner, lockDataDirectory } from './directory-lock.js';
import * as schema from './schema.js';

export type Schema = typeof schema;

/** One type for both drivers: services never know which database they run on. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything queries can run on: the database or an open transaction. */
export type Queryable = Database | Transaction;

export type DatabaseConnection =
  | { kind: 'pglite'; db: Database; client: PGlite; dataDir?: string; close(): Promise<void> }
  | { kind: 'postgres'; db: Database; client: pg.Pool; close(): Promise<void> };

// node-postgres returns int8 and numeric as strings by default; our bigint columns map them in drizzle.

/** A real PostgreSQL server through node-postgres (see docs/ARCHITECTURE.md "Why these libraries" for why not postgres.js). */
export function connectPostgres(url: string, options: { max?: number } = {}): DatabaseConnection {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client that loses its connection emits 'error'; without a listener that kills the process.
  pool.on('error', () => {});
  const db = drizzleNodePg({ client: pool, schema }) as unknown as Database;
  return { kind: 'postgres', db, client: pool, close: once(() => pool.end()) };
}

/**
 * Embedded PostgreSQL (PGlite) in a data directory, or in memory from a dumped data directory. A
 * data directory is locked for this process until `close()` (see directory-lock.ts); a directory
 * another live process holds throws DirectoryInUse.
 */
export async function openPglite(
  source:
    { dataDir: string; role?: DirectoryOwner['role']; loadDataDir?: Blob } | { loadDataDir: Blob } | { inMemory: true },
): Promise<DatabaseConnection> {
  if (!('dataDir' in source)) {
    const client = await PGlite.create('loadDataDir' in source ? { loadDataDir: source.loadDataDir } : {});
    const db = drizzlePglite({ client, schema }) as unknown as Database;
    return { kind: 'pglite', db, client, close: once(() => client.close()) };
  }
  // PGlite creates the directory itself but not its parents.
  mkdirSync(dirname(source.dataDir), { recursive: true });
  const lock = lockDataDirectory(source.dataDir, { role: source.role ?? 'app' });
  let client: PGlite;
  try {
    // With `loadDataDir`, a backup is unpacked into the (empty) directory first.
    client = await PGlite.create(source.dataDir, source.loadDataDir ? { loadDataDir: source.loadDataDir } : {});
  } catch (error) {
    lock.release();
    throw error;
  }
  const db = drizzlePglite({ client, schema }) as unknown as Database;
  return {
    kind: 'pglite',
    db,
    client,
    dataDir: source.dataDir,
    close: once(async () => {
      try {
        await client.close();
      } finally {
        lock.release();
      }
    }),
  };
}

/** Closing twice (shutdown racing a failure path) must not throw. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

export async function openDatabase(
  config: { databaseUrl?: string; pgliteDir: string },
  role: DirectoryOwner['role'] = 'app',
): Promise<DatabaseConnection> {
  return config.databaseUrl ? connectPostgres(config.databaseUrl) : openPglite({ dataDir: config.pgliteDir, role });
}

export async function ping(db: Database): Promise<void> {
  await db.execute(sql`select 1`);
}

/** Runs raw SQL and returns its rows; both drivers answer with `{ rows }`. */
export async function queryRows<Row>(db: Queryable, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as { rows: Row[] };
  return result.rows;
}

/** A comma-separated list of bound values, for `in (...)` in raw SQL; never call it with none. */
export function sqlList(values: readonly (number | string)[]): SQL {
  return sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );
}
