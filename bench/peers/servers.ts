import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/bench-env.js';
import { startVariant } from '../support/http-load.js';

/** The three contenders, in the order each round runs them. */
export const CONTENDERS = ['bare', 'postgraphile', 'gateway'] as const;
export type Contender = (typeof CONTENDERS)[number];

/** One server process of the benchmark. */
export interface Server {
  port: number;
  pid: number;
  /** Peak resident memory of the process so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/**
 * What each server is: the gateway and the bare person and eligibility handlers are the variants
 * of bench/support/serve-variant.ts; the bare work list and PostGraphile are scripts of this
 * folder. Every one runs under tsx in its own process with a pool of 20 connections.
 */
export type ServerKind =
  | { variant: 'full' | 'bare' | 'bare-eligibility' }
  | { script: 'bare-worklist-server.ts' | 'postgraphile-server.ts' };

export async function startServer(kind: ServerKind, env: Record<string, string>): Promise<Server> {
  if ('variant' in kind) {
    const variant = await startVariant(kind.variant, env);
    return {
      port: variant.port,
      pid: variant.child.pid!,
      peakRssMb: () => variant.peakRssMb(),
      stop: () => variant.stop(),
    };
  }
  return startScript(path.join(ROOT, 'bench/peers', kind.script), env);
}

/** Spawns `node --import tsx <script>`, which prints `{"port": N}` once it listens. */
function startScript(script: string, env: Record<string, string>): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = (code: number | null) =>
      reject(new Error(`${path.basename(script)} exited ${code}`));
    child.once('exit', exited);
    child.stdout!.once('data', (chunk: Buffer) => {
      child.off('exit', exited);
      resolve({
        port: (JSON.parse(chunk.toString()) as { port: number }).port,
        pid: child.pid!,
        peakRssMb: () => peakRssMb(child.pid!),
        stop: async () => {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          await new Promise((r) => child.once('exit', r));
        },
      });
    });
  });
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

/** Starts one server per contender; stops those already started when one fails. */
export async function startAll(
  kinds: Partial<Record<Contender, ServerKind>>,
  env: Record<string, string>,
): Promise<Partial<Record<Contender, Server>>> {
  const servers: Partial<Record<Contender, Server>> = {};
  try {
    for (const contender of CONTENDERS) {
      const kind = kinds[contender];
      if (kind) servers[contender] = await startServer(kind, env);
    }
  } catch (error) {
    await stopAll(servers);
    throw error;
  }
  return servers;
}

export async function stopAll(servers: Partial<Record<Contender, Server>>): Promise<void> {
  for (const server of Object.values(servers)) await server.stop();
}
