/** A listener that throws still answers the user and leaves a log line, whether it had acked or not. */
import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { type EdgeContext, OUR_FAULT } from '../../src/slack/edge/edge-receiver.js';
import { RequestAnswer } from '../../src/slack/edge/request-answer.js';
import type { RequestKind } from '../../src/slack/edge/request-shapes.js';
import { ackingFirst, answeringErrors, tellUser } from '../../src/slack/listeners/safe.js';

function recording(options: { postFails?: boolean } = {}) {
  const lines: { level: string; message: string }[] = [];
  const log = createLogger('debug', (line) => lines.push(JSON.parse(line) as { level: string; message: string }));
  const acks: unknown[] = [];
  const posts: { channel: string; text: string }[] = [];
  const client = {
    chat: {
      postMessage: (message: { channel: string; text: string }) => {
        if (options.postFails) return Promise.reject(new Error('channel_not_found'));
        posts.push(message);
        return Promise.resolve({ ok: true });
      },
    },
  } as unknown as WebClient;
  const ack = (response?: unknown) => {
    acks.push(response);
    return Promise.resolve();
  };
  /** What the edge puts in `context.edge` for a request of this kind from this user. */
  const context = (kind: RequestKind, userId: string): { edge: EdgeContext } => ({
    edge: {
      requestId: 'r1',
      kind,
      userId,
      formBlock: undefined,
      answer: new RequestAnswer(ack, { id: 'r1', kind, responseUrl: undefined }, log),
    },
  });
  return { log, lines, acks, posts, client, ack, context };
}

const command = { command: '/log', user_id: 'U1' };
const boom = () => Promise.reject(new Error('database down'));

describe('answeringErrors (commands)', () => {
  it('answers in the ack when the listener failed before acking', async () => {
    const r = recording();
    const { edge } = r.context('command', 'U1');
    await answeringErrors(r.log, boom)({ command, ack: edge.answer.ack, client: r.client, context: { edge } } as never);
    expect(r.acks).toEqual([{ response_type: 'ephemeral', text: OUR_FAULT, blocks: expect.any(Array) }]);
    expect(r.posts).toEqual([]);
    expect(r.lines).toMatchObject([{ level: 'error', message: 'request failed' }]);
  });

  it('tells the user in a DM when the listener had acked already', async () => {
    const r = recording();
    const { edge } = r.context('command', 'U1');
    await answeringErrors(r.log, async ({ ack }) => {
      await ack();
      await boom();
    })({ command, ack: edge.answer.ack, client: r.client, context: { edge } } as never);
    expect(r.acks).toEqual([undefined]);
    expect(r.posts).toMatchObject([{ channel: 'U1', text: OUR_FAULT }]);
    expect(r.lines).toMatchObject([{ level: 'error', message: 'request failed' }]);
  });
});

describe('ackingFirst (buttons and shortcuts)', () => {
  it('acks at once, then tells the user in a DM that the click failed', async () => {
    const r = recording();
    const { edge } = r.context('action', 'U2');
    await ackingFirst(
      r.log,
      boom,
    )({
      body: { type: 'block_actions', user: { id: 'U2' } },
      ack: edge.answer.ack,
      client: r.client,
      context: { edge },
    } as never);
    expect(r.acks).toHaveLength(1);
    expect(r.posts).toMatchObject([{ channel: 'U2', text: OUR_FAULT }]);
    expect(r.lines).toMatchObject([{ level: 'error', message: 'request failed' }]);
  });
});

describe('tellUser', () => {
  it('logs a warning instead of throwing when the DM cannot be sent', async () => {
    const r = recording({ postFails: true });
    await tellUser(r.client, { userId: 'U3' }, 'hello', r.log);
    expect(r.lines).toMatchObject([{ level: 'warn', message: 'could not tell the user about a problem' }]);
  });
});
