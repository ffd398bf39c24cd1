import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, reportingPeriods, timeEntries, timesheets } from '../../src/db/schema.js';
import { addPeriods, deletePeriods, listPeriods, periodDeletionImpact } from '../../src/services/periods.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addPeriod,
  addProject,
  addTimesheet,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';

let database: TestDatabase;
let consultants: { alice: number; carl: number };
let project: number;
const admin = () => serviceContext(database.db, asUser('UADMIN'));

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADMIN', { rights: ['admin'] });
  await addUser(database.db, 'UALICE', { rights: ['entry'] });
  await addUser(database.db, 'UCARL', { rights: ['entry'] });
  consultants = { alice: await addConsultant(database.db, 'UALICE'), carl: await addConsultant(database.db, 'UCARL') };
  project = await addProject(database.db, 'ACME-WEB', await addCustomer(database.db, 'ACME'), {
    consultants: [consultants.alice, consultants.carl],
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
    const { db } = database;
    // Its own two periods: May holds an open and an approved sheet, early June holds nothing.
    const may = await addPeriod(db, '2027-05-01', '2027-05-31');
    const earlyJune = await addPeriod(db, '2027-06-01', '2027-06-15');
    const open = await addTimesheet(db, consultants.alice, may);
    const kept = await addTimesheet(db, consultants.carl, may, 'approved');
    await db.insert(timeEntries).values(
      [1, 2].map(() => ({
        timesheetId: open,
        projectId: project,
        workDate: '2027-05-20',
        minutes: 60,
        description: 'x',
        billable: true,
        source: 'command' as const,
        createdBy: 'UALICE',
      })),
    );

    expect(await periodDeletionImpact(admin(), [may, earlyJune])).toEqual({
      ok: true,
      impact: { periods: 2, openSheets: 1, openEntries: 2, keptSheets: 1 },
    });
    expect(await deletePeriods(admin(), [may, earlyJune])).toMatchObject({
      ok: true,
      deleted: { openSheets: 1, openEntries: 2, keptSheets: 1 },
    });
    expect(
      await db
        .select()
        .from(timesheets)
        .where(inArray(timesheets.id, [open, kept])),
    ).toMatchObject([{ id: kept, consultantId: consultants.carl, status: 'approved' }]);
    expect(await db.select().from(timeEntries).where(eq(timeEntries.timesheetId, open))).toEqual([]);
    const periods = await db
      .select()
      .from(reportingPeriods)
      .where(inArray(reportingPeriods.id, [may, earlyJune]));
    expect(periods).toMatchObject([{ id: may, archivedAt: expect.any(Date) }]);
    const periodActions = await db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.entity, 'reporting_period'), inArray(auditLog.entityId, [String(may), String(earlyJune)])),
      );
    expect(periodActions.map((a) => `${a.action} ${a.entityId}`).sort()).toEqual(
      [`period.archive ${may}`, `period.delete ${earlyJune}`].sort(),
    );
    expect(await deletePeriods(admin(), [earlyJune])).toMatchObject({ ok: false, error: { code: 'stale' } });
    // The open sheet and its entries are on the record: which, how much, on what.
    const removed = (await db.select().from(auditLog).where(eq(auditLog.action, 'time_entry.delete'))).filter(
      (r) => (r.before as { timesheetId?: number } | null)?.timesheetId === open,
    );
    expect(removed.map((r) => r.before)).toEqual([
      expect.objectContaining({ timesheetId: open, projectCode: 'ACME-WEB', minutes: 60, workDate: '2027-05-20' }),
      expect.objectContaining({ timesheetId: open, projectCode: 'ACME-WEB', minutes: 60, workDate: '2027-05-20' }),
    ]);
    expect(removed.map((r) => r.after)).toEqual([{ cause: 'period.remove' }, { cause: 'period.remove' }]);
    const [sheetRow] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'timesheet.delete'), eq(auditLog.entityId, String(open))));
    expect(sheetRow?.before).toMatchObject({ id: open, status: 'open', entries: 2, minutes: 120 });
  });

  it('restores a deleted period when its dates are added again, with its kept sheets, and names it on any other overlap', async () => {
    const { db } = database;
    // August is deleted while it holds an approved sheet, so it is archived, not removed.
    const august = await addPeriod(db, '2027-08-01', '2027-08-31');
    await addTimesheet(db, consultants.carl, august, 'approved');
    expect(await deletePeriods(admin(), [august])).toMatchObject({ ok: true, deleted: { keptSheets: 1 } });

    expect(await addPeriods(admin(), { startsOn: '2027-08-10', endsOn: '2027-08-20' })).toEqual({
      ok: false,
      error: {
        code: 'overlap',
        field: 'starts',
        message:
          'Tue 10 Aug 2027 – Fri 20 Aug 2027 overlaps the deleted period Sun 1 Aug 2027 – Tue 31 Aug 2027, kept for the timesheets it holds. Add exactly Sun 1 Aug 2027 – Tue 31 Aug 2027 to restore it, or choose dates outside it.',
      },
    });
    expect(await addPeriods(admin(), { startsOn: '2027-08-01', endsOn: '2027-08-31' })).toEqual({
      ok: true,
      created: [],
      restored: [{ startsOn: '2027-08-01', endsOn: '2027-08-31' }],
    });
    const listed = await listPeriods(admin());
    expect(listed.ok && listed.periods.find((p) => p.id === august)).toMatchObject({ keptSheets: 1 });
    const restores = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'period.restore'), eq(auditLog.entityId, String(august))));
    expect(restores.length).toBe(1);
  });

  it('is for administrators', async () => {
    expect(
      await addPeriods(serviceContext(database.db, asUser('UALICE')), { startsOn: '2028-01-01', endsOn: '2028-01-31' }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
