/**
 * The gateway as deployed (bench/support/serve-variant.ts `full`) in its own process, as
 * startVariant starts it, but with its log read: the soak counts the warnings and errors the
 * gateway logs during the run (by message, with the first of each), as evidence of what went wrong.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../support/bench-env.js';
import { rssMb } from './process-sampler.js';

export interface LogCount {
  level: number;
  msg: string;
  count: number;
  /** The first such line, its request id and time left out, shortened. */
  example: string;
}

export interface GatewayProcess {
  port: number;
  pid: number;
  child: ChildProcess;
  /** Warnings and errors logged since the last `resetLog()`, most frequent first. */
  log(): LogCount[];
  resetLog(): void;
  /** Peak resident memory so far (VmHWM), MB. */
  peakRssMb(): number;
  rssMb(): number;
  stop(): Promise<void>;
}

export function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  return new Promise((resolve, reject) => {
    // BENCH_GATEWAY_NODE_OPTIONS: Node flags for the gateway alone (say, a heap limit), given on
    // its command line: V8's heap flags are not all allowed in NODE_OPTIONS.
    const flags = (process.env.BENCH_GATEWAY_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(
      process.execPath,
      [...flags, '--import', 'tsx', path.join(ROOT, 'bench/support/serve-variant.ts'), 'full'],
      {
        env: { ...process.env, LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let counts = new Map<string, LogCount>();
    const tail: string[] = []; // the last lines, for a gateway that fails to start
    createInterface({ input: child.stderr! }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      let entry: { level?: number; msg?: string } | null = null;
      try {
        entry = JSON.parse(line) as { level?: number; msg?: string };
      } catch {
        // not a log line (a stack trace of a crash, say): counted as it is
      }
      const level = entry?.level ?? 50;
      const msg = entry?.msg ?? line.slice(0, 120);
      const key = `${level}\u0000${msg}`;
      const known = counts.get(key);
      if (known) known.count++;
      else {
        const example = line
          .replace(/"time":\d+,/, '')
          .replace(/"requestId":"[^"]*",/, '')
          .replace(/"pid":\d+,"hostname":"[^"]*",/, '')
          .slice(0, 400);
        counts.set(key, { level, msg, count: 1, example });
      }
    });
    child.stdout!.once('data', (chunk: Buffer) =>
      resolve({
        port: (JSON.parse(chunk.toString()) as { port: number }).port,
        pid: child.pid!,
        child,
        log: () => [...counts.values()].sort((a, b) => b.count - a.count),
        resetLog: () => {
          counts = new Map();
        },
        peakRssMb: () => peakRss(child.pid!),
        rssMb: () => rssMb(child.pid!),
        stop: async () => {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          await new Promise((r) => child.once('exit', r));
        },
      }),
    );
    child.once('exit', (code) =>
      reject(new Error(`the gateway exited ${code}:\n${tail.join('\n')}`)),
    );
  });
}

function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024);
}
