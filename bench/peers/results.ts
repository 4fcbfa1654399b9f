import { execFileSync } from 'node:child_process';
import type { Latencies } from '../support/bench-results.js';
import { ROOT } from '../support/bench-env.js';
import type { Contender } from './servers.js';
import type { Workload } from './workloads.js';

export interface Figure {
  rps: number;
  p50: number;
  p99: number;
}

/** One workload at one connection count: each contender's median round and every round. */
export interface LoadFigures {
  workload: Workload['key'];
  connections: number;
  median: Partial<Record<Contender, Figure>>;
  rounds: Partial<Record<Contender, Figure[]>>;
}

export interface Settings {
  seconds: number;
  warmup: number;
  rounds: number;
  sequential: number;
  batch: number;
  batchRuns: number;
}

export interface SizeResult {
  persons: number;
  date: string;
  commit: string;
  machine: string;
  postgres: string;
  settings: Settings;
  postgraphile: { version: string; connectionFilter: string; schema: Record<string, string[]> };
  load: LoadFigures[];
  /** The work-list page one request at a time, the three alternating one by one (fetch, ms). */
  sequential: Partial<Record<Contender, Latencies>>;
  /** `eligibilityBatch` against the bare `= ANY` query plus a bare audit insert (null: not run). */
  batch: { bare: Latencies; gateway: Latencies } | null;
  /** Each server process's VmHWM at the end of each workload, MB. */
  peakRssMb: Record<string, Partial<Record<Contender, number>>>;
  /** The machine's 1-minute load average when each workload began, and at the end. */
  loadAverage: Record<string, number>;
  /** What the runs drew on. */
  samples: { regencyNiks: number; districts: string[]; registered: number; batches: number };
}

/** The short commit, `-dirty` when the working tree has changes (this benchmark's own included). */
export function commitLabel(): string {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT }).toString().trim();
    return dirty === '' ? hash : `${hash}-dirty`;
  } catch {
    return 'unknown';
  }
}

/** The median run by throughput, with its own latencies (as `medianRun` picks). */
export function median(runs: Figure[]): Figure {
  return [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
}
