import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeEntries } from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';

let h: AppHarness;

beforeAll(async () => {
  // 23:30 UTC on the 24th is already the 25th in Auckland.
  h = await startAppHarness({ now: '2026-11-24T23:30:00Z' });
  h.fake.users.set('U01ALICE', { id: 'U01ALICE', real_name: 'Alice Doe', tz: 'Pacific/Auckland' });
  await importFixture(h, 'small-firm.yaml');
});

afterAll(async () => h.stop());

const entries = () => h.database.db.select().from(timeEntries);

describe('/log over HTTP', () => {
  it('saves the entry on today in the user’s time zone and answers ephemerally in the ack', async () => {
    const response = await h.slack.slashCommand({
      command: '/log',
      text: '2h ACME-WEB design review',
      userId: 'U01ALICE',
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ response_type: 'ephemeral' });
    const reply = JSON.stringify(response.body);
    expect(reply).toContain('2h');
    expect(reply).toContain('ACME-WEB');
    expect(reply).toContain('design review');
    expect(reply).toContain('Wed 25 Nov 2026');

    const saved = await entries();
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      workDate: '2026-11-25',
      minutes: 120,
      description: 'design review',
      billable: true,
      source: 'command',
      createdBy: 'U01ALICE',
    });
    // The profile (time zone) came from users.info.
    expect(h.fake.callsTo('users.info').map((call) => call.args.user)).toContain('U01ALICE');
  });

  it('saves right-to-left, combining and joined-emoji text as typed and echoes it in the reply', async () => {
    const description = '\u202eevil\u202c مشروع ٣ e\u0301\u0301 👩‍👩‍👧‍👦🏳️‍🌈';
    const response = await h.slack.slashCommand({
      command: '/log',
      text: `1h ACME-WEB ${description}`,
      userId: 'U01ALICE',
    });
    expect(JSON.stringify(response.body)).toContain(JSON.stringify(description).slice(1, -1));
    expect((await entries()).map((entry) => entry.description)).toContain(description);
  });

  it('escapes user text so a description cannot notify the channel', async () => {
    const response = await h.slack.slashCommand({
      command: '/log',
      text: '30m ACME-WEB ping &lt;!channel&gt; &amp; co',
      userId: 'U01ALICE',
    });
    const reply = JSON.stringify(response.body);
    expect(reply).not.toContain('<!channel>');
    expect(reply).toContain('&lt;!channel&gt; &amp; co');
    const saved = await entries();
    expect(saved.map((entry) => entry.description)).toContain('ping <!channel> & co');
  });

  it.each([
    ['an unknown project', 'U01ALICE', '2h ACME-WBE design review', /no project `ACME-WBE`.*ACME-WEB/],
    ['a user without the entry right', 'U02BOB', '2h ACME-WEB design review', /time entry right/],
    ['a user nobody set up', 'U03EVE', '2h ACME-WEB design review', /does not know you/],
    ['a date outside every period', 'U01ALICE', '2h ACME-WEB 2026-10-30 design review', /No reporting period covers/],
    ['a duration that is not one', 'U01ALICE', 'two ACME-WEB design review', /not a duration/],
  ])('answers %s with a clear ephemeral error and writes nothing', async (_case, userId, text, message) => {
    const before = await entries();
    const response = await h.slack.slashCommand({ command: '/log', text, userId });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(response.body)).toMatch(message);
    expect(await entries()).toEqual(before);
  });

  it('refuses forged, unsigned and stale requests with 401 and writes nothing', async () => {
    const before = await entries();
    const forged = await h.slack.slashCommand(
      { command: '/log', text: '2h ACME-WEB forged', userId: 'U01ALICE' },
      { signature: 'v0=' + 'ab'.repeat(32) },
    );
    const unsigned = await h.slack.slashCommand(
      { command: '/log', text: '2h ACME-WEB unsigned', userId: 'U01ALICE' },
      { omitHeaders: true },
    );
    const stale = await h.slack.slashCommand(
      { command: '/log', text: '2h ACME-WEB stale', userId: 'U01ALICE' },
      { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 },
    );
    expect([forged.status, unsigned.status, stale.status]).toEqual([401, 401, 401]);
    expect(await entries()).toEqual(before);
  });

  it('answers health and readiness checks on the same server', async () => {
    const health = await fetch(`${h.appUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${h.appUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });
});
