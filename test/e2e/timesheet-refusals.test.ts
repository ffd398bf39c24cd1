/**
 * What a user is told when a timesheet button, menu or `/timesheet` cannot do what it was asked,
 * over HTTP against the fake Slack: a period that is gone or not there, a sheet already submitted,
 * an entry deleted or locked meanwhile, a stale "submit empty" button. Nothing is changed by a refusal.
 */
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { reportingPeriods, timeEntries, timesheets } from '../../src/db/schema.js';
import { silentLogger } from '../../src/logger.js';
import { importSetup } from '../../src/services/setup-import.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';

let h: AppHarness;
const [ALICE, BOB] = ['U01ALICE', 'U02BOB'];

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-25T10:00:00Z' });
  h.fake.users.set(ALICE, { id: ALICE, real_name: 'Alice Doe', tz: 'UTC' });
  h.fake.users.set(BOB, { id: BOB, real_name: 'Bob Roe', tz: 'UTC' });
  const imported = await importSetup(
    {
      db: h.database.db,
      actor: { kind: 'system', name: 'cli' },
      clock: h.clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    readFileSync(new URL('../fixtures/small-firm.yaml', import.meta.url), 'utf8') +
      '  - { starts: 2026-10-01, ends: 2026-10-31 }\n',
  );
  expect(imported.ok).toBe(true);
});
afterAll(async () => h.stop());
beforeEach(async () => {
  await h.app.settled();
  await h.database.db.delete(timeEntries);
  await h.database.db.delete(timesheets);
  await h.database.db.update(reportingPeriods).set({ archivedAt: null });
  h.fake.reset();
});

const command = (userId: string, name: string, text = '') => h.slack.slashCommand({ command: name, text, userId });
const log = (text: string) => command(ALICE, '/log', text);
const timesheet = (text = '', userId = ALICE) => command(userId, '/timesheet', text);
const ackText = (response: { body: unknown }) => JSON.stringify(response.body);
type View = { private_metadata: string; blocks: Record<string, unknown>[] };
const opened = () => h.fake.callsTo('views.open').at(-1)!.args.view as View;
const inModal = (view: View) => ({
  type: 'view' as const,
  viewId: 'VSHEET',
  view: { callback_id: ids.timesheet.callbackId, private_metadata: view.private_metadata },
});
/** The timesheet modal as last redrawn in place, as text. */
const redrawn = async () => {
  await h.app.settled();
  return JSON.stringify(
    h.fake
      .callsTo('views.update')
      .filter((c) => c.args.view_id === 'VSHEET')
      .at(-1)?.args.view,
  );
};
const dmsTo = async (userId: string) => {
  await h.app.settled();
  return JSON.stringify(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === userId));
};
const periodId = async (startsOn: string) =>
  (await h.database.db.select().from(reportingPeriods).where(eq(reportingPeriods.startsOn, startsOn)))[0]!.id;

describe('the Open timesheet button', () => {
  it('opens the period the button names, not the current one', async () => {
    await h.slack.blockAction({
      userId: ALICE,
      actionId: ids.timesheet.open,
      value: String(await periodId('2026-10-01')),
    });
    const view = await h.fake.waitFor('views.open');
    expect(JSON.stringify(view.args.view)).toContain('Thu 1 Oct 2026 – Sat 31 Oct 2026');
  });

  it('tells the user in a DM that the period no longer exists when it was deleted, opening nothing', async () => {
    const october = await periodId('2026-10-01');
    await h.database.db
      .update(reportingPeriods)
      .set({ archivedAt: new Date() })
      .where(eq(reportingPeriods.id, october));
    await h.slack.blockAction({ userId: ALICE, actionId: ids.timesheet.open, value: String(october) });
    expect(await dmsTo(ALICE)).toContain('That reporting period no longer exists.');
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });
});

describe('/timesheet naming a period', () => {
  it('opens the period holding the named day', async () => {
    expect((await timesheet('2026-10-05')).status).toBe(200);
    expect(JSON.stringify((await h.fake.waitFor('views.open')).args.view)).toContain(
      'Thu 1 Oct 2026 – Sat 31 Oct 2026',
    );
  });

  it('says no period covers a day outside every period, opening nothing', async () => {
    expect(ackText(await timesheet('2026-05-15'))).toContain(
      'No reporting period covers Fri 15 May 2026. `/timesheet history` lists the periods.',
    );
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });

  it('`/timesheet submit` of a day outside every period says so and submits nothing', async () => {
    await log('1h ACME-WEB work');
    expect(ackText(await timesheet('submit 2026-05-15'))).toContain('No reporting period covers Fri 15 May 2026.');
    expect(await h.database.db.select({ status: timesheets.status }).from(timesheets)).toEqual([{ status: 'open' }]);
  });

  it('`/timesheet submit` of a sheet already submitted says so and changes nothing', async () => {
    await log('1h ACME-WEB work');
    expect(ackText(await timesheet('submit'))).toContain('Submitted your timesheet');
    const [before] = await h.database.db.select().from(timesheets);
    expect(ackText(await timesheet('submit'))).toContain(
      'The timesheet for Sun 1 Nov 2026 – Mon 30 Nov 2026 is already submitted; nothing was changed.',
    );
    expect(await h.database.db.select().from(timesheets)).toEqual([before]);
  });

  it('`/timesheet history` tells someone without the time entry right who can give it', async () => {
    expect(ackText(await timesheet('history', BOB))).toContain(
      'You do not have the time entry right. An administrator can give you a role with it in /admin',
    );
  });
});

describe('a stale "Submit empty" button', () => {
  it('after time was logged it submits nothing and says in a DM to open the sheet, when Slack gives no response_url', async () => {
    const asked = await timesheet('submit');
    const button = (asked.body as { blocks: { type: string; elements?: { value: string }[] }[] }).blocks.find(
      (b) => b.type === 'actions',
    )!.elements![0]!;
    await log('1h ACME-WEB logged after all');
    await h.slack.blockAction({ userId: ALICE, actionId: ids.timesheet.submit, value: button.value });
    expect(await dmsTo(ALICE)).toContain(
      'The timesheet for Sun 1 Nov 2026 – Mon 30 Nov 2026 has 1 entry now. Open it with /timesheet and submit it from there.',
    );
    expect(await h.database.db.select({ status: timesheets.status }).from(timesheets)).toEqual([{ status: 'open' }]);
  });
});

describe('the entry menu of a timesheet left open', () => {
  /** Alice logs one entry and opens her timesheet; returns the entry's id and the modal. */
  const openWithEntry = async () => {
    await log('45m ACME-WEB kept');
    await timesheet();
    const [entry] = await h.database.db.select().from(timeEntries);
    return { entryId: entry!.id, view: opened() };
  };
  const menu = (view: View, choice: string) =>
    h.slack.blockAction({
      userId: ALICE,
      actionId: ids.timesheet.entryMenu,
      selectedOption: choice,
      container: inModal(view),
    });

  it('Edit of an entry on a sheet submitted meanwhile opens no form and says in the modal why', async () => {
    const { entryId, view } = await openWithEntry();
    expect(ackText(await timesheet('submit'))).toContain('Submitted your timesheet');
    await menu(view, `edit:${entryId}`);
    expect(await redrawn()).toContain('That entry is on a submitted timesheet, so it can no longer be changed.');
    expect(h.fake.callsTo('views.push')).toEqual([]);
  });

  it('Delete of an entry deleted meanwhile asks nothing and says in the modal it is gone', async () => {
    const { entryId, view } = await openWithEntry();
    await h.database.db.delete(timeEntries);
    await menu(view, `delete:${entryId}`);
    expect(await redrawn()).toContain('That entry no longer exists; it may have been deleted already.');
    expect(h.fake.callsTo('views.push')).toEqual([]);
  });

  it('confirming Delete after the sheet was submitted keeps the entry and says in the modal why', async () => {
    const { entryId, view } = await openWithEntry();
    await menu(view, `delete:${entryId}`);
    const dialog = (await h.fake.waitFor('views.push')).args.view as View;
    expect(ackText(await timesheet('submit'))).toContain('Submitted your timesheet');
    await h.slack.viewSubmission({
      userId: ALICE,
      callbackId: ids.timesheet.deleteConfirm,
      privateMetadata: dialog.private_metadata,
      values: {},
    });
    expect(await redrawn()).toContain('That entry is on a submitted timesheet, so it can no longer be deleted.');
    expect(await h.database.db.select({ id: timeEntries.id }).from(timeEntries)).toEqual([{ id: entryId }]);
  });
});
