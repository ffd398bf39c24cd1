/**
 * What people type into a code or a duration is kept or refused, never quietly turned into
 * something else, and a refusal names the real mistake: a customer or project code typed with
 * letters outside A-Z ("ß", a ligature, a dotless ı) is refused, not saved as the letters its
 * upper case happens to spell; and a `/log` that starts with hours missing their unit ("2.5",
 * "1.5 h") is told to add the unit, not that "2.5" is an ambiguous date.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customers, projects } from '../../src/db/schema.js';
import { parseLogRequest } from '../../src/domain/log-command.js';
import { saveCustomer } from '../../src/services/customers.js';
import { saveProject } from '../../src/services/projects.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addCustomer, addUser, asUser, serviceContext } from '../support/fixtures.js';

let database: TestDatabase;
let acme: number;
const admin = () => serviceContext(database.db, asUser('UADMIN'));

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADMIN', { rights: ['admin'] });
  acme = await addCustomer(database.db, 'ACME');
});
afterAll(async () => database.drop());

describe('codes typed with letters outside A-Z', () => {
  // Each upper-cases to plain A-Z letters: "ß" to "SS", "ﬁ" to "FI", "ı" to "I", "ſ" to "S".
  const typed = ['straße', 'acme-ﬁn', 'bılgı', 'ſtark'];

  it('a customer code is refused on its field, not saved as another code', async () => {
    for (const code of typed) {
      const saved = await saveCustomer(admin(), {
        code,
        name: 'Someone',
        currency: 'EUR',
        billingMode: 'hourly',
        address: '',
        notes: '',
      });
      expect(saved.ok ? `saved as ${saved.customer.code}` : saved.error.field, code).toBe('code');
    }
    const codes = (await database.db.select({ code: customers.code }).from(customers)).map((c) => c.code);
    expect(codes).toEqual(['ACME']);
  });

  it('a project code is refused on its field, not saved as another code', async () => {
    for (const code of typed) {
      const saved = await saveProject(admin(), {
        code,
        customerId: acme,
        name: 'Something',
        description: '',
        address: '',
        notes: '',
        active: true,
      });
      expect(saved.ok ? `saved as ${saved.project.code}` : saved.error.field, code).toBe('code');
    }
    expect(await database.db.select().from(projects).where(eq(projects.customerId, acme))).toEqual([]);
  });
});

describe('/log hours typed without their unit', () => {
  it('is told to add the unit, as "1,5" and "90" are, not that it is an ambiguous date', () => {
    for (const text of ['2.5 ACME-WEB design review', '1.5 h ACME-WEB design review']) {
      const request = parseLogRequest(text);
      expect(request.kind, text).toBe('invalid');
      if (request.kind !== 'invalid') continue;
      expect(request.error.field, text).toBe('minutes');
      expect(request.error.message, text).not.toMatch(/day\/month|YYYY-MM-DD/);
    }
  });
});
