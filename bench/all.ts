/**
 * Every benchmark at a size that finishes in a few minutes on a 2-core machine, on PGlite and (with
 * BENCH_DATABASE_URL) on PostgreSQL, then one table: each figure next to the reference measured in
 * the same run, the ratio, the goal and whether it is met. Each benchmark runs as its own process
 * (`npx tsx bench/<name>.ts` with its small-size settings) and hands its figures over through the
 * file named by BENCH_FIGURES (`bench/figures.ts`).
 *
 *   npm run bench                                                                     # PGlite only
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench      # both
 *   BENCH_ONLY=growth,scale-out npm run bench                                         # some of them
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Figure } from './figures.js';

type Database = 'PGlite' | 'PostgreSQL';
type Benchmark = { script: string; databases: Database[]; env: Record<string, string> };

/** Small sizes: each benchmark's own settings, documented at the top of its file. */
const BENCHMARKS: Benchmark[] = [
  { script: 'log-ack', databases: ['PGlite', 'PostgreSQL'], env: { BENCH_REQUESTS: '50' } },
  {
    script: 'log-throughput',
    databases: ['PGlite', 'PostgreSQL'],
    env: { BENCH_HISTORY: '10000,100000', BENCH_CONCURRENCY: '16,64', BENCH_SECONDS: '3' },
  },
  {
    script: 'report-detail',
    databases: ['PGlite', 'PostgreSQL'],
    env: { BENCH_RENDER_ROWS: '5000', BENCH_RENDER_ROUNDS: '1' },
  },
  { script: 'report-summary', databases: ['PostgreSQL'], env: { BENCH_ENTRIES: '111112' } },
  { script: 'approval-fanout', databases: ['PGlite', 'PostgreSQL'], env: {} },
  { script: 'admin-pages', databases: ['PGlite', 'PostgreSQL'], env: { BENCH_ROUNDS: '10' } },
  { script: 'memory', databases: ['PGlite', 'PostgreSQL'], env: { BENCH_REQUESTS: '400' } },
  { script: 'scale-out', databases: ['PostgreSQL'], env: { BENCH_SECONDS: '5' } },
  { script: 'growth', databases: ['PGlite', 'PostgreSQL'], env: {} },
];

const serverUrl = process.env.BENCH_DATABASE_URL;
const only = process.env.BENCH_ONLY?.split(',');
const work = mkdtempSync(join(tmpdir(), 'consultracker-bench-all-'));
const figuresFile = join(work, 'figures.jsonl');
const failures: string[] = [];
const started = performance.now();

console.log(
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )}; PostgreSQL: ${serverUrl ? 'BENCH_DATABASE_URL' : 'skipped (set BENCH_DATABASE_URL)'}; output in ${work}`,
);
try {
  for (const bench of BENCHMARKS.filter((b) => !only || only.includes(b.script))) {
    for (const database of bench.databases) {
      if (database === 'PostgreSQL' && !serverUrl) continue;
      const log = join(work, `${bench.script}-${database}.log`);
      const benchStarted = performance.now();
      const code = await run(bench, database, log);
      const seconds = ((performance.now() - benchStarted) / 1000).toFixed(0);
      console.log(`${bench.script} on ${database}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds} s`);
      if (code !== 0) {
        failures.push(`${bench.script} on ${database}`);
        console.log(tail(log, 15));
      }
    }
  }
  printTable(readFigures());
  console.log(
    `\n${((performance.now() - started) / 60_000).toFixed(1)} minutes; load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (failures.length) console.log(`benchmarks that failed: ${failures.join(', ')}`);
} finally {
  if (!failures.length) rmSync(work, { recursive: true, force: true });
}
process.exitCode = failures.length ? 1 : 0;

function run(bench: Benchmark, database: Database, logFile: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...bench.env, BENCH_FIGURES: figuresFile };
  if (database === 'PGlite') delete env.BENCH_DATABASE_URL;
  const child = spawn('npx', ['tsx', new URL(`./${bench.script}.ts`, import.meta.url).pathname], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(logFile);
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  return new Promise((resolve) => child.once('close', (code) => resolve(code ?? 1)));
}

function readFigures(): Figure[] {
  try {
    return readFileSync(figuresFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Figure);
  } catch {
    return [];
  }
}

function printTable(figures: Figure[]): void {
  console.log('\n| benchmark | figure | value | reference | ratio | goal | pass |');
  console.log('|---|---|---|---|---|---|---|');
  for (const f of figures) {
    const ratio = f.reference && f.reference.value > 0 ? f.value / f.reference.value : undefined;
    const cells = [
      f.benchmark,
      f.figure,
      `${number(f.value)} ${f.unit}`,
      f.reference ? `${f.reference.label}: ${number(f.reference.value)}` : '',
      ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
      goalText(f),
      verdict(f, ratio),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

function goalText(f: Figure): string {
  if (f.check !== undefined) return 'all';
  if (!f.goal) return '';
  const what = f.goal.of === 'ratio' ? 'ratio' : f.unit;
  const bound = f.goal.atMost !== undefined ? `<= ${f.goal.atMost}` : `>= ${f.goal.atLeast}`;
  return f.goal.of === 'ratio' ? `${what} ${bound}` : `${bound} ${what}`;
}

function verdict(f: Figure, ratio: number | undefined): string {
  if (f.check !== undefined) return f.check ? 'pass' : 'FAIL';
  if (!f.goal) return '—';
  const measured = f.goal.of === 'ratio' ? ratio : f.value;
  if (measured === undefined) return '—';
  const ok =
    (f.goal.atMost === undefined || measured <= f.goal.atMost) &&
    (f.goal.atLeast === undefined || measured >= f.goal.atLeast);
  return ok ? 'pass' : 'FAIL';
}

function number(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

function tail(file: string, lines: number): string {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
