import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectPostgres, type DatabaseConnection, openPglite } from '../src/db/client.js';

/** A fresh PostgreSQL database next to the one `serverUrl` names, for one benchmark run. */
export async function createThrowawayDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ct_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  await admin(`create database "${name}"`);
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  return { url: target.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`) };
}

/** The database an in-process benchmark runs on: PGlite in memory, or a throwaway one on BENCH_DATABASE_URL's server. */
export async function benchDatabase(): Promise<{
  connection: DatabaseConnection;
  label: string;
  drop: () => Promise<void>;
}> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url)
    return { connection: await openPglite({ inMemory: true }), label: 'PGlite (in memory)', drop: async () => {} };
  const throwaway = await createThrowawayDatabase(url);
  return { connection: connectPostgres(throwaway.url), label: 'PostgreSQL', drop: throwaway.drop };
}
