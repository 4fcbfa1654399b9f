/**
 * What the soak watches beside the load: the gateway process's resident memory every 5 s
 * (VmRSS of /proc/<pid>/status), and the CPU time of the gateway, the load generator, PostgreSQL
 * and the whole machine over the run (/proc/<pid>/stat, /proc/stat).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ (getconf CLK_TCK) on Linux

export interface RssSample {
  /** Seconds since the load started. */
  t: number;
  mb: number;
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Samples `pid`'s RSS now and every `everyMs` until stopped. */
export function sampleRss(
  pid: number,
  everyMs: number,
): { samples: RssSample[]; restart(): void; stop(): void } {
  let started = performance.now();
  const samples: RssSample[] = [];
  const take = () => {
    try {
      samples.push({ t: Math.round((performance.now() - started) / 100) / 10, mb: rssMb(pid) });
    } catch {
      // the process is gone: the run will fail on its own
    }
  };
  let timer = setInterval(take, everyMs);
  let stopped = false;
  return {
    samples,
    /** Empties the series and starts it again now (when the load starts). */
    restart() {
      clearInterval(timer);
      samples.length = 0;
      started = performance.now();
      take();
      timer = setInterval(take, everyMs);
    },
    /** Takes a last sample and stops (once). */
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      take();
    },
  };
}

/** A process's user + system CPU seconds so far. */
function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces), counting from field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds of every PostgreSQL process by pid. */
function postgresCpu(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'postgres') byPid.set(Number(entry), processCpu(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
}

/** Busy and total CPU seconds of the machine (all cores). */
function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return {
    busy: busy / TICKS_PER_SECOND,
    total: (busy + idle! + iowait!) / TICKS_PER_SECOND,
  };
}

export interface CpuUse {
  /** Cores in use on average over the run (2.0 = both cores of a 2-core machine). */
  machine: number;
  gateway: number;
  loadGenerator: number;
  postgres: number;
  /** The rest: the bench process, other tenants of the machine. */
  other: number;
  cores: number;
}

/** Starts counting CPU time; `stop()` returns the average cores used by each since. */
export function countCpu(
  gatewayPid: number,
  cores: number,
): { stop(loadCpuSeconds: number): CpuUse } {
  const started = performance.now();
  const machine = machineCpu();
  const gateway = processCpu(gatewayPid);
  const postgres = postgresCpu();
  return {
    /** `loadCpuSeconds`: what the load generator reported (it has exited by then). */
    stop(loadCpuSeconds: number) {
      const seconds = (performance.now() - started) / 1000;
      const m = machineCpu();
      const machineBusy = (m.busy - machine.busy) / seconds;
      const gw = (processCpu(gatewayPid) - gateway) / seconds;
      const load = loadCpuSeconds / seconds;
      let pg = 0;
      for (const [p, cpu] of postgresCpu()) pg += cpu - (postgres.get(p) ?? 0);
      pg /= seconds;
      const round = (x: number) => Math.round(x * 100) / 100;
      return {
        machine: round(machineBusy),
        gateway: round(gw),
        loadGenerator: round(load),
        postgres: round(pg),
        other: round(Math.max(0, machineBusy - gw - load - pg)),
        cores,
      };
    },
  };
}

/** Least-squares slope of y over t (per unit of t). */
export function slope(points: Array<{ t: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
