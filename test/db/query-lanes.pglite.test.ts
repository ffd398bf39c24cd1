/**
 * On PGlite the outbox and the jobs use a background handle onto the same database
 * (`backgroundDb`): its queries wait for requests' (src/db/query-lanes.ts).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseConnection, openPglite, queryRows } from '../../src/db/client.js';

let connection: Extract<DatabaseConnection, { kind: 'pglite' }>;

beforeAll(async () => {
  const opened = await openPglite({ inMemory: true });
  if (opened.kind !== 'pglite') throw new Error('openPglite opened PostgreSQL');
  connection = opened;
  await connection.db.execute(sql`create table lane_probe (id serial primary key, tag text not null)`);
});

afterAll(async () => {
  await connection?.close();
});

describe('the background handle on PGlite', () => {
  it('reads what requests wrote and writes what they read: one database', async () => {
    await connection.db.execute(sql`insert into lane_probe (tag) values (${'from a request'})`);
    await connection.backgroundDb.execute(sql`insert into lane_probe (tag) values (${'from the outbox'})`);

    const seen = (db: typeof connection.db) =>
      queryRows<{ tag: string }>(db, sql`select tag from lane_probe order by id`);
    expect(await seen(connection.backgroundDb)).toEqual([{ tag: 'from a request' }, { tag: 'from the outbox' }]);
    expect(await seen(connection.db)).toEqual(await seen(connection.backgroundDb));
  });

  it('runs a request that asks while a transaction is open before background work that asked first', async () => {
    let release!: () => void;
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const held = connection.db.transaction(async (tx) => {
      await tx.execute(sql`insert into lane_probe (tag) values (${'held'})`);
      opened();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isOpen;

    const order: string[] = [];
    const background = connection.backgroundDb
      .execute(sql`select count(*) from lane_probe where tag = ${'held'}`)
      .then(() => order.push('App Home read'));
    const request = connection.db
      .execute(sql`insert into lane_probe (tag) values (${'/log'})`)
      .then(() => order.push('/log insert'));
    release();
    await Promise.all([held, background, request]);

    expect(order).toEqual(['/log insert', 'App Home read']);
  });
});
