/**
 * Which requests wake the outbox dispatcher when they end (the app wakes it only for those): a
 * request that queued a message due now, or an App Home due now (the dispatcher then wakes if its
 * pace lets a home go now), not one whose App Home publish waits out its interval.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema.js';
import { type RequestContext, runInRequest } from '../../src/request-context.js';
import { enqueueHomeRefresh, enqueueMessage, HOME_PUBLISH_INTERVAL_MS } from '../../src/services/outbox.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());

/** Runs `work` as a request and answers what it marked itself as having queued due now. */
async function queuedForSlack(work: () => Promise<void>): Promise<RequestContext['queuedForSlack']> {
  const request: RequestContext = { requestId: `wake-${Math.random()}` };
  await runInRequest(request, work);
  return request.queuedForSlack;
}

describe('a request wakes the outbox', () => {
  const now = new Date('2026-11-24T12:00:00Z');

  it('when it queued a message, or an App Home due now, and says which', async () => {
    const dm = { kind: 'post' as const, ref: 'wake:dm', channel: 'U01', content: { template: 'x', model: {} } };
    expect(await queuedForSlack(() => enqueueMessage(database.db, 'wake:dm', dm, now))).toBe('message');
    expect(await queuedForSlack(() => enqueueHomeRefresh(database.db, 'UWAKE', now))).toBe('home');
    const both = async () => {
      await enqueueMessage(database.db, 'wake:dm2', { ...dm, ref: 'wake:dm2' }, now);
      await enqueueHomeRefresh(database.db, 'UWAKE2', now);
    };
    expect(await queuedForSlack(both)).toBe('message');
  });

  it('not when the App Home it changed waits out the publish interval after a publish', async () => {
    await enqueueHomeRefresh(database.db, 'UQUIET', now);
    await database.db.update(outbox).set({ status: 'sent', updatedAt: now }).where(eq(outbox.dedupeKey, 'home:UQUIET'));
    const soon = new Date(now.getTime() + HOME_PUBLISH_INTERVAL_MS / 2);
    expect(await queuedForSlack(() => enqueueHomeRefresh(database.db, 'UQUIET', soon))).toBeUndefined();
    const [row] = await database.db
      .select({ due: outbox.nextAttemptAt })
      .from(outbox)
      .where(eq(outbox.dedupeKey, 'home:UQUIET'));
    expect(row!.due).toEqual(new Date(now.getTime() + HOME_PUBLISH_INTERVAL_MS));
  });
});
