/**
 * Automatic top-up turned on while the balance is already below the threshold: the crossing has
 * happened (its alert is live), so there will be none to draft at. Saving the settings drafts the
 * top-up then, once; saving them again drafts no second while it is open.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditAlerts, invoices } from '../../src/db/schema.js';
import type { ServiceContext } from '../../src/services/context.js';
import { addCredits, adjustCredits, saveCreditSettings } from '../../src/services/credits.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addCustomer, addUser, asUser, serviceContext } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-20T12:00:00Z');
const as = (userId: string): ServiceContext => ({
  ...serviceContext(database.db, asUser(userId), clock),
  org: { timeZone: 'UTC', currency: 'USD', financeChannel: 'C0FINANCE' },
});
const settings = {
  customerCode: 'GLOBEX',
  threshold: '10',
  alertChannel: null,
  autoTopup: false,
  topupHours: '',
  topupPrice: '',
  creditOnIssue: true,
};

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADMIN', { rights: ['admin'] });
  await addCustomer(database.db, 'GLOBEX', 'prepaid');
});
afterAll(async () => database.drop());

describe('automatic top-up turned on below the threshold', () => {
  it('drafts the top-up when the settings are saved, and no second one on saving again', async () => {
    expect(await saveCreditSettings(as('UADMIN'), settings)).toMatchObject({ ok: true });
    expect(
      await addCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '20', price: '', date: '2026-11-01', note: '' }),
    ).toMatchObject({ ok: true });
    // 15h used: 5h left, below the 10h threshold; the low-credit alert fired, no top-up (it was off).
    expect(await adjustCredits(as('UADMIN'), { customerCode: 'GLOBEX', hours: '-15', reason: 'used' })).toMatchObject({
      ok: true,
    });
    const live = await database.db
      .select()
      .from(creditAlerts)
      .where(and(eq(creditAlerts.kind, 'low_credit'), isNull(creditAlerts.rearmedAt)));
    expect(live).toHaveLength(1);
    expect(await database.db.select().from(invoices)).toEqual([]);

    const on = { ...settings, autoTopup: true, topupHours: '10', topupPrice: '1000.00' };
    expect(await saveCreditSettings(as('UADMIN'), on)).toMatchObject({ ok: true });
    const drafted = await database.db.select().from(invoices).where(eq(invoices.kind, 'topup'));
    expect(drafted).toMatchObject([{ status: 'draft', totalCents: 100_000, channel: 'C0FINANCE' }]);

    expect(await saveCreditSettings(as('UADMIN'), on)).toMatchObject({ ok: true });
    expect(await database.db.select().from(invoices)).toHaveLength(1);
  });
});
