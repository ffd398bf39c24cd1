import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { projectRoot } from '../project-root.js';
import { type Database, type DatabaseConnection, queryRows } from './client.js';

export const migrationsFolder = join(projectRoot(), 'drizzle');

// Any constant works; it only has to be the same for every instance of the app.
const MIGRATION_LOCK_KEY = 7_311_042;

/** Applies every migration in drizzle/ that the database has not seen yet. */
export async function migrateDatabase(connection: DatabaseConnection): Promise<void> {
  if (connection.kind === 'pglite') {
    await migratePglite(drizzlePglite({ client: connection.client }), { migrationsFolder });
    return;
  }
  // Several instances may start at once: one migrates, the others wait and then find nothing to do.
  const client = await connection.client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migrateNodePg(drizzleNodePg({ client }), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    client.release();
  }
}

function expectedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** True when the database answers and holds every migration this build ships. */
export async function isMigrated(db: Database): Promise<boolean> {
  const [row] = await queryRows<{ applied: number }>(
    db,
    sql`select count(*)::int as applied from drizzle.__drizzle_migrations`,
  );
  const applied = Number(row?.applied ?? 0);
  return applied >= expectedMigrationCount();
}
