import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';

export type Readiness = () => Promise<{ ready: boolean; checks: Record<string, string> }>;
export type Health = () => Record<string, unknown>;
/** The Prometheus exposition (src/metrics.ts). */
export type Metrics = () => Promise<{ contentType: string; body: string }>;

/**
 * GET /healthz: the process answers (always 200), with what an operator should know, such as
 * Slack delivery paused and why. GET /readyz: the database answers and is fully migrated. A paused
 * delivery does not fail either: commands are still acknowledged, and a load balancer must not
 * pull every instance because Slack refuses the token. GET /metrics: only when metrics are enabled
 * (otherwise it is not found, like any unknown path).
 */
export function healthRoutes(readiness: Readiness, health: Health = () => ({}), metrics?: Metrics): CustomRoute[] {
  const routes: CustomRoute[] = [
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
  if (metrics) {
    routes.push({
      path: '/metrics',
      method: 'GET',
      handler: (_req, res) => {
        metrics().then(
          ({ contentType, body }) => {
            res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
            res.end(body);
          },
          (error: unknown) => send(res, 500, { error: String(error) }),
        );
      },
    });
  }
  return routes;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
