/**
 * App Home counts "today" in SQL with the database's time zone rules, while /log and /timesheet
 * count it in the app with Node's (`dateInZone`). Where the two rule sets disagree, App Home must
 * still show the period /log just wrote to. PGlite 0.5.16 ships newer rules than Node 20's ICU
 * (2025c) for America/Vancouver: from November 2026 the database keeps UTC-7 all year, Node goes
 * back to UTC-8, so for an hour each night the two are a day apart.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dateInZone } from '../../src/domain/dates.js';
import { homeOverview } from '../../src/services/home.js';
import { logTime } from '../../src/services/time-entries.js';
import { timesheetOverview } from '../../src/services/timesheets.js';
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
// 23:30 on Monday 30 November 2026 in Vancouver, by Node's rules (UTC-8).
const clock = new TestClock('2026-12-01T07:30:00Z');
const ctx = () => serviceContext(database.db, asUser('UVAN'), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UVAN', { rights: ['entry'], name: 'Val', timeZone: 'America/Vancouver' });
  const val = await addConsultant(db, 'UVAN');
  await addProject(db, 'ACME-WEB', await addCustomer(db, 'ACME'), { consultants: [val] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
  await addPeriod(db, '2026-12-01', '2026-12-31');
});
afterAll(async () => database.drop());

it('shows on App Home the period that /log and /timesheet count as today, late in the evening in Vancouver', async () => {
  const today = dateInZone(clock.now(), 'America/Vancouver');
  const logged = await logTime(ctx(), {
    projectCode: 'ACME-WEB',
    minutes: 60,
    billable: true,
    source: 'command',
    description: 'late evening fix',
  });
  if (!logged.ok) throw new Error(logged.error.message);
  expect(logged.entries[0]!.workDate).toBe(today);

  const sheet = await timesheetOverview(ctx());
  if (!sheet.ok) throw new Error(sheet.error.message);
  expect(sheet.overview.period.startsOn <= today && today <= sheet.overview.period.endsOn).toBe(true);

  const home = await homeOverview(ctx());
  if (!home.ok || home.home.kind !== 'consultant') throw new Error('no App Home for Val');
  // The entry just logged, and the period /timesheet shows, are the ones App Home shows.
  expect(home.home.timesheet?.period).toEqual(sheet.overview.period);
  expect(home.home.timesheet?.days.map((day) => day.date)).toEqual([today]);
});
