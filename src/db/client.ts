import { PGlite } from '@electric-sql/pglite';
import { type Column, getTableColumns, type InferSelectModel, type SQL, sql, type Table } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { type PgDatabase, PgDialect, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import { type DirectoryOwner, lockDataDirectory } from './directory-lock.js';
import { nameStatements } from './pglite-statements.js';
import { servedInLanes } from './query-lanes.js';
import * as schema from './schema.js';

export type Schema = typeof schema;

/** One type for both drivers: services never know which database they run on. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything queries can run on: the database or an open transaction. */
export type Queryable = Database | Transaction;

export type DatabaseConnection =
  | {
      kind: 'pglite';
      db: Database;
      /** The same database for the outbox and the jobs: its queries let requests' go first (query-lanes.ts). */
      backgroundDb: Database;
      client: PGlite;
      dataDir?: string;
      close(): Promise<void>;
    }
  | { kind: 'postgres'; db: Database; client: pg.Pool; close(): Promise<void> };

// node-postgres returns int8 and numeric as strings by default; our bigint columns map them in drizzle.

/** Hears about a lost connection; the pool has already dropped it and opens a new one when asked. */
export type ConnectionErrorListener = (error: Error) => void;

/** Gives up on a server that does not answer a new connection, so a request fails instead of hanging. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * A pool that survives its server ending connections (restart, failover, pg_terminate_backend, a
 * proxy closing them). Such a connection emits 'error' on its client, idle or checked out, and an
 * 'error' without a listener ends the process. A checked-out client that dies is given back at
 * once, because drizzle never releases a client whose BEGIN failed and the pool would run dry;
 * the later release by its user is then a no-op. The query running on it fails by itself.
 */
class ResilientPool extends pg.Pool {
  readonly #checkedOut = new Set<pg.PoolClient>();
  readonly #statementNames = new StatementNames();

  constructor(config: pg.PoolConfig, lost: ConnectionErrorListener) {
    super(config);
    this.on('error', lost);
    this.on('connect', (client) => {
      client.on('error', (error) => {
        lost(error);
        const checkedOut = client;
        if (this.#checkedOut.has(checkedOut)) checkedOut.release(error);
      });
      this.#statementNames.nameQueriesOf(client);
    });
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): void;
  override connect(
    callback?: (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<pg.PoolClient> | void {
    if (callback) {
      super.connect((error, client) => {
        const tracked = client && this.#track(client);
        callback(error, tracked, (release) => tracked?.release(release as Error | boolean | undefined));
      });
      return;
    }
    return super.connect().then((client) => this.#track(client));
  }

  #track(client: pg.PoolClient): pg.PoolClient {
    const release = client.release.bind(client);
    let released = false;
    this.#checkedOut.add(client);
    client.release = (error?: Error | boolean) => {
      if (released) return;
      released = true;
      this.#checkedOut.delete(client);
      release(error);
    };
    return client;
  }
}

/**
 * Names each parameterised statement after its text, so that every connection parses it once and
 * PostgreSQL can keep its plan, instead of parsing and planning it on every call (as pgx and
 * postgres.js do by default). A request's statements are the same few texts every time; planning
 * them was most of the server's time per `/log` (bench/README.md). Texts that vary (lists of any
 * length) could grow it without end, so past MAX_NAMED_STATEMENTS new texts go unnamed as before.
 */
class StatementNames {
  static readonly MAX_NAMED_STATEMENTS = 1_000;
  readonly #names = new Map<string, string>();

  nameQueriesOf(client: pg.PoolClient): void {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: (...args: unknown[]) => unknown }).query = (config: unknown, ...rest: unknown[]) =>
      query(this.#named(config, rest[0]), ...rest);
  }

  #named(config: unknown, values: unknown): unknown {
    if (typeof config !== 'object' || config === null || !('text' in config)) return config;
    if ('name' in config && config.name) return config;
    const parameters = 'values' in config && config.values !== undefined ? config.values : values;
    if (!Array.isArray(parameters) || parameters.length === 0) return config;
    const text = String(config.text);
    let name = this.#names.get(text);
    if (name === undefined) {
      if (this.#names.size >= StatementNames.MAX_NAMED_STATEMENTS) return config;
      name = `ct_${this.#names.size}`;
      this.#names.set(text, name);
    }
    return { ...config, name };
  }
}

/** A real PostgreSQL server through node-postgres (see docs/ARCHITECTURE.md "Why these libraries" for why not postgres.js). */
export function connectPostgres(
  url: string,
  options: { max?: number; onConnectionError?: ConnectionErrorListener } = {},
): DatabaseConnection {
  const pool = new ResilientPool(
    { connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    options.onConnectionError ?? (() => {}),
  );
  const db = drizzleNodePg({ client: pool, schema }) as unknown as Database;
  return { kind: 'postgres', db, client: pool, close: once(() => pool.end()) };
}

/**
 * PGlite's PostgreSQL settings. Its default buffer cache (128 MB of shared_buffers, inside the
 * WebAssembly heap) is most of the app's memory while this firm's hot data is a few MB; 16 MB took
 * a bare PGlite from 283 to 164 MB resident (bench/memory.ts has the figures).
 */
export const PGLITE_SETTINGS = { postgresqlconf: ['shared_buffers=16MB'] };

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
    const client = await PGlite.create({
      ...PGLITE_SETTINGS,
      ...('loadDataDir' in source ? { loadDataDir: source.loadDataDir } : {}),
    });
    return { kind: 'pglite', ...pgliteHandles(client), client, close: once(() => client.close()) };
  }
  // PGlite creates the directory itself but not its parents: taking the lock beside it makes them.
  const lock = lockDataDirectory(source.dataDir, { role: source.role ?? 'app' });
  let client: PGlite;
  try {
    // With `loadDataDir`, a backup is unpacked into the (empty) directory first.
    client = await PGlite.create(source.dataDir, {
      ...PGLITE_SETTINGS,
      ...(source.loadDataDir ? { loadDataDir: source.loadDataDir } : {}),
    });
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    kind: 'pglite',
    ...pgliteHandles(client),
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

/** The drizzle handles onto one PGlite: requests' and, behind them, the background's. */
function pgliteHandles(client: PGlite): { db: Database; backgroundDb: Database } {
  nameStatements(client);
  const background = servedInLanes(client);
  return {
    db: drizzlePglite({ client, schema }),
    backgroundDb: drizzlePglite({ client: background, schema }),
  };
}

/**
 * PGlite's connection for the outbox and the jobs: the same database in the background lane (on
 * PostgreSQL they get a pool of their own). Closing it closes nothing; the connection it came from
 * closes the client.
 */
export function pgliteBackground(connection: Extract<DatabaseConnection, { kind: 'pglite' }>): DatabaseConnection {
  return { ...connection, db: connection.backgroundDb, close: () => Promise.resolve() };
}

/** Closing twice (shutdown racing a failure path) must not throw. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

export async function openDatabase(
  config: { databaseUrl?: string; pgliteDir: string },
  role: DirectoryOwner['role'] = 'app',
  onConnectionError?: ConnectionErrorListener,
): Promise<DatabaseConnection> {
  return config.databaseUrl
    ? connectPostgres(config.databaseUrl, onConnectionError ? { onConnectionError } : {})
    : openPglite({ dataDir: config.pgliteDir, role });
}

export async function ping(db: Database): Promise<void> {
  await db.execute(sql`select 1`);
}

/** Runs raw SQL and returns its rows; both drivers answer with `{ rows }`. */
export async function queryRows<Row>(db: Queryable, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as { rows: Row[] };
  return result.rows;
}

const dialect = new PgDialect();

/**
 * Raw SQL whose text is built once, with its values as `sql.placeholder(name)`, for the statements
 * every request sends: no query building per request, and on PostgreSQL a named prepared statement
 * that each connection parses once. `name` must be unique to this text. Rows as `queryRows` gives them.
 */
export function preparedRows<Row>(
  name: string,
  query: SQL,
): (db: Queryable, values: Record<string, unknown>) => Promise<Row[]> {
  const built = dialect.sqlToQuery(query);
  // drizzle's prepared query for each session (the pool's, PGlite's, a transaction's), made once:
  // making one builds its result parsers anew, which was 1% of the app's time under `/log` load.
  const preparedBySession = new WeakMap<object, ReturnType<Database['_']['session']['prepareQuery']>>();
  return async (db, values) => {
    const { session } = db._;
    let prepared = preparedBySession.get(session);
    if (!prepared) preparedBySession.set(session, (prepared = session.prepareQuery(built, undefined, name, false)));
    const result = (await prepared.execute(values)) as { rows: Row[] };
    return result.rows;
  };
}

/** Every column of `table` by name, for a raw statement's `returning` or select list read with `rowOf`. */
export function columnsOf(table: Table): SQL {
  return sql.join(
    Object.values(getTableColumns(table)).map((column) => sql.identifier(column.name)),
    sql`, `,
  );
}

/** A raw row of `table`'s columns (`columnsOf`) as drizzle reads the table's rows: its keys and values. */
export function rowOf<T extends Table>(table: T, raw: Record<string, unknown>): InferSelectModel<T> {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as InferSelectModel<T>;
}

/** Column types whose jsonb is what JSON.stringify writes of drizzle's value (numbers within 2^53). */
const SAME_IN_JSONB = new Set([
  'PgSerial',
  'PgBigSerial53',
  'PgInteger',
  'PgBigInt53',
  'PgText',
  'PgEnumColumn',
  'PgBoolean',
  'PgDateString',
  'PgTime',
  'PgArray',
  'PgJsonb',
]);

/**
 * The row `alias` of `table`'s columns as jsonb, in SQL, equal to `JSON.stringify(rowOf(table, row))`:
 * keys by property name, timestamps as UTC ISO strings to the millisecond (both truncate). For an
 * audit row written in the statement that writes its change. A column type it does not know is
 * refused when the statement is built.
 */
export function jsonOf(table: Table, alias: string): SQL {
  const columns = Object.entries(getTableColumns(table));
  // jsonb_build_object takes at most 100 arguments, a key and a value per column.
  if (columns.length > 50) throw new Error(`jsonOf: ${columns.length} columns, more than jsonb_build_object takes`);
  const fields = columns.map(([key, column]) => {
    const value = sql`${sql.identifier(alias)}.${sql.identifier(column.name)}`;
    return sql`${sql.raw(`'${key}'`)}, ${jsonValue(column, value)}`;
  });
  return sql`jsonb_build_object(${sql.join(fields, sql`, `)})`;
}

function jsonValue(column: Pick<Column, 'name' | 'columnType'> & { withTimezone?: boolean }, value: SQL): SQL {
  if (column.columnType === 'PgTimestamp' && column.withTimezone)
    return sql`to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  if (SAME_IN_JSONB.has(column.columnType)) return value;
  throw new Error(`jsonOf: column ${column.name} (${column.columnType}) has no jsonb form written like the app's`);
}

/** A comma-separated list of bound values, for `in (...)` in raw SQL; never call it with none. */
export function sqlList(values: readonly (number | string)[]): SQL {
  return sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );
}

/** Statements a database handle has sent, for benchmarks and tests that budget them. */
export type StatementCounter = { statements: number; transactions: number; reset(): void };

/**
 * The same connection behind a drizzle handle that counts what it sends: every statement, and
 * separately each transaction (BEGIN, which node-postgres sends as a statement and PGlite does not;
 * neither is counted as a statement, nor COMMIT or ROLLBACK).
 */
export function countingDatabase(
  connection: DatabaseConnection,
  /** Hears each statement's SQL text as it is sent (BEGIN and COMMIT included). */
  onStatement?: (query: string) => void,
): { db: Database; counter: StatementCounter } {
  const counter: StatementCounter = {
    statements: 0,
    transactions: 0,
    reset() {
      counter.statements = 0;
      counter.transactions = 0;
    },
  };
  const logger = {
    logQuery(query: string) {
      onStatement?.(query);
      const word = query.trim().split(/\s/, 1)[0]!.toLowerCase();
      if (word === 'begin') counter.transactions++;
      else if (word !== 'commit' && word !== 'rollback') counter.statements++;
    },
  };
  const db =
    connection.kind === 'postgres'
      ? (drizzleNodePg({ client: connection.client, schema, logger }) as unknown as Database)
      : (drizzlePglite({ client: connection.client, schema, logger }) as unknown as Database);
  if (connection.kind === 'pglite') {
    // PGlite opens its transactions itself, out of the logger's sight.
    const transaction = db.transaction.bind(db);
    db.transaction = (work, config) => {
      counter.transactions++;
      return transaction(work, config);
    };
  }
  return { db, counter };
}
