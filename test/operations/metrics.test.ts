/**
 * GET /metrics (issue 19): what a firm's monitoring scrapes to alert before users notice. The
 * outbox depth rises while Slack fails and falls once it recovers; acks, the delivery circuit,
 * the PostgreSQL pool and job runs are counted; without METRICS_ENABLED there is no endpoint.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { requestLabel, SLASH_COMMANDS } from '../../src/metrics.js';
import { PERIOD_REMINDER } from '../../src/services/period-reminders.js';
import { silentLogger } from '../../src/logger.js';
import { importSetup } from '../../src/services/setup-import.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';

const [ALICE, BOB, DANA, CARL] = ['U01ALICE', 'U02BOB', 'U03DANA', 'U04CARL'];
/** The methods the outbox dispatcher calls; users.info keeps working so commands do. */
const DELIVERY = ['chat.postMessage', 'chat.update', 'views.publish'];

/** The value of one sample of the exposition text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const has = new Map([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => has.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

describe('/metrics, enabled', () => {
  let h: AppHarness;
  const scrape = async () => {
    const response = await fetch(`${h.appUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };
  const pending = async () => {
    const text = await scrape();
    return ['under_1m', '1m_to_1h', 'over_1h'].reduce(
      (sum, age) => sum + sample(text, 'consultracker_outbox_messages', { status: 'pending', age })!,
      0,
    );
  };
  /** One dispatcher round every 5 s of the test clock, for `seconds`. */
  const runFor = async (seconds: number) => {
    await h.app.settled();
    for (let t = 0; t < seconds; t += 5) {
      await h.app.outbox.runOnce();
      h.clock.advance({ seconds: 5 });
    }
  };

  beforeAll(async () => {
    h = await startAppHarness({ now: '2026-11-30T10:00:00Z', env: { METRICS_ENABLED: 'true' } });
    for (const id of [ALICE, BOB, DANA, CARL]) h.fake.users.set(id, { id, real_name: id, tz: 'UTC' });
    const imported = await importSetup(
      {
        db: h.database.db,
        actor: { kind: 'system', name: 'cli' },
        clock: h.clock,
        log: silentLogger,
        org: { timeZone: 'UTC', currency: 'USD' },
      },
      readFileSync(new URL('../fixtures/approvals-firm.yaml', import.meta.url), 'utf8'),
    );
    expect(imported.ok).toBe(true);
    // The test delivers the outbox itself, so the depth is read between known rounds.
    await h.app.outbox.stop();
  });
  afterAll(async () => h.stop());

  it('shows the outbox depth rising while Slack answers 500 and falling to nothing after it', async () => {
    await runFor(5);
    expect(await pending()).toBe(0);

    h.fake.outage({ status: 500 }, DELIVERY);
    await h.slack.slashCommand({ command: '/log', text: '3h ACME-WEB 2026-11-20 design review', userId: ALICE });
    await h.slack.slashCommand({ command: '/log', text: '2h GLOBEX-OPS 2026-11-21 on call', userId: ALICE });
    await runFor(30);
    const afterLogs = await pending();
    expect(afterLogs).toBeGreaterThan(0);
    await h.slack.slashCommand({ command: '/timesheet', text: 'submit', userId: ALICE });
    await runFor(120);
    const duringOutage = await scrape();
    const waiting = await pending();
    // Bob and Dana are asked by DM: the submission added to what was already waiting.
    expect(waiting).toBeGreaterThanOrEqual(afterLogs + 2);
    expect(
      sample(duringOutage, 'consultracker_outbox_messages', { status: 'pending', age: '1m_to_1h' }),
    ).toBeGreaterThan(0);
    expect(sample(duringOutage, 'consultracker_outbox_oldest_seconds', { status: 'pending' })).toBeGreaterThanOrEqual(
      150,
    );
    expect(sample(duringOutage, 'consultracker_outbox_messages', { status: 'dead', age: 'under_1m' })).toBe(0);
    expect(sample(duringOutage, 'consultracker_slack_delivery_paused')).toBe(0);

    h.fake.outage(undefined);
    await runFor(600);
    const after = await scrape();
    expect(await pending()).toBe(0);
    expect(sample(after, 'consultracker_outbox_oldest_seconds', { status: 'pending' })).toBe(0);
    expect(h.fake.messages.get(`D${BOB}`)).toHaveLength(1);
    expect(h.fake.messages.get(`D${DANA}`)).toHaveLength(1);
  });

  it('shows delivery paused while Slack refuses the token, and running again after', async () => {
    h.fake.outage({ error: 'invalid_auth' }, DELIVERY);
    await h.slack.slashCommand({ command: '/log', text: '1h CARL-LAB 2026-11-24 lab work', userId: CARL });
    await runFor(10);
    expect(sample(await scrape(), 'consultracker_slack_delivery_paused')).toBe(1);

    h.fake.outage(undefined);
    await runFor(60);
    expect(sample(await scrape(), 'consultracker_slack_delivery_paused')).toBe(0);
  });

  it('counts acks per command by the names the app declares, never by what a request says', async () => {
    const count = (text: string, labels: Record<string, string>) =>
      sample(text, 'consultracker_slack_ack_seconds_count', labels) ?? 0;
    const approvals = { kind: 'command', command: '/approvals', status: '200' };
    const unknown = { kind: 'action', command: 'other', status: '200' };
    const before = await scrape();
    await h.slack.slashCommand({ command: '/approvals', text: '', userId: BOB });
    await h.slack.blockAction({ userId: BOB, actionId: 'made_up_by_a_forger_1', value: '1' });
    await h.app.settled();
    const after = await scrape();
    expect(count(after, approvals)).toBe(count(before, approvals) + 1);
    expect(sample(after, 'consultracker_slack_ack_seconds_bucket', { ...approvals, le: '+Inf' })).toBe(
      count(after, approvals),
    );
    expect(count(after, unknown)).toBe(count(before, unknown) + 1);
    expect(after).not.toContain('made_up_by_a_forger');

    expect(requestLabel({ requestId: 'r', kind: 'action', command: 'approval_approve_42x' })).toEqual({
      kind: 'action',
      command: 'other',
    });
    expect(requestLabel({ requestId: 'r', kind: 'event', command: 'event:app_home_opened' }).command).toBe(
      'event:app_home_opened',
    );
    expect(requestLabel({ requestId: 'r' })).toEqual({ kind: 'unread', command: 'other' });
    const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as {
      features: { slash_commands: { command: string }[] };
    };
    expect([...SLASH_COMMANDS].sort()).toEqual(manifest.features.slash_commands.map(({ command }) => command).sort());
  });

  it('counts job runs by job and outcome', async () => {
    const reports = await h.app.jobs.runJob(PERIOD_REMINDER, new Date('2026-11-30T17:00:00Z'));
    const done = reports.filter((report) => report.outcome === 'done').length;
    expect(done).toBeGreaterThan(0);
    expect(sample(await scrape(), 'consultracker_job_runs_total', { job: PERIOD_REMINDER, outcome: 'done' })).toBe(
      done,
    );
  });

  it('shows the PostgreSQL pool in use, and no pool on the embedded database', async () => {
    const text = await scrape();
    const total = sample(text, 'consultracker_db_pool_connections', { state: 'total' });
    if (h.database.kind === 'postgres') {
      expect(total).toBeGreaterThan(0);
      expect(sample(text, 'consultracker_db_pool_connections', { state: 'waiting' })).toBe(0);
    } else {
      expect(total).toBeUndefined();
    }
  });
});

describe('/metrics, not enabled', () => {
  it('is not found, and METRICS_ENABLED takes only true or false', async () => {
    const h = await startAppHarness();
    try {
      expect((await fetch(`${h.appUrl}/metrics`)).status).toBe(404);
      expect((await fetch(`${h.appUrl}/healthz`)).status).toBe(200);
    } finally {
      await h.stop();
    }
    expect(() =>
      loadConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', METRICS_ENABLED: 'yes' }),
    ).toThrow(/METRICS_ENABLED must be true or false/);
  });
});
