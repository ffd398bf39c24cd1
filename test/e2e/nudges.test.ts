/**
 * Over HTTP against the fake Slack: a manager marks themself away and back from App Home (the flag
 * stored and audited, App Home published again showing it), someone without the approval right has
 * no such switch; and the missing-time nudge's Log time opens the log form on the missed day.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { auditLog, users } from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

let h: AppHarness;
const [ALICE, DANA, ERIN] = ['U01ALICE', 'U03DANA', 'U05ERIN'];

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z' });
  for (const [id, name] of [
    [ALICE, 'Alice Doe'],
    ['U02BOB', 'Bob Roe'],
    [DANA, 'Dana Lee'],
    ['U04CARL', 'Carl Poe'],
    [ERIN, 'Erin Ash'],
  ] as const)
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  // Dana manages ACME-WEB and GLOBEX-OPS; Erin is her delegate.
  await importFixture(h, 'approvals-firm.yaml');
});
afterAll(async () => h.stop());

const awayOf = async (userId: string) =>
  (await h.database.db.select({ away: users.away }).from(users).where(eq(users.id, userId)))[0]?.away;

async function pressAway(userId: string, value: 'away' | 'back'): Promise<string> {
  h.fake.reset();
  await h.slack.blockAction({
    userId,
    actionId: ids.home.away,
    value,
    container: { type: 'view', viewId: 'VHOME', view: { type: 'home' } },
  });
  return h.homeOf(userId);
}

describe('the away switch in App Home', () => {
  it('a manager marks herself away and back: stored, audited, and App Home shows it each time', async () => {
    await h.slack.event({ type: 'app_home_opened', user: DANA, channel: `D${DANA}`, tab: 'home' });
    const before = await h.homeOf(DANA);
    expect(before).toContain(ids.home.away);
    expect(before).toContain("I'm away");
    expect(before).toContain('*Going away?* Mark yourself away and your delegate (Erin Ash) gets');

    const away = await pressAway(DANA, 'away');
    expectWithinSlackLimits('home', JSON.parse(away) as object);
    expect(away).toContain('*You are marked away*: your delegate (Erin Ash) gets your morning approval digests');
    expect(away).toContain("I'm back");
    expect(JSON.parse(away)).toMatchObject({ type: 'home' });
    expect(await awayOf(DANA)).toBe(true);

    // A second click on the stale button changes nothing and records nothing again.
    await pressAway(DANA, 'away');
    expect(await awayOf(DANA)).toBe(true);

    const back = await pressAway(DANA, 'back');
    expect(back).toContain("I'm away");
    expect(back).not.toContain('You are marked away');
    expect(await awayOf(DANA)).toBe(false);
    const audited = await h.database.db
      .select({ before: auditLog.before, after: auditLog.after })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'user.away'), eq(auditLog.actorId, DANA)))
      .orderBy(auditLog.id);
    expect(audited).toEqual([
      { before: { away: false }, after: { away: true } },
      { before: { away: true }, after: { away: false } },
    ]);
  });

  it('someone without the approval right has no switch, and a forged click is refused', async () => {
    await h.slack.event({ type: 'app_home_opened', user: ALICE, channel: `D${ALICE}`, tab: 'home' });
    expect(await h.homeOf(ALICE)).not.toContain(ids.home.away);
    await pressAway(ALICE, 'away');
    const told = h.fake.callsTo('chat.postMessage').filter((call) => call.args.channel === ALICE);
    expect(JSON.stringify(told.map((call) => call.args))).toContain('You do not have the timesheet approval right');
    expect(await awayOf(ALICE)).toBe(false);
  });
});

describe('Log time from the missing-time nudge', () => {
  it('opens the log form on the day the nudge names; from App Home on today', async () => {
    h.fake.reset();
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.home.logTime,
      value: '2026-11-27',
      blockId: 'missing_time_actions',
      container: { type: 'message', channelId: `D${ALICE}`, messageTs: '1.1' },
    });
    const opened = (await h.fake.waitFor('views.open')).args.view as { callback_id: string };
    expect(opened.callback_id).toBe(ids.logModal.callbackId);
    expect(JSON.stringify(opened)).toContain('"initial_date":"2026-11-27"');

    h.fake.reset();
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.home.logTime,
      value: 'log',
      container: { type: 'view', viewId: 'VHOME', view: { type: 'home' } },
    });
    expect(JSON.stringify((await h.fake.waitFor('views.open')).args.view)).toContain('"initial_date":"2026-11-30"');
  });
});
