/**
 * Text settings come back exactly as saved, also when they look like a JSON number: an account code
 * "200.10", a tax id of 20 digits, "1e3". (drizzle parses a jsonb string a second time when it looks
 * like JSON, so "200.10" came back as 200.1 and a 20-digit tax id lost its last digits.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings, saveSettings } from '../../src/services/settings.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addUser, asUser, serviceContext } from '../support/fixtures.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADMIN', { rights: ['admin'] });
});
afterAll(async () => database.drop());

describe('text settings that look like numbers', () => {
  it('are read back exactly as saved', async () => {
    for (const [key, value] of [
      ['invoice_account_code', '200.10'],
      ['firm_tax_id', '12345678901234567890'],
      ['firm_tax_id', '1e3'],
      ['firm_name', 'true'],
      ['firm_address', '[1]'],
    ] as const) {
      const saved = await saveSettings(serviceContext(database.db, asUser('UADMIN')), { [key]: value });
      expect(saved.ok, `${key} = ${value}`).toBe(true);
      expect((await readSettings(database.db))[key], `${key} = ${value}`).toBe(value);
    }
  });
});
