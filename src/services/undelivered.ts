import { inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { outbox } from '../db/schema.js';
import { authorize } from './authorization.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { dismissUndelivered, resendDead, type Undelivered, undeliveredMessages } from './outbox.js';
import { serviceTransaction } from './transaction.js';
import type { Result } from '../domain/result.js';

/** Dead messages and those pending for over an hour, for an administrator (App Home, the command line). */
export async function listUndelivered(ctx: ServiceContext, limit = 50): Promise<Result<{ undelivered: Undelivered }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const allowed = await authorize(tx, ctx, 'admin');
    if (!allowed.ok) return allowed;
    return { ok: true, undelivered: await undeliveredMessages(tx, ctx.clock.now(), limit) };
  });
}

/**
 * Sends dead messages again with a fresh delivery window (after the cause is fixed: a channel
 * unarchived, the app invited). Ids that are not dead are named back, untouched.
 */
export async function retryUndelivered(
  ctx: ServiceContext,
  ids: number[],
): Promise<Result<{ resent: number[]; skipped: number[]; unknown: number[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const allowed = await authorize(tx, ctx, 'admin');
    if (!allowed.ok) return allowed;
    const resent = await resendDead(tx, ids, ctx.clock.now());
    for (const id of resent) await recordAudit(tx, ctx, { action: 'outbox.resend', entity: 'outbox', entityId: id });
    const unknown = await unknownMessages(tx, ids);
    return { ok: true, resent, unknown, skipped: ids.filter((id) => !resent.includes(id) && !unknown.includes(id)) };
  });
}

/** Stops trying dead or long-pending messages an administrator decided are not worth sending. */
export async function dismissUndeliveredMessages(
  ctx: ServiceContext,
  ids: number[],
): Promise<Result<{ dismissed: number[]; skipped: number[]; unknown: number[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const allowed = await authorize(tx, ctx, 'admin');
    if (!allowed.ok) return allowed;
    const dismissed = await dismissUndelivered(tx, ids, ctx.clock.now());
    for (const id of dismissed) {
      await recordAudit(tx, ctx, { action: 'outbox.dismiss', entity: 'outbox', entityId: id });
    }
    const unknown = await unknownMessages(tx, ids);
    return {
      ok: true,
      dismissed,
      unknown,
      skipped: ids.filter((id) => !dismissed.includes(id) && !unknown.includes(id)),
    };
  });
}

/** Of these outbox ids, those no message has (mistyped, or from a database since restored from a backup). */
async function unknownMessages(q: Queryable, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const found = await q.select({ id: outbox.id }).from(outbox).where(inArray(outbox.id, ids));
  return ids.filter((id) => !found.some((row) => row.id === id));
}
