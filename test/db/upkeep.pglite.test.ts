/**
 * PGlite runs no autovacuum, so the app looks after the embedded database itself every night
 * (src/db/upkeep.ts): without statistics the planner read every timesheet on each /log once the
 * firm had years of them (bench/README.md, "2026-12-07 (fifth)").
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DatabaseConnection, openPglite, queryRows } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { upkeepPglite } from '../../src/db/upkeep.js';
import { createLogger } from '../../src/logger.js';

let connection: Extract<DatabaseConnection, { kind: 'pglite' }>;

beforeAll(async () => {
  const opened = await openPglite({ inMemory: true });
  if (opened.kind !== 'pglite') throw new Error('expected PGlite');
  connection = opened;
  await migrateDatabase(connection);
  await queryRows(
    connection.db,
    sql`insert into users (id, display_name) select 'U' || g, 'Person ' || g from generate_series(1, 500) g`,
  );
});

afterAll(async () => {
  await connection?.close();
});

const usersTable = () =>
  queryRows<{ reltuples: number; relallvisible: number; columns_with_statistics: number }>(
    connection.db,
    sql`select c.reltuples, c.relallvisible,
               (select count(*)::int from pg_stats s where s.tablename = 'users') as columns_with_statistics
          from pg_class c where c.relname = 'users'`,
  );

it('gives the planner statistics of the embedded tables and marks their pages all-visible, as autovacuum would', async () => {
  const [before] = await usersTable();
  expect(before).toMatchObject({ reltuples: -1, relallvisible: 0, columns_with_statistics: 0 });

  const lines: string[] = [];
  await upkeepPglite(
    connection.client,
    createLogger('info', (line) => lines.push(line)),
  );

  const [after] = await usersTable();
  expect(after!.reltuples).toBe(500);
  expect(after!.relallvisible).toBeGreaterThan(0);
  expect(after!.columns_with_statistics).toBeGreaterThan(0);
  expect(lines.map((line) => (JSON.parse(line) as { message: string }).message)).toContain(
    'embedded database vacuumed and analysed',
  );
});
