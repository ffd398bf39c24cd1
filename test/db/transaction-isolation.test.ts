/**
 * Guards the database driver choice (docs/ARCHITECTURE.md "Why these libraries"): postgres.js 3.4.9 can leave a BEGIN on a
 * connection it keeps sharing, so unrelated autocommit queries run inside someone else's transaction
 * and vanish when it rolls back. Every write here goes through the app's own client on one pool
 * (max 10), with many transactions and plain writes in flight at once. If `src/db/client.ts` is ever
 * switched to another driver, this file must still pass against PostgreSQL (TEST_DATABASE_URL).
 *
 * On PGlite every query is serialised, so the same assertions hold trivially; the file runs smaller
 * there so the suite stays fast. Never use the outer `db` inside a transaction callback: on PGlite the
 * transaction holds the only connection, so that would deadlock.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Queryable, queryRows } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;

class DeliberateRollback extends Error {
  constructor(readonly tag: string) {
    super(`deliberate rollback of ${tag}`);
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.execute(
    sql`create table isolation_probe (id bigserial primary key, kind text not null, tag text not null unique)`,
  );
});

afterAll(async () => {
  await database?.drop();
});

const onPostgres = () => database.kind === 'postgres';

async function insertRow(q: Queryable, kind: string, tag: string): Promise<void> {
  await q.execute(sql`insert into isolation_probe (kind, tag) values (${kind}, ${tag})`);
}

async function countTags(q: Queryable, tags: string[]): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    q,
    sql`select count(*)::int as n from isolation_probe where tag in (${sql.join(
      tags.map((tag) => sql`${tag}`),
      sql`, `,
    )})`,
  );
  return Number(rows[0]?.n);
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** On PostgreSQL: no connection is left checked out of the pool or idle inside a transaction. */
async function expectNoOpenTransactions(): Promise<void> {
  if (database.kind !== 'postgres') return;
  const pool = database.client;
  expect(pool.waitingCount).toBe(0);
  expect(pool.totalCount).toBeLessThanOrEqual(10);
  const rows = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null`,
  );
  expect(rows[0]?.n).toBe(0);
}

describe('transaction isolation on the shared pool (guards the node-postgres driver choice)', () => {
  it(
    "the pool never runs a plain query inside another caller's transaction: under concurrent load, " +
      'rolled-back transactions leave nothing, committed ones leave both rows, every acknowledged autocommit write survives',
    async () => {
      const { db } = database;
      const transactions = onPostgres() ? 2_000 : 200;
      const plainWrites = transactions * 2;
      const batchSize = 300; // operations launched together; the pool (max 10) queues the rest

      type Op =
        | { kind: 'tx'; index: number; commits: boolean; run: () => Promise<unknown> }
        | { kind: 'plain'; index: number; run: () => Promise<unknown> };

      const transactionOp = (index: number): Op => {
        const commits = index % 2 === 0;
        const [a, b] = [`tx-${index}-a`, `tx-${index}-b`];
        return {
          kind: 'tx',
          index,
          commits,
          run: () =>
            db.transaction(async (tx) => {
              await insertRow(tx, 'tx', a);
              await insertRow(tx, 'tx', b);
              // Both statements ran on this transaction's own connection.
              const own = await countTags(tx, [a, b]);
              if (own !== 2) throw new Error(`transaction ${index} sees ${own} of its own rows`);
              if (!commits) throw new DeliberateRollback(`tx-${index}`);
            }),
        };
      };
      const plainOp = (index: number): Op => ({
        kind: 'plain',
        index,
        run: () => insertRow(db, 'plain', `plain-${index}`),
      });

      // Interleaved: every transaction is launched between two plain writes.
      const ops: Op[] = [];
      for (let i = 0; i < transactions; i++) ops.push(plainOp(2 * i), transactionOp(i), plainOp(2 * i + 1));

      const committed: number[] = [];
      const rolledBack: number[] = [];
      const acknowledged: number[] = [];
      const unexpected: string[] = [];

      for (let start = 0; start < ops.length; start += batchSize) {
        const batch = ops.slice(start, start + batchSize);
        const outcomes = await Promise.allSettled(batch.map((op) => op.run()));
        outcomes.forEach((outcome, k) => {
          const op = batch[k]!;
          if (op.kind === 'plain') {
            if (outcome.status === 'fulfilled') acknowledged.push(op.index);
            else unexpected.push(`plain-${op.index}: ${String(outcome.reason)}`);
          } else if (outcome.status === 'fulfilled') {
            if (op.commits) committed.push(op.index);
            else unexpected.push(`tx-${op.index} committed although it threw`);
          } else if (outcome.reason instanceof DeliberateRollback && !op.commits) {
            rolledBack.push(op.index);
          } else {
            unexpected.push(`tx-${op.index}: ${String(outcome.reason)}`);
          }
        });
      }

      expect(unexpected).toEqual([]);
      expect(committed).toHaveLength(transactions / 2);
      expect(rolledBack).toHaveLength(transactions / 2);
      expect(acknowledged).toHaveLength(plainWrites);

      const rows = await queryRows<{ kind: string; tag: string }>(
        db,
        sql`select kind, tag from isolation_probe where kind in ('tx', 'plain')`,
      );
      const present = new Set(rows.map((row) => row.tag));

      const survivorsOfRollback = rolledBack.flatMap((i) => [`tx-${i}-a`, `tx-${i}-b`]).filter((t) => present.has(t));
      expect(survivorsOfRollback).toEqual([]);
      const missingCommitted = committed.flatMap((i) => [`tx-${i}-a`, `tx-${i}-b`]).filter((t) => !present.has(t));
      expect(missingCommitted).toEqual([]);
      const lostPlain = acknowledged.map((i) => `plain-${i}`).filter((t) => !present.has(t));
      expect(lostPlain).toEqual([]);
      // Nothing else: exactly the committed pairs and the acknowledged plain writes.
      expect(rows).toHaveLength(committed.length * 2 + acknowledged.length);
      expect(rows.filter((row) => row.kind === 'plain')).toHaveLength(plainWrites);

      await expectNoOpenTransactions();
    },
    120_000,
  );

  it("a plain query on the pool never sees another caller's uncommitted row (it never runs inside that transaction)", async () => {
    const { db } = database;
    const iterations = onPostgres() ? 400 : 200;
    // Concurrent lanes, each holding one transaction open while probing. Must stay well below the
    // pool size (10), or open transactions would hold every connection and the probes would wait forever.
    const lanes = 4;
    const probesPerIteration = 2;
    const failures: string[] = [];

    const probeOnce = async (index: number): Promise<void> => {
      const tag = `probe-${index}`;
      const commits = index % 2 === 0;
      const inserted = deferred();
      const release = deferred();
      const transaction = db.transaction(async (tx) => {
        await insertRow(tx, 'probe', tag);
        const own = await countTags(tx, [tag]);
        if (own !== 1) throw new Error(`${tag}: the transaction does not see its own row`);
        inserted.resolve();
        await release.promise;
        if (!commits) throw new DeliberateRollback(tag);
      });
      transaction.catch((error: unknown) => inserted.reject(error)); // fails before the insert: stop waiting

      await inserted.promise;
      // The row is now written but uncommitted. Probe it from outside the callback, on the pool.
      const probes = Array.from({ length: probesPerIteration }, () => countTags(db, [tag]));
      let seen: number[];
      if (onPostgres()) {
        // The transaction still holds its connection open: the probes run on other connections, now.
        seen = await Promise.all(probes);
        release.resolve();
      } else {
        // PGlite cannot run them while the transaction is open: they queue behind it and run once
        // it has ended, so they see its final state (a probe run inside it would see 1 either way).
        release.resolve();
        seen = await Promise.all(probes);
      }
      const expectedWhileOpen = onPostgres() ? 0 : commits ? 1 : 0;
      if (seen.some((n) => n !== expectedWhileOpen)) {
        failures.push(`${tag}: a concurrent plain query saw ${seen.join(',')} rows, expected ${expectedWhileOpen}`);
      }

      try {
        await transaction;
        if (!commits) failures.push(`${tag}: committed although it threw`);
      } catch (error) {
        if (commits || !(error instanceof DeliberateRollback)) failures.push(`${tag}: ${String(error)}`);
      }
      const after = await countTags(db, [tag]);
      if (after !== (commits ? 1 : 0)) failures.push(`${tag}: ${after} rows after the transaction ended`);
    };

    let next = 0;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < iterations) await probeOnce(next++);
      }),
    );

    expect(failures).toEqual([]);
    const rows = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from isolation_probe where kind = 'probe'`,
    );
    expect(rows[0]?.n).toBe(iterations / 2);
    await expectNoOpenTransactions();
  }, 120_000);
});
