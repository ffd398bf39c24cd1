/** Issue 11, audit gaps: a removal that takes time with it records every entry and sheet it deletes. */
import { asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, employees } from '../../src/db/schema.js';
import { deleteEmployees } from '../../src/services/employee-removal.js';
import { deleteProjects } from '../../src/services/projects.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addManager,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-25T12:00:00Z');
const ctxFor = (userId: string) => serviceContext(database.db, asUser(userId), clock);
const log = (userId: string, projectCode: string, minutes: number, date: string) =>
  logTime(ctxFor(userId), {
    projectCode,
    minutes,
    date: { kind: 'iso', date },
    description: `on ${projectCode}`,
    billable: true,
    source: 'command',
  });

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UMGR', { rights: ['approval'] });
  await addUser(db, 'UANN', { rights: ['entry'] });
  await addUser(db, 'UBOB', { rights: ['entry'] });
  const ann = await addConsultant(db, 'UANN');
  const bob = await addConsultant(db, 'UBOB');
  const manager = await addManager(db, 'UMGR');
  const acme = await addCustomer(db, 'ACME');
  await addProject(db, 'GOING', acme, { consultants: [ann, bob], managers: [manager] });
  await addProject(db, 'STAYS', acme, { consultants: [ann, bob], managers: [manager] });
  await addPeriod(db, '2026-10-01', '2026-10-31');
  await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

const removedEntries = async (cause: string) =>
  (await database.db.select().from(auditLog).where(eq(auditLog.action, 'time_entry.delete')).orderBy(asc(auditLog.id)))
    .filter((row) => (row.after as { cause?: string } | null)?.cause === cause)
    .map((row) => row.before as { projectCode: string; minutes: number; sheetStatus: string; id: number });

describe('removals record what they delete', () => {
  it('removing a project records each entry it takes off open and submitted sheets: id, minutes, project', async () => {
    expect(await log('UANN', 'GOING', 60, '2026-10-10')).toMatchObject({ ok: true });
    expect(await log('UANN', 'STAYS', 30, '2026-10-11')).toMatchObject({ ok: true });
    expect(await submitTimesheet(ctxFor('UANN'), { period: { kind: 'containing', date: '2026-10-01' } })).toMatchObject(
      { ok: true },
    );
    expect(await log('UANN', 'GOING', 45, '2026-11-20')).toMatchObject({ ok: true });
    const going = (await database.db.query.projects.findFirst({ where: (p, { eq: is }) => is(p.code, 'GOING') }))!;
    expect(await deleteProjects(ctxFor('UADMIN'), [going.id])).toMatchObject({ ok: true });

    const rows = await removedEntries('project.remove');
    expect(
      rows
        .map(({ projectCode, minutes, sheetStatus }) => ({ projectCode, minutes, sheetStatus }))
        .sort((a, b) => a.minutes - b.minutes),
    ).toEqual([
      { projectCode: 'GOING', minutes: 45, sheetStatus: 'open' },
      { projectCode: 'GOING', minutes: 60, sheetStatus: 'submitted' },
    ]);
    expect(rows.every((r) => Number.isInteger(r.id))).toBe(true);
  });

  it('deleting an employee records the sheets and entries that go with them', async () => {
    expect(await log('UBOB', 'STAYS', 90, '2026-11-20')).toMatchObject({ ok: true });
    const [bob] = await database.db.select().from(employees).where(eq(employees.userId, 'UBOB'));
    expect(await deleteEmployees(ctxFor('UADMIN'), [bob!.id])).toMatchObject({ ok: true });
    expect((await removedEntries('employee.remove')).map((r) => [r.projectCode, r.minutes])).toEqual([['STAYS', 90]]);
    const sheets = await database.db
      .select()
      .from(auditLog)
      .where(inArray(auditLog.action, ['timesheet.delete']));
    expect(sheets.some((row) => (row.before as { consultantId: number }).consultantId === bob!.id)).toBe(true);
  });
});
