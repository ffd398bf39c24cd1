import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { loadConfig } from '../../src/config.js';
import type { DatabaseConnection } from '../../src/db/client.js';
import { outbox } from '../../src/db/schema.js';
import { createLogger, type Logger, silentLogger } from '../../src/logger.js';
import { type RunningConsulTracker, startConsulTracker } from '../../src/server.js';
import { importSetup } from '../../src/services/setup-import.js';
import { HOME_PUBLISH_INTERVAL_MS } from '../../src/services/outbox.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { SlackClientSimulator } from './slack-requests.js';
import { TestClock } from './test-clock.js';

export const SIGNING_SECRET = 'test-signing-secret';

export type AppHarness = {
  database: TestDatabase;
  fake: FakeSlack;
  clock: TestClock;
  app: RunningConsulTracker;
  appUrl: string;
  slack: SlackClientSimulator;
  /**
   * The user's App Home as last published (its view as JSON text), once the outbox has published
   * every refresh queued for them; delivers the outbox itself when a test has stopped it.
   */
  homeOf(userId: string): Promise<string>;
  stop(): Promise<void>;
};

/**
 * The real app (Bolt HTTP receiver on a free port) on a fresh database, talking to a fake Slack
 * Web API. Set DEBUG_APP_LOGS=1 to see the app's logs.
 */
export async function startAppHarness(
  options: {
    now?: string;
    adminUserIds?: string[];
    /** FINANCE_CHANNEL: where invoices and the Reports form post. */
    financeChannel?: string;
    waitForSlack?: boolean;
    beforeStart?: (fake: FakeSlack) => void;
    /** Where the app logs (default: nowhere, or the terminal with DEBUG_APP_LOGS=1). */
    log?: Logger;
    /** More settings, as environment variables (e.g. ACK_DEADLINE_MS). */
    env?: Record<string, string>;
    /** The handles the app gets on the test database (default: the database itself for both). */
    connections?: (database: TestDatabase) => { connection: DatabaseConnection; background?: DatabaseConnection };
  } = {},
): Promise<AppHarness> {
  const database = await createTestDatabase();
  const fake = await startFakeSlack();
  options.beforeStart?.(fake);
  const clock = new TestClock(options.now ?? '2026-11-24T12:00:00Z');
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    ADMIN_USER_IDS: (options.adminUserIds ?? []).join(','),
    // Tests read answers from the ack; on a busy test machine give the work all the time Slack would.
    ACK_DEADLINE_MS: '2500',
    ...(options.financeChannel ? { FINANCE_CHANNEL: options.financeChannel } : {}),
    ...options.env,
  });
  const log = options.log ?? (process.env.DEBUG_APP_LOGS ? createLogger('debug') : silentLogger);
  const connections = options.connections?.(database) ?? { connection: database };
  const app = await startConsulTracker({ config, ...connections, clock, log });
  if (options.waitForSlack ?? true) await app.initialised;
  const appUrl = `http://127.0.0.1:${app.port}`;
  return {
    database,
    fake,
    clock,
    app,
    appUrl,
    slack: new SlackClientSimulator({ appUrl, signingSecret: SIGNING_SECRET, responseUrl: fake.responseUrl }),
    homeOf: async (userId) => {
      await app.settled();
      for (let round = 0; round < 200; round++) {
        await app.outbox.runOnce();
        const [waiting] = await database.db
          .select({ status: outbox.status, due: outbox.nextAttemptAt })
          .from(outbox)
          .where(eq(outbox.dedupeKey, `home:${userId}`));
        const published = fake.callsTo('views.publish').filter((call) => call.args.user_id === userId);
        if (waiting?.status === 'sent' && published.length > 0) return JSON.stringify(published.at(-1)!.args.view);
        // A change right after a publish waits out the publish interval: let that time pass.
        const wait = waiting?.status === 'pending' ? waiting.due.getTime() - clock.now().getTime() : 0;
        if (wait > 0 && wait <= HOME_PUBLISH_INTERVAL_MS) clock.advance({ seconds: wait / 1000 });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`the App Home of ${userId} was not published`);
    },
    // stop() closes the database too (as on SIGTERM); the test database is then dropped.
    stop: async () => {
      await app.stop();
      await database.drop();
      await fake.close();
    },
  };
}

/** Imports a setup file from test/fixtures as the CLI would (firm in UTC, USD); the test fails if it is refused. */
export async function importFixture(h: Pick<AppHarness, 'database' | 'clock'>, fixture: string): Promise<void> {
  const imported = await importSetup(
    {
      db: h.database.db,
      actor: { kind: 'system', name: 'cli' },
      clock: h.clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    readFileSync(new URL(`../fixtures/${fixture}`, import.meta.url), 'utf8'),
  );
  if (!imported.ok) throw new Error(`fixture ${fixture} was refused: ${imported.errors.join('; ')}`);
}
