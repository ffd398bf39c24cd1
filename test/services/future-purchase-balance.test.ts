/**
 * A purchase dated after today would count in `/credits` (and App Home, the approval DMs, the
 * low-credit check) at once, while the prepaid log up to today leaves it out: the two balances a
 * customer is shown for the same day would disagree. So a purchase is refused a later date, in
 * Add credits and in the setup file, and the balances agree.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { creditLedger } from '../../src/db/schema.js';
import { addCredits, creditsOverview, prepaidLog } from '../../src/services/credits.js';
import { importSetup } from '../../src/services/setup-import.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addCustomer, addUser, asUser, serviceContext } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let clock: TestClock;
const as = (userId: string) => serviceContext(database.db, asUser(userId), clock);

beforeEach(async () => {
  database = await createTestDatabase();
  clock = new TestClock('2026-11-20T12:00:00Z');
  await addUser(database.db, 'UADMIN', { rights: ['admin'] });
  await addCustomer(database.db, 'GLOBEX', 'prepaid');
});
afterEach(async () => database.drop());

describe('a purchase dated after today', () => {
  it('is refused on its date field, and /credits and the prepaid log up to today show the same balance', async () => {
    const buy = (hours: string, date: string) =>
      addCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours, price: '', date, note: 'PO 7' });
    expect(await buy('20', '2026-11-01')).toMatchObject({ ok: true });
    expect(await buy('40', '2026-12-20')).toEqual({
      ok: false,
      error: {
        code: 'future_date',
        message: 'Record a purchase on the day it was bought: pick today (Fri 20 Nov 2026) or an earlier day.',
        field: 'date',
      },
    });
    expect(await buy('5', '2026-11-20')).toMatchObject({ ok: true });
    const overview = await creditsOverview(as('UADMIN'), 'GLOBEX');
    const log = await prepaidLog(as('UADMIN'), { customerCode: 'GLOBEX', from: '2026-11-01', to: '2026-11-20' });
    expect(overview.ok && overview.customers[0]!.remainingMinutes).toBe(25 * 60);
    expect(log.ok && log.log.closingMinutes).toBe(25 * 60);
  });

  it('in the setup file is refused, naming its place, and nothing is imported', async () => {
    const imported = await importSetup(
      { ...as('UADMIN'), actor: { kind: 'system', name: 'cli' } },
      `customers:
  - code: GLOBEX
    name: Globex
    currency: USD
    billing: prepaid
    credits:
      - { hours: 40, on: 2026-12-20, note: PO 7 }
`,
    );
    expect(imported).toMatchObject({ ok: false });
    expect(JSON.stringify(imported)).toContain(
      'customers[0].credits[0].on: 2026-12-20 is after today (2026-11-20); record a purchase on the day it was bought',
    );
    expect(await database.db.select().from(creditLedger)).toEqual([]);
  });
});
