import { auditedSoFar, noteChangeCommitted } from '../request-context.js';
import type { Database, Transaction } from '../db/client.js';

/** Carries a service's answer out of a transaction that must not commit. */
class RolledBack extends Error {
  constructor(readonly answer: unknown) {
    super('rolled back');
  }
}

/** Ends the current `serviceTransaction` without committing anything, answering `answer`. */
export function rollback(answer: unknown): never {
  throw new RolledBack(answer);
}

/**
 * Runs a use case in one transaction. An answer of `{ ok: false }` (the user got something wrong)
 * rolls back whatever the use case wrote on the way, so a refusal never leaves half a change. A
 * commit of an audited change is noted on the request, so a failure after it is not answered with
 * "nothing was saved".
 */
export async function serviceTransaction<T extends { ok: boolean }>(
  db: Database,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const audited = auditedSoFar();
  try {
    const answer = await db.transaction(async (tx) => {
      const answer = await work(tx);
      if (!answer.ok) rollback(answer);
      return answer;
    });
    if (auditedSoFar() > audited) noteChangeCommitted();
    return answer;
  } catch (error) {
    if (error instanceof RolledBack) return error.answer as T;
    throw error;
  }
}
