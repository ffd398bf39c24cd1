/**
 * Work nobody waits on (the outbox, App Home included) goes through the background connection,
 * which main.ts makes a pool of its own on PostgreSQL: a burst of App Home publishes never holds a
 * connection that the next /log is waiting for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingDatabase, type StatementCounter } from '../../src/db/client.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';

let h: AppHarness;
let requests: StatementCounter;
let background: StatementCounter;

beforeAll(async () => {
  h = await startAppHarness({
    now: '2026-11-24T12:00:00Z',
    connections: (database) => {
      const main = countingDatabase(database);
      const side = countingDatabase(database);
      requests = main.counter;
      background = side.counter;
      return {
        connection: { ...database, db: main.db },
        // The same test database underneath: closed once, by the harness.
        background: { ...database, db: side.db, close: async () => {} },
      };
    },
  });
  h.fake.users.set('U01ALICE', { id: 'U01ALICE', real_name: 'Alice Doe', tz: 'UTC' });
  await importFixture(h, 'small-firm.yaml');
});

afterAll(async () => h.stop());

describe('the background connection', () => {
  it('carries the App Home publish after a /log, and the request connection carries only the /log', async () => {
    await h.slack.slashCommand({ command: '/log', text: '1h ACME-WEB first', userId: 'U01ALICE' });
    await h.homeOf('U01ALICE');
    requests.reset();
    background.reset();
    h.fake.reset();

    const response = await h.slack.slashCommand({ command: '/log', text: '2h ACME-WEB second', userId: 'U01ALICE' });
    expect(JSON.stringify(response.body)).toContain('Logged');
    const requestStatements = requests.statements;
    const home = await h.homeOf('U01ALICE');

    expect(home).toContain('second');
    // The ack: one read of the user, her access and where the entry goes, and the entry's write
    // (no transaction), nothing more after it.
    expect(requests.transactions).toBe(0);
    expect(requests.statements).toBe(requestStatements);
    expect(requests.statements).toBe(2);
    // The publish: its claim (a transaction of two statements), the user read, the page, the settle.
    expect(background.transactions).toBeGreaterThanOrEqual(1);
    expect(background.statements).toBeGreaterThanOrEqual(5);
  });
});
