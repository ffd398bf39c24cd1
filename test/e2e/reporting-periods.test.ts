/**
 * The /admin reporting-period forms over HTTP against the fake Slack: what is missing or wrong is
 * said on the field it is about and nothing is written; the exact dates of a deleted period bring
 * it back with the timesheets it kept, and the periods list says how many were added and restored.
 */
import { asc, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { reportingPeriods, timesheets } from '../../src/db/schema.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import { changedTables, digestTables } from '../support/database-digest.js';
import { addConsultant, addUser } from '../support/fixtures.js';

let h: AppHarness;
let carl: number;
const ADMIN = 'U0ADMIN';
const a = ids.admin;

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-25T10:00:00Z', adminUserIds: [ADMIN] });
  h.fake.users.set(ADMIN, { id: ADMIN, real_name: 'Ada Admin', tz: 'UTC' });
  await addUser(h.database.db, 'U04CARL', { rights: ['entry'] });
  carl = await addConsultant(h.database.db, 'U04CARL');
});
afterAll(async () => h.stop());
beforeEach(async () => {
  await h.app.settled();
  await h.database.db.delete(timesheets);
  await h.database.db.delete(reportingPeriods);
  h.fake.reset();
});

/** Presses Add period (`single`) or Generate periods (`series`) on the periods list VPERIODS; returns the form's metadata. */
async function openForm(kind: 'single' | 'series'): Promise<string> {
  await h.slack.blockAction({
    userId: ADMIN,
    actionId: kind === 'single' ? a.addPeriod : a.generatePeriods,
    container: { type: 'view', viewId: 'VPERIODS' },
  });
  const form = await h.fake.waitFor('views.push');
  return (form.args.view as { private_metadata: string }).private_metadata;
}
const submit = (privateMetadata: string, starts: string | null, ends: string | null, cadence?: string | null) =>
  h.slack.viewSubmission({
    userId: ADMIN,
    callbackId: a.periodForm,
    privateMetadata,
    values: {
      [a.starts.block]: { [a.starts.action]: { type: 'datepicker', selected_date: starts } },
      [a.ends.block]: { [a.ends.action]: { type: 'datepicker', selected_date: ends } },
      ...(cadence === undefined
        ? {}
        : {
            [a.cadence.block]: {
              [a.cadence.action]: { type: 'static_select', selected_option: cadence ? { value: cadence } : null },
            },
          }),
    },
  });
/** The periods list as redrawn after the form closed, as text. */
const periodsList = async () => {
  await h.app.settled();
  return JSON.stringify(
    h.fake
      .callsTo('views.update')
      .filter((c) => c.args.view_id === 'VPERIODS')
      .at(-1)?.args.view,
  );
};
/** A period deleted while it held Carl's timesheet: archived, the sheet kept. */
async function deletedPeriodWithSheet(startsOn: string, endsOn: string): Promise<number> {
  const [period] = await h.database.db
    .insert(reportingPeriods)
    .values({ startsOn, endsOn, archivedAt: new Date('2026-11-20T00:00:00Z') })
    .returning();
  await h.database.db.insert(timesheets).values({ consultantId: carl, periodId: period!.id });
  return period!.id;
}
const livePeriods = () =>
  h.database.db
    .select({ startsOn: reportingPeriods.startsOn, endsOn: reportingPeriods.endsOn })
    .from(reportingPeriods)
    .where(isNull(reportingPeriods.archivedAt))
    .orderBy(asc(reportingPeriods.startsOn));

describe('the reporting-period forms', () => {
  it('Add period without dates asks for both on their fields and adds nothing', async () => {
    const form = await openForm('single');
    const before = await digestTables(h.database.db);
    expect((await submit(form, null, null)).body).toEqual({
      response_action: 'errors',
      errors: { [a.starts.block]: 'Choose a date.', [a.ends.block]: 'Choose a date.' },
    });
    expect(changedTables(before, await digestTables(h.database.db))).toEqual([]);
  });

  it('Generate periods without a length or an end asks for them on their fields and adds nothing', async () => {
    const form = await openForm('series');
    expect((await submit(form, '2027-01-01', null, null)).body).toEqual({
      response_action: 'errors',
      errors: { [a.ends.block]: 'Choose a date.', [a.cadence.block]: 'Choose how long each period is.' },
    });
    expect(await livePeriods()).toEqual([]);
  });

  it('puts an end before the start on the end date and adds nothing', async () => {
    const form = await openForm('single');
    expect((await submit(form, '2027-01-31', '2027-01-01')).body).toEqual({
      response_action: 'errors',
      errors: {
        [a.ends.block]: 'The period must begin on or before its end (Sun 31 Jan 2027 is after Fri 1 Jan 2027).',
      },
    });
    expect(await livePeriods()).toEqual([]);
  });

  it('the exact dates of a deleted period restore it with its timesheet, and the list says so', async () => {
    const deleted = await deletedPeriodWithSheet('2026-10-01', '2026-10-31');
    const form = await openForm('single');
    expect((await submit(form, '2026-10-01', '2026-10-31')).text).toBe('');
    const list = await periodsList();
    expect(list).toContain('Restored 1 period deleted before, with the timesheets kept in them.');
    expect(list).not.toContain('Added 0');
    expect(await livePeriods()).toEqual([{ startsOn: '2026-10-01', endsOn: '2026-10-31' }]);
    expect(await h.database.db.select({ periodId: timesheets.periodId }).from(timesheets)).toEqual([
      { periodId: deleted },
    ]);
  });

  it('a generated series over two deleted months restores both and adds the new one', async () => {
    await deletedPeriodWithSheet('2027-01-01', '2027-01-31');
    await deletedPeriodWithSheet('2027-02-01', '2027-02-28');
    const form = await openForm('series');
    expect((await submit(form, '2027-01-01', '2027-03-31', 'monthly')).text).toBe('');
    expect(await periodsList()).toContain(
      'Added 1 period. Restored 2 periods deleted before, with the timesheets kept in them.',
    );
    expect(await livePeriods()).toEqual([
      { startsOn: '2027-01-01', endsOn: '2027-01-31' },
      { startsOn: '2027-02-01', endsOn: '2027-02-28' },
      { startsOn: '2027-03-01', endsOn: '2027-03-31' },
    ]);
    expect(await h.database.db.select().from(timesheets)).toHaveLength(2);
  });
});
