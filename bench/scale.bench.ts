/**
 * The registry as served, partitioned by province (issue #19, item 4; migration 0032), at a size:
 *   - the import of a synthetic snapshot by the product (`seed`), with its phases;
 *   - beside it, in the same run, a flat copy of the served households and members (one table
 *     each, the same indexes, loaded by 2 connections a province at a time and indexed by 2): what
 *     the gateway served before, as the baseline of every query below;
 *   - interleaved one by one on one connection (prepared), the gateway's statement shapes:
 *     - NIK lookup (person and household) nationally (every partition probed) and for a
 *       regional agency of province 32 (its partition only), of NIKs sampled half nationally and
 *       half in province 32;
 *     - a work-list page (50 households of regency 3201 with their members, keyset);
 *     - statistics from the base tables: persons by district × decile of one province (pruned),
 *       and by province × decile nationally.
 * The measurements that chose this layout, before it was built, are in
 * bench/results/partitioning-decision.md. Writes bench/results/scale-<size>.json and renders
 * bench/results/scale.md.
 * Usage: npm run bench:scale [-- --persons 10000000] [--no-flat]   (BENCH_WORK_DIR: another work folder)
 */
import pg from 'pg';
import { benchDatabase, runGateway, runStamp } from './support/bench-env.js';
import {
  latencies,
  measureSizes,
  personsArgument,
  type Latencies,
} from './support/bench-results.js';
import { sampleNiks } from './support/nik-samples.js';

const SIZES = personsArgument([10_000_000]);
/** `--no-flat`: no flat copy (at 50 M it does not fit this machine's memory beside the served). */
const FLAT = !process.argv.includes('--no-flat');
const LOOKUPS = 3_000;
const PAGES = 600;
/** Rounds of the base-table statistics (a minute a round at 50 M, on both sides). */
const statisticsRounds = (persons: number) => (persons >= 50_000_000 ? 3 : 10);
const round = (x: number) => Math.round(x * 100) / 100;

interface SizeResult {
  persons: number;
  date: string;
  commit: string;
  machine: string;
  /** The product's import (`seed`): wall seconds, and seconds per phase as it reports them. */
  import: { seconds: number; phases: Record<string, number> };
  /** The flat copy's build: copy and index seconds (null without one). */
  flatBuild: { copySeconds: number; indexSeconds: number } | null;
  sizeMb: { flat: number | null; served: number };
  nik: { flat: Latencies | null; national: Latencies; regional: Latencies };
  workList: { flat: Latencies | null; served: Latencies };
  provinceStatistics: { flat: Latencies | null; served: Latencies };
  nationalStatistics: { flat: Latencies | null; served: Latencies };
}

/** The flat copy: the served tables' columns and indexes, one table each. */
async function buildFlat(pool: pg.Pool, provinces: string[]) {
  await pool.query('DROP SCHEMA IF EXISTS scale_flat CASCADE');
  await pool.query('CREATE SCHEMA scale_flat');
  await pool.query(`CREATE TABLE scale_flat.household (LIKE public.household INCLUDING DEFAULTS)`);
  await pool.query(`CREATE TABLE scale_flat.member (LIKE public.member INCLUDING DEFAULTS)`);
  const started = process.hrtime.bigint();
  const queue = [...provinces, ''];
  await Promise.all(
    [0, 1].map(async () => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        await pool.query(
          `INSERT INTO scale_flat.household SELECT * FROM public.household WHERE province = $1`,
          [p],
        );
        await pool.query(
          `INSERT INTO scale_flat.member SELECT * FROM public.member WHERE province = $1`,
          [p],
        );
      }
    }),
  );
  const copySeconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The served parents' indexes, as one index each on the flat tables.
  const { rows } = await pool.query<{ def: string }>(
    `SELECT pg_get_indexdef(x.indexrelid) AS def FROM pg_index x
      WHERE x.indrelid IN ('public.household'::regclass, 'public.member'::regclass)`,
  );
  const statements = rows.map((r) =>
    r.def
      .replace(
        /^CREATE (UNIQUE )?INDEX \S+ ON ONLY public\.(\w+) /,
        'CREATE $1INDEX ON scale_flat.$2 ',
      )
      .replace(/^CREATE (UNIQUE )?INDEX \S+ ON public\.(\w+) /, 'CREATE $1INDEX ON scale_flat.$2 '),
  );
  const indexStarted = process.hrtime.bigint();
  await Promise.all(
    [0, 1].map(async () => {
      for (let q = statements.shift(); q !== undefined; q = statements.shift()) await pool.query(q);
    }),
  );
  const indexSeconds = Number(process.hrtime.bigint() - indexStarted) / 1e9;
  await pool.query(`VACUUM (ANALYZE) scale_flat.household, scale_flat.member`);
  return { copySeconds: round(copySeconds), indexSeconds: round(indexSeconds) };
}

async function sizeMb(pool: pg.Pool, schema: string): Promise<number> {
  const { rows } = await pool.query<{ mb: number }>(
    `SELECT (sum(pg_total_relation_size(c.oid)) / 1048576)::int AS mb
       FROM pg_class c WHERE c.relnamespace = '${schema}'::regnamespace AND c.relkind = 'r'
        AND c.relname ~ '^(household|member)'`,
  );
  return rows[0]!.mb;
}

const PERSON = (s: string, where: string) => `
  SELECT m.name, m.birth_date, m.status, h.household_id, h.decile, h.region_code
    FROM ${s}.member m JOIN ${s}.household h
      ON h.household_id = m.household_id AND h.province = m.province
   WHERE ${where}`;

const QUERIES = {
  nik: (s: string) => PERSON(s, 'm.nik = $1'),
  nikRegional: (s: string) =>
    PERSON(s, `m.nik = $1 AND (h.province = '32' AND h.region_code LIKE '32%')`),
  page: (s: string) => `
    SELECT h.household_id, h.address, h.decile,
           (SELECT json_agg(json_build_object('nik', m.nik, 'name', m.name) ORDER BY m.nik)
              FROM ${s}.member m
             WHERE m.household_id = h.household_id AND m.province = h.province) AS members
      FROM ${s}.household h
     WHERE h.province = '32' AND left(h.region_code, 4) = '3201' AND h.household_id > $1
     ORDER BY h.household_id LIMIT 50`,
  province: (s: string) => `
    SELECT left(h.region_code, 6) AS district, h.decile, count(*)::int AS persons
      FROM ${s}.member m JOIN ${s}.household h
        ON h.household_id = m.household_id AND h.province = m.province
     WHERE h.province = '32' AND m.status = 'ACTIVE'
     GROUP BY 1, 2`,
  national: (s: string) => `
    SELECT h.province, h.decile, count(*)::int AS persons
      FROM ${s}.member m JOIN ${s}.household h
        ON h.household_id = m.household_id AND h.province = m.province
     WHERE m.status = 'ACTIVE'
     GROUP BY 1, 2`,
};

/** Runs each named statement once per round, in turn, `rounds` times; latencies per name. */
async function interleaved(
  client: pg.PoolClient,
  group: string,
  statements: Record<string, string>,
  rounds: number,
  parameter: (round: number) => unknown[],
): Promise<Record<string, Latencies>> {
  const times: Record<string, number[]> = Object.fromEntries(
    Object.keys(statements).map((k) => [k, []]),
  );
  for (let i = 0; i < rounds; i++) {
    for (const [name, text] of Object.entries(statements)) {
      const started = process.hrtime.bigint();
      await client.query({ name: `scale_${group}_${name}`, text, values: parameter(i) });
      times[name]!.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, latencies(v)]));
}

/** The phases of the import summary the `seed` command prints. */
function importPhases(stdout: string): { seconds: number; phases: Record<string, number> } {
  const total = /in ([\d.]+) s \(/.exec(stdout);
  const phases: Record<string, number> = {};
  for (const m of stdout.matchAll(/\b(load|check|distribute|index|rollup|changes|swap) ([\d.]+)/g))
    phases[m[1]!] = Number(m[2]);
  if (!total) throw new Error(`no import summary in: ${stdout}`);
  return { seconds: Number(total[1]), phases };
}

async function measure(persons: number): Promise<SizeResult> {
  const database = await benchDatabase();
  try {
    // Migrated, then a snapshot of this size imported now, whatever was served: its time counts.
    await runGateway(['migrate'], { DATABASE_URL: database.url });
    console.log(`importing ${persons.toLocaleString('en')} persons`);
    const seeded = await runGateway(
      ['seed', '--persons', String(persons), '--as-of', '2026-06-30'],
      { DATABASE_URL: database.url },
    );
    const imported = importPhases(seeded.stdout);
    console.log(imported);
    const pool = new pg.Pool({ connectionString: database.url, max: 3 });
    try {
      await pool.query('VACUUM (ANALYZE) household, member, program_recipient');
      const provinces = (
        await pool.query<{ code: string }>(`SELECT code FROM region WHERE level = 1 ORDER BY code`)
      ).rows.map((r) => r.code);
      const flatBuild = FLAT ? await buildFlat(pool, provinces) : null;
      console.log({ flatBuild });
      const { registered } = await sampleNiks(pool, persons, LOOKUPS);
      const regional = (
        await pool.query<{ nik: string }>(
          `SELECT nik FROM member WHERE province = '32' ORDER BY random() LIMIT ${LOOKUPS}`,
        )
      ).rows.map((r) => r.nik);
      const ids = (
        await pool.query<{ id: string }>(
          `SELECT household_id AS id FROM household
            WHERE province = '32' AND left(region_code, 4) = '3201' ORDER BY random() LIMIT ${PAGES}`,
        )
      ).rows.map((r) => r.id);
      const both = (q: (s: string) => string): Record<string, string> =>
        FLAT ? { flat: q('scale_flat'), served: q('public') } : { served: q('public') };
      const client = await pool.connect();
      try {
        const nik = await interleaved(
          client,
          'nik',
          {
            ...(FLAT ? { flat: QUERIES.nik('scale_flat') } : {}),
            national: QUERIES.nik('public'),
            regional: QUERIES.nikRegional('public'),
          },
          Math.min(registered.length, regional.length),
          (i) => [i % 2 === 0 ? registered[i] : regional[i]],
        );
        const page = await interleaved(client, 'page', both(QUERIES.page), ids.length, (i) => [
          ids[i],
        ]);
        const province = await interleaved(
          client,
          'province',
          both(QUERIES.province),
          statisticsRounds(persons),
          () => [],
        );
        const national = await interleaved(
          client,
          'national',
          both(QUERIES.national),
          statisticsRounds(persons),
          () => [],
        );
        return {
          persons,
          ...runStamp(),
          import: imported,
          flatBuild,
          sizeMb: {
            flat: FLAT ? await sizeMb(pool, 'scale_flat') : null,
            served: await sizeMb(pool, 'public'),
          },
          nik: { flat: nik.flat ?? null, national: nik.national!, regional: nik.regional! },
          workList: { flat: page.flat ?? null, served: page.served! },
          provinceStatistics: { flat: province.flat ?? null, served: province.served! },
          nationalStatistics: { flat: national.flat ?? null, served: national.served! },
        };
      } finally {
        client.release();
        // The copy is for this measurement only.
        await pool.query('DROP SCHEMA IF EXISTS scale_flat CASCADE');
      }
    } finally {
      await pool.end();
    }
  } finally {
    await database.stop();
  }
}

function render(results: SizeResult[]): string {
  const lines = [
    '# The registry partitioned by province, as served (issue #19, item 4)',
    '',
    'Generated by `bench/scale.bench.ts`. The product imports a synthetic snapshot (`seed`); then, in the same ' +
      'run, the served households and members are copied into one flat table each with the same indexes (what ' +
      'the gateway served before migration 0032, loaded by 2 connections a province at a time and indexed by 2), ' +
      "and the gateway's statement shapes run interleaved one by one on one connection (prepared) against both. " +
      'Latencies in ms. A national NIK lookup probes every partition; a regional one (province 32) reads its ' +
      'partition only. The measurements that chose this layout are in [partitioning-decision.md](partitioning-decision.md).',
    '',
  ];
  const ratio = (a: number, b: number | undefined) => (b ? `${round(a / b)}×` : '');
  const both = (flat: Latencies | null, served: Latencies, key: 'p50' | 'p99') =>
    `| ${flat ? `${flat.p50} / ${flat.p99}` : '—'} | ${served.p50} / ${served.p99} | ${ratio(served[key], flat?.[key])} (${key}) |`;
  for (const r of results) {
    const phases = Object.entries(r.import.phases)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(
      `## ${r.persons.toLocaleString('en')} persons`,
      '',
      `- Date: ${r.date}; commit ${r.commit}`,
      `- Machine: ${r.machine}`,
      `- Import by the product: **${round(r.import.seconds)} s** (${phases})`,
      r.flatBuild
        ? `- Flat copy for the baseline: copy ${r.flatBuild.copySeconds} s, indexes ${r.flatBuild.indexSeconds} s`
        : '- No flat copy in this run (`--no-flat`)',
      '',
      '| what | flat | partitioned, as served | served ÷ flat |',
      '| --- | ---: | ---: | ---: |',
      `| households + members on disk, with indexes (MB) | ${r.sizeMb.flat ?? '—'} | ${r.sizeMb.served} | ${ratio(r.sizeMb.served, r.sizeMb.flat ?? undefined)} |`,
      `| NIK lookup p50 / p99, national (every partition) ${both(r.nik.flat, r.nik.national, 'p99')}`,
      `| NIK lookup p50 / p99, regional (province 32 only) ${both(r.nik.flat, r.nik.regional, 'p99')}`,
      `| work-list page of 50 (3201) p50 / p99 ${both(r.workList.flat, r.workList.served, 'p50')}`,
      `| statistics, one province, district × decile p50 / p99 ${both(r.provinceStatistics.flat, r.provinceStatistics.served, 'p50')}`,
      `| statistics, national, province × decile p50 / p99 ${both(r.nationalStatistics.flat, r.nationalStatistics.served, 'p50')}`,
      '',
    );
  }
  return lines.join('\n');
}

await measureSizes('scale', SIZES, measure, render);
