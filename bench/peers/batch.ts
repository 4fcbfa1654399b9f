import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { bareBatch, bareEligibilityStatements } from '../support/bare-eligibility.js';
import { latencies, type Latencies } from '../support/bench-results.js';
import { timedRequest } from './load.js';
import { SETTINGS } from './settings.js';
import { startServer } from './servers.js';
import { batchesOf, PROGRAM, QUERIES, type Samples } from './workloads.js';

/**
 * `eligibilityBatch` of 10,000 NIKs through the gateway against "bare + audit" as
 * bench/eligibility.bench.ts defines it: the bare `m.nik = ANY($1)` query plus one bare audit
 * insert (keyed hash per NIK, a decision id each, committed), in this process. One request at a
 * time, the two alternating one by one, after 3 warm-ups each. No PostGraphile: it has no rules.
 */
export async function measureBatches(
  pool: pg.Pool,
  samples: Samples,
  headers: Record<string, string>,
  env: Record<string, string>,
): Promise<{ bare: Latencies; gateway: Latencies; peakRssMb: number }> {
  const all = batchesOf(samples, SETTINGS.batch);
  const statements = await bareEligibilityStatements(pool, PROGRAM);
  const key = randomBytes(32);
  const server = await startServer({ variant: 'full' }, env);
  try {
    const viaGateway = async (niks: string[]) => {
      const { ms, data } = await timedRequest<{ eligibilityBatch: unknown[] }>(
        server.port,
        { query: QUERIES.gatewayBatch, variables: { n: niks } },
        headers,
      );
      if (data.eligibilityBatch.length !== niks.length) {
        throw new Error(`gateway batch: ${data.eligibilityBatch.length} of ${niks.length} answers`);
      }
      return ms;
    };
    const bare = async (niks: string[]) => {
      const started = performance.now();
      await bareBatch(pool, statements, niks, key);
      return performance.now() - started;
    };
    for (let w = 0; w < 3; w++) {
      await viaGateway(all[w % all.length]!);
      await bare(all[w % all.length]!);
    }
    const gatewayMs: number[] = [];
    const bareMs: number[] = [];
    for (let k = 0; k < SETTINGS.batchRuns; k++) {
      const niks = all[k % all.length]!;
      gatewayMs.push(await viaGateway(niks));
      bareMs.push(await bare(niks));
    }
    const result = {
      bare: latencies(bareMs),
      gateway: latencies(gatewayMs),
      peakRssMb: server.peakRssMb(),
    };
    console.log(
      `batch of ${SETTINGS.batch} p50 ms: bare + audit ${result.bare.p50}, gateway ${result.gateway.p50}`,
    );
    return result;
  } finally {
    await server.stop();
  }
}
