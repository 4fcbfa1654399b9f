import { personsArgument } from '../support/bench-results.js';
import type { Settings } from './results.js';

/**
 * The run's settings from the command line: `--seconds 10 --warmup 3 --rounds 3
 * --sequential 300 --batch-runs 20` (shorter for a trial), `--persons 1000000,10000000`, and
 * `--only person,eligibility,worklist,batch` for a partial run, which is printed and never
 * written over the results.
 */
function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? NaN : Number(process.argv[at + 1]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export const SIZES = personsArgument([1_000_000]);

export const SETTINGS: Settings = {
  seconds: option('seconds', 10),
  warmup: option('warmup', 3),
  rounds: option('rounds', 3),
  sequential: option('sequential', 300),
  batch: 10_000,
  batchRuns: option('batch-runs', 20),
};

const only = process.argv.includes('--only')
  ? (process.argv[process.argv.indexOf('--only') + 1] ?? '').split(',')
  : null;
// measureSizes prints a partial run instead of writing it.
if (only) process.env.BENCH_ONLY = '1';

/** Whether this run measures the workload `key`. */
export const wanted = (key: string): boolean => only === null || only.includes(key);

export const round = (x: number): number => Math.round(x * 10) / 10;
