/**
 * Peers in the benchmark (issue #18, item 5). For each snapshot size, in one run on one
 * PostgreSQL, three servers each in its own process answer the same work:
 *   - bare: node:http + pg, the fewest layers (bench/support/bare-person-server.ts,
 *     bare-eligibility.ts, and bare-worklist.ts behind node:http in ./bare-worklist-server.ts);
 *   - PostGraphile 4 on the same tables, installed by this benchmark into a scratch folder under
 *     the work folder (never a dependency of the gateway), no security, NIK unmasked, as an
 *     outside review ran it (./postgraphile-server.ts);
 *   - the gateway with full security (token, gate, purpose, rate limit, field policy, audit).
 * Workloads, rounds interleaved (bare, PostGraphile, gateway, then again) after a warm-up:
 *   1. `person(nik)` at 50 connections, NIKs of Kabupaten Bogor rotating (gateway as pemda-3201);
 *   2. `eligibility(nik, PBI_JK)` at 50 connections (gateway as kemenkes-pbi; no PostGraphile:
 *      it has no eligibility rules);
 *   3. the work-list page of 50 households at 1, 10 and 50 connections, and one request at a
 *      time with the three alternating one by one;
 *   4. `eligibilityBatch` of 10,000 NIKs, sequential, against the bare query plus a bare audit
 *      insert (as bench/eligibility.bench.ts).
 * Before a workload is measured, every contender must give the same answers to a few of its
 * requests. Records req/s, p50 and p99, and each server process's peak RSS (VmHWM) per workload.
 * Writes bench/results/peers-<size>.json and renders bench/results/peers.md from every size
 * measured so far.
 * Usage: npm run bench:peers [-- --persons 1000000,10000000]
 *   trial: [--seconds 3 --warmup 1 --rounds 1 --sequential 30 --batch-runs 3]
 *          [--only person,eligibility,worklist,batch]  (a partial run is printed, not written)
 *   BENCH_WORK_DIR: another work folder (database, keys, PostGraphile's scratch folder)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDemoClients } from '../../src/demo/demo-clients.js';
import { connect } from '../../src/db/database.js';
import { BARE_AUDIT_TABLE } from '../support/bare-eligibility.js';
import {
  benchDatabase,
  ensureSnapshot,
  liftUsageLimits,
  machineLine,
  ROOT,
  WORK,
} from '../support/bench-env.js';
import { benchToken, measureSizes, sizeLabel } from '../support/bench-results.js';
import { measureBatches } from './batch.js';
import { ensurePostGraphile } from './postgraphile-peer.js';
import { render } from './report.js';
import { commitLabel, type SizeResult } from './results.js';
import { runWorkload } from './rounds.js';
import type { SizeResult as SoakResult } from '../soak/result.js';
import { round, SETTINGS, SIZES, wanted } from './settings.js';
import { batchesOf, drawSamples, workloads } from './workloads.js';

async function measureSize(persons: number): Promise<SizeResult> {
  const install = await ensurePostGraphile();
  const database = await benchDatabase();
  const dataDir = path.join(WORK, 'gateway-data');
  await mkdir(dataDir, { recursive: true });
  const env = {
    DATABASE_URL: database.url,
    BENCH_DATA_DIR: dataDir,
    BENCH_PROGRAM: 'PBI_JK',
    PEERS_POSTGRAPHILE_DIR: install.dir,
  };
  try {
    await ensureSnapshot(database.url, persons);
    const handle = connect(database.url, { max: 4 });
    try {
      await ensureDemoClients(handle.db, dataDir);
      // The limiter and the quota still run on every request; their limits must not be measured.
      await liftUsageLimits(handle.pool, ['pemda-3201', 'kemenkes-pbi']);
      await handle.pool.query(BARE_AUDIT_TABLE);
      const samples = await drawSamples(handle.pool, persons);
      const { rows } = await handle.pool.query<{ v: string }>(
        "SELECT current_setting('server_version') AS v",
      );
      const headers = {
        localGovernment: {
          authorization: `Bearer ${await benchToken(dataDir, 'pemda-3201')}`,
          'x-purpose': 'VERIVALI',
          'x-officer-id': 'bench-officer',
        },
        ministry: {
          authorization: `Bearer ${await benchToken(dataDir, 'kemenkes-pbi')}`,
          'x-purpose': 'PBI_JK_VERIFICATION',
          'x-officer-id': 'bench-officer',
        },
      };
      const result: SizeResult = {
        persons,
        date: new Date().toISOString().slice(0, 10),
        commit: commitLabel(),
        machine: machineLine(),
        postgres: rows[0]!.v,
        settings: SETTINGS,
        postgraphile: {
          version: install.postgraphile,
          connectionFilter: install.connectionFilter,
          schema: {},
        },
        load: [],
        sequential: {},
        batch: null,
        peakRssMb: {},
        loadAverage: {},
        samples: {
          regencyNiks: samples.regencyNiks.length,
          districts: samples.districts,
          registered: samples.registered.length,
          batches: batchesOf(samples, SETTINGS.batch).length,
        },
      };
      // The machine is shared: how busy it was belongs to the result.
      const noteLoad = (at: string) => (result.loadAverage[at] = round(os.loadavg()[0]!));
      for (const workload of workloads(samples, headers).filter((w) => wanted(w.key))) {
        noteLoad(workload.key);
        const measured = await runWorkload(workload, env, sizeLabel(persons));
        result.load.push(...measured.load);
        result.peakRssMb[workload.key] = measured.peakRssMb;
        if (measured.sequential) result.sequential = measured.sequential;
        if (measured.schema && Object.keys(result.postgraphile.schema).length === 0) {
          result.postgraphile.schema = measured.schema;
          console.log('PostGraphile names used (introspected):');
          for (const [type, names] of Object.entries(measured.schema)) {
            console.log(`  ${type}: ${names.join(', ')}`);
          }
        }
      }
      if (wanted('batch')) {
        noteLoad('batch');
        const batch = await measureBatches(handle.pool, samples, headers.ministry, env);
        result.batch = { bare: batch.bare, gateway: batch.gateway };
        result.peakRssMb.batch = { gateway: batch.peakRssMb };
      }
      noteLoad('end');
      return result;
    } finally {
      await handle.close();
    }
  } finally {
    await database.stop();
  }
}

/** The soak's results on file (bench/soak writes them), summarized on the same page. */
function soakResults(): SoakResult[] {
  const dir = path.join(ROOT, 'bench/results');
  return readdirSync(dir)
    .filter((f) => /^soak-.*\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as SoakResult)
    .sort(
      (a, b) =>
        a.persons - b.persons ||
        (a.openRate ?? 0) - (b.openRate ?? 0) ||
        (a.rampSeconds ?? 0) - (b.rampSeconds ?? 0),
    );
}

await measureSizes('peers', SIZES, measureSize, (results) => render(results, soakResults()));
