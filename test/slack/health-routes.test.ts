/**
 * /readyz and /metrics when their checks fail, as a load balancer or Prometheus sees them over
 * HTTP: 503 with the reason, 500 with the error, and no /metrics at all unless metrics are enabled.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomRoute } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { healthRoutes } from '../../src/slack/health.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** Serves the routes as Bolt does (method and path), anything else 404. */
async function serve(routes: CustomRoute[]): Promise<string> {
  server = createServer((req, res) => {
    const route = routes.find((r) => r.path === req.url && r.method === req.method);
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    void route.handler(Object.assign(req, { params: {} }), res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
};

describe('health routes', () => {
  it('answer 503 not ready with the checks when the database is not migrated', async () => {
    const url = await serve(
      healthRoutes(() => Promise.resolve({ ready: false, checks: { database: 'migrations missing' } })),
    );
    const ready = await get(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'not ready', checks: { database: 'migrations missing' } });
  });

  it('answer 503 not ready with the error when the readiness check itself fails', async () => {
    const url = await serve(healthRoutes(() => Promise.reject(new Error('connection refused'))));
    const ready = await get(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'not ready', error: 'Error: connection refused' });
  });

  it('answer /healthz ok without extra health, and have no /metrics unless enabled', async () => {
    const url = await serve(healthRoutes(() => Promise.resolve({ ready: true, checks: {} })));
    expect(JSON.parse((await get(`${url}/healthz`)).body)).toEqual({ status: 'ok' });
    expect((await get(`${url}/metrics`)).status).toBe(404);
  });

  it('serve metrics in their own content type, and 500 with the error when collecting them fails', async () => {
    const ready = () => Promise.resolve({ ready: true, checks: {} });
    let failing = false;
    const url = await serve(
      healthRoutes(ready, undefined, () =>
        failing
          ? Promise.reject(new Error('registry closed'))
          : Promise.resolve({ contentType: 'text/plain; version=0.0.4', body: 'up 1\n' }),
      ),
    );
    expect(await get(`${url}/metrics`)).toEqual({ status: 200, type: 'text/plain; version=0.0.4', body: 'up 1\n' });
    failing = true;
    const failed = await get(`${url}/metrics`);
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body)).toEqual({ error: 'Error: registry closed' });
  });
});
