import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { type RequestContext, runInRequest } from '../request-context.js';

/**
 * The door of the HTTP server. Every request runs in its own request context (so its log lines
 * and the outbox rows it queues carry one id) and is counted until answered. On shutdown the door
 * closes on every connection, fresh or kept alive: a request that arrives after that is answered
 * 503 with `Connection: close` and never reaches a listener, and the answers still to come for
 * requests already taken say `Connection: close` too, so no client sends another on them.
 */
export class HttpGate {
  #draining = false;
  readonly #open = new Set<ServerResponse>();
  #idle: (() => void)[] = [];

  constructor(
    /** Told when a Slack request has been answered (the ack), with the context the listeners filled in. */
    private readonly onAnswered?: (request: RequestContext, ms: number, status: number) => void,
  ) {}

  wrap(listener: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (this.#draining) {
        res.writeHead(503, { connection: 'close', 'retry-after': '5', 'content-type': 'text/plain' });
        res.end('shutting down; try again\n');
        return;
      }
      const startedAt = performance.now();
      const request: RequestContext = { requestId: randomUUID() };
      this.#open.add(res);
      res.on('close', () => {
        this.#open.delete(res);
        if (req.url?.startsWith('/slack/')) this.onAnswered?.(request, performance.now() - startedAt, res.statusCode);
        if (this.#open.size === 0) for (const wake of this.#idle.splice(0)) wake();
      });
      runInRequest(request, () => listener(req, res));
    };
  }

  /** Requests taken and not yet answered. */
  get open(): number {
    return this.#open.size;
  }

  /** Closes the door: new requests get 503, answers still to come close their connection. */
  close(): void {
    this.#draining = true;
    for (const res of this.#open) if (!res.headersSent) res.setHeader('connection', 'close');
  }

  /** Resolves once every request taken is answered, or at `deadline` with how many were not. */
  answered(deadline: number): Promise<number> {
    if (this.#open.size === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.#open.size), Math.max(0, deadline - Date.now()));
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(0);
      });
    });
  }

  /** Stops listening and ends every connection left (all idle by now, or past the deadline). */
  static closeServer(server: Server): Promise<void> {
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
