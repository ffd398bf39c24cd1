import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, reportingPeriods, timeEntries, timesheets } from '../../src/db/schema.js';
import { addPeriods, deletePeriods, listPeriods, periodDeletionImpact } from '../../src/services/periods.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addConsultant, addCustomer, addProject, addUser, asUser, serviceContext } from '../support/fixtures.js';

let database: TestDatabase;
const admin = () => serviceContext(database.db, asUser('UADMIN'));

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADMIN', { rights: ['admin'] });
  await addUser(database.db, 'UALICE', { rights: ['entry'] });
  await addUser(database.db, 'UCARL', { rights: ['entry'] });
  await addProject(database.db, 'ACME-WEB', await addCustomer(database.db, 'ACME'), {
    consultants: [await addConsultant(database.db, 'UALICE'), await addConsultant(database.db, 'UCARL')],
  });
});
afterAll(async () => database.drop());

describe('reporting periods', () => {
  it('adds one period or a generated series, refusing any overlap with a clear message and writing nothing', async () => {
    expect(await addPeriods(admin(), { startsOn: '2026-11-01', endsOn: '2026-11-30' })).toMatchObject({ ok: true });
    expect(await addPeriods(admin(), { cadence: 'semi-monthly', from: '2026-12-01', to: '2027-01-31' })).toMatchObject({
      ok: true,
      created: [
        { startsOn: '2026-12-01', endsOn: '2026-12-15' },
        {},
        {},
        { startsOn: '2027-01-16', endsOn: '2027-01-31' },
      ],
    });
    const overlapping = await addPeriods(admin(), { cadence: 'weekly', from: '2027-01-25', to: '2027-02-28' });
    expect(overlapping).toEqual({
      ok: false,
      error: {
        code: 'overlap',
        message: 'Mon 25 Jan 2027 – Sun 31 Jan 2027 overlaps the period Sat 16 Jan 2027 – Sun 31 Jan 2027.',
        field: 'starts',
      },
    });
    expect(await addPeriods(admin(), { startsOn: '2027-03-10', endsOn: '2027-03-01' })).toMatchObject({
      ok: false,
      error: { code: 'period_order', field: 'ends' },
    });
    const listed = await listPeriods(admin());
    expect(listed.ok && listed.periods.map((p) => `${p.startsOn}/${p.endsOn}`)).toEqual([
      '2026-11-01/2026-11-30',
      '2026-12-01/2026-12-15',
      '2026-12-16/2026-12-31',
      '2027-01-01/2027-01-15',
      '2027-01-16/2027-01-31',
    ]);
  });

  it('deletes open timesheets with their entries, keeps the others and archives their period', async () => {
    const [november, firstDecember] = await database.db
      .select()
      .from(reportingPeriods)
      .orderBy(asc(reportingPeriods.startsOn));
    const alice = (await database.db.select().from(timesheets).where(eq(timesheets.periodId, november!.id))).length;
    expect(alice).toBe(0);
    const open = (
      await database.db.insert(timesheets).values({ consultantId: 1, periodId: november!.id }).returning()
    )[0]!;
    await database.db.insert(timeEntries).values(
      [1, 2].map(() => ({
        timesheetId: open.id,
        projectId: 1,
        workDate: '2026-11-20',
        minutes: 60,
        description: 'x',
        billable: true,
        source: 'command' as const,
        createdBy: 'UALICE',
      })),
    );
    await database.db.insert(timesheets).values({ consultantId: 2, periodId: november!.id, status: 'approved' });

    expect(await periodDeletionImpact(admin(), [november!.id, firstDecember!.id])).toEqual({
      ok: true,
      impact: { periods: 2, openSheets: 1, openEntries: 2, keptSheets: 1 },
    });
    expect(await deletePeriods(admin(), [november!.id, firstDecember!.id])).toMatchObject({
      ok: true,
      deleted: { openSheets: 1, openEntries: 2, keptSheets: 1 },
    });
    expect(await database.db.select().from(timesheets)).toMatchObject([{ consultantId: 2, status: 'approved' }]);
    expect(await database.db.select().from(timeEntries)).toEqual([]);
    const periods = await database.db.select().from(reportingPeriods).orderBy(asc(reportingPeriods.startsOn));
    expect(periods[0]).toMatchObject({ id: november!.id, archivedAt: expect.any(Date) });
    expect(periods.find((p) => p.id === firstDecember!.id)).toBeUndefined();
    expect((await database.db.select().from(auditLog)).map((a) => a.action)).toEqual(
      expect.arrayContaining(['period.archive', 'period.delete']),
    );
    expect(await deletePeriods(admin(), [firstDecember!.id])).toMatchObject({ ok: false, error: { code: 'stale' } });
    // The open sheet and its entries are on the record: which, how much, on what.
    const removed = await database.db.select().from(auditLog).where(eq(auditLog.action, 'time_entry.delete'));
    expect(removed.map((r) => r.before)).toEqual([
      expect.objectContaining({ timesheetId: open.id, projectCode: 'ACME-WEB', minutes: 60, workDate: '2026-11-20' }),
      expect.objectContaining({ timesheetId: open.id, projectCode: 'ACME-WEB', minutes: 60, workDate: '2026-11-20' }),
    ]);
    expect(removed.map((r) => r.after)).toEqual([{ cause: 'period.remove' }, { cause: 'period.remove' }]);
    const [sheetRow] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'timesheet.delete'), eq(auditLog.entityId, String(open.id))));
    expect(sheetRow?.before).toMatchObject({ id: open.id, status: 'open', entries: 2, minutes: 120 });
  });

  it('restores a deleted period when its dates are added again, with its kept sheets, and names it on any other overlap', async () => {
    const [november] = await database.db.select().from(reportingPeriods).orderBy(asc(reportingPeriods.startsOn));
    expect(november).toMatchObject({ startsOn: '2026-11-01', archivedAt: expect.any(Date) });
    expect(await addPeriods(admin(), { startsOn: '2026-11-10', endsOn: '2026-11-20' })).toEqual({
      ok: false,
      error: {
        code: 'overlap',
        field: 'starts',
        message:
          'Tue 10 Nov 2026 – Fri 20 Nov 2026 overlaps the deleted period Sun 1 Nov 2026 – Mon 30 Nov 2026, kept for the timesheets it holds. Add exactly Sun 1 Nov 2026 – Mon 30 Nov 2026 to restore it, or choose dates outside it.',
      },
    });
    expect(await addPeriods(admin(), { startsOn: '2026-11-01', endsOn: '2026-11-30' })).toEqual({
      ok: true,
      created: [],
      restored: [{ startsOn: '2026-11-01', endsOn: '2026-11-30' }],
    });
    const listed = await listPeriods(admin());
    expect(listed.ok && listed.periods.find((p) => p.id === november!.id)).toMatchObject({ keptSheets: 1 });
    expect((await database.db.select().from(auditLog).where(eq(auditLog.action, 'period.restore'))).length).toBe(1);
  });

  it('is for administrators', async () => {
    expect(
      await addPeriods(serviceContext(database.db, asUser('UALICE')), { startsOn: '2028-01-01', endsOn: '2028-01-31' }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
