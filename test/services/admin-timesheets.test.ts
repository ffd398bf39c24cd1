import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, outbox, timeEntries, timesheets } from '../../src/db/schema.js';
import { adminDecide } from '../../src/services/approval-decisions.js';
import { adminTimesheets, timesheetFilterChoices } from '../../src/services/approval-views.js';
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
const clock = new TestClock('2026-11-30T12:00:00Z');
const admin = () => serviceContext(database.db, asUser('UADMIN'), clock);
const sheets: Record<string, number> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UMGR', { rights: ['approval'] });
  const manager = await addManager(db, 'UMGR');
  const consultants: number[] = [];
  for (const id of ['UANN', 'UBEN', 'UCAT', 'UDEB']) {
    await addUser(db, id, { rights: ['entry'], name: id.slice(1) });
    consultants.push(await addConsultant(db, id));
  }
  await addProject(db, 'ACME-WEB', await addCustomer(db, 'ACME'), { consultants, managers: [manager] });
  await addProject(db, 'GLOBEX-OPS', await addCustomer(db, 'GLOBEX'), { consultants, managers: [manager] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
  for (const [id, project] of [
    ['UANN', 'ACME-WEB'],
    ['UBEN', 'GLOBEX-OPS'],
    ['UCAT', 'ACME-WEB'],
    ['UDEB', 'ACME-WEB'],
  ] as const) {
    const ctx = serviceContext(db, asUser(id), clock);
    await logTime(ctx, { projectCode: project, minutes: 60, description: 'work', billable: true, source: 'command' });
    if (id !== 'UDEB') await submitTimesheet(ctx);
    sheets[id] = (await db.select().from(timesheets)).at(-1)!.id;
  }
});
afterAll(async () => database.drop());

describe('administrators and timesheets', () => {
  it('filters by consultant, project, customer and period', async () => {
    const all = await adminTimesheets(admin());
    expect(all.ok && all.sheets.map((s) => s.consultantName).sort()).toEqual(['UANN', 'UBEN', 'UCAT', 'UDEB']);
    const globex = await adminTimesheets(admin(), { customerCode: 'GLOBEX' });
    expect(globex.ok && globex.sheets.map((s) => [s.consultantName, s.entryCount, s.totalMinutes])).toEqual([
      ['UBEN', 1, 60],
    ]);
    const ann = await adminTimesheets(admin(), {
      consultantUserId: 'UANN',
      projectCode: 'ACME-WEB',
      periodStartsOn: '2026-11-01',
    });
    expect(ann.ok && ann.sheets.map((s) => s.status)).toEqual(['submitted']);
    expect(await adminTimesheets(admin(), { periodStartsOn: '2026-12-01' })).toMatchObject({ ok: true, sheets: [] });
  });

  it('searches the filters’ choices as the menu shows them, the typed text taken literally', async () => {
    const search = async (kind: 'period' | 'project' | 'customer', typed: string) => {
      const found = await timesheetFilterChoices(admin(), kind, typed);
      if (!found.ok) throw new Error(found.error.message);
      return found.values;
    };
    expect(await search('period', 'sun 1 nov')).toEqual(['2026-11-01']);
    expect(await search('period', '2026-11')).toEqual(['2026-11-01']);
    expect(await search('project', 'web')).toEqual(['ACME-WEB']);
    expect(await search('project', '')).toEqual(['ACME-WEB', 'GLOBEX-OPS']);
    expect(await search('customer', '%')).toEqual([]);
    expect(await search('customer', '_CME')).toEqual([]);
    const refused = await timesheetFilterChoices(serviceContext(database.db, asUser('UMGR'), clock), 'project', '');
    expect(refused.ok).toBe(false);
  });

  it('approves over the managers’ heads, freezing rates and updating their DMs, once', async () => {
    expect(await adminDecide(admin(), { timesheetId: sheets.UANN!, decision: 'approve' })).toEqual({
      ok: true,
      status: 'approved',
    });
    expect((await database.db.select().from(timesheets).where(eq(timesheets.id, sheets.UANN!)))[0]).toMatchObject({
      status: 'approved',
    });
    expect(
      (await database.db.select().from(approvals).where(eq(approvals.timesheetId, sheets.UANN!)))[0],
    ).toMatchObject({ status: 'approved', decidedBy: 'UADMIN' });
    expect(
      (await database.db.select().from(timeEntries).where(eq(timeEntries.timesheetId, sheets.UANN!)))[0],
    ).toMatchObject({ priceRateCents: 14000, costRateCents: 7000 });
    expect(
      (await database.db.select().from(outbox)).some((m) => m.dedupeKey.startsWith(`update:approval:${sheets.UANN}:`)),
    ).toBe(true);
    expect(await adminDecide(admin(), { timesheetId: sheets.UANN!, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'already_decided' },
    });
  });

  it('rejects with a reason (cancelled plus an open copy), and deletes open or submitted sheets', async () => {
    const [benSheet] = await database.db.select().from(timesheets).where(eq(timesheets.id, sheets.UBEN!));
    expect(await adminDecide(admin(), { timesheetId: sheets.UBEN!, decision: 'reject', reason: ' ' })).toMatchObject({
      ok: false,
      error: { code: 'reason_required' },
    });
    expect(
      await adminDecide(admin(), { timesheetId: sheets.UBEN!, decision: 'reject', reason: 'wrong project' }),
    ).toEqual({ ok: true, status: 'cancelled' });
    const [copy, ...more] = await database.db
      .select()
      .from(timesheets)
      .where(eq(timesheets.reopenedFrom, sheets.UBEN!));
    expect(more).toEqual([]);
    expect(copy).toMatchObject({ status: 'open', consultantId: benSheet!.consultantId, periodId: benSheet!.periodId });
    // The copy holds Ben's time again, unfrozen and editable; the cancelled sheet keeps its record.
    // Everything but the row's own identity and timestamps must match.
    const entriesOf = async (timesheetId: number) =>
      (await database.db.select().from(timeEntries).where(eq(timeEntries.timesheetId, timesheetId))).map(
        ({ id: _id, timesheetId: _sheet, requestKey: _key, createdAt: _created, updatedAt: _updated, ...kept }) => kept,
      );
    const original = await entriesOf(sheets.UBEN!);
    expect(original).toMatchObject([
      {
        minutes: 60,
        description: 'work',
        billable: true,
        createdBy: 'UBEN',
        priceRateCents: null,
        costRateCents: null,
      },
    ]);
    expect(await entriesOf(copy!.id)).toEqual(original);
    expect(await adminDecide(admin(), { timesheetId: sheets.UCAT!, decision: 'delete' })).toEqual({
      ok: true,
      status: 'deleted',
    });
    expect(await adminDecide(admin(), { timesheetId: sheets.UDEB!, decision: 'delete' })).toEqual({
      ok: true,
      status: 'deleted',
    });
    expect(await database.db.select().from(timesheets).where(eq(timesheets.id, sheets.UCAT!))).toEqual([]);
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.timesheetId, sheets.UCAT!))).toEqual([]);
    // The manager's DM for Cat's deleted sheet is updated to say so, in the same transaction.
    const [withdrawn] = await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `update:approval:${sheets.UCAT}:UMGR:deleted`));
    expect(withdrawn?.payload).toMatchObject({
      kind: 'update',
      content: { model: { sheetStatus: 'deleted', consultantName: 'UCAT' } },
    });
    expect(
      await adminDecide(serviceContext(database.db, asUser('UMGR'), clock), {
        timesheetId: sheets.UBEN!,
        decision: 'delete',
      }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
