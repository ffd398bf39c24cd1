import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/client.js';
import { outbox, slackMessages } from '../db/schema.js';
import { currentRequest } from '../request-context.js';

/**
 * What a message says, as a named template and its view model: services know no Block Kit, so the
 * dispatcher renders it (blocks/) when it sends.
 */
export type MessageContent = { template: string; model: unknown };

/**
 * Slack messages that follow a state change, written in the same transaction as the change and
 * delivered later by the dispatcher. `ref` names the message for later updates, e.g.
 * `approval:12:U02BOB` (one manager's DM about timesheet 12).
 */
export type OutboxMessage =
  | { kind: 'post'; ref: string; channel: string; content: MessageContent }
  | { kind: 'update'; ref: string; content: MessageContent };

export type ClaimedMessage = {
  id: number;
  attempts: number;
  dedupeKey: string;
  message: OutboxMessage;
  /** The Slack request that queued it, if a request did. */
  requestId: string | null;
};

/** Queues a message once per dedupe key (a repeated state change queues nothing new), naming the request that caused it. */
export async function enqueueMessage(
  tx: Queryable,
  dedupeKey: string,
  message: OutboxMessage,
  now: Date,
): Promise<void> {
  await tx
    .insert(outbox)
    .values({
      kind: message.kind,
      dedupeKey,
      payload: message,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
      requestId: currentRequest()?.requestId ?? null,
    })
    .onConflictDoNothing({ target: outbox.dedupeKey });
}

/**
 * Claims due messages for this dispatcher: each is leased until `leaseUntil`, so a dispatcher that
 * dies mid-send gives it back; SKIP LOCKED lets several instances claim side by side.
 */
export async function claimDueMessages(
  db: Database,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<ClaimedMessage[]> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
      .orderBy(asc(outbox.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (due.length === 0) return [];
    const claimed = await tx
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, nextAttemptAt: leaseUntil, updatedAt: now })
      .where(
        inArray(
          outbox.id,
          due.map((row) => row.id),
        ),
      )
      .returning();
    return claimed
      .sort((a, b) => a.id - b.id)
      .map((row) => ({
        id: row.id,
        attempts: row.attempts,
        dedupeKey: row.dedupeKey,
        message: row.payload as OutboxMessage,
        requestId: row.requestId,
      }));
  });
}

/** Where an earlier post went, if it was recorded. */
export async function postedMessage(q: Queryable, ref: string): Promise<{ channel: string; ts: string } | undefined> {
  const [row] = await q
    .select({ channel: slackMessages.channel, ts: slackMessages.ts })
    .from(slackMessages)
    .where(eq(slackMessages.ref, ref));
  return row;
}

/** Identifies one claim of a message: a late answer from an expired claim must not overwrite a newer one. */
export type Claim = { id: number; attempts: number };
const ours = (claim: Claim) =>
  and(eq(outbox.id, claim.id), eq(outbox.attempts, claim.attempts), eq(outbox.status, 'pending'));

/** A post is recorded with where it landed, so updates can find it and it is never posted twice. */
export async function markSent(
  db: Database,
  claim: Claim,
  now: Date,
  posted?: { ref: string; channel: string; ts: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    if (posted) {
      await tx
        .insert(slackMessages)
        .values({ ref: posted.ref, channel: posted.channel, ts: posted.ts, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({
          target: slackMessages.ref,
          set: { channel: posted.channel, ts: posted.ts, updatedAt: now },
        });
    }
    await tx
      .update(outbox)
      .set({
        status: 'sent',
        lastError: null,
        result: posted ? { channel: posted.channel, ts: posted.ts } : null,
        updatedAt: now,
      })
      .where(ours(claim));
  });
}

/** Tries again at `retryAt`; `countAttempt: false` (rate limits, waiting for a post) costs no attempt. */
export async function markRetry(
  db: Database,
  claim: Claim,
  now: Date,
  retryAt: Date,
  error: string,
  countAttempt: boolean,
): Promise<void> {
  await db
    .update(outbox)
    .set({
      nextAttemptAt: retryAt,
      lastError: error,
      updatedAt: now,
      ...(countAttempt ? {} : { attempts: sql`greatest(${outbox.attempts} - 1, 0)` }),
    })
    .where(ours(claim));
}

/** Gives up: the message stays, dead, with its last error, for admins to see. */
export async function markDead(db: Database, claim: Claim, now: Date, error: string): Promise<void> {
  await db.update(outbox).set({ status: 'dead', lastError: error, updatedAt: now }).where(ours(claim));
}

/** A newer update for the same message makes an older, unsent one pointless. */
export async function hasNewerUpdate(q: Queryable, id: number, ref: string): Promise<boolean> {
  const rows = await q
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.kind, 'update'),
        sql`${outbox.payload}->>'ref' = ${ref}`,
        sql`${outbox.id} > ${id}`,
        inArray(outbox.status, ['pending', 'sent']),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** Whether the post an update refers to is still on its way (or has died). */
export async function postState(q: Queryable, ref: string): Promise<'pending' | 'dead' | 'unknown'> {
  const [row] = await q
    .select({ status: outbox.status })
    .from(outbox)
    .where(and(eq(outbox.kind, 'post'), sql`${outbox.payload}->>'ref' = ${ref}`))
    .orderBy(asc(outbox.id))
    .limit(1);
  if (!row) return 'unknown';
  return row.status === 'dead' ? 'dead' : row.status === 'pending' ? 'pending' : 'unknown';
}

export type Undelivered = {
  count: number;
  recent: { ref: string; kind: string; attempts: number; lastError: string | null; since: Date }[];
};

/** Messages the dispatcher gave up on, newest first: admins see them to act on the cause. */
export async function undeliveredMessages(q: Queryable, limit = 3): Promise<Undelivered> {
  const [counted] = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(eq(outbox.status, 'dead'));
  const recent = await q
    .select({
      payload: outbox.payload,
      kind: outbox.kind,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      since: outbox.updatedAt,
    })
    .from(outbox)
    .where(eq(outbox.status, 'dead'))
    .orderBy(desc(outbox.updatedAt), desc(outbox.id))
    .limit(limit);
  return {
    count: Number(counted?.n ?? 0),
    recent: recent.map((row) => ({
      ref: (row.payload as OutboxMessage).ref,
      kind: row.kind,
      attempts: row.attempts,
      lastError: row.lastError,
      since: row.since,
    })),
  };
}
