/**
 * The "Log time for" picker of the log modal, over signed HTTP against the fake Slack: a delegate
 * who is a consultant herself switches the open form to her principal's projects and back; someone
 * she may not act for is refused in a DM, the form left alone; the project search of a long list
 * follows whose form it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { delegates } from '../../src/db/schema.js';
import { addConsultant, addUser } from '../support/fixtures.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';

let h: AppHarness;
const [ALICE, CARL] = ['U01ALICE', 'U04CARL'];
let metadata: string;

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-24T10:00:00Z' });
  for (const [id, name] of [
    [ALICE, 'Alice Doe'],
    [CARL, 'Carl Poe'],
  ] as const)
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  await importFixture(h, 'approvals-firm.yaml');
  // Alice, a consultant herself, may also log for Carl (who logs on CARL-LAB).
  await h.database.db.insert(delegates).values({ principalId: CARL, delegateId: ALICE });
  await h.slack.slashCommand({ command: '/log', text: '', userId: ALICE });
  const opened = await h.fake.waitFor('views.open', (c) =>
    JSON.stringify(c.args.view).includes(ids.logModal.callbackId),
  );
  const view = opened.args.view as { private_metadata: string };
  expect(JSON.stringify(view)).toContain(ids.logModal.logFor.action);
  metadata = view.private_metadata;
});
afterAll(async () => h.stop());

const pick = (userId: string) =>
  h.slack.blockAction({
    userId: ALICE,
    actionId: ids.logModal.logFor.action,
    blockId: ids.logModal.logFor.block,
    selectedOption: userId,
    container: {
      type: 'view',
      viewId: 'VLOG1',
      view: { callback_id: ids.logModal.callbackId, private_metadata: metadata, hash: 'hash-1' },
    },
  });

/** The project codes a log modal offers. */
const projectCodes = (view: unknown) =>
  [...JSON.stringify(view).matchAll(/"value":"([A-Z]+-[A-Z]+)"/g)].map((m) => m[1]);

describe('the log-for picker', () => {
  it("switches the open form to the principal's projects, keeping the form's place, and back to her own", async () => {
    await pick(CARL);
    const forCarl = await h.fake.waitFor('views.update', (c) => c.args.view_id === 'VLOG1');
    expect(forCarl.args.hash).toBe('hash-1');
    expect(projectCodes(forCarl.args.view)).toEqual(['CARL-LAB']);
    const carlMeta = JSON.parse((forCarl.args.view as { private_metadata: string }).private_metadata) as Record<
      string,
      unknown
    >;
    expect(carlMeta).toMatchObject({ ...(JSON.parse(metadata) as object), forUserId: CARL });

    h.fake.reset();
    await pick(ALICE);
    const own = await h.fake.waitFor('views.update', (c) => c.args.view_id === 'VLOG1');
    expect(projectCodes(own.args.view).sort()).toEqual(['ACME-WEB', 'GLOBEX-OPS']);
    expect(JSON.parse((own.args.view as { private_metadata: string }).private_metadata)).toMatchObject({
      forUserId: ALICE,
    });
  });

  it('refuses someone she may not log for in a DM and leaves the form as it is', async () => {
    h.fake.reset();
    await pick('U02BOB');
    await h.app.settled();
    const told = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === ALICE);
    expect(told).toHaveLength(1);
    expect(told[0]!.args.text).toBe('You are not a delegate of Bob Roe, so you cannot act for them.');
    expect(h.fake.callsTo('views.update')).toEqual([]);
  });

  it("searches the principal's projects when the form is for the principal, and her own when its metadata is unreadable", async () => {
    const search = (privateMetadata: string, value: string) =>
      h.slack.blockSuggestion({
        userId: ALICE,
        actionId: ids.logModal.project.action,
        blockId: ids.logModal.project.block,
        value,
        view: { id: 'VLOG1', callback_id: ids.logModal.callbackId, private_metadata: privateMetadata },
      });
    const forCarl = JSON.stringify({ ...(JSON.parse(metadata) as object), forUserId: CARL });
    expect(((await search(forCarl, '')).body as { options: { value: string }[] }).options.map((o) => o.value)).toEqual([
      'CARL-LAB',
    ]);
    const unreadable = (await search('{not json', 'web')).body as { options: { value: string }[] };
    expect(unreadable.options.map((o) => o.value)).toEqual(['ACME-WEB']);
  });

  it('offers more people than a menu holds as a search by name, and the one found switches the form', async () => {
    for (let i = 0; i < 100; i++) {
      const userId = `U9${String(i).padStart(3, '0')}`;
      await addUser(h.database.db, userId, { name: `Principal ${String(i).padStart(3, '0')}`, rights: ['entry'] });
      await addConsultant(h.database.db, userId);
      await h.database.db.insert(delegates).values({ principalId: userId, delegateId: ALICE });
    }
    h.fake.reset();
    await h.slack.slashCommand({ command: '/log', text: '', userId: ALICE });
    const opened = (await h.fake.waitFor('views.open')).args.view as object;
    expectWithinSlackLimits('modal', opened);
    expect(JSON.stringify(opened)).toContain(`"type":"external_select","action_id":"${ids.logModal.logFor.action}"`);
    expect(JSON.stringify(opened)).toContain('"initial_option":{"text":{"type":"plain_text","text":"Alice Doe"}');

    const search = async (value: string) =>
      (
        (
          await h.slack.blockSuggestion({
            userId: ALICE,
            actionId: ids.logModal.logFor.action,
            blockId: ids.logModal.logFor.block,
            value,
            view: { id: 'VLOG1', callback_id: ids.logModal.callbackId, private_metadata: metadata },
          })
        ).body as { options: { value: string }[] }
      ).options.map((o) => o.value);
    expect(await search('principal 04')).toEqual(Array.from({ length: 10 }, (_, i) => `U904${i}`));
    expect(await search('carl')).toEqual([CARL]);
    expect(await search('')).toHaveLength(100);

    await pick(CARL);
    const forCarl = await h.fake.waitFor('views.update', (c) => c.args.view_id === 'VLOG1');
    expect(projectCodes(forCarl.args.view)).toEqual(['CARL-LAB']);
  });
});
