/** Shutdown that ends: the door closes on every connection, requests already taken finish, nothing lost or doubled. */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { timeEntries } from '../../src/db/schema.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningConsulTracker, startConsulTracker } from '../../src/server.js';
import { importSetup } from '../../src/services/setup-import.js';
import { SIGNING_SECRET } from '../support/app-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { commandAnswer } from '../support/command-answer.js';
import { signSlackRequest } from '../support/slack-requests.js';
import { TestClock } from '../support/test-clock.js';

type Answer =
  { status: number; connection: string | undefined; body: string; responseUrl: string } | { failed: string };

let database: TestDatabase | undefined;
let fake: FakeSlack | undefined;
afterEach(async () => {
  await database?.drop();
  await fake?.close();
  database = fake = undefined;
});

/** The app on a fresh database whose closing the test sees but postpones, to read what was saved. */
async function startApp(): Promise<{ app: RunningConsulTracker; closed: () => boolean }> {
  database = await createTestDatabase();
  fake = await startFakeSlack();
  fake.users.set('U01ALICE', { id: 'U01ALICE', real_name: 'Alice Doe', tz: 'UTC' });
  const clock = new TestClock('2026-11-24T12:00:00Z');
  const ctx = { db: database.db, clock, log: silentLogger, org: { timeZone: 'UTC', currency: 'USD' } };
  const imported = await importSetup(
    { ...ctx, actor: { kind: 'system', name: 'cli' } },
    readFileSync(new URL('../fixtures/small-firm.yaml', import.meta.url), 'utf8'),
  );
  expect(imported.ok).toBe(true);
  let closed = false;
  const connection = { ...database, close: () => Promise.resolve(void (closed = true)) };
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
  });
  const app = await startConsulTracker({ config, connection, clock, log: silentLogger });
  await app.initialised;
  return { app, closed: () => closed };
}

/** A signed /log over plain node:http, on a kept-alive connection (agent) or a fresh one each time. */
function slashCommand(port: number, agent: Agent | false, userId: string, text: string): Promise<Answer> {
  const responseUrl = fake!.responseUrl();
  const body = new URLSearchParams({
    command: '/log',
    text,
    user_id: userId,
    channel_id: `D${userId}`,
    team_id: 'T0TEST',
    trigger_id: `t.${Math.random()}`,
    response_url: responseUrl,
  }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/slack/events',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': signSlackRequest(SIGNING_SECRET, timestamp, body),
          ...(agent ? {} : { connection: 'close' }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text, responseUrl }),
        );
        res.on('error', (error) => resolve({ failed: error.message }));
      },
    );
    req.on('error', (error) => resolve({ failed: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end(body);
  });
}

/** Clients that send /log after /log until the server turns them away; each text is unique. */
function clients(port: number, agent: Agent | false, count: number) {
  const answers = new Map<string, Answer>();
  let turnedAway = 0;
  const loops = Array.from({ length: count }, async (_, client) => {
    for (let n = 0; ; n++) {
      const text = `1h ACME-WEB 2026-11-20 c${client} n${n}`;
      const answer = await slashCommand(port, agent, 'U01ALICE', text);
      answers.set(`c${client} n${n}`, answer);
      if ('failed' in answer || answer.status !== 200) {
        turnedAway++;
        return;
      }
    }
  });
  return {
    answers,
    done: Promise.all(loops),
    answered: () => [...answers.values()].filter((a) => 'status' in a && a.status === 200).length,
    turnedAway: () => turnedAway,
  };
}

async function untilAnswered(load: ReturnType<typeof clients>, n: number) {
  while (load.answered() < n) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe.each([
  ['kept-alive connections', true],
  ['a fresh connection per request', false],
])('SIGTERM with clients on %s', (_, keepAlive) => {
  it('answers the request it had taken, turns later ones away with 503 and Connection: close, saves each answered /log once and nothing else', async () => {
    const { app, closed } = await startApp();
    const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 4 }) : false;
    const load = clients(app.port, agent, 4);
    await untilAnswered(load, 8);

    // A request still working when the signal comes: Bob's first /log waits on users.info for his profile.
    fake!.failNext('users.info', { hang: true }, 2);
    const held = slashCommand(app.port, agent, 'U02BOB', '1h ACME-WEB slow');
    await fake!.waitFor('users.info', (call) => call.args.user === 'U02BOB');
    const outcome = await app.stop();
    await load.done;
    const heldAnswer = await held;
    if (agent) agent.destroy();

    expect(outcome).toEqual({ unanswered: 0, running: 0 });
    expect(closed()).toBe(true);
    expect(heldAnswer).toMatchObject({ status: 200 });
    expect((heldAnswer as { body: string }).body).toMatch(/time entry right/);

    const answers = [...load.answers.entries()];
    const saved = (await database!.db.select().from(timeEntries)).map((entry) => entry.description);
    // What each answered client was finally told: the ack, or after a late "Saving…" the reply through response_url.
    const told = await Promise.all(
      answers.flatMap(([key, a]) =>
        'status' in a && a.status === 200
          ? [
              commandAnswer(fake!, JSON.parse(a.body) as { text: string }, a.responseUrl).then((text) => ({
                key,
                text,
              })),
            ]
          : [],
      ),
    );
    // Every request the app took was saved, not refused: each answer it gave is a confirmation.
    expect(told.filter(({ text }) => !/Logged/.test(text))).toEqual([]);
    // Nothing lost, nothing doubled, nothing saved that its client was not told about.
    expect(saved.sort()).toEqual(told.map(({ key }) => key).sort());
    // Every client was turned away by an honest answer or, once the server was gone, refused a connection.
    const refusals = answers.filter(([, a]) => !('status' in a && a.status === 200)).map(([, a]) => a);
    expect(refusals).toHaveLength(4);
    for (const refusal of refusals) {
      if ('status' in refusal) expect(refusal).toMatchObject({ status: 503, connection: 'close' });
      else expect(['ECONNREFUSED', 'ECONNRESET', 'socket hang up']).toContain(refusal.failed);
    }
    expect(refusals.some((refusal) => 'status' in refusal && refusal.status === 503)).toBe(true);
  });
});

describe('a shutdown deadline', () => {
  it('ends the stop at the deadline, says how many requests were unanswered, and still closes the database', async () => {
    const { app, closed } = await startApp();
    fake!.failNext('users.info', { hang: true }, 2);
    const held = slashCommand(app.port, false, 'U02BOB', '1h ACME-WEB slow');
    await fake!.waitFor('users.info', (call) => call.args.user === 'U02BOB');

    const outcome = await app.stop(Date.now());

    expect(outcome.unanswered).toBe(1);
    expect(closed()).toBe(true);
    expect(await held).toMatchObject({ failed: expect.any(String) });
  });
});
