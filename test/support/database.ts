import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { connectPostgres, type DatabaseConnection, openPglite } from '../../src/db/client.js';
import { withDatabase } from './global-setup.js';

export type TestDatabase = DatabaseConnection & { name: string; drop(): Promise<void> };

/**
 * A fresh, migrated database for one test file: PGlite in memory by default, PostgreSQL when
 * TEST_DATABASE_URL is set (a pool of `connections`, 10 unless told). Call `drop()` in afterAll.
 */
export async function createTestDatabase({ connections = 10 } = {}): Promise<TestDatabase> {
  const setup = inject('testDatabase');
  if (setup.kind === 'pglite') {
    const dump = new Blob([readFileSync(setup.templateFile)]);
    const connection = await openPglite({ loadDataDir: dump });
    return Object.assign(connection, { name: 'pglite', drop: () => connection.close() });
  }

  const name = `ct_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(setup.url, `create database "${name}" template "${setup.template}"`);
  const connection = connectPostgres(withDatabase(setup.url, name), { max: connections });
  return Object.assign(connection, {
    name,
    drop: async () => {
      await connection.close();
      await adminQuery(setup.url, `drop database if exists "${name}" with (force)`);
    },
  });
}

async function adminQuery(url: string, statement: string): Promise<void> {
  // Two files cloning the template at the same instant can collide; a short retry settles it.
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
      return;
    } catch (error) {
      if (attempt >= 5 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    } finally {
      await client.end();
    }
  }
}
