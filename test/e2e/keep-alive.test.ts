import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';

let h: AppHarness;
beforeAll(async () => {
  h = await startAppHarness();
});
afterAll(async () => h.stop());

/** What the app sends on `socket` until `count` complete /healthz answers are in or it closes the connection. */
function answers(socket: Socket, count: number): Promise<{ statuses: number[]; closed: boolean; text: string }> {
  return new Promise((resolve) => {
    let text = '';
    const statuses = (): number[] => [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
    const done = (closed: boolean): void => {
      socket.removeAllListeners('data');
      resolve({ statuses: statuses(), closed, text });
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      // Each answer is chunked: complete once its last, empty chunk is in.
      if (text.split('\r\n0\r\n\r\n').length - 1 >= count) done(false);
    });
    socket.once('close', () => done(true));
  });
}

const request = 'GET /healthz HTTP/1.1\r\nHost: app\r\nConnection: keep-alive\r\n\r\n';

describe('HTTP keep-alive', () => {
  // A proxy in front of the app (or Slack) reuses idle connections and closes them after its own
  // idle timeout, commonly 60 s. Node's default keeps them 5 s: a request sent on a connection the
  // app is closing at that moment is dropped unanswered ("other side closed", ECONNRESET), which
  // happened under load in tests and benchmarks. The app keeps them longer than such a proxy.
  it('keeps an idle connection open past 5 s and answers the next request on it, saying so in Keep-Alive', async () => {
    const socket = connect(Number(new URL(h.appUrl).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const first = answers(socket, 1);
    socket.write(request);
    expect(await first).toMatchObject({
      statuses: [200],
      closed: false,
      text: expect.stringMatching(/Keep-Alive: timeout=65/i),
    });

    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const second = answers(socket, 1);
    socket.write(request);
    expect(await second).toMatchObject({ statuses: [200], closed: false });
    socket.destroy();
  });
});
