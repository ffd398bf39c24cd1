import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../../src/cli/control-socket.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

async function failingQuery(): Promise<unknown> {
  return database.db.execute(sql`select * from no_such_table`).then(
    () => expect.unreachable('the query should fail'),
    (error: unknown) => error,
  );
}

describe('an unexpected database error', () => {
  it('is logged with the database\'s own message, not only drizzle\'s "Failed query"', async () => {
    const lines: string[] = [];
    createLogger('info', (line) => lines.push(line)).error('request failed', { error: await failingQuery() });
    const logged = JSON.parse(lines[0]!) as { error: { message: string; cause?: { message: string } } };
    expect(logged.error.message).toMatch(/^Failed query/);
    expect(logged.error.cause?.message).toMatch(/relation "no_such_table" does not exist/);
  });

  it("reaches the command line as one line with the database's own message", async () => {
    expect(describeError(await failingQuery())).toMatch(
      /^Failed query: select \* from no_such_table.*: relation "no_such_table" does not exist$/,
    );
  });
});
