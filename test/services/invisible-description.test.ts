/**
 * A description that shows nothing (a zero-width space, a byte-order mark, spaces around them) is
 * no description: `/log` and the log form refuse it as they refuse an empty one, and save nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeEntries } from '../../src/db/schema.js';
import { parseLogRequest } from '../../src/domain/log-command.js';
import { logTime } from '../../src/services/time-entries.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-25T12:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UCON', { rights: ['entry'] });
  const con = await addConsultant(database.db, 'UCON');
  await addProject(database.db, 'ACME-WEB', await addCustomer(database.db, 'ACME'), { consultants: [con] });
  await addPeriod(database.db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

describe('a description that shows nothing', () => {
  it.each(['\u200B', ' \uFEFF ', '\u2060'])(
    '%j is refused by /log and by the log form, and nothing is saved',
    async (invisible) => {
      expect(parseLogRequest(`2h ACME-WEB ${invisible}`)).toMatchObject({
        kind: 'invalid',
        error: { code: 'description_required', field: 'description' },
      });
      expect(
        await logTime(serviceContext(database.db, asUser('UCON'), clock), {
          projectCode: 'ACME-WEB',
          minutes: 60,
          description: invisible,
          billable: true,
          source: 'modal',
        }),
      ).toMatchObject({ ok: false, error: { code: 'description_required', field: 'description' } });
      expect(await database.db.select().from(timeEntries)).toEqual([]);
    },
  );
});
