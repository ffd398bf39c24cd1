import { parse, type PGlite, protocol, type QueryOptions, type Results } from '@electric-sql/pglite';

/** The statements one PGlite instance has parsed, by text. */
type Prepared = { name: string; parameterTypes: number[] };

/**
 * Past this many texts, new ones go unnamed: a text that varies (a list of any length) must not
 * grow the session's statements without end. The same bound as `StatementNames` on PostgreSQL.
 */
const MAX_NAMED_STATEMENTS = 1_000;

type Query = <T>(text: string, params?: unknown[], options?: QueryOptions) => Promise<Results<T>>;

/**
 * Sends every parameterised statement as a named prepared statement that this PGlite instance
 * parses once, as `StatementNames` does for each PostgreSQL connection. PGlite's own `query` parses
 * and plans the text again on every call, in six calls into the engine; planning was most of the
 * engine's time per `/log` (the App Home statement: 4.3 of its 6 ms). A named statement is bound
 * and run in one call, and PostgreSQL keeps its plan once a generic one is as good.
 *
 * The caller must keep a top-level query from running inside another caller's transaction:
 * `runExclusive` holds PGlite's query lock only. `servedInLanes` does, by letting one query or
 * transaction at a time reach the client.
 */
export function nameStatements(client: PGlite): void {
  const statements = new Map<string, Prepared>();
  const unnamedQuery = client.query.bind(client) as Query;
  const transaction = client.transaction.bind(client);

  const namedQuery =
    (fallback: Query, inTransaction: boolean): Query =>
    async <T>(text: string, params: unknown[] = [], options?: QueryOptions) => {
      if (params.length === 0 || options?.blob || (!statements.has(text) && statements.size >= MAX_NAMED_STATEMENTS)) {
        return fallback<T>(text, params, options);
      }
      return client.runExclusive(async () => {
        const prepared = statements.get(text) ?? (await prepare(client, statements, text, options));
        const values = params.map((value, index) =>
          serialized(client, value, prepared.parameterTypes[index]!, options),
        );
        const message = Buffer.concat([
          protocol.serialize.bind({ statement: prepared.name, values }),
          protocol.serialize.describe({ type: 'P' }),
          protocol.serialize.execute({}),
          protocol.serialize.sync(),
        ]);
        const { messages } = await client.execProtocol(message, { syncToFs: !inTransaction });
        const rowMode = options?.rowMode ? { rowMode: options.rowMode } : {};
        return parse.parseResults(messages, parsersFor(client, options), rowMode)[0] as Results<T>;
      });
    };

  client.query = namedQuery(unnamedQuery, false) as typeof client.query;
  client.transaction = (callback) =>
    transaction((tx) => {
      const unnamedInTx = tx.query.bind(tx) as Query;
      const query = namedQuery(unnamedInTx, true);
      const guardedQuery: Query = (text, params, options) => {
        if (tx.closed) throw new Error('Transaction is closed');
        return query(text, params, options);
      };
      return callback(
        new Proxy(tx, {
          get: (target, key) => (key === 'query' ? guardedQuery : (Reflect.get(target, key) as unknown)),
        }),
      );
    });
}

/** Parses `text` under a new name and learns its parameters' types; kept only once it parsed. */
async function prepare(
  client: PGlite,
  statements: Map<string, Prepared>,
  text: string,
  options: QueryOptions | undefined,
): Promise<Prepared> {
  const name = `ct_${statements.size}`;
  const { messages } = await client.execProtocol(
    Buffer.concat([
      protocol.serialize.parse({ name, text, ...(options?.paramTypes ? { types: options.paramTypes } : {}) }),
      protocol.serialize.describe({ type: 'S', name }),
      protocol.serialize.sync(),
    ]),
    { syncToFs: false },
  );
  const prepared = { name, parameterTypes: parse.parseDescribeStatementResults(messages) };
  statements.set(text, prepared);
  return prepared;
}

/**
 * The client's parsers with the query's own in front. PGlite copies all ~320 of its parsers into a
 * new object with the query's for every result it reads, and drizzle passes its own with every
 * query: its result reader had more self time than any other of its JavaScript under `/log` load.
 * Here they are layered.
 */
function parsersFor(client: PGlite, options: QueryOptions | undefined): PGlite['parsers'] {
  if (!options?.parsers) return client.parsers;
  let layered = layeredParsers.get(options.parsers);
  if (layered?.client !== client) {
    layered = { client, parsers: Object.assign(Object.create(client.parsers) as PGlite['parsers'], options.parsers) };
    layeredParsers.set(options.parsers, layered);
  }
  return layered.parsers;
}

/** A prepared query of drizzle's passes the same parsers each time (`preparedRows` keeps it): layered once. */
const layeredParsers = new WeakMap<object, { client: PGlite; parsers: PGlite['parsers'] }>();

/** A parameter as PGlite's own `query` sends it: by its type's serializer, else as text. */
function serialized(client: PGlite, value: unknown, type: number, options: QueryOptions | undefined) {
  if (value === null || value === undefined) return null;
  const serializer = options?.serializers?.[type] ?? client.serializers[type];
  return serializer ? serializer(value) : (value as { toString(): string }).toString();
}
