import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a Slack request is, carried through everything it causes without passing it along: log
 * lines, the outbox rows it queues (and so the Slack calls that deliver them) name its id.
 * The HTTP server opens it when a request arrives; the Bolt middleware fills in who and what.
 */
export type RequestContext = {
  requestId: string;
  userId?: string;
  /** The slash command, action or view the request carries, e.g. `/log` or `approve`. */
  command?: string;
  /** What the edge read the request as (`command`, `action`, `view_submission`, `event`, …). */
  kind?: string;
  /**
   * It queued something for Slack that is due now, so the outbox is woken when it ends (not polled
   * for): only App Homes, whose publishes are paced, or a message.
   */
  queuedForSlack?: 'home' | 'message';
  /** Audit rows it asked to write (`recordAudit`, a new entry's own): a transaction that committed some made a change. */
  audited?: number;
  /**
   * A change it made is committed (an audited one in `serviceTransaction`, or a `/log` saved by its
   * own statement): a failure after that must not tell the user nothing was saved.
   */
  changeCommitted?: boolean;
};

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `work` inside `context`; everything it awaits sees the same context. */
export function runInRequest<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The request being served, if any (a job or the dispatcher's own round has none). */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Notes that the request being served queued something for Slack due now (see `queuedForSlack`). */
export function noteQueuedForSlack(what: 'home' | 'message'): void {
  const request = storage.getStore();
  if (request && request.queuedForSlack !== 'message') request.queuedForSlack = what;
}

/** Counts an audit row the request being served wrote. */
export function noteAudited(): void {
  const request = storage.getStore();
  if (request) request.audited = (request.audited ?? 0) + 1;
}

/** How many audit rows the request being served has written so far. */
export function auditedSoFar(): number {
  return storage.getStore()?.audited ?? 0;
}

/** Notes that a change the request being served made is committed. */
export function noteChangeCommitted(): void {
  const request = storage.getStore();
  if (request) request.changeCommitted = true;
}
