/** The built app as its own process, started with `npm start`'s command, as it runs in production. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// `npm start` itself would put npm between the bench and the app whose memory it reads.
const [node, ...startArgs] = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start.split(' ');

/** Spawns the app and measures until /readyz answers 200. */
export async function startAppProcess(
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<{ child: ChildProcess; ms: number }> {
  const started = performance.now();
  const child = spawn(node!, startArgs, { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  child.once('exit', (code, signal) => {
    if (!child.killed) console.error(`the app stopped by itself: exit code ${code}, signal ${signal}`);
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { child, ms: performance.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function stopAppProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A process's resident memory now and at its highest so far, in MB (Linux /proc). */
export function residentMemory(pid: number): { nowMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { nowMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/**
 * CPU time a process has used so far, user and system, in ms (Linux /proc, 100 ticks a second);
 * with `children`, also that of its children that have ended and been waited for.
 */
export function cpuMs(pid: number | 'self', { children = false } = {}): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  return (children ? own + Number(fields[13]) + Number(fields[14]) : own) * 10;
}

/**
 * CPU time each PostgreSQL process on this machine has used so far, in ms, by process id: the
 * postmaster's includes its ended children, so connections and autovacuum workers that came and
 * went in between (pgbench's clients) count too.
 */
export function postgresCpuMs(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres')
        byPid.set(Number(entry), cpuMs(Number(entry), { children: true }));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return byPid;
}

/**
 * PostgreSQL's CPU between two readings: what the processes alive at the second used since the
 * first (all of it for those started since), ended children included (`postgresCpuMs`).
 */
export function postgresCpuSince(before: Map<number, number>): number {
  const now = postgresCpuMs();
  let total = 0;
  for (const [pid, ms] of now) total += ms - (before.get(pid) ?? 0);
  // One that ended since is gone from /proc, its whole life now in the postmaster's figure.
  for (const [pid, ms] of before) if (!now.has(pid)) total -= ms;
  return total;
}
