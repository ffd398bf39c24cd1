/** What every Slack request reads about its user: whether to refresh the stored Slack profile. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestUser, saveSlackProfile } from '../../src/services/users.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addUser } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-25T12:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UANN', { rights: ['entry'] });
  await addUser(database.db, 'UNORIGHTS');
});
afterAll(async () => database.drop());

describe('requestUser', () => {
  it('asks for a profile never read, not again for a day after it is saved, and again after that', async () => {
    expect(await requestUser(database.db, clock, 'UANN')).toEqual({ needsRefresh: true, actingFor: null });

    await saveSlackProfile(database.db, clock, { userId: 'UANN', displayName: 'Ann', timeZone: 'Europe/Paris' });
    clock.advance({ hours: 23 });
    expect((await requestUser(database.db, clock, 'UANN')).needsRefresh).toBe(false);

    clock.advance({ hours: 2 });
    expect((await requestUser(database.db, clock, 'UANN')).needsRefresh).toBe(true);
  });

  it('never asks for the profile of someone without rights, or of a stranger', async () => {
    expect(await requestUser(database.db, clock, 'UNORIGHTS')).toEqual({ needsRefresh: false, actingFor: null });
    expect(await requestUser(database.db, clock, 'USTRANGER')).toEqual({ needsRefresh: false, actingFor: null });
  });
});
