import { latencies } from '../support/bench-results.js';
import { loadGraphQL, timedRequest } from './load.js';
import { introspectPeer } from './postgraphile-peer.js';
import { median, type Figure, type LoadFigures, type SizeResult } from './results.js';
import { checkSameAnswers } from './same-answers.js';
import { round, SETTINGS } from './settings.js';
import { CONTENDERS, startAll, stopAll, type Contender, type Server } from './servers.js';
import type { Workload } from './workloads.js';

type Servers = Partial<Record<Contender, Server>>;

export interface WorkloadResult {
  load: LoadFigures[];
  /** The work list only: one request at a time. */
  sequential: SizeResult['sequential'] | null;
  /** PostGraphile's generated names the requests use, when it took part. */
  schema: Record<string, string[]> | null;
  peakRssMb: Partial<Record<Contender, number>>;
}

/**
 * Runs one workload: starts a server per contender, checks that they answer alike, then
 * `SETTINGS.rounds` rounds, each running every connection count against bare, PostGraphile and
 * the gateway in turn, so that drift in the machine's speed touches all alike; each contender's
 * figure is its median round. Stops the servers after reading their peak RSS.
 */
export async function runWorkload(
  workload: Workload,
  env: Record<string, string>,
  label: string,
): Promise<WorkloadResult> {
  const servers = await startAll(workload.servers, env);
  try {
    const schema = servers.postgraphile ? await introspectPeer(servers.postgraphile.port) : null;
    console.log(`${workload.key}: ${await checkSameAnswers(workload, servers)}, all alike`);
    const load = workload.connections.map((connections): LoadFigures => ({
      workload: workload.key,
      connections,
      median: {},
      rounds: {},
    }));
    for (let r = 0; r < SETTINGS.rounds; r++) {
      for (const figures of load) {
        const line: string[] = [];
        for (const contender of CONTENDERS) {
          const request = workload.requests[contender];
          if (!request) continue;
          const result = await loadGraphQL(
            `${workload.key} ${contender}`,
            servers[contender]!.port,
            request,
            {
              connections: figures.connections,
              seconds: SETTINGS.seconds,
              warmup: SETTINGS.warmup,
            },
          );
          const figure = { rps: round(result.rps), p50: result.p50, p99: result.p99 };
          (figures.rounds[contender] ??= []).push(figure);
          line.push(
            `${contender} ${Math.round(figure.rps)} req/s p50 ${figure.p50} p99 ${figure.p99}`,
          );
        }
        console.log(
          `${label} ${workload.key} @${figures.connections} round ${r + 1}: ${line.join(', ')}`,
        );
      }
    }
    for (const figures of load) {
      for (const [contender, rounds] of Object.entries(figures.rounds) as Array<
        [Contender, Figure[]]
      >) {
        figures.median[contender] = median(rounds);
      }
    }
    const sequential = workload.key === 'worklist' ? await oneAtATime(workload, servers) : null;
    const peakRssMb = Object.fromEntries(
      Object.entries(servers).map(([contender, server]) => [contender, server.peakRssMb()]),
    );
    return { load, sequential, schema, peakRssMb };
  } finally {
    await stopAll(servers);
  }
}

/** One request at a time, the contenders alternating one by one (fetch, ms to 0.1). */
async function oneAtATime(workload: Workload, servers: Servers): Promise<SizeResult['sequential']> {
  const ms: Partial<Record<Contender, number[]>> = {};
  const warmup = 40;
  for (let i = 0; i < warmup + SETTINGS.sequential; i++) {
    for (const contender of CONTENDERS) {
      const request = workload.requests[contender];
      if (!request) continue;
      const { ms: took } = await timedRequest(
        servers[contender]!.port,
        { query: request.query, variables: request.variables(i) },
        request.headers,
      );
      if (i >= warmup) (ms[contender] ??= []).push(took);
    }
  }
  const result = Object.fromEntries(
    Object.entries(ms).map(([contender, list]) => [contender, latencies(list)]),
  );
  console.log(
    `${workload.key} one at a time, p50 / p99 ms: ${Object.entries(result)
      .map(([contender, l]) => `${contender} ${l.p50} / ${l.p99}`)
      .join(', ')}`,
  );
  return result;
}
