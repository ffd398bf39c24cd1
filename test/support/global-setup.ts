import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connectPostgres, openPglite } from '../../src/db/client.js';
import { migrateDatabase, migrationsFolder } from '../../src/db/migrate.js';
import { projectRoot } from '../../src/project-root.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: { kind: 'pglite'; templateFile: string } | { kind: 'postgres'; url: string; template: string };
  }
}

/** Changes whenever a migration changes, so a stale template is never reused. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(migrationsFolder)
    .filter((file) => file.endsWith('.sql'))
    .sort()) {
    hash.update(name).update(readFileSync(join(migrationsFolder, name)));
  }
  return hash.digest('hex').slice(0, 12);
}

/**
 * Migrates one template database for the whole run; every test file then gets a fresh copy
 * (PGlite: an in-memory instance loaded from a dumped data directory; PostgreSQL: CREATE DATABASE
 * ... TEMPLATE), which is far faster than migrating per file.
 */
export default async function setup(project: TestProject) {
  const hash = migrationsHash();
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const template = `ct_template_${hash}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [template]);
      if (exists.rowCount === 0) {
        const building = `${template}_${process.pid}`;
        await admin.query(`create database "${building}"`);
        const connection = connectPostgres(withDatabase(url, building), { max: 1 });
        await migrateDatabase(connection);
        await connection.close();
        // Renamed only once complete, so an interrupted run never leaves a half-migrated template.
        await admin.query(`alter database "${building}" rename to "${template}"`);
      }
    } finally {
      await admin.end();
    }
    project.provide('testDatabase', { kind: 'postgres', url, template });
    return;
  }

  const cacheDir = join(projectRoot(), 'node_modules', '.cache', 'consultracker');
  const templateFile = join(cacheDir, `pglite-template-${hash}.tar.gz`);
  if (!existsSync(templateFile)) {
    const connection = await openPglite({ inMemory: true });
    await migrateDatabase(connection);
    if (connection.kind !== 'pglite') throw new Error('expected PGlite');
    const dump = await connection.client.dumpDataDir('gzip');
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(templateFile, Buffer.from(await dump.arrayBuffer()));
    await connection.close();
  }
  project.provide('testDatabase', { kind: 'pglite', templateFile });
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
