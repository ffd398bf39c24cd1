import { auditLog } from '../db/schema.js';
import type { Queryable } from '../db/client.js';
import { auditActorId, type ServiceContext } from './context.js';

export type AuditChange = {
  action: string;
  entity: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
};

/** Appends one audit row; call it inside the transaction that makes the change. */
export async function recordAudit(tx: Queryable, ctx: ServiceContext, change: AuditChange): Promise<void> {
  await tx.insert(auditLog).values({
    at: ctx.clock.now(),
    actorId: auditActorId(ctx.actor),
    actingFor: ctx.actor.kind === 'user' ? (ctx.actor.actingFor ?? null) : null,
    action: change.action,
    entity: change.entity,
    entityId: String(change.entityId),
    before: change.before ?? null,
    after: change.after ?? null,
  });
}
