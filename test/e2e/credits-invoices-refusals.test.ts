/**
 * The refusals a user meets on the credit and invoice buttons and forms, over signed HTTP against
 * the fake Slack: a forged admin button answered in a DM, form errors on the field they are about,
 * a void or a PDF asked for an invoice that is gone. Nothing is written by a refusal.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { creditLedger } from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { changedTables, digestTables } from '../support/database-digest.js';

let h: AppHarness;
const [ALICE, ADMIN] = ['U01ALICE', 'U0ADMIN'];
const f = ids.credits.field;
const text = (value: string) => ({ type: 'plain_text_input', value });
const fromMessage = { type: 'message' as const, channelId: 'C0GENERAL', messageTs: '1.1' };

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-30T10:00:00Z', adminUserIds: [ADMIN] });
  for (const [id, name] of [
    [ALICE, 'Alice Doe'],
    [ADMIN, 'Ada Admin'],
  ] as const)
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  await importFixture(h, 'approvals-firm.yaml');
});
afterAll(async () => h.stop());

/** The DM the app sent the user after `since` calls to chat.postMessage, as text. */
const dmAfter = async (userId: string, since: number) => {
  await h.app.settled();
  return JSON.stringify(
    h.fake
      .callsTo('chat.postMessage')
      .slice(since)
      .filter((c) => c.args.channel === userId),
  );
};
const posts = () => h.fake.callsTo('chat.postMessage').length;

describe('credit buttons and forms', () => {
  it('answers a forged Adjust button from a consultant in a DM, opening no form', async () => {
    const since = posts();
    const opened = h.fake.callsTo('views.open').length;
    await h.slack.blockAction({ userId: ALICE, actionId: ids.credits.adjust, value: 'GLOBEX', container: fromMessage });
    expect(await dmAfter(ALICE, since)).toContain('You do not have the administration right.');
    expect(h.fake.callsTo('views.open')).toHaveLength(opened);
  });

  it('opens Export prepaid log from a message as a new modal, from the first of the month to today', async () => {
    await h.slack.blockAction({ userId: ADMIN, actionId: ids.credits.export, value: 'GLOBEX', container: fromMessage });
    const form = await h.fake.waitFor('views.open', (c) =>
      JSON.stringify(c.args.view).includes(ids.credits.exportModal),
    );
    expect(JSON.stringify(form.args.view)).toContain('2026-11-01');
    expect(JSON.stringify(form.args.view)).toContain('2026-11-30');
  });

  it('shows an hourly customer on the Credits button as a problem in place of the message', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.credits.open,
      value: 'ACME',
      responseUrl: h.fake.responseUrl(),
      container: fromMessage,
    });
    const reply = await h.fake.waitFor('response_url', (c) => JSON.stringify(c.args).includes('billed by the hour'));
    expect(JSON.stringify(reply.args)).toContain('ACME is billed by the hour, so it has no prepaid credit.');
  });

  it('puts an adjustment refusal on the field it is about, writing nothing, and adjusts once it is right', async () => {
    const adjust = (hours: string, reason: string) =>
      h.slack.viewSubmission({
        userId: ADMIN,
        callbackId: ids.credits.adjustModal,
        privateMetadata: JSON.stringify({ code: 'GLOBEX' }),
        values: {
          [f.hours.block]: { [f.hours.action]: text(hours) },
          [f.reason.block]: { [f.reason.action]: text(reason) },
        },
      });
    const before = await digestTables(h.database.db);
    expect((await adjust('-2', ' ')).body).toEqual({
      response_action: 'errors',
      errors: { [f.reason.block]: 'Say why the credit is adjusted: the reason is shown in the prepaid log.' },
    });
    expect((await adjust('lots', 'refund')).body).toMatchObject({
      response_action: 'errors',
      errors: { [f.hours.block]: expect.any(String) },
    });
    expect(changedTables(before, await digestTables(h.database.db))).toEqual([]);
    const done = await adjust('-2', 'refund for a bad week');
    expect(JSON.stringify(done.body)).toContain('Credits adjusted. Globex: 38h of prepaid time left');
    const rows = await h.database.db.select().from(creditLedger).where(eq(creditLedger.kind, 'adjustment'));
    expect(rows.map((r) => [r.minutes, r.note, r.actorId])).toEqual([[-120, 'refund for a bad week', ADMIN]]);
  });
});

describe('invoice forms and buttons', () => {
  const voidReason = (userId: string, reason: string) =>
    h.slack.viewSubmission({
      userId,
      callbackId: ids.invoice.voidModal,
      privateMetadata: JSON.stringify({ invoiceId: 999_999 }),
      values: {
        [ids.invoice.reason.block]: { [ids.invoice.reason.action]: { type: 'plain_text_input', value: reason } },
      },
    });

  it('closes the Void form and tells the user in a DM when the draft is already gone', async () => {
    const since = posts();
    const answer = await voidReason(ADMIN, 'duplicate');
    expect(answer.body).toBeFalsy();
    expect(await dmAfter(ADMIN, since)).toContain('That draft was already discarded.');
  });

  it('tells someone without the receivable right in a DM that they cannot void', async () => {
    const since = posts();
    await voidReason(ALICE, 'duplicate');
    expect(await dmAfter(ALICE, since)).toContain('Accounts Receivable');
  });

  it('answers the PDF button of an invoice that is gone in place of the message', async () => {
    await h.slack.blockAction({
      userId: ADMIN,
      actionId: ids.invoice.repost,
      value: '999999',
      responseUrl: h.fake.responseUrl(),
      container: fromMessage,
    });
    const reply = await h.fake.waitFor('response_url', (c) => JSON.stringify(c.args).includes('no PDF any more'));
    expect(JSON.stringify(reply.args)).toContain('That draft was discarded, so it has no PDF any more.');
  });
});
