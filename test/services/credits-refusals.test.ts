/** What /credits and the prepaid forms refuse, with the words shown and the field to fix, writing nothing. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { managers, users } from '../../src/db/schema.js';
import {
  addCredits,
  adjustCredits,
  creditSettings,
  creditsOverview,
  MAX_NOTE_LENGTH,
  prepaidLog,
  saveCreditSettings,
} from '../../src/services/credits.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { changedTables, digestTables, type TableDigest } from '../support/database-digest.js';
import {
  addConsultant,
  addCustomer,
  addManager,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';

let database: TestDatabase;
const as = (userId: string, actingFor?: string) => serviceContext(database.db, asUser(userId, actingFor));
let before: TableDigest[];
const unchanged = async () => expect(changedTables(before, await digestTables(database.db))).toEqual([]);

const purchase = { customerCode: 'GLOBEX', hours: '10', price: '1000', date: '2026-11-20', note: '' };
const settings = {
  customerCode: 'GLOBEX',
  threshold: '',
  alertChannel: null,
  autoTopup: false,
  topupHours: '',
  topupPrice: '',
  creditOnIssue: false,
};

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UCON', { rights: ['entry'] });
  await addUser(db, 'ULONE', { rights: ['entry'] });
  await addUser(db, 'UOLD', { rights: ['entry'] });
  await addUser(db, 'UFORMER', { rights: ['approval'] });
  await db.update(users).set({ active: false }).where(eq(users.id, 'UOLD'));
  const con = await addConsultant(db, 'UCON');
  await addConsultant(db, 'ULONE');
  const globex = await addCustomer(db, 'GLOBEX', 'prepaid');
  await addCustomer(db, 'INITECH', 'prepaid');
  await addCustomer(db, 'HOURLY');
  await addProject(db, 'GLOBEX-OPS', globex, { consultants: [con], managers: [await addManager(db, 'UFORMER')] });
});
afterAll(async () => database.drop());
beforeEach(async () => {
  before = await digestTables(database.db);
});

describe('/credits', () => {
  it('is for people only', async () => {
    const job = serviceContext(database.db, { kind: 'system', name: 'job' });
    expect(await creditsOverview(job)).toEqual({
      ok: false,
      error: { code: 'not_a_user', message: 'Only a person looks at credits.' },
    });
  });

  it('tells a deactivated or unknown user that ConsulTracker does not know them', async () => {
    const unknown = {
      ok: false,
      error: { code: 'not_a_user', message: 'ConsulTracker does not know you yet. Ask an administrator to add you.' },
    };
    expect(await creditsOverview(as('UOLD'))).toEqual(unknown);
    expect(await creditsOverview(as('USTRANGER'))).toEqual(unknown);
  });

  it('suggests the known codes, the closest first, for one it does not know', async () => {
    expect(await creditsOverview(as('UADMIN'), 'globx')).toEqual({
      ok: false,
      error: {
        code: 'unknown_customer',
        message: 'There is no customer GLOBX. Did you mean GLOBEX?',
        field: 'customer',
      },
    });
  });

  it('says an hourly customer has no prepaid credit and where to change that', async () => {
    expect(await creditsOverview(as('UADMIN'), 'hourly')).toEqual({
      ok: false,
      error: {
        code: 'not_prepaid',
        message:
          'HOURLY is billed by the hour, so it has no prepaid credit. An administrator can make it prepaid in /admin > Customers.',
        field: 'customer',
      },
    });
  });

  it("refuses a consultant a customer they do not work for, but shows them their own customer's credit", async () => {
    expect(await creditsOverview(as('UCON'), 'INITECH')).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message:
          'You do not work for INITECH, so you cannot see its credit: it is for people with time on it, its managers and administrators.',
      },
    });
    expect(await creditsOverview(as('UCON'))).toMatchObject({
      ok: true,
      canManage: false,
      customers: [{ code: 'GLOBEX', remainingMinutes: 0 }],
    });
  });

  it("shows a project's manager its customer's credit, and refuses them once their manager role is dropped", async () => {
    expect(await creditsOverview(as('UFORMER'), 'GLOBEX')).toMatchObject({ ok: true, customers: [{ code: 'GLOBEX' }] });
    // Dropping the role archives the manager row; the project keeps its link to them, unused.
    await database.db.update(managers).set({ archivedAt: new Date('2026-11-21T09:00:00Z') });
    expect(await creditsOverview(as('UFORMER'), 'GLOBEX')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await creditsOverview(as('UFORMER'))).toMatchObject({ ok: false, error: { code: 'none' } });
  });

  it('tells someone who works for no prepaid customer that there is no credit to show', async () => {
    expect(await creditsOverview(as('ULONE'))).toEqual({
      ok: false,
      error: { code: 'none', message: 'You do not work for any prepaid customer, so there is no credit to show.' },
    });
  });
});

describe('buying and adjusting credit', () => {
  it('refuses someone without the admin right and a customer that is not prepaid, writing nothing', async () => {
    expect(await addCredits(as('UCON'), purchase)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await addCredits(as('UADMIN'), { ...purchase, customerCode: 'HOURLY' })).toMatchObject({
      ok: false,
      error: { code: 'not_prepaid', field: 'customer' },
    });
    expect(await creditSettings(as('UCON'), 'GLOBEX')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await unchanged();
  });

  it('refuses hours that are not hours, a missing date, a long note and a price that is not an amount', async () => {
    expect(await addCredits(as('UADMIN'), { ...purchase, hours: 'lots' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_hours', field: 'hours' },
    });
    expect(await addCredits(as('UADMIN'), { ...purchase, date: '2026-02-30' })).toEqual({
      ok: false,
      error: { code: 'invalid_date', message: 'Pick the date of the purchase.', field: 'date' },
    });
    const note = 'n'.repeat(MAX_NOTE_LENGTH + 1);
    expect(await addCredits(as('UADMIN'), { ...purchase, note })).toEqual({
      ok: false,
      error: {
        code: 'note_too_long',
        message: `Keep the note to ${MAX_NOTE_LENGTH} characters; it has ${MAX_NOTE_LENGTH + 1}.`,
        field: 'note',
      },
    });
    expect(await addCredits(as('UADMIN'), { ...purchase, price: 'ten' })).toMatchObject({
      ok: false,
      error: { field: 'price' },
    });
    await unchanged();
  });

  it('refuses an adjustment without hours, without a reason or with a long one', async () => {
    const adjustment = { customerCode: 'GLOBEX', hours: '-2', reason: 'refund' };
    expect(await adjustCredits(as('UADMIN'), { ...adjustment, hours: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_hours', field: 'hours' },
    });
    expect(await adjustCredits(as('UADMIN'), { ...adjustment, reason: ' ' })).toEqual({
      ok: false,
      error: {
        code: 'reason_required',
        message: 'Say why the credit is adjusted: the reason is shown in the prepaid log.',
        field: 'reason',
      },
    });
    expect(await adjustCredits(as('UADMIN'), { ...adjustment, reason: 'r'.repeat(MAX_NOTE_LENGTH + 1) })).toEqual({
      ok: false,
      error: {
        code: 'reason_too_long',
        message: `Keep the reason to ${MAX_NOTE_LENGTH} characters; it has ${MAX_NOTE_LENGTH + 1}.`,
        field: 'reason',
      },
    });
    await unchanged();
  });
});

describe('credit settings', () => {
  it.each([
    ['a threshold that is not hours', { threshold: 'soon' }, 'invalid_threshold', 'threshold'],
    ['top-up hours that are not hours', { topupHours: 'many' }, 'invalid_topup_hours', 'topupHours'],
    ['automatic top-up without hours', { autoTopup: true, topupPrice: '500' }, 'topup_hours_required', 'topupHours'],
    ['automatic top-up without a price', { autoTopup: true, topupHours: '10' }, 'topup_price_required', 'topupPrice'],
  ])('refuses %s on its field, writing nothing', async (_, overrides, code, field) => {
    expect(await saveCreditSettings(as('UADMIN'), { ...settings, ...overrides })).toMatchObject({
      ok: false,
      error: { code, field },
    });
    await unchanged();
  });

  it('names the currency the package price is missing in', async () => {
    expect(await saveCreditSettings(as('UADMIN'), { ...settings, autoTopup: true, topupHours: '10' })).toEqual({
      ok: false,
      error: {
        code: 'topup_price_required',
        message: 'Automatic top-up needs the package price in USD.',
        field: 'topupPrice',
      },
    });
  });

  it('refuses a package price that is not an amount', async () => {
    expect(
      await saveCreditSettings(as('UADMIN'), { ...settings, autoTopup: true, topupHours: '10', topupPrice: 'cheap' }),
    ).toMatchObject({ ok: false, error: { field: 'topupPrice' } });
    await unchanged();
  });

  it('shows the saved settings to an administrator', async () => {
    expect(await creditSettings(as('UADMIN'), 'globex')).toMatchObject({
      ok: true,
      customer: { code: 'GLOBEX', currency: 'USD' },
    });
  });
});

describe('the prepaid log', () => {
  const log = { customerCode: 'GLOBEX', from: '2026-11-01', to: '2026-11-30' };

  it('refuses dates that are not dates and dates the wrong way round', async () => {
    expect(await prepaidLog(as('UADMIN'), { ...log, from: 'yesterday' })).toEqual({
      ok: false,
      error: { code: 'invalid_date', message: 'Pick the first day of the log.', field: 'from' },
    });
    expect(await prepaidLog(as('UADMIN'), { ...log, to: '' })).toEqual({
      ok: false,
      error: { code: 'invalid_date', message: 'Pick the last day of the log.', field: 'to' },
    });
    expect(await prepaidLog(as('UADMIN'), { ...log, from: '2026-12-01' })).toEqual({
      ok: false,
      error: { code: 'dates_reversed', message: 'The first day comes after the last one: swap them.', field: 'to' },
    });
  });

  it('is refused to someone without the admin right', async () => {
    expect(await prepaidLog(as('UCON'), log)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
