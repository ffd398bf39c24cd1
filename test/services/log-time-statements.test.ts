import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingDatabase } from '../../src/db/client.js';
import { outbox } from '../../src/db/schema.js';
import { homeOverview } from '../../src/services/home.js';
import { logTime } from '../../src/services/time-entries.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UALICE', { rights: ['entry'] });
  const alice = await addConsultant(db, 'UALICE');
  await addProject(db, 'ACME-WEB', await addCustomer(db, 'ACME'), { consultants: [alice] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
});

afterAll(async () => database.drop());

describe('the statements one /log sends', () => {
  const log = (ctx: ReturnType<typeof serviceContext>, requestKey: string) =>
    logTime(ctx, {
      projectCode: 'ACME-WEB',
      minutes: 30,
      description: 'budgeted',
      billable: true,
      source: 'command',
      requestKey,
    });

  it('saves an entry of minutes on an existing open sheet and queues its App Home refresh in two statements and no transaction', async () => {
    const { db, counter } = countingDatabase(database);
    const ctx = serviceContext(db, asUser('UALICE'), new TestClock('2026-11-24T12:00:00Z'));
    expect((await log(ctx, 'ack-first')).ok).toBe(true); // creates the sheet
    await db.delete(outbox);
    counter.reset();
    const second = await log(ctx, 'ack-second');
    expect(second.ok).toBe(true);
    expect(counter.transactions).toBe(0);
    expect(counter.statements).toBe(2);
    expect(await db.select({ key: outbox.dedupeKey, status: outbox.status }).from(outbox)).toEqual([
      { key: 'home:UALICE', status: 'pending' },
    ]);
  });

  it.each([
    ['yesterday', { kind: 'days-ago', days: 1 }, '2026-11-23'],
    ['last Monday', { kind: 'weekday', day: 1 }, '2026-11-23'],
    ['a date', { kind: 'iso', date: '2026-11-02' }, '2026-11-02'],
  ] as const)('saves an entry dated %s on its day in the same two statements', async (_, date, day) => {
    const { db, counter } = countingDatabase(database);
    const ctx = serviceContext(db, asUser('UALICE'), new TestClock('2026-11-24T12:00:00Z'));
    counter.reset();
    const dated = await logTime(ctx, {
      projectCode: 'ACME-WEB',
      minutes: 30,
      date,
      description: 'budgeted',
      billable: true,
      source: 'command',
      requestKey: `dated-${date.kind}`,
    });
    expect(dated).toMatchObject({ ok: true, entries: [{ workDate: day }] });
    expect(counter.transactions).toBe(0);
    expect(counter.statements).toBe(2);
  });

  it('saves a timed entry, checked for overlaps under the sheet’s lock, in one transaction of at most 6 statements, BEGIN and COMMIT aside', async () => {
    const { db, counter } = countingDatabase(database);
    const ctx = serviceContext(db, asUser('UALICE'), new TestClock('2026-11-24T12:00:00Z'));
    counter.reset();
    const timed = await logTime(ctx, {
      projectCode: 'ACME-WEB',
      minutes: 60,
      beginsAt: '06:00',
      endsAt: '07:00',
      description: 'budgeted',
      billable: true,
      source: 'command',
      requestKey: 'ack-timed',
    });
    expect(timed.ok).toBe(true);
    expect(counter.transactions).toBe(1);
    expect(counter.statements).toBeLessThanOrEqual(6);
  });

  it('reads the App Home refresh after it, with the entry, in one statement and no transaction when nothing waits for her approval', async () => {
    const { db, counter } = countingDatabase(database);
    const ctx = serviceContext(db, asUser('UALICE'), new TestClock('2026-11-24T12:00:00Z'));
    const logged = await log(ctx, 'home-first');
    counter.reset();
    const page = await homeOverview(ctx);
    expect(page).toMatchObject({ ok: true, home: { kind: 'consultant', timesheet: { status: 'open' } } });
    expect(page.ok && page.home.kind === 'consultant' && page.home.recent[0]?.entryId).toBe(
      logged.ok && logged.entries[0]!.entryId,
    );
    expect(counter.transactions).toBe(0);
    expect(counter.statements).toBe(1);
  });
});
