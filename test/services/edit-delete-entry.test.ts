import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, creditLedger, employees, timeEntries, timesheets } from '../../src/db/schema.js';
import { ids } from '../../blocks/ids.js';
import { logTimeModal } from '../../blocks/log-modal.js';
import { readLogForm } from '../../src/slack/log-form.js';
import { deleteEntries, editEntry, entryForm, type EntryFields, logTime } from '../../src/services/time-entries.js';
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
const clock = new TestClock('2026-11-24T12:00:00Z');
const ctxFor = (userId: string, actingFor?: string) => serviceContext(database.db, asUser(userId, actingFor), clock);

const fields = (overrides: Partial<EntryFields> = {}): EntryFields => ({
  projectCode: 'ACME-WEB',
  minutes: 120,
  description: 'design review',
  billable: true,
  ...overrides,
});

async function logged(userId: string, overrides: Partial<EntryFields> = {}): Promise<number> {
  const result = await logTime(ctxFor(userId), { ...fields(overrides), source: 'command' });
  if (!result.ok) throw new Error(result.error.message);
  return result.entries[0]!.entryId;
}

const row = async (entryId: number) =>
  (await database.db.select().from(timeEntries).where(eq(timeEntries.id, entryId)))[0];

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UALICE', { rights: ['entry'], name: 'Alice' });
  await addUser(db, 'UCAROL', { rights: ['entry'] });
  await addUser(db, 'UBOB', { rights: ['approval'] });
  const alice = await addConsultant(db, 'UALICE');
  const carol = await addConsultant(db, 'UCAROL');
  const acme = await addCustomer(db, 'ACME');
  const globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  await db
    .insert(creditLedger)
    .values({ customerId: globex, minutes: 40 * 60, kind: 'purchase', occurredOn: '2026-11-01', note: 'PO 4711' });
  await addProject(db, 'ACME-WEB', acme, { consultants: [alice, carol] });
  await addProject(db, 'ACME-APP', acme, { consultants: [alice] });
  await addProject(db, 'GLOBEX-OPS', globex, { consultants: [alice] });
  await addPeriod(db, '2026-10-01', '2026-10-31');
  await addPeriod(db, '2026-11-01', '2026-11-30');
  await addDelegate(db, 'UALICE', 'UBOB');
});

afterAll(async () => database.drop());

describe('editEntry', () => {
  it('changes every field of an open entry and audits before and after', async () => {
    const id = await logged('UALICE');
    const result = await editEntry(ctxFor('UALICE'), {
      entryId: id,
      ...fields({
        projectCode: 'acme-app',
        date: { kind: 'iso', date: '2026-11-20' },
        minutes: 90,
        beginsAt: '09:00',
        endsAt: '10:30',
        description: 'workshop',
        billable: false,
      }),
    });
    expect(result).toMatchObject({
      ok: true,
      entry: {
        projectCode: 'ACME-APP',
        workDate: '2026-11-20',
        minutes: 90,
        beginsAt: '09:00',
        endsAt: '10:30',
        billable: false,
      },
    });
    expect(await row(id)).toMatchObject({
      workDate: '2026-11-20',
      minutes: 90,
      description: 'workshop',
      billable: false,
      beginsAt: '09:00:00',
    });
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, String(id)));
    expect(audit.map((a) => a.action)).toEqual(['time_entry.create', 'time_entry.update']);
  });

  it('moves the entry to the timesheet of the new date’s period', async () => {
    const id = await logged('UALICE', { minutes: 30 });
    const result = await editEntry(ctxFor('UALICE'), {
      entryId: id,
      ...fields({ minutes: 30, date: { kind: 'iso', date: '2026-10-15' } }),
    });
    expect(result.ok).toBe(true);
    const moved = await row(id);
    const [sheet] = await database.db.select().from(timesheets).where(eq(timesheets.id, moved!.timesheetId));
    expect(sheet).toMatchObject({ status: 'open' });
    expect(moved!.workDate).toBe('2026-10-15');
  });

  it('leaves the entry itself out of the 24h and overlap checks', async () => {
    const id = await logged('UCAROL', {
      minutes: 20 * 60,
      date: { kind: 'iso', date: '2026-11-10' },
      beginsAt: '02:00',
      endsAt: '22:00',
    });
    const result = await editEntry(ctxFor('UCAROL'), {
      entryId: id,
      ...fields({ minutes: 21 * 60, date: { kind: 'iso', date: '2026-11-10' }, beginsAt: '01:00', endsAt: '22:00' }),
    });
    expect(result).toMatchObject({ ok: true, entry: { minutes: 1260 } });
    // But another entry on that day still counts.
    await logged('UCAROL', { minutes: 60, date: { kind: 'iso', date: '2026-11-10' } });
    const tooMuch = await editEntry(ctxFor('UCAROL'), {
      entryId: id,
      ...fields({ minutes: 23 * 60 + 30, date: { kind: 'iso', date: '2026-11-10' } }),
    });
    expect(tooMuch).toMatchObject({ ok: false, error: { code: 'day_full' } });
    expect((await row(id))!.minutes).toBe(1260);
  });

  it('refuses someone else’s entry, and an entry on a submitted sheet, changing nothing', async () => {
    const id = await logged('UALICE', { description: 'mine' });
    expect(await editEntry(ctxFor('UCAROL'), { entryId: id, ...fields() })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    const sheetId = (await row(id))!.timesheetId;
    await database.db.update(timesheets).set({ status: 'submitted' }).where(eq(timesheets.id, sheetId));
    const locked = await editEntry(ctxFor('UALICE'), { entryId: id, ...fields({ description: 'changed' }) });
    expect(locked).toMatchObject({
      ok: false,
      error: { code: 'entry_read_only', message: expect.stringMatching(/submitted timesheet/) },
    });
    expect(await deleteEntries(ctxFor('UALICE'), { entryIds: [id] })).toMatchObject({
      ok: false,
      error: { code: 'entry_read_only' },
    });
    expect((await row(id))!.description).toBe('mine');
    await database.db.update(timesheets).set({ status: 'open' }).where(eq(timesheets.id, sheetId));
  });

  it('does not move an entry onto a locked timesheet', async () => {
    const id = await logged('UALICE', { minutes: 15 });
    const [alice] = await database.db.select().from(employees).where(eq(employees.userId, 'UALICE'));
    // Alice's October sheet, whether or not an earlier test opened it.
    await database.db.insert(timesheets).values({ consultantId: alice!.id, periodId: 1 }).onConflictDoNothing();
    const [october] = await database.db
      .select()
      .from(timesheets)
      .where(and(eq(timesheets.periodId, 1), eq(timesheets.consultantId, alice!.id)));
    await database.db.update(timesheets).set({ status: 'submitted' }).where(eq(timesheets.id, october!.id));
    const result = await editEntry(ctxFor('UALICE'), {
      entryId: id,
      ...fields({ minutes: 15, date: { kind: 'iso', date: '2026-10-02' } }),
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'timesheet_locked' } });
    expect((await row(id))!.workDate).toBe('2026-11-24');
    await database.db.update(timesheets).set({ status: 'open' }).where(eq(timesheets.id, october!.id));
  });
});

describe('editing a timed entry in the log form', () => {
  /** The edit form for the entry as the app builds it, saved with `change` applied to what it shows. */
  async function saveEditForm(entryId: number, change: (inputs: Record<string, string | undefined>) => void) {
    const answer = await entryForm(ctxFor('UALICE'), { entryId });
    if (!answer.ok) throw new Error(answer.error.message);
    const entry = answer.form.entry!;
    const view = logTimeModal({
      projects: answer.form.projects,
      logFor: answer.form.logFor,
      forUserId: answer.form.forUserId,
      values: { ...entry, projectCode: entry.projectCode, date: entry.workDate },
      metadata: { source: 'modal', entryId },
    });
    const element = (block: string) =>
      (view.blocks as { block_id?: string; element?: Record<string, string | undefined> }[]).find(
        (b) => b.block_id === block,
      )!.element!;
    const inputs = {
      begins: element(ids.logModal.begins.block).initial_time,
      ends: element(ids.logModal.ends.block).initial_time,
      duration: element(ids.logModal.duration.block).initial_value,
    };
    // Slack's timepicker takes 00:00 to 23:59 only.
    for (const time of [inputs.begins, inputs.ends]) expect(time).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
    change(inputs);
    const read = readLogForm({
      [ids.logModal.project.block]: {
        [ids.logModal.project.action]: { selected_option: { value: entry.projectCode } },
      },
      [ids.logModal.date.block]: { [ids.logModal.date.action]: { selected_date: entry.workDate } },
      [ids.logModal.begins.block]: { [ids.logModal.begins.action]: { selected_time: inputs.begins ?? null } },
      [ids.logModal.ends.block]: { [ids.logModal.ends.action]: { selected_time: inputs.ends ?? null } },
      [ids.logModal.duration.block]: { [ids.logModal.duration.action]: { value: inputs.duration ?? null } },
      [ids.logModal.description.block]: { [ids.logModal.description.action]: { value: entry.description } },
      [ids.logModal.billable.block]: { [ids.logModal.billable.action]: { selected_options: [{ value: 'billable' }] } },
    });
    if (!read.ok) throw new Error(JSON.stringify(read.errors));
    return editEntry(ctxFor('UALICE'), { ...read.form.fields, entryId });
  }

  it('opens the first part of a range past midnight with its end at 00:00 and saves it unchanged', async () => {
    const result = await logTime(ctxFor('UALICE'), {
      ...fields({ date: { kind: 'iso', date: '2026-11-13' }, beginsAt: '22:00', endsAt: '01:30', minutes: 210 }),
      source: 'command',
    });
    if (!result.ok) throw new Error(result.error.message);
    const firstPart = result.entries[0]!;
    expect(firstPart).toMatchObject({ beginsAt: '22:00', endsAt: '24:00' });
    expect(await saveEditForm(firstPart.entryId, () => {})).toMatchObject({
      ok: true,
      entry: { beginsAt: '22:00', endsAt: '24:00', minutes: 120 },
    });
  });

  it('saves a new end time without the user clearing a duration: the form shows none for a range', async () => {
    const id = await logged('UALICE', {
      date: { kind: 'iso', date: '2026-11-12' },
      beginsAt: '09:00',
      endsAt: '11:00',
    });
    expect(
      await saveEditForm(id, (inputs) => {
        expect(inputs.duration).toBeUndefined();
        inputs.ends = '12:00';
      }),
    ).toMatchObject({ ok: true, entry: { beginsAt: '09:00', endsAt: '12:00', minutes: 180 } });
  });
});

describe('deleteEntry', () => {
  it('deletes an open entry once; a second click says it is already gone', async () => {
    const id = await logged('UALICE', { minutes: 45, description: 'oops' });
    const first = await deleteEntries(ctxFor('UALICE'), { entryIds: [id] });
    expect(first).toMatchObject({
      ok: true,
      deleted: [{ entryId: id, minutes: 45, projectCode: 'ACME-WEB', description: 'oops' }],
    });
    expect(await row(id)).toBeUndefined();
    expect(await deleteEntries(ctxFor('UALICE'), { entryIds: [id] })).toMatchObject({
      ok: false,
      error: { code: 'entry_gone' },
    });
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, String(id)));
    expect(audit.map((a) => a.action)).toEqual(['time_entry.create', 'time_entry.delete']);
  });

  it('lets a delegate delete the principal’s entry, and nobody else', async () => {
    const id = await logged('UALICE', { minutes: 10 });
    expect(await deleteEntries(ctxFor('UCAROL'), { entryIds: [id] })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await deleteEntries(ctxFor('UBOB'), { entryIds: [id] })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await deleteEntries(ctxFor('UBOB', 'UALICE'), { entryIds: [id] })).toMatchObject({ ok: true });
  });
});

describe('entryForm and the saved entry', () => {
  it('offers the consultant’s projects, today in their zone, and the people they may log for', async () => {
    // Bob logs no time of his own, but may log for Alice: he gets her form.
    const bob = await entryForm(ctxFor('UBOB'));
    expect(bob).toMatchObject({
      ok: true,
      form: { forUserId: 'UALICE', logFor: [{ userId: 'UALICE', name: 'Alice' }] },
    });
    expect(await entryForm(ctxFor('UCAROL'), { entryId: await logged('UALICE', { minutes: 1 }) })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const alice = await entryForm(ctxFor('UALICE'));
    expect(alice).toMatchObject({
      ok: true,
      form: { today: '2026-11-24', logFor: [{ userId: 'UALICE', name: 'Alice' }] },
    });
    expect(alice.ok && alice.form.projects.map((p) => p.code)).toEqual(['ACME-APP', 'ACME-WEB', 'GLOBEX-OPS']);
  });

  it('shows the prepaid hours left after logging on a prepaid customer’s project', async () => {
    const result = await logTime(ctxFor('UALICE'), {
      ...fields({ projectCode: 'GLOBEX-OPS', minutes: 60 }),
      source: 'command',
    });
    expect(result).toMatchObject({ ok: true, entries: [{ prepaid: { remainingMinutes: 2400, pendingMinutes: 0 } }] });
    const hourly = await logTime(ctxFor('UALICE'), { ...fields({ minutes: 5 }), source: 'command' });
    expect(hourly).toMatchObject({ ok: true, entries: [{ prepaid: null }] });
  });
});
