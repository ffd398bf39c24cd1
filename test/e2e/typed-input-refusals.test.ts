/**
 * Typed input that the app must refuse (or show back) clearly, over signed HTTP against the fake
 * Slack: a date of year 0000, which PostgreSQL has no day for, and `/timesheet` text as Slack
 * sends it (`&`, `<` and `>` as HTML entities), which a refusal must quote as the user typed it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { changedTables, digestTables } from '../support/database-digest.js';

let h: AppHarness;
const ALICE = 'U01ALICE';
const GENERIC = 'Something went wrong on our side';

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-25T10:00:00Z' });
  h.fake.users.set(ALICE, { id: ALICE, real_name: 'Alice Doe', tz: 'UTC' });
  await importFixture(h, 'approvals-firm.yaml');
  // The first request stores Alice's Slack profile; the refusals below must write nothing else.
  await h.slack.slashCommand({ command: '/timesheet', text: 'history', userId: ALICE });
  await h.app.settled();
});
afterAll(async () => h.stop());

const answer = async (command: string, text: string) => {
  const response = await h.slack.slashCommand({ command, text, userId: ALICE });
  await h.app.settled();
  return response.body as { text: string; blocks: { text: { text: string } }[] };
};

describe('a date in the year 0000 (a real ISO date to JavaScript, none to PostgreSQL)', () => {
  it('/log refuses it as a date, saying how to write one, instead of failing on our side', async () => {
    const before = await digestTables(h.database.db);
    const reply = await answer('/log', '2h ACME-WEB 0000-01-01 kickoff');
    expect(reply.text).not.toContain(GENERIC);
    expect(reply.text).toMatch(/0000-01-01/);
    expect(changedTables(before, await digestTables(h.database.db))).toEqual([]);
  });

  it('/timesheet and /timesheet submit refuse it too', async () => {
    for (const text of ['0000-01-01', 'submit 0000-01-01']) {
      const reply = await answer('/timesheet', text);
      expect(reply.text, `/timesheet ${text}`).not.toContain(GENERIC);
      expect(reply.text, `/timesheet ${text}`).toMatch(/0000-01-01/);
    }
  });
});

describe('/timesheet text as Slack sends it', () => {
  it('quotes what the user typed, not the entities Slack encoded it with', async () => {
    // The user typed `/timesheet <week> & more`; Slack sends the text with &, < and > encoded.
    const reply = await answer('/timesheet', '&lt;week&gt; &amp; more');
    // Escaped once for mrkdwn, it shows as typed: <week> & more.
    expect(reply.blocks[0]!.text.text).toContain('"/timesheet &lt;week&gt; &amp; more"');
    expect(reply.blocks[0]!.text.text).not.toContain('&amp;lt;');
  });
});
