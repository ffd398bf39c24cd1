import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { timeEntries, timers } from '../../src/db/schema.js';
import { discardTimer, runningTimer, startTimer, stopTimer } from '../../src/services/timers.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addDelegate,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let clock: TestClock;
const ctxFor = (userId: string, actingFor?: string) => serviceContext(database.db, asUser(userId, actingFor), clock);
const start = (userId: string, projectCode = 'ACME-WEB', description = 'standup') =>
  startTimer(ctxFor(userId), { projectCode, description, billable: true, meeting: false });
const entriesOf = (userId: string) => database.db.select().from(timeEntries).where(eq(timeEntries.createdBy, userId));

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  for (const id of ['UALICE', 'UCAROL', 'UDAN', 'UERIN', 'UFAY'])
    await addUser(db, id, { rights: ['entry'], timeZone: 'Europe/Berlin' });
  await addUser(db, 'UBOB');
  const consultants = await Promise.all(
    ['UALICE', 'UCAROL', 'UDAN', 'UERIN', 'UFAY'].map((id) => addConsultant(db, id)),
  );
  const acme = await addCustomer(db, 'ACME');
  await addProject(db, 'ACME-WEB', acme, { consultants });
  await addProject(db, 'ACME-APP', acme, { consultants });
  await addPeriod(db, '2026-11-01', '2026-11-30');
  await addDelegate(db, 'UALICE', 'UBOB');
});
afterAll(async () => database.drop());
beforeEach(() => {
  clock = new TestClock('2026-11-24T08:00:00Z');
});

describe('timers', () => {
  it('saves the elapsed minutes on stop, as a timer entry on the day it started', async () => {
    expect(await start('UALICE')).toMatchObject({
      ok: true,
      timer: { projectCode: 'ACME-WEB', elapsedMinutes: 1 },
      stopped: [],
    });
    clock.advance({ minutes: 47, seconds: 20 });
    expect(await runningTimer(ctxFor('UALICE'))).toMatchObject({ ok: true, timer: { elapsedMinutes: 47 } });
    const stopped = await stopTimer(ctxFor('UALICE'), { description: 'daily standup' });
    expect(stopped).toMatchObject({
      ok: true,
      outcome: {
        kind: 'saved',
        entries: [{ minutes: 47, workDate: '2026-11-24', description: 'daily standup', source: 'timer' }],
      },
    });
    expect(await database.db.select().from(timers)).toHaveLength(0);
    // A second Stop (double click) finds nothing and saves nothing.
    expect(await stopTimer(ctxFor('UALICE'))).toMatchObject({ ok: false, error: { code: 'no_timer' } });
    expect(await entriesOf('UALICE')).toHaveLength(1);
  });

  it('stops and saves the running timer when another starts: one timer per user', async () => {
    await start('UCAROL', 'ACME-WEB', 'review');
    clock.advance({ minutes: 30 });
    const second = await start('UCAROL', 'ACME-APP', 'build');
    expect(second).toMatchObject({
      ok: true,
      timer: { projectCode: 'ACME-APP' },
      stopped: [{ projectCode: 'ACME-WEB', minutes: 30, description: 'review' }],
    });
    expect(await database.db.select().from(timers).where(eq(timers.userId, 'UCAROL'))).toHaveLength(1);
  });

  it('asks before saving more than ten hours, and keeps the timer running until the user decides', async () => {
    await start('UDAN');
    clock.advance({ hours: 11, minutes: 5 });
    const asked = await stopTimer(ctxFor('UDAN'));
    expect(asked).toMatchObject({ ok: true, outcome: { kind: 'needs-confirmation', timer: { elapsedMinutes: 665 } } });
    expect(await entriesOf('UDAN')).toHaveLength(0);
    expect(await runningTimer(ctxFor('UDAN'))).toMatchObject({ ok: true, timer: { projectCode: 'ACME-WEB' } });
    // Starting another timer does not silently save the long one either.
    expect(await start('UDAN', 'ACME-APP')).toMatchObject({ ok: false, error: { code: 'timer_needs_decision' } });

    const kept = await stopTimer(ctxFor('UDAN'), { keep: 'ten-hours' });
    expect(kept).toMatchObject({ ok: true, outcome: { kind: 'saved', entries: [{ minutes: 600 }] } });
  });

  it('needs a description before it can save, and refuses what an entry would refuse', async () => {
    await start('UERIN', 'ACME-WEB', '');
    clock.advance({ minutes: 20 });
    expect(await stopTimer(ctxFor('UERIN'))).toMatchObject({ ok: false, error: { code: 'description_required' } });
    expect(await runningTimer(ctxFor('UERIN'))).toMatchObject({ ok: true, timer: { elapsedMinutes: 20 } });
    expect(await discardTimer(ctxFor('UERIN'))).toMatchObject({ ok: true, discarded: { elapsedMinutes: 20 } });
    expect(await entriesOf('UERIN')).toHaveLength(0);
    expect(await start('UERIN', 'NOPE')).toMatchObject({ ok: false, error: { code: 'unknown_project' } });
    expect(await start('UBOB')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('lets a delegate run the principal’s timer', async () => {
    clock.set('2026-11-25T09:00:00Z');
    const started = await startTimer(ctxFor('UBOB', 'UALICE'), {
      projectCode: 'ACME-WEB',
      description: 'for Alice',
      billable: false,
      meeting: true,
    });
    expect(started.ok).toBe(true);
    clock.advance({ minutes: 15 });
    const stopped = await stopTimer(ctxFor('UALICE'));
    expect(stopped).toMatchObject({
      ok: true,
      outcome: { kind: 'saved', entries: [{ minutes: 15, billable: false, source: 'meeting' }] },
    });
  });
});

describe('a timer running past midnight', () => {
  it('is saved as one entry per day in the consultant’s zone, and the answer lists both', async () => {
    clock.set('2026-11-24T22:30:00Z'); // 23:30 in Berlin
    expect(await start('UFAY', 'ACME-WEB', 'release night')).toMatchObject({ ok: true });
    clock.set('2026-11-25T00:15:00Z'); // 01:15 the next day in Berlin
    expect(await stopTimer(ctxFor('UFAY'))).toMatchObject({
      ok: true,
      outcome: {
        kind: 'saved',
        entries: [
          { workDate: '2026-11-24', minutes: 30, source: 'timer' },
          { workDate: '2026-11-25', minutes: 75, source: 'timer' },
        ],
      },
    });
    expect((await entriesOf('UFAY')).map((e) => [e.workDate, e.minutes]).sort()).toEqual([
      ['2026-11-24', 30],
      ['2026-11-25', 75],
    ]);
  });
});
