import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { ROOT } from './bench-env.js';

export interface LoadResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  /** The server process's CPU time (user + system) per answered request, when its pid was given. */
  cpuMsPerRequest?: number;
  /** PostgreSQL's CPU time per answered request (every `postgres` process), when asked for. */
  dbCpuMsPerRequest?: number;
}

export interface Variant {
  port: number;
  child: ChildProcess;
  /** The process's peak resident memory so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** Starts a server variant (bench/support/serve-variant.ts) in its own process. */
export function startVariant(variant: string, env: Record<string, string>): Promise<Variant> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        // BENCH_PROFILE_DIR: each variant writes a CPU profile there when it stops.
        ...(process.env.BENCH_PROFILE_DIR
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
          : []),
        '--import',
        'tsx',
        path.join(ROOT, 'bench/support/serve-variant.ts'),
        variant,
      ],
      {
        env: { ...process.env, LOG_LEVEL: 'warn', ...env },
        // A variant logging every request writes its lines to /dev/null, not to this terminal.
        stdio: ['ignore', 'pipe', env.BENCH_LOG_LEVEL ? 'ignore' : 'inherit'],
      },
    );
    child.stdout!.once('data', (chunk: Buffer) =>
      resolve({
        port: (JSON.parse(chunk.toString()) as { port: number }).port,
        child,
        peakRssMb: () => peakRssMb(child.pid!),
        stop: async () => {
          child.kill('SIGTERM');
          await new Promise((r) => child.once('exit', r));
        },
      }),
    );
    child.once('exit', (code) => reject(new Error(`${variant} server exited ${code}`)));
  });
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

/**
 * POSTs a GraphQL operation at `connections` concurrent connections for `seconds` after a 3 s
 * warm-up, one variable set per request from `variables`. Any failed request fails the benchmark:
 * one that counted refusals as answers would measure the wrong thing.
 */
export function loadGraphQL(options: {
  name: string;
  port: number;
  query: string;
  variables: (i: number) => Record<string, unknown>;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  pid?: number;
  database?: boolean;
}): Promise<LoadResult> {
  return loadPost({
    ...options,
    path: '/graphql',
    body: (i) => ({ query: options.query, variables: options.variables(i) }),
  });
}

/** The same for any JSON POST: one body per request from `body`. */
export async function loadPost(options: {
  name: string;
  port: number;
  path: string;
  body: (i: number) => unknown;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** The server's process: its CPU time per request is measured too (less noisy than req/s). */
  pid?: number;
  /** Whether PostgreSQL's CPU time per request is measured too (an embedded cluster's). */
  database?: boolean;
}): Promise<LoadResult> {
  let i = 0;
  const run = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${options.port}`,
      connections: options.connections,
      duration,
      requests: [
        {
          method: 'POST',
          path: options.path,
          headers: { 'content-type': 'application/json', ...options.headers },
          setupRequest: (req) => ({ ...req, body: JSON.stringify(options.body(i++)) }),
        },
      ],
    });
  await run(3); // warm-up: JIT, pools, caches
  const cpuBefore = options.pid === undefined ? 0 : cpuMs(options.pid);
  const dbBefore = options.database ? postgresCpu() : null;
  const r = await run(options.seconds);
  const cpu = options.pid === undefined ? undefined : cpuMs(options.pid) - cpuBefore;
  const db = dbBefore ? postgresCpuSince(dbBefore) : undefined;
  const failures = r.non2xx + r.errors + r.timeouts;
  if (failures > 0) {
    throw new Error(`${options.name}: ${failures} requests failed; fix the setup first`);
  }
  return {
    name: options.name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failures,
    ...(cpu === undefined ? {} : { cpuMsPerRequest: cpu / Math.max(1, r.requests.total) }),
    ...(db === undefined ? {} : { dbCpuMsPerRequest: db / Math.max(1, r.requests.total) }),
  };
}

/** The CPU time so far of each PostgreSQL process of this machine (by command name), ms by pid. */
export function postgresCpu(): Map<number, number> {
  const times = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/stat`, 'utf8').includes('(postgres)')) {
        times.set(Number(entry), cpuMs(Number(entry)));
      }
    } catch {
      // The process ended while the list was read.
    }
  }
  return times;
}

/**
 * PostgreSQL's CPU time between two readings of {@link postgresCpu} (the embedded cluster's
 * postmaster, background processes and backends), ms: with `cpuMs`, the database's share of a
 * request's work. A process that ended in between is missed (a short autovacuum worker).
 */
export function postgresCpuSince(before: Map<number, number>): number {
  let spent = 0;
  for (const [pid, ms] of postgresCpu()) spent += ms - (before.get(pid) ?? 0);
  return spent;
}

/** A process's CPU time so far (user + system, /proc/<pid>/stat), in ms. */
export function cpuMs(pid: number): number {
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

/** The run with the median throughput (its latencies belong to the same run). */
export function medianRun(runs: LoadResult[]): LoadResult {
  return [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
}
