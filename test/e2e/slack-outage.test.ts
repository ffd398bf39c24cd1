/**
 * The real app against a Slack having a bad day (issue 19): a 30-manager approval fan-out through
 * a refused token, App Home through a views.publish outage, and an administrator resending or
 * dismissing what could not be delivered. The tests deliver the outbox themselves on the test clock.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { approvals, outbox, slackMessages, timeEntries, timesheets } from '../../src/db/schema.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { importSetup } from '../../src/services/setup-import.js';
import { commandAnswer } from '../support/command-answer.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';

let h: AppHarness;
const lines: { level: string; message: string }[] = [];
const [ALICE, BEN, ADMIN] = ['U01ALICE', 'U0BEN', 'U0ADMIN'];
const MANAGERS = Array.from({ length: 30 }, (_, i) => `U${String(i + 1).padStart(2, '0')}MGR`);

/** One project with 30 managers: Alice's submission asks each of them by DM. */
const firm = `
customers:
  - { code: ACME, name: Acme Corp, currency: USD, billing: hourly }
employees:
  - { user: ${ALICE}, name: Alice Doe, consultant: { cost_rate: '70.00', price_rate: '140.00' } }
  - { user: ${BEN}, name: Ben Ode, consultant: { cost_rate: '70.00', price_rate: '140.00' } }
${MANAGERS.map((id, i) => `  - { user: ${id}, name: Manager ${i + 1}, manager: true }`).join('\n')}
projects:
  - code: ACME-WEB
    customer: ACME
    name: Website relaunch
    managers: [${MANAGERS.join(', ')}]
    consultants: [{ user: ${ALICE} }, { user: ${BEN} }]
roles:
  - { name: Consultant, rights: [entry] }
  - { name: Manager, rights: [approval] }
users:
  - { user: ${ALICE}, roles: [Consultant] }
  - { user: ${BEN}, roles: [Consultant] }
${MANAGERS.map((id) => `  - { user: ${id}, roles: [Manager] }`).join('\n')}
periods:
  - { starts: 2026-11-01, ends: 2026-11-30 }
`;

beforeAll(async () => {
  h = await startAppHarness({
    now: '2026-11-30T10:00:00Z',
    adminUserIds: [ADMIN],
    log: createLogger('info', (line) => lines.push(JSON.parse(line) as { level: string; message: string })),
  });
  h.fake.users.set(ALICE, { id: ALICE, real_name: 'Alice Doe', tz: 'UTC' });
  h.fake.users.set(ADMIN, { id: ADMIN, real_name: 'Ada Admin', tz: 'UTC' });
  const imported = await importSetup(
    {
      db: h.database.db,
      actor: { kind: 'system', name: 'cli' },
      clock: h.clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    firm,
  );
  expect(imported.ok).toBe(true);
  await h.app.outbox.stop();
});
afterAll(async () => h.stop());
beforeEach(async () => {
  await h.app.settled();
  await h.database.db.delete(outbox);
  await h.database.db.delete(slackMessages);
  await h.database.db.delete(approvals);
  await h.database.db.delete(timeEntries);
  await h.database.db.delete(timesheets);
  h.fake.reset();
  lines.length = 0;
});

const command = (userId: string, name: string, text = '') => h.slack.slashCommand({ command: name, text, userId });
const dm = (userId: string) => h.fake.messages.get(`D${userId}`) ?? [];
const pendingRows = () => h.database.db.select().from(outbox).where(eq(outbox.status, 'pending'));
const get = async (path: string) => {
  const response = await fetch(`${h.appUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/** Rounds every 5 s of the test clock for `seconds`. */
async function runFor(seconds: number): Promise<void> {
  for (let t = 0; t < seconds; t += 5) {
    await h.app.outbox.runOnce();
    h.clock.advance({ seconds: 5 });
  }
}
/** Rounds until nothing is pending. */
async function delivered(): Promise<void> {
  await h.app.settled();
  for (let i = 0; i < 100; i++) {
    await h.app.outbox.runOnce();
    if ((await pendingRows()).length === 0) return;
    h.clock.advance({ seconds: 5 });
  }
  throw new Error('the outbox did not drain');
}
async function aliceSubmits(): Promise<void> {
  await command(ALICE, '/log', '3h ACME-WEB 2026-11-20 design review');
  const responseUrl = h.fake.responseUrl();
  const submitted = await h.slack.slashCommand({ command: '/timesheet', text: 'submit', userId: ALICE, responseUrl });
  expect(await commandAnswer(h.fake, submitted, responseUrl)).toContain('Submitted your timesheet');
  await h.app.settled();
}

describe('60 seconds of invalid_auth, then a valid token', () => {
  it('delivers all 30 approval DMs once; meanwhile /healthz shows delivery paused with the reason, /readyz stays ready, /log works, one error line', async () => {
    h.fake.outage({ error: 'invalid_auth' });
    await aliceSubmits();
    await runFor(30);

    const health = await get('/healthz');
    expect(health).toMatchObject({
      status: 200,
      body: { status: 'ok', delivery: { state: 'paused', reason: expect.stringContaining('invalid_auth') } },
    });
    expect((await get('/readyz')).status).toBe(200);
    const logged = await command(BEN, '/log', '1h ACME-WEB 2026-11-27 during the outage');
    expect(logged.status).toBe(200);
    expect(JSON.stringify(logged.body)).toContain('during the outage');
    expect(
      await h.database.db.select().from(timeEntries).where(eq(timeEntries.description, 'during the outage')),
    ).toHaveLength(1);
    await runFor(30);
    expect((await h.database.db.select().from(outbox)).every((row) => row.status === 'pending')).toBe(true);

    h.fake.outage(undefined);
    await delivered();
    for (const manager of MANAGERS) expect(dm(manager), manager).toHaveLength(1);
    expect((await get('/healthz')).body).toMatchObject({ delivery: { state: 'running' } });
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('Slack delivery paused');
  });
});

describe('views.publish failing for 60 s', () => {
  it('shows each user their App Home with the latest state afterwards', async () => {
    h.fake.outage({ status: 500 }, ['views.publish']);
    for (const [i, what] of ['first entry', 'second entry', 'third entry'].entries()) {
      await command(ALICE, '/log', `1h ACME-WEB 2026-11-2${i + 1} ${what}`);
      await h.slack.event({ type: 'app_home_opened', user: ADMIN, channel: `D${ADMIN}`, tab: 'home' });
      await h.app.settled();
      await runFor(20);
    }
    expect(h.fake.callsTo('views.publish').length).toBeGreaterThan(0);
    // One waiting row per user, replaced at each change rather than queued.
    const homes = (await pendingRows()).filter((row) => row.kind === 'home').map((row) => row.dedupeKey);
    expect(homes.sort()).toEqual([`home:${ADMIN}`, `home:${ALICE}`].sort());

    h.fake.outage(undefined);
    await delivered();
    const alice = await h.homeOf(ALICE);
    expect(alice).toContain('third entry');
    expect(alice).toContain('3h logged');
    expect(await h.homeOf(ADMIN)).toContain('Ada Admin');
  });
});

describe('undelivered messages in App Home', () => {
  async function deadDm(): Promise<{ id: number; manager: string }> {
    h.fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await aliceSubmits();
    await delivered();
    const [dead] = await h.database.db.select().from(outbox).where(eq(outbox.status, 'dead'));
    const manager = (dead!.payload as { channel: string }).channel;
    expect(dm(manager)).toHaveLength(0);
    return { id: dead!.id, manager };
  }
  const press = (userId: string, actionId: string, value: string) =>
    h.slack.blockAction({
      userId,
      actionId,
      value,
      container: { type: 'view', viewId: 'VHOME', view: { type: 'home' } },
    });

  it('an administrator sees the dead DM with its error and resends it once the cause is fixed', async () => {
    const { id, manager } = await deadDm();
    await h.slack.event({ type: 'app_home_opened', user: ADMIN, channel: `D${ADMIN}`, tab: 'home' });
    const home = await h.homeOf(ADMIN);
    expect(home).toContain('1 Slack message not delivered');
    expect(home).toContain('gave up after 1 attempt: Slack refused: channel_not_found');
    expect(home).toContain(`"action_id":"${ids.home.resendMessage}"`);
    expect(home).toContain(`"value":"${id}"`);

    await press(ADMIN, ids.home.resendMessage, String(id));
    await delivered();
    expect(dm(manager)).toHaveLength(1);
    const [row] = await h.database.db.select().from(outbox).where(eq(outbox.id, id));
    expect(row).toMatchObject({ status: 'sent' });
    expect(await h.homeOf(ADMIN)).not.toContain('not delivered');
  });

  it('dismissing takes it off the list without sending; someone who is not an administrator changes nothing', async () => {
    const { id, manager } = await deadDm();
    await press(ALICE, ids.home.resendMessage, String(id));
    await press(ALICE, ids.home.dismissMessage, String(id));
    await h.app.settled();
    expect((await h.database.db.select().from(outbox).where(eq(outbox.id, id)))[0]).toMatchObject({ status: 'dead' });
    expect(JSON.stringify(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === ALICE))).toContain(
      'administrator',
    );

    await press(ADMIN, ids.home.dismissMessage, String(id));
    await delivered();
    expect((await h.database.db.select().from(outbox).where(eq(outbox.id, id)))[0]).toMatchObject({
      status: 'dismissed',
    });
    expect(dm(manager)).toHaveLength(0);
    expect(await h.homeOf(ADMIN)).not.toContain('not delivered');
  });
});
