/**
 * The render thread yields the CPU to the threads that answer Slack: on two busy cores a report
 * may take longer, a `/log` ack may not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ReportRenderer } from '../../src/reports/render-pool.js';
import { RENDER_THREAD_NICENESS } from '../../src/reports/thread-priority.js';

/** Niceness of each thread of this process, by thread id (field 19 of /proc/…/stat). */
function threadNiceness(): Map<number, number> {
  const niceness = new Map<number, number>();
  for (const threadId of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${threadId}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    niceness.set(Number(threadId), Number(fields[16]));
  }
  return niceness;
}

let renderer: ReportRenderer | undefined;
afterEach(async () => {
  await renderer?.close();
  renderer = undefined;
});

describe('render thread priority', () => {
  it('the thread that renders a report runs at the lowest CPU priority; the thread answering requests keeps its own', async () => {
    const before = threadNiceness();
    const mainThread = before.get(process.pid)!;
    expect(mainThread).toBeLessThan(RENDER_THREAD_NICENESS);

    renderer = new ReportRenderer({ threads: 1, queueLimit: 1 });
    const heading = {
      firmName: 'Firm',
      title: 'Accounts Receivable — Summary',
      shortTitle: 'AR summary',
      periods: '1–15 Nov 2026',
      filters: [],
      generated: 'Generated today',
    };
    const rendered = await renderer.render({ kind: 'ar', level: 'summary', heading, withPdf: false }, []);
    expect(rendered.rows).toBe(0);

    const after = threadNiceness();
    const lowered = [...after].filter(
      ([threadId, niceness]) => !before.has(threadId) && niceness === RENDER_THREAD_NICENESS,
    );
    expect(lowered).toHaveLength(1);
    expect(after.get(process.pid)).toBe(mainThread);
    for (const [threadId, niceness] of before)
      if (after.has(threadId)) expect(after.get(threadId), `thread ${threadId}`).toBe(niceness);
  });
});
