import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, lte, notInArray, or, type SQL, sql } from 'drizzle-orm';
import { type Database, preparedRows, type Queryable, queryRows, sqlList } from '../db/client.js';
import { outbox, slackMessages } from '../db/schema.js';
import { currentRequest, noteQueuedForSlack } from '../request-context.js';

/**
 * What a message says, as a named template and its view model: services know no Block Kit, so the
 * dispatcher renders it (blocks/) when it sends.
 */
export type MessageContent = { template: string; model: unknown };

/**
 * Slack messages that follow a state change, written in the same transaction as the change and
 * delivered later by the dispatcher. `ref` names the message for later updates, e.g.
 * `approval:12:U02BOB` (one manager's DM about timesheet 12). `homeOf` names a user whose App Home
 * shows the change the message tells of (an approver's waiting decisions, a consultant's sheet):
 * once it is delivered, their App Home (and the App Homes of those who act for them) is published
 * again. Queued after delivery rather than with the change, so a change locks no App Home rows of
 * other people in its transaction.
 */
export type OutboxMessage =
  | { kind: 'post'; ref: string; channel: string; content: MessageContent; homeOf?: string }
  | { kind: 'update'; ref: string; content: MessageContent; homeOf?: string }
  /** Publish the user's App Home as it stands when sent: one row per user, replaced, never queued per change. */
  | { kind: 'home'; ref: string; userId: string }
  | OutboxUpload;

/**
 * A file rendered when it is sent (`file` names its template and model, like a message) and
 * uploaded into the thread of the message `ref` names, once that message is posted; without a
 * post under `ref`, to `channel` (a user id means their DM). Uploads share their message's lane,
 * so a thread's files arrive in order after the message.
 */
export type OutboxUpload = {
  kind: 'upload';
  ref: string;
  channel: string;
  inThread: boolean;
  file: MessageContent;
  comment: string;
};

export type OutboxKind = OutboxMessage['kind'];

export type ClaimedMessage = {
  id: number;
  attempts: number;
  revision: number;
  dedupeKey: string;
  message: OutboxMessage;
  deliveringSince: Date;
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
      deliveringSince: now,
      createdAt: now,
      updatedAt: now,
      requestId: currentRequest()?.requestId ?? null,
    })
    .onConflictDoNothing({ target: outbox.dedupeKey });
  noteQueuedForSlack('message');
}

/**
 * A user's App Home is published at most once in this interval: a change right after a publish
 * waits for the rest of it, and every change made meanwhile goes out in that one publish. A burst
 * of `/log`s costs one render and one `views.publish`, not one per entry.
 */
export const HOME_PUBLISH_INTERVAL_MS = 2_000;

/**
 * Asks for the user's App Home to be published with its latest state. A home already waiting is
 * kept (with its age and any backoff) and marked as changed, so a publish in flight of an older
 * state is followed by another; a home sent, dead or dismissed before waits again: at once, or
 * until HOME_PUBLISH_INTERVAL_MS after the last publish.
 */
export async function enqueueHomeRefresh(tx: Queryable, userId: string, now: Date): Promise<void> {
  const [queued] = await queueHomeStatement(tx, homeRefreshOf(userId, now));
  noteHomeQueued(queued?.due);
}

/**
 * The statement `enqueueHomeRefresh` sends, queuing the home only `when` that holds, for a change's
 * own statement to queue it with the change (`with home as (${queueHomeWhen(...)}) ...`): its
 * placeholders from `homeRefreshOf`, then `noteHomeQueued`.
 */
export function queueHomeWhen(when: SQL): SQL {
  const value = sql.placeholder;
  const waiting = sql`${outbox.status} = 'pending'`;
  const nextPublish = sql`${outbox.updatedAt} + interval '${sql.raw(String(HOME_PUBLISH_INTERVAL_MS))} milliseconds'`;
  const justPublished = sql`${outbox.status} = 'sent' and ${nextPublish} > excluded.next_attempt_at`;
  const now = sql`${value('homeAt')}::timestamptz`;
  return sql`insert into ${outbox} (kind, dedupe_key, payload, next_attempt_at, delivering_since, created_at, updated_at, request_id)
        select 'home', ${value('homeRef')}::text, ${value('homePayload')}::jsonb, ${now}, ${now}, ${now}, ${now},
               ${value('homeRequestId')}::text
         where ${when}
        on conflict (dedupe_key) do update set
          status = 'pending',
          revision = ${outbox.revision} + 1,
          attempts = case when ${waiting} then ${outbox.attempts} else 0 end,
          next_attempt_at = case when ${waiting} then ${outbox.nextAttemptAt}
            when ${justPublished} then ${nextPublish} else excluded.next_attempt_at end,
          delivering_since = case when ${waiting} then ${outbox.deliveringSince} else excluded.delivering_since end,
          created_at = case when ${waiting} then ${outbox.createdAt} else excluded.created_at end,
          last_error = case when ${waiting} then ${outbox.lastError} else null end,
          -- The latest state is what goes out, so the latest request that changed it is the one traced.
          request_id = excluded.request_id,
          updated_at = excluded.updated_at
        returning ${outbox.nextAttemptAt} <= ${now} as due`;
}

/** The values of `queueHomeWhen`'s placeholders: whose home, and when it changed. */
export function homeRefreshOf(userId: string, now: Date): Record<string, unknown> {
  const message: OutboxMessage = { kind: 'home', ref: `home:${userId}`, userId };
  return {
    homeRef: message.ref,
    homePayload: JSON.stringify(message),
    homeAt: now.toISOString(),
    homeRequestId: currentRequest()?.requestId ?? null,
  };
}

/** After `queueHomeWhen`: a publish waiting out its interval is the poll's; one due now wakes the dispatcher. */
export function noteHomeQueued(due: boolean | undefined): void {
  if (due) noteQueuedForSlack('home');
}

/** Every change of someone's entries queues their home: built once, prepared by name (`preparedRows`). */
const queueHomeStatement = preparedRows<{ due: boolean }>('outbox_queue_home', queueHomeWhen(sql`true`));

const refOf = sql`(${outbox.payload}->>'ref')`;
/** New posts (they ask for or report a decision) before App Homes, and both before updates of existing messages. */
const priority = sql`case ${outbox.kind} when 'post' then 0 when 'home' then 1 else 2 end`;
/** A user's home keeps its row (and id) for good: homes go by how long they have been due, so every user gets a turn. */
const homesByDueTime = sql`case when ${outbox.kind} = 'home' then ${outbox.nextAttemptAt} end`;
/** Namespace of the per-ref advisory locks a claim takes (the second key is the ref's hash). */
const OUTBOX_REF_LOCK = 0x0b0c;

/** No step of this row's ref is leased now: nobody is sending it, and no unanswered call of it is being waited out. */
const refFree = (now: Date) => sql`not exists (
  select 1 from ${outbox} leased
  where (leased.payload->>'ref') = ${refOf} and leased.leased_until is not null
    and leased.leased_until > ${now} and leased.status = 'pending')`;

export type ClaimOptions = {
  now: Date;
  leaseUntil: Date;
  limit: number;
  /** Messages (refs) this dispatcher is still sending: their next steps wait, so a hung call holds only its own message. */
  busyRefs: string[];
  /** Kinds held back, e.g. while Slack's rate limit for their method lasts. */
  pausedKinds: OutboxKind[];
  /** At most this many App Homes (their publishes are paced); the longest waiting go first. */
  homeLimit?: number;
  /** Called inside the claim's transaction once its refs are locked (tests hold it there). */
  refsLocked?: () => Promise<void>;
};

/**
 * Claims due messages for this dispatcher, leasing each claimed row until `leaseUntil` so a
 * dispatcher that dies mid-send gives it back. A message (ref) is claimed as a whole: no step of
 * a ref another dispatcher holds is claimed, and two claims racing for one ref are kept apart by
 * an advisory lock on the ref for the claim's transaction (the loser leaves the ref to the
 * winner), so the steps of one Slack message reach Slack in order across instances. Of several
 * waiting updates of one message the older ones are settled unsent (superseded): only the newest
 * state goes out. One transaction of three statements (candidates with their ref locks, supersede,
 * lease); two when no update is claimed. `moreMayBeDue` says whether the candidates filled the limit.
 */
export async function claimDueMessages(
  db: Database,
  options: ClaimOptions,
): Promise<{ claimed: ClaimedMessage[]; moreMayBeDue: boolean }> {
  const { now, leaseUntil, limit, busyRefs, pausedKinds } = options;
  let moreMayBeDue = false;
  const claimed = await db.transaction(async (tx): Promise<ClaimedMessage[]> => {
    const candidates = tx
      .select({
        id: outbox.id,
        kind: outbox.kind,
        ref: sql<string>`${refOf}`.as('ref'),
        rank: sql`${priority}`.as('rank'),
        homeDue: sql`${homesByDueTime}`.as('home_due'),
      })
      .from(outbox)
      .where(
        and(
          eq(outbox.status, 'pending'),
          lte(outbox.nextAttemptAt, now),
          or(isNull(outbox.leasedUntil), lte(outbox.leasedUntil, now)),
          refFree(now),
          busyRefs.length > 0 ? notInArray(refOf, busyRefs) : undefined,
          pausedKinds.length > 0 ? notInArray(outbox.kind, pausedKinds) : undefined,
        ),
      )
      .orderBy(priority, homesByDueTime, asc(outbox.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    // The candidates' rows and their refs' advisory locks in one statement; the locks are held
    // until commit: a racing claim of the same ref skips it, one after the commit sees the lease.
    const rows = await queryRows<{ id: number | string; kind: OutboxKind; ref: string; locked: boolean }>(
      tx,
      sql`with due as (${candidates})
          select id, kind, ref, pg_try_advisory_xact_lock(${OUTBOX_REF_LOCK}, hashtext(ref)) as locked
            from due order by rank, home_due, id`,
    );
    // As many as the limit: more may be waiting behind them.
    moreMayBeDue = rows.length >= limit;
    let homes = 0;
    const due = rows
      // Homes past the limit stay for a later round; one whose ref another claim holds takes no place.
      .filter((row) => row.kind !== 'home' || (row.locked && ++homes <= (options.homeLimit ?? Infinity)))
      // A bigserial: node-postgres reads it as text.
      .map((row) => ({ ...row, id: Number(row.id) }));
    const lockedRefs = [...new Set(due.filter((row) => row.locked).map((row) => row.ref))];
    if (lockedRefs.length === 0) return [];
    await options.refsLocked?.();
    // Only an update can be superseded, and only when one is being claimed does it change what goes out.
    const claimsAnUpdate = due.some((row) => row.kind === 'update' && lockedRefs.includes(row.ref));
    const superseded = !claimsAnUpdate
      ? []
      : await queryRows<{ id: number }>(
          tx,
          sql`update ${outbox} set status = 'sent', result = '{"superseded": true}'::jsonb, last_error = null,
            leased_until = null, updated_at = ${now}
          where ${outbox.kind} = 'update' and ${outbox.status} = 'pending' and ${refOf} in (${sqlList(lockedRefs)})
            and (${outbox.leasedUntil} is null or ${outbox.leasedUntil} <= ${now})
            and exists (
              select 1 from ${outbox} newer
              where newer.kind = 'update' and (newer.payload->>'ref') = ${refOf}
                and newer.id > ${outbox.id} and newer.status in ('pending', 'sent'))
          returning ${outbox.id} as id`,
        );
    const gone = new Set(superseded.map((row) => Number(row.id)));
    const mine = new Set(lockedRefs);
    const ids = due.filter((row) => mine.has(row.ref) && !gone.has(row.id)).map((row) => row.id);
    if (ids.length === 0) return [];
    const claimed = await tx
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, leasedUntil: leaseUntil, updatedAt: now })
      // Read again now the refs are locked: a claim that committed in between holds its ref.
      .where(and(inArray(outbox.id, ids), refFree(now)))
      .returning();
    const order = new Map(due.map((row, index) => [row.id, index]));
    return claimed
      .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
      .map((row) => ({
        id: row.id,
        attempts: row.attempts,
        revision: row.revision,
        dedupeKey: row.dedupeKey,
        message: row.payload as OutboxMessage,
        deliveringSince: row.deliveringSince,
        requestId: row.requestId,
      }));
  });
  return { claimed, moreMayBeDue };
}

/**
 * Keeps the leases of claims still being sent (a slow Slack must not let another instance take
 * them over) until `until`. Returns the ids still held; a claim missing from it was settled or lost.
 */
export async function renewLeases(db: Database, claims: Claim[], until: Date, now: Date): Promise<number[]> {
  if (claims.length === 0) return [];
  const rows = await db
    .update(outbox)
    // Only ever later: a hold set meanwhile by an unanswered call (markRetry) is kept.
    .set({ leasedUntil: sql`greatest(${outbox.leasedUntil}, ${until})`, updatedAt: now })
    .where(
      and(
        eq(outbox.status, 'pending'),
        isNotNull(outbox.leasedUntil),
        or(...claims.map((claim) => and(eq(outbox.id, claim.id), eq(outbox.attempts, claim.attempts)))),
      ),
    )
    .returning({ id: outbox.id });
  return rows.map((row) => row.id);
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
export type Claim = { id: number; attempts: number; revision: number };
const ours = (claim: Claim) =>
  and(
    eq(outbox.id, claim.id),
    eq(outbox.attempts, claim.attempts),
    eq(outbox.revision, claim.revision),
    eq(outbox.status, 'pending'),
  );

/**
 * A post is recorded with where it landed, so updates can find it and it is never posted twice.
 * False when the claim no longer holds (a newer revision came in, or the lease passed to another).
 */
export async function markSent(
  db: Database,
  claim: Claim,
  now: Date,
  posted?: { ref: string; channel: string; ts: string },
): Promise<boolean> {
  const settle = async (q: Queryable) => {
    const sent = await q
      .update(outbox)
      .set({
        status: 'sent',
        lastError: null,
        result: posted ? { channel: posted.channel, ts: posted.ts } : null,
        leasedUntil: null,
        updatedAt: now,
      })
      .where(ours(claim))
      .returning({ id: outbox.id });
    return sent.length > 0;
  };
  // Only a post has a second row to write with it; anything else settles in one statement.
  if (!posted) return settle(db);
  return db.transaction(async (tx) => {
    await tx
      .insert(slackMessages)
      .values({ ref: posted.ref, channel: posted.channel, ts: posted.ts, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: slackMessages.ref,
        set: { channel: posted.channel, ts: posted.ts, updatedAt: now },
      });
    return settle(tx);
  });
}

/**
 * An App Home changed while it was being published: the newer state goes out once the publish
 * interval since this one has passed (HOME_PUBLISH_INTERVAL_MS).
 */
export async function resendChanged(db: Database, claim: Claim, now: Date): Promise<void> {
  await db
    .update(outbox)
    .set({ nextAttemptAt: new Date(now.getTime() + HOME_PUBLISH_INTERVAL_MS), leasedUntil: null, updatedAt: now })
    .where(and(eq(outbox.id, claim.id), eq(outbox.attempts, claim.attempts), eq(outbox.status, 'pending')));
}

/**
 * Tries again at `retryAt`; `countAttempt: false` (rate limits, waiting for a post) costs no attempt.
 * `holdRef`: Slack may still be doing what the last call asked (it got no answer), so the whole
 * message (ref) stays leased until then and none of its other steps overtakes that call.
 */
export async function markRetry(
  db: Database,
  claim: Claim,
  now: Date,
  retryAt: Date,
  error: string,
  countAttempt: boolean,
  holdRef = false,
): Promise<void> {
  await db
    .update(outbox)
    .set({
      nextAttemptAt: retryAt,
      leasedUntil: holdRef ? retryAt : null,
      lastError: error,
      updatedAt: now,
      ...(countAttempt ? {} : { attempts: sql`greatest(${outbox.attempts} - 1, 0)` }),
    })
    .where(ours(claim));
}

/** Gives up: the message stays, dead, with its last error, for admins to see. */
export async function markDead(db: Database, claim: Claim, now: Date, error: string): Promise<void> {
  await db
    .update(outbox)
    .set({ status: 'dead', lastError: error, leasedUntil: null, updatedAt: now })
    .where(ours(claim));
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

/** A pending message older than this is shown to administrators beside the dead ones. */
export const LONG_PENDING_MS = 60 * 60_000;

export type UndeliveredMessage = {
  id: number;
  ref: string;
  kind: string;
  status: 'pending' | 'dead';
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  nextAttemptAt: Date;
  /** While a dispatcher is sending it: until when its claim holds. */
  leasedUntil: Date | null;
};

export type Undelivered = { count: number; recent: UndeliveredMessage[] };

const undelivered = (now: Date) =>
  or(
    eq(outbox.status, 'dead'),
    and(eq(outbox.status, 'pending'), lt(outbox.createdAt, new Date(now.getTime() - LONG_PENDING_MS))),
  );

/**
 * Messages the dispatcher gave up on and those still waiting after an hour, newest first:
 * administrators see them to act on the cause, then resend or dismiss them.
 */
export async function undeliveredMessages(
  q: Queryable,
  now: Date,
  limit = 5,
  /** `dead`: only those the dispatcher gave up on (the daily digest). */
  only?: 'dead',
): Promise<Undelivered> {
  const which = only === 'dead' ? eq(outbox.status, 'dead') : undelivered(now);
  const [counted] = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(which);
  const recent = await q
    .select({
      id: outbox.id,
      payload: outbox.payload,
      kind: outbox.kind,
      status: outbox.status,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
      nextAttemptAt: outbox.nextAttemptAt,
      leasedUntil: outbox.leasedUntil,
    })
    .from(outbox)
    .where(which)
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(limit);
  return {
    count: Number(counted?.n ?? 0),
    recent: recent.map((row) => ({
      id: row.id,
      ref: (row.payload as OutboxMessage).ref,
      kind: row.kind,
      status: row.status === 'dead' ? 'dead' : 'pending',
      attempts: row.attempts,
      lastError: row.lastError,
      createdAt: row.createdAt,
      nextAttemptAt: row.nextAttemptAt,
      leasedUntil: row.leasedUntil,
    })),
  };
}

/**
 * Sends dead messages again, with a fresh delivery window. Returns the ids it requeued; a message
 * still pending is already being retried and is left to its schedule (resending it now could send
 * it twice while an attempt is in flight). A dead message was tried, and its last call may have
 * reached Slack unanswered: its attempts restart at one, so the next is a retry, and a post looks
 * in its conversation before posting again.
 */
export async function resendDead(q: Queryable, ids: number[], now: Date): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await q
    .update(outbox)
    .set({
      status: 'pending',
      attempts: sql`least(${outbox.attempts}, 1)`,
      nextAttemptAt: now,
      deliveringSince: now,
      leasedUntil: null,
      updatedAt: now,
    })
    .where(and(inArray(outbox.id, ids), eq(outbox.status, 'dead')))
    .returning({ id: outbox.id });
  if (rows.length > 0) noteQueuedForSlack('message');
  return rows.map((row) => row.id);
}

/** Stops trying: dead or long-pending messages an administrator decided not to send. Returns the ids dismissed. */
export async function dismissUndelivered(q: Queryable, ids: number[], now: Date): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await q
    .update(outbox)
    .set({ status: 'dismissed', leasedUntil: null, updatedAt: now })
    .where(and(inArray(outbox.id, ids), undelivered(now)))
    .returning({ id: outbox.id });
  return rows.map((row) => row.id);
}

/** Age bands of waiting messages, for monitoring: the last one is what administrators are shown. */
export const OUTBOX_AGE_BANDS = ['under_1m', '1m_to_1h', 'over_1h'] as const;
export type OutboxDepth = {
  status: 'pending' | 'dead';
  age: (typeof OUTBOX_AGE_BANDS)[number];
  messages: number;
  /** Age of the oldest message of the status, in seconds. */
  oldestSeconds: number;
}[];

/**
 * Messages still waiting and dead ones, counted by age band in one query (the metrics scrape):
 * sent messages are not counted, so the query reads the `(status, next_attempt_at)` index only.
 */
export async function outboxDepth(q: Queryable, now: Date): Promise<OutboxDepth> {
  const minuteAgo = new Date(now.getTime() - 60_000).toISOString();
  const hourAgo = new Date(now.getTime() - LONG_PENDING_MS).toISOString();
  const band = sql<OutboxDepth[number]['age']>`case
    when ${outbox.createdAt} > ${minuteAgo}::timestamptz then 'under_1m'
    when ${outbox.createdAt} > ${hourAgo}::timestamptz then '1m_to_1h'
    else 'over_1h' end`;
  const rows = await q
    .select({
      status: outbox.status,
      age: band,
      messages: sql<number>`count(*)::int`,
      oldest: sql<Date>`min(${outbox.createdAt})`,
    })
    .from(outbox)
    .where(inArray(outbox.status, ['pending', 'dead']))
    // By position: the band's bound values would make it a different expression in GROUP BY.
    .groupBy(sql`1`, sql`2`);
  return rows.map((row) => ({
    status: row.status as 'pending' | 'dead',
    age: row.age,
    messages: Number(row.messages),
    oldestSeconds: Math.max(0, (now.getTime() - new Date(row.oldest).getTime()) / 1000),
  }));
}
