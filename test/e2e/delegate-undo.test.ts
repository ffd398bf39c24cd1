/**
 * A delegate logs time for a principal through the log modal's "Log time for" picker (the App Home
 * switch left on herself), and then presses Undo or Edit on the confirmation she was sent: they
 * must act on the entry she just saved, as they do for her own entries.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { delegates, outbox, projectConsultants, projects, timeEntries } from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';
import { addConsultant, addUser } from '../support/fixtures.js';

let h: AppHarness;
const ALICE = 'U01ALICE';
const BOB = 'U02BOB';
const CAROL = 'U03CAROL';

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-25T10:00:00Z' });
  h.fake.users.set(ALICE, { id: ALICE, real_name: 'Alice Doe', tz: 'Europe/Berlin' });
  h.fake.users.set(BOB, { id: BOB, real_name: 'Bob Roe', tz: 'Europe/Berlin' });
  h.fake.users.set(CAROL, { id: CAROL, real_name: 'Carol Poe', tz: 'Europe/Berlin' });
  // Bob (a manager, no time of his own) is Alice's delegate in the fixture.
  await importFixture(h, 'small-firm.yaml');
  // Carol consults on ACME-WEB herself and is also Alice's delegate.
  await addUser(h.database.db, CAROL, { rights: ['entry'], name: 'Carol Poe' });
  const carol = await addConsultant(h.database.db, CAROL);
  const [web] = await h.database.db.select().from(projects).where(eq(projects.code, 'ACME-WEB'));
  await h.database.db.insert(projectConsultants).values({ projectId: web!.id, consultantId: carol });
  await h.database.db.insert(delegates).values({ principalId: ALICE, delegateId: CAROL });
});
afterAll(async () => h.stop());
beforeEach(async () => {
  await h.app.settled();
  await h.database.db.delete(timeEntries);
  await h.database.db.delete(outbox);
  h.fake.reset();
});

const entries = () => h.database.db.select().from(timeEntries).orderBy(timeEntries.id);

/** Opens /log's modal as `userId`, picks `forUserId` in "Log time for" and saves 45m on GLOBEX-OPS. */
async function logForAlice(userId: string): Promise<void> {
  await h.slack.slashCommand({ command: '/log', text: '', userId });
  const opened = (await h.fake.waitFor('views.open')).args.view as { private_metadata: string };
  await h.slack.viewSubmission({
    userId,
    callbackId: ids.logModal.callbackId,
    viewId: `V${userId}`,
    privateMetadata: JSON.stringify({ ...(JSON.parse(opened.private_metadata) as object), forUserId: ALICE }),
    values: {
      log_for: { [ids.logModal.logFor.action]: { type: 'static_select', selected_option: { value: ALICE } } },
      project: { project_select: { type: 'static_select', selected_option: { value: 'GLOBEX-OPS' } } },
      date: { date_pick: { type: 'datepicker', selected_date: '2026-11-25' } },
      duration: { duration_input: { type: 'plain_text_input', value: '45m' } },
      description: { description_input: { type: 'plain_text_input', value: 'for Alice' } },
      billable: { billable_check: { type: 'checkboxes', selected_options: [{ value: 'billable' }] } },
    },
  });
}

/** The Undo or Edit button of the confirmation sent to `userId` (through the command's response_url). */
async function confirmationButton(userId: string, actionId: string): Promise<string> {
  const sent = await h.fake.waitFor('response_url', (call) => String(call.args.text).startsWith('Logged'));
  expect(String(sent.args.text)).toContain('for Alice Doe');
  const actions = (sent.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find(
    (block) => block.type === 'actions',
  );
  return actions!.elements!.find((button) => button.action_id === actionId)!.value;
}

async function press(userId: string, actionId: string, value: string): Promise<string> {
  const responseUrl = h.fake.responseUrl();
  await h.slack.blockAction({
    userId,
    actionId,
    value,
    responseUrl,
    triggerId: 'T-press',
    container: { type: 'message', channelId: `D${userId}`, messageTs: '1.9' },
  });
  await h.app.settled();
  const answers = h.fake
    .callsTo('response_url')
    .filter((call) => String(call.args.url).endsWith(responseUrl.split('/').pop()!));
  return JSON.stringify(answers.map((call) => call.args));
}

describe('Undo and Edit on what a delegate logged for a principal from the modal', () => {
  it.each([
    ['Carol, a consultant herself', CAROL],
    ['Bob, who logs no time of his own', BOB],
  ])('%s: Undo deletes the entry she just saved for Alice', async (_who, delegate) => {
    await logForAlice(delegate);
    expect(await entries()).toMatchObject([{ createdBy: delegate, actingFor: ALICE, minutes: 45 }]);
    const undo = await confirmationButton(delegate, ids.entry.undo);

    const answer = await press(delegate, ids.entry.undo, undo);

    expect(answer).toContain('Deleted 45m on GLOBEX-OPS');
    expect(await entries()).toEqual([]);
  });

  it('Carol: Edit opens the entry she just saved for Alice', async () => {
    await logForAlice(CAROL);
    const edit = await confirmationButton(CAROL, ids.entry.edit);
    h.fake.reset();

    const answer = await press(CAROL, ids.entry.edit, edit);

    expect(answer).not.toContain('You can only change your own entries');
    expect(h.fake.callsTo('views.open')).toHaveLength(1);
  });
});
