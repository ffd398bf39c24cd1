/**
 * The dead-letter digest: each morning in an administrator's own zone, one DM listing the outbox
 * messages given up on, with Resend and Dismiss; one per administrator per day even with three
 * instances; nothing on a day without dead letters, and nothing to non-administrators.
 */
import { like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { jobRuns, outbox } from '../../src/db/schema.js';
import { deadLettersJob } from '../../src/jobs/dead-letters.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { silentLogger } from '../../src/logger.js';
import type { OutboxMessage } from '../../src/services/outbox.js';
import { renderOutboxMessage } from '../../src/slack/outbox-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addUser } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-12-07T00:00:00Z');

const runner = () =>
  new JobRunner({
    ctx: {
      db: database.db,
      actor: { kind: 'system', name: 'job' },
      clock,
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    },
    jobs: [deadLettersJob],
  });
const everyInstance = () =>
  Promise.all([runner(), runner(), runner()].map((instance) => instance.runJob(deadLettersJob.name, clock.now())));
const digests = () => database.db.select().from(outbox).where(like(outbox.dedupeKey, 'job:dead-letters:%'));
const runs = () => database.db.select().from(jobRuns).orderBy(jobRuns.startedAt, jobRuns.slot);

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UADA', { name: 'Ada', rights: ['admin'] });
  await addUser(database.db, 'ULEO', { name: 'Leo', rights: ['admin'], timeZone: 'America/Los_Angeles' });
  await addUser(database.db, 'UFIN', { name: 'Fiona', rights: ['receivable'] });
});
afterAll(async () => {
  await database.drop();
});

describe('dead-letter digest', () => {
  it('sends nothing on a morning without dead letters, and records why', async () => {
    // Mon 7 Dec 17:00 UTC: past 09:00 for Ada (UTC) and just 09:00 for Leo in Los Angeles.
    clock.set('2026-12-07T17:00:00Z');
    await everyInstance();
    expect(await digests()).toEqual([]);
    expect((await runs()).map((run) => [run.slot, run.result])).toEqual([
      ['UADA:2026-12-07', 'not sent: no dead messages'],
      ['ULEO:2026-12-07', 'not sent: no dead messages'],
    ]);
  });

  it('sends each administrator one digest at their own morning, listing the dead letters with Resend and Dismiss', async () => {
    // Monday's mornings (done already when the tests run in order) passed without dead letters.
    clock.set('2026-12-07T17:00:00Z');
    await everyInstance();
    await database.db.insert(outbox).values([
      {
        kind: 'post',
        dedupeKey: 'approval:7:UGONE',
        payload: { kind: 'post', ref: 'approval:7:UGONE', channel: 'UGONE', content: { template: 'x', model: {} } },
        status: 'dead',
        attempts: 3,
        lastError: 'channel_not_found',
      },
      {
        kind: 'post',
        dedupeKey: 'still-pending',
        payload: { kind: 'post', ref: 'still-pending', channel: 'C1', content: { template: 'x', model: {} } },
      },
    ]);
    // Tue 8 Dec: 09:00 UTC for Ada, 09:00 in Los Angeles (17:00 UTC) for Leo.
    clock.set('2026-12-08T09:00:00Z');
    await everyInstance();
    clock.set('2026-12-08T17:00:00Z');
    await everyInstance();
    await everyInstance();
    const sent = await digests();
    expect(sent.map((row) => (row.payload as { channel: string }).channel).sort()).toEqual(['UADA', 'ULEO']);
    const message = sent[0]!.payload as OutboxMessage;
    if (message.kind !== 'post') throw new Error('not a post');
    const rendered = renderOutboxMessage(message.content);
    expect(rendered.text).toBe('1 Slack message was not delivered');
    const text = JSON.stringify(rendered.blocks);
    expect(text).toContain('approval:7:UGONE');
    expect(text).toContain('channel_not_found');
    expect(text).not.toContain('still-pending');
    const buttons = rendered.blocks
      .filter((block) => block.type === 'actions')
      .flatMap((block) => ('elements' in block ? block.elements : []))
      .map((element) => ('action_id' in element ? element.action_id : undefined));
    expect(buttons).toEqual([ids.home.resendMessage, ids.home.dismissMessage]);
    expect((await runs()).map((run) => [run.slot, run.result])).toEqual([
      ['UADA:2026-12-07', 'not sent: no dead messages'],
      ['ULEO:2026-12-07', 'not sent: no dead messages'],
      ['UADA:2026-12-08', 'digest queued (1 dead message)'],
      ['ULEO:2026-12-08', 'digest queued (1 dead message)'],
    ]);
  });
});
