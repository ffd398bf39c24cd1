/**
 * The gate in front of PGlite (src/db/query-lanes.ts): one piece of work at a time, requests
 * before the outbox and the jobs, and neither lane starved.
 */
import { describe, expect, it } from 'vitest';
import { type Lane, LaneGate } from '../../src/db/query-lanes.js';

/** A gate held by one piece of work until `release()`, with the order later work ran in. */
function heldGate(now: () => number = () => 0) {
  const gate = new LaneGate(500, now);
  let release!: () => void;
  const holder = gate.run('foreground', () => new Promise<void>((resolve) => (release = resolve)));
  const order: string[] = [];
  const queue = (lane: Lane, name: string) =>
    gate.run(lane, () => {
      order.push(name);
      return Promise.resolve(name);
    });
  return { gate, holder, release: () => release(), order, queue };
}

describe('LaneGate', () => {
  it('runs waiting requests before background work that asked earlier, each lane in arrival order', async () => {
    const { holder, release, order, queue } = heldGate();
    const all = [queue('background', 'home 1'), queue('foreground', '/log 1'), queue('background', 'home 2')];
    all.push(queue('foreground', '/log 2'));
    release();
    await Promise.all([holder, ...all]);

    expect(order).toEqual(['/log 1', '/log 2', 'home 1', 'home 2']);
  });

  it('lets background work that waited 500 ms take every other turn while requests keep coming', async () => {
    let now = 0;
    const { holder, release, order, queue } = heldGate(() => now);
    const all = [queue('background', 'home 1'), queue('background', 'home 2')];
    all.push(queue('foreground', '/log 1'), queue('foreground', '/log 2'), queue('foreground', '/log 3'));
    now = 500;
    release();
    await Promise.all([holder, ...all]);

    expect(order).toEqual(['home 1', '/log 1', 'home 2', '/log 2', '/log 3']);
  });

  it('lets a request that arrives before background work has had its turn of the event loop go first', async () => {
    const { holder, release, order, queue } = heldGate();
    const home = queue('background', 'home');
    release();
    await holder; // the gate is free; the App Home read starts on the next turn of the event loop
    const log = queue('foreground', '/log');
    await Promise.all([home, log]);

    expect(order).toEqual(['/log', 'home']);
  });

  it('lets no request pass background work whose turn has come because it waited 500 ms', async () => {
    let now = 0;
    const { holder, release, order, queue } = heldGate(() => now);
    const home = queue('background', 'home');
    const first = queue('foreground', '/log 1');
    now = 500;
    release();
    await holder; // the home's turn has come
    const fresh = queue('foreground', '/log 2');
    await Promise.all([home, first, fresh]);

    expect(order).toEqual(['home', '/log 1', '/log 2']);
  });

  it('fails only the work that threw, and lets the next through', async () => {
    const { gate, holder, release, order, queue } = heldGate();
    const failing = gate.run('foreground', () => Promise.reject(new Error('connection lost')));
    const next = queue('foreground', '/log after');
    release();

    await expect(failing).rejects.toThrow('connection lost');
    expect(await next).toBe('/log after');
    await holder;
    expect(order).toEqual(['/log after']);
  });
});
