import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs test/support/guarded-process.ts in `mode`: its exit code and stdout lines. */
function run(mode: 'stray' | 'storm'): { status: number | null; lines: string[] } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/guarded-process.ts', mode], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: child.status, lines: child.stdout.trim().split('\n') };
}

describe('process guards', () => {
  it('log a rejection nobody handled and an uncaught exception at error level, and the process keeps serving', () => {
    const { status, lines } = run('stray');
    expect(status).toBe(0);
    expect(lines.at(-1)).toBe('still serving');
    const errors = lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(errors.map((e) => [e.level, e.message])).toEqual([
      ['error', 'a promise was rejected and nothing handled it; still serving'],
      ['error', 'an exception was not caught; still serving'],
    ]);
    expect(JSON.stringify(errors)).toContain('nobody awaited this');
    expect(JSON.stringify(errors)).toContain('thrown from a timer');
  });

  it('start the normal shutdown when more than ten exceptions escape within a minute', () => {
    const { status, lines } = run('storm');
    expect(status).toBe(1);
    expect(lines).not.toContain('still serving');
    expect(lines.at(-1)).toBe('shutdown: uncaughtException');
    expect(lines.filter((line) => line.includes('an exception was not caught; still serving'))).toHaveLength(10);
    expect(lines.filter((line) => line.includes('uncaught exceptions keep coming; shutting down'))).toHaveLength(1);
  });
});
