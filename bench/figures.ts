/**
 * Figures a benchmark hands to `bench/all.ts`: each measured value next to the reference measured
 * in the same run and the goal it is held to. Run alone, a benchmark prints its own lines as
 * before; under `npm run bench` (BENCH_FIGURES names a file) it also appends one JSON line per
 * figure there, so one table can be printed for every benchmark.
 */
import { appendFileSync } from 'node:fs';

export type Figure = {
  benchmark: string;
  figure: string;
  value: number;
  unit: string;
  /** The same run's reference, when the figure is a ratio. */
  reference?: { label: string; value: number };
  /** The ratio to the reference, or the value itself, must stay at or under `atMost` / at or over `atLeast`. */
  goal?: { of: 'ratio' | 'value'; atMost?: number; atLeast?: number };
  /** A yes/no check (every entry saved once, every DM once); fails the row when false. */
  check?: boolean;
};

export function recordFigure(figure: Figure): void {
  const file = process.env.BENCH_FIGURES;
  if (file) appendFileSync(file, `${JSON.stringify(figure)}\n`);
}

/** The q-quantile (0..1) of some latencies. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
