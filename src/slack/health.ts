import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';

export type Readiness = () => Promise<{ ready: boolean; checks: Record<string, string> }>;

/** GET /healthz: the process answers. GET /readyz: the database answers and is fully migrated. */
export function healthRoutes(readiness: Readiness): CustomRoute[] {
  return [
    { path: '/healthz', method: 'GET', handler: (_req, res) => send(res, 200, { status: 'ok' }) },
    {
      path: '/readyz',
      method: 'GET',
      handler: (_req, res) => {
        readiness().then(
          ({ ready, checks }) => send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks }),
          (error: unknown) => send(res, 503, { status: 'not ready', error: String(error) }),
        );
      },
    },
  ];
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
