/**
 * Issue racing Issue: twenty people clicking Issue on one draft, and twenty drafts issued at once.
 * Each race is forced: every issue starts while a lock it needs is held (on PostgreSQL by another
 * connection, until every issue is seen waiting for it; on PGlite by a transaction holding its only
 * connection), then the lock is released and they all go.
 */
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectPostgres, type Database, type DatabaseConnection, queryRows } from '../../src/db/client.js';
import { customers, invoices, projects } from '../../src/db/schema.js';
import { draftInvoices } from '../../src/services/invoices.js';
import { issueInvoice } from '../../src/services/invoice-decisions.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addUser, asUser, serviceContext } from '../support/fixtures.js';
import { withDatabase } from '../support/global-setup.js';
import { approvedSheet, entry, seedInvoiceFirm } from '../support/invoice-firm.js';
import { TestClock } from '../support/test-clock.js';

const RACERS = 20;
const clock = new TestClock('2026-12-10T12:00:00Z');
let database: TestDatabase;
/** On PostgreSQL a pool with a connection for every racer, so all of them reach the lock. */
let racing: DatabaseConnection | undefined;
let racingDb: Database;
const clickers = Array.from({ length: RACERS }, (_, i) => `UFIN${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const firm = await seedInvoiceFirm(db);
  for (const id of clickers) await addUser(db, id, { rights: ['receivable'] });
  // One hourly customer per draft, each with an hour of approved time.
  const sheet = await approvedSheet(db, firm.consultants.alice, firm.periods.nov);
  for (let i = 0; i <= RACERS; i++) {
    const [customer] = await db
      .insert(customers)
      .values({ code: `C${String(i).padStart(2, '0')}`, name: `Customer ${i}`, currency: 'USD' })
      .returning();
    const [project] = await db
      .insert(projects)
      .values({ code: `P${String(i).padStart(2, '0')}`, name: `Project ${i}`, customerId: customer!.id })
      .returning();
    await entry(db, { sheet, project: project!.id, date: '2026-11-10', minutes: 60, rate: 10000 });
  }
  const drafted = await draftInvoices(serviceContext(db, asUser('UFIN'), clock), {
    periods: [],
    customerCodes: [],
    channel: 'C0FINANCE',
  });
  expect(drafted.ok && drafted.drafted).toHaveLength(RACERS + 1);
  const setup = inject('testDatabase');
  if (setup.kind === 'postgres') racing = connectPostgres(withDatabase(setup.url, database.name), { max: RACERS + 2 });
  racingDb = racing?.db ?? database.db;
});
afterAll(async () => {
  await racing?.close();
  await database.drop();
});

/** Holds a lock until released; `waiting(n)` resolves once n other sessions wait on locks. */
async function holdLock(lockSql: string): Promise<{ waiting(n: number): Promise<void>; release(): Promise<void> }> {
  if (database.kind === 'postgres') {
    const setup = inject('testDatabase');
    if (setup.kind !== 'postgres') throw new Error('expected PostgreSQL');
    const client = new pg.Client({ connectionString: withDatabase(setup.url, database.name) });
    await client.connect();
    await client.query('begin');
    await client.query(lockSql);
    return {
      waiting: async (n) => {
        for (;;) {
          // Activity statistics are a snapshot per transaction, and this one stays open: take a fresh one.
          await client.query('select pg_stat_clear_snapshot()');
          const { rows } = await client.query<{ n: string }>(
            `select count(*)::text as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          );
          if (Number(rows[0]!.n) >= n) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      },
      release: async () => {
        await client.query('commit');
        await client.end();
      },
    };
  }
  // PGlite has one connection: a transaction kept open holds every other transaction back.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = database.db.transaction(async (tx) => {
    await tx.execute(sql.raw(lockSql));
    locked();
    await released;
  });
  await isLocked;
  return {
    // Every issue has started and queued behind the held transaction once the event loop has turned.
    waiting: () => new Promise((resolve) => setImmediate(resolve)),
    release: async () => {
      release();
      await holder;
    },
  };
}

describe('racing issues', () => {
  it(`${RACERS} people clicking Issue on one draft at once: one number, given once, the rest told who issued it`, async () => {
    const [draft] = await database.db.select().from(invoices).where(eq(invoices.status, 'draft')).orderBy(invoices.id);
    const lock = await holdLock(`select id from invoices where id = ${draft!.id} for update`);
    const clicks = clickers.map((id) =>
      issueInvoice(serviceContext(racingDb, asUser(id), clock), { invoiceId: draft!.id }),
    );
    await lock.waiting(RACERS);
    await lock.release();
    const results = await Promise.all(clicks);
    expect(results.filter((r) => r.ok)).toEqual([
      { ok: true, number: '2026-0001', dueOn: '2027-01-09', customerCode: 'C00' },
    ]);
    for (const lost of results.filter((r) => !r.ok))
      expect(lost).toMatchObject({
        ok: false,
        error: {
          code: 'not_draft',
          message: expect.stringMatching(/^Invoice 2026-0001 was already issued by UFIN\d\d on 2026-12-10/),
        },
      });
    const [counter] = await queryRows<{ last: number }>(
      database.db,
      sql`select last_sequence as "last" from invoice_counters where year = 2026`,
    );
    expect(Number(counter!.last)).toBe(1);
  });

  it(`${RACERS} drafts issued at once: each gets exactly one number, and the numbers have no gaps`, async () => {
    const drafts = await database.db.select().from(invoices).where(eq(invoices.status, 'draft')).orderBy(invoices.id);
    expect(drafts).toHaveLength(RACERS);
    // Every issue needs the year's counter row; it is held until all twenty wait for it.
    const lock = await holdLock(`select year from invoice_counters where year = 2026 for update`);
    const issues = drafts.map((d, i) =>
      issueInvoice(serviceContext(racingDb, asUser(clickers[i]!), clock), { invoiceId: d.id }),
    );
    await lock.waiting(RACERS);
    await lock.release();
    const results = await Promise.all(issues);
    expect(results.every((r) => r.ok)).toBe(true);
    const issued = await database.db.select().from(invoices).where(eq(invoices.status, 'issued'));
    expect(issued.map((i) => i.sequence).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: RACERS + 1 }, (_, i) => i + 1),
    );
    expect(new Set(issued.map((i) => i.number)).size).toBe(RACERS + 1);
    const [counter] = await queryRows<{ last: number }>(
      database.db,
      sql`select last_sequence as "last" from invoice_counters where year = 2026`,
    );
    expect(Number(counter!.last)).toBe(RACERS + 1);
  });
});
