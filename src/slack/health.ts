import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';

export type Readiness = () => Promise<{ ready: boolean; checks: Record<string, string> }>;
export type Health = () => Record<string, unknown>;

/**
 * GET /healthz: the process answers (always 200), with what an operator should know, such as
 * Slack delivery paused and why. GET /readyz: the database answers and is fully migrated. A paused
 * delivery does not fail either: commands are still acknowledged, and a load balancer must not
 * pull every instance because Slack refuses the token.
 */
export function healthRoutes(readiness: Readiness, health: Health = () => ({})): CustomRoute[] {
  return [
    { path: '/healthz', method: 'GET', handler: (_req, res) => send(res, 200, { status: 'ok', ...health() }) },
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
