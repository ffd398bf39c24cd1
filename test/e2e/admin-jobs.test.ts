/**
 * /admin > Scheduled jobs over HTTP against the fake Slack: the page lists every job with its
 * settings and the last runs; Run now runs the job at the clock's now claiming the scheduler's
 * keys, so a second click does nothing again; someone without the administration right is refused.
 */
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { jobRuns, outbox } from '../../src/db/schema.js';
import { JOBS } from '../../src/jobs/registry.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import { addUser } from '../support/fixtures.js';

let h: AppHarness;

beforeAll(async () => {
  // Mon 7 Dec 09:00 UTC: the administrator's morning, when the dead-letter digest is due.
  h = await startAppHarness({ now: '2026-12-07T09:00:00Z', adminUserIds: ['UADMIN'] });
  await addUser(h.database.db, 'UFIN', { name: 'Fiona Finance', rights: ['receivable'] });
  for (const [id, name] of [
    ['UADMIN', 'Ada Admin'],
    ['UFIN', 'Fiona Finance'],
  ] as const)
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  await h.database.db.insert(jobRuns).values({
    job: 'credit-check',
    slot: '2026-12-06',
    startedAt: new Date('2026-12-06T09:00:00Z'),
    attempts: 2,
    error: 'database unreachable',
    nextAttemptAt: new Date('2026-12-06T09:02:00Z'),
  });
  await h.database.db.insert(outbox).values({
    kind: 'post',
    dedupeKey: 'approval:7:UGONE',
    payload: { kind: 'post', ref: 'approval:7:UGONE', channel: 'UGONE', content: { template: 'x', model: {} } },
    status: 'dead',
    attempts: 3,
    lastError: 'channel_not_found',
  });
});
afterAll(async () => h.stop());

const click = (userId: string, actionId: string, value?: string) =>
  h.slack.blockAction({ userId, actionId, ...(value ? { value } : {}), container: { type: 'view', viewId: 'V0JOBS' } });
const digests = () => h.database.db.select().from(outbox).where(like(outbox.dedupeKey, 'job:dead-letters:%'));
const told = (userId: string) =>
  h.fake
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === userId)
    .map((c) => JSON.stringify(c.args));

describe('/admin > Scheduled jobs', () => {
  it('shows each job with its settings and Run now, and the last runs with their errors', async () => {
    await click('UADMIN', ids.admin.openJobs);
    const view = (await h.fake.waitFor('views.push')).args.view as { callback_id: string; blocks: unknown[] };
    expect(view.callback_id).toBe(ids.admin.jobsModal);
    const text = JSON.stringify(view.blocks);
    for (const job of JOBS) expect(text).toContain(`*${job.name}* — ${job.description}`);
    expect(text).toContain('Period close after (days): 3');
    expect(text).toContain('Working days: default');
    expect(text).toContain('Missing-time nudge: off');
    expect(text.match(new RegExp(ids.admin.runJobNow, 'g'))).toHaveLength(JOBS.length);
    expect(text).toContain(
      '*credit-check* `2026-12-06` · started 2026-12-06 09:00 UTC · finished – · error: database unreachable',
    );
  });

  it('Run now does the job as the scheduler would, once: the second click finds it done', async () => {
    await click('UADMIN', ids.admin.runJobNow, 'dead-letters');
    const updated = await h.fake.waitFor('views.update');
    expect(updated.args.view_id).toBe('V0JOBS');
    const text = JSON.stringify((updated.args.view as { blocks: unknown[] }).blocks);
    expect(text).toContain('dead-letters ran now: UADMIN:2026-12-07 done (digest queued (1 dead message))');
    expect(text).toContain('*dead-letters* `UADMIN:2026-12-07`');
    expect(await digests()).toHaveLength(1);

    await click('UADMIN', ids.admin.runJobNow, 'dead-letters');
    const again = await h.fake.waitFor('views.update', (c) => c.sequence > updated.sequence);
    expect(JSON.stringify(again.args.view)).toContain('UADMIN:2026-12-07 finished-before (already done)');
    expect(await digests()).toHaveLength(1);
    expect(await h.database.db.select().from(jobRuns).where(eq(jobRuns.job, 'dead-letters'))).toHaveLength(1);
  });

  it('refuses the page and Run now to someone without the administration right, and runs nothing', async () => {
    const before = await h.database.db.select().from(jobRuns);
    const pushed = h.fake.callsTo('views.push').length;
    await click('UFIN', ids.admin.openJobs);
    await click('UFIN', ids.admin.runJobNow, 'credit-check');
    await h.app.settled();
    const messages = told('UFIN');
    expect(messages).toHaveLength(2);
    for (const message of messages) expect(message).toContain('administration');
    expect(await h.database.db.select().from(jobRuns)).toEqual(before);
    expect(h.fake.callsTo('views.push')).toHaveLength(pushed);
  });

  it('says so when the button names no job', async () => {
    await click('UADMIN', ids.admin.runJobNow, 'no-such-job');
    await h.app.settled();
    expect(told('UADMIN').at(-1)).toContain('There is no scheduled job named no-such-job.');
  });
});
