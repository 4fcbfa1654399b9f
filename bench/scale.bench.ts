/**
 * A partitioned registry, measured before it is built (issue #19, item 4): the served snapshot's
 * households and members copied into two schemas built the same way, in the same run, on the same
 * PostgreSQL —
 *   - `scale_flat`: one table each, as the gateway serves today;
 *   - `scale_part`: partitioned by province (LIST on a `province` column, one partition per
 *     province of the region reference and a default one), with a routing table NIK → province;
 * both loaded by 2 connections one province at a time, then indexed by 2 connections (the
 * partitioned one partition by partition), so the load ratio shows what partitioning costs or
 * saves, not a different loader. Then, interleaved one by one for latency percentiles:
 *   - NIK lookup (person and household): flat; partitioned probing every partition; partitioned
 *     routed through the NIK → province table;
 *   - a work-list page (50 households of regency 3201 with their members, keyset);
 *   - statistics from the base tables: persons by district × decile of one province (pruned),
 *     and by province × decile nationally (no pruning possible).
 * Writes bench/results/scale-<size>.json and renders bench/results/scale.md.
 * Usage: npm run bench:scale [-- --persons 10000000]   (BENCH_WORK_DIR: another work folder)
 */
import pg from 'pg';
import { benchDatabase, ensureSnapshot, runStamp } from './support/bench-env.js';
import {
  latencies,
  measureSizes,
  personsArgument,
  type Latencies,
} from './support/bench-results.js';
import { sampleNiks } from './support/nik-samples.js';

const SIZES = personsArgument([10_000_000]);
/**
 * From this size on, `flat` is the served tables themselves (a copy would not fit this machine's
 * disk beside the partitioned one): `scale_served.household` is a view adding the province, and
 * the member side's province conditions are dropped from the flat statements.
 */
const SERVED_FLAT_FROM = 50_000_000;
const LOOKUPS = 3_000;
const PAGES = 600;
const STATISTICS = 15;
const round = (x: number) => Math.round(x * 100) / 100;

type Variant = 'flat' | 'part';

interface SizeResult {
  persons: number;
  /** `copy`: flat is a copy built like the partitioned one; `served`: the served tables. */
  flatIs?: 'copy' | 'served';
  date: string;
  commit: string;
  machine: string;
  load: Record<Variant, { copySeconds: number; indexSeconds: number; routeSeconds: number }>;
  sizeMb: Record<Variant, number>;
  nik: { flat: Latencies; probed: Latencies; routed: Latencies };
  workList: Record<Variant, Latencies>;
  provinceStatistics: Record<Variant, Latencies>;
  nationalStatistics: Record<Variant, Latencies>;
}

const schema = (v: Variant) => (v === 'flat' ? 'scale_flat' : 'scale_part');

async function build(pool: pg.Pool, v: Variant, provinces: string[]) {
  const s = schema(v);
  await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await pool.query(`CREATE SCHEMA ${s}`);
  const partitioned = v === 'part' ? ' PARTITION BY LIST (province)' : '';
  await pool.query(
    `CREATE TABLE ${s}.household (LIKE public.household INCLUDING DEFAULTS,
       province char(2) COLLATE "C" NOT NULL)${partitioned}`,
  );
  await pool.query(
    `CREATE TABLE ${s}.member (LIKE public.member INCLUDING DEFAULTS,
       province char(2) COLLATE "C" NOT NULL)${partitioned}`,
  );
  if (v === 'part') {
    for (const table of ['household', 'member']) {
      for (const p of provinces) {
        await pool.query(
          `CREATE TABLE ${s}.${table}_p${p} PARTITION OF ${s}.${table} FOR VALUES IN ('${p}')`,
        );
      }
      await pool.query(`CREATE TABLE ${s}.${table}_pother PARTITION OF ${s}.${table} DEFAULT`);
    }
  }
  // Two connections, one province at a time each (the region index finds a province's rows).
  const started = process.hrtime.bigint();
  const queue = [...provinces];
  await Promise.all(
    [0, 1].map(async () => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        const next = String(Number(p) + 1).padStart(2, '0');
        await pool.query(
          `INSERT INTO ${s}.household SELECT h.*, '${p}' FROM public.household h
            WHERE h.region_code >= '${p}' AND h.region_code < '${next}'`,
        );
        await pool.query(
          `INSERT INTO ${s}.member SELECT m.*, '${p}' FROM public.member m
            JOIN public.household h ON h.household_id = m.household_id
           WHERE h.region_code >= '${p}' AND h.region_code < '${next}'`,
        );
      }
    }),
  );
  const copySeconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The served tables' keys and indexes (migrations 0002, 0009, 0029); on partitions, per partition.
  const tables =
    v === 'flat'
      ? [{ household: `${s}.household`, member: `${s}.member`, suffix: '' }]
      : [...provinces, 'other'].map((p) => ({
          household: `${s}.household_p${p}`,
          member: `${s}.member_p${p}`,
          suffix: `_p${p}`,
        }));
  const statements = tables.flatMap((t) => [
    `CREATE UNIQUE INDEX ON ${t.household} (household_id)`,
    `CREATE INDEX ON ${t.household} (region_code)`,
    `CREATE INDEX ON ${t.household} (left(region_code, 4), household_id)`,
    `CREATE UNIQUE INDEX ON ${t.member} (nik)`,
    `CREATE INDEX ON ${t.member} (household_id)`,
  ]);
  const indexStarted = process.hrtime.bigint();
  await Promise.all(
    [0, 1].map(async () => {
      for (let q = statements.shift(); q !== undefined; q = statements.shift()) await pool.query(q);
    }),
  );
  const indexSeconds = Number(process.hrtime.bigint() - indexStarted) / 1e9;
  let routeSeconds = 0;
  if (v === 'part') {
    const routeStarted = process.hrtime.bigint();
    await pool.query(`CREATE TABLE ${s}.nik_route AS SELECT nik, province FROM ${s}.member`);
    await pool.query(`ALTER TABLE ${s}.nik_route ADD PRIMARY KEY (nik)`);
    routeSeconds = Number(process.hrtime.bigint() - routeStarted) / 1e9;
  }
  await pool.query(`VACUUM (ANALYZE) ${s}.household, ${s}.member`);
  if (v === 'part') await pool.query(`VACUUM (ANALYZE) ${s}.nik_route`);
  const { rows } = await pool.query<{ mb: number }>(
    `SELECT (sum(pg_total_relation_size(c.oid)) / 1048576)::int AS mb
       FROM pg_class c WHERE c.relnamespace = '${s}'::regnamespace AND c.relkind = 'r'`,
  );
  return {
    copySeconds: round(copySeconds),
    indexSeconds: round(indexSeconds),
    routeSeconds: round(routeSeconds),
    mb: rows[0]!.mb,
  };
}

/** A flat statement over the served tables: no province column on members there. */
const served = (text: string) =>
  text
    .replaceAll('scale_flat.', 'scale_served.')
    .replaceAll(' AND h.province = m.province', '')
    .replaceAll(" AND m.province = '32'", '')
    .replaceAll(' AND m.province = h.province', '');

const PERSON = (s: string, where: string) => `
  SELECT m.name, m.birth_date, m.status, h.household_id, h.decile, h.region_code
    FROM ${s}.member m JOIN ${s}.household h
      ON h.household_id = m.household_id AND h.province = m.province
   WHERE ${where}`;

const QUERIES = {
  nikFlat: PERSON('scale_flat', 'm.nik = $1'),
  nikProbed: PERSON('scale_part', 'm.nik = $1'),
  nikRouted: PERSON(
    'scale_part',
    `m.nik = $1 AND m.province = (SELECT r.province FROM scale_part.nik_route r WHERE r.nik = $1)`,
  ),
  page: (s: string) => `
    SELECT h.household_id, h.address, h.decile,
           (SELECT json_agg(json_build_object('nik', m.nik, 'name', m.name) ORDER BY m.nik)
              FROM ${s}.member m
             WHERE m.household_id = h.household_id AND m.province = h.province) AS members
      FROM ${s}.household h
     WHERE left(h.region_code, 4) = '3201' AND h.province = '32' AND h.household_id > $1
     ORDER BY h.household_id LIMIT 50`,
  province: (s: string) => `
    SELECT left(h.region_code, 6) AS district, h.decile, count(*)::int AS persons
      FROM ${s}.member m JOIN ${s}.household h
        ON h.household_id = m.household_id AND h.province = m.province
     WHERE h.province = '32' AND m.province = '32' AND m.status = 'ACTIVE'
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

async function measure(persons: number): Promise<SizeResult> {
  const database = await benchDatabase();
  try {
    await ensureSnapshot(database.url, persons);
    const pool = new pg.Pool({ connectionString: database.url, max: 3 });
    try {
      const provinces = (
        await pool.query<{ code: string }>(`SELECT code FROM region WHERE level = 1 ORDER BY code`)
      ).rows.map((r) => r.code);
      const servedFlat = persons >= SERVED_FLAT_FROM;
      console.log(`building the copies from ${persons.toLocaleString('en')} persons`);
      let flat = { copySeconds: 0, indexSeconds: 0, routeSeconds: 0, mb: 0 };
      if (servedFlat) {
        await pool.query('DROP SCHEMA IF EXISTS scale_served CASCADE');
        await pool.query('CREATE SCHEMA scale_served');
        await pool.query(`CREATE VIEW scale_served.household AS
          SELECT h.*, left(h.region_code, 2) AS province FROM public.household h`);
        await pool.query('CREATE VIEW scale_served.member AS SELECT * FROM public.member');
        flat.mb = (
          await pool.query<{ mb: number }>(
            `SELECT ((pg_total_relation_size('public.household') +
                      pg_total_relation_size('public.member')) / 1048576)::int AS mb`,
          )
        ).rows[0]!.mb;
      } else flat = await build(pool, 'flat', provinces);
      const part = await build(pool, 'part', provinces);
      const f = (text: string) => (servedFlat ? served(text) : text);
      console.log({ flat, part });
      const { registered } = await sampleNiks(pool, persons, LOOKUPS);
      const ids = (
        await pool.query<{ id: string }>(
          `SELECT household_id AS id FROM public.household
            WHERE left(region_code, 4) = '3201' ORDER BY random() LIMIT ${PAGES}`,
        )
      ).rows.map((r) => r.id);
      const client = await pool.connect();
      try {
        const nik = await interleaved(
          client,
          'nik',
          { flat: f(QUERIES.nikFlat), probed: QUERIES.nikProbed, routed: QUERIES.nikRouted },
          registered.length,
          (i) => [registered[i]],
        );
        const page = await interleaved(
          client,
          'page',
          { flat: f(QUERIES.page('scale_flat')), part: QUERIES.page('scale_part') },
          ids.length,
          (i) => [ids[i]],
        );
        const province = await interleaved(
          client,
          'province',
          { flat: f(QUERIES.province('scale_flat')), part: QUERIES.province('scale_part') },
          persons >= SERVED_FLAT_FROM ? 5 : STATISTICS,
          () => [],
        );
        const national = await interleaved(
          client,
          'national',
          { flat: f(QUERIES.national('scale_flat')), part: QUERIES.national('scale_part') },
          persons >= SERVED_FLAT_FROM ? 5 : STATISTICS,
          () => [],
        );
        return {
          persons,
          flatIs: servedFlat ? 'served' : 'copy',
          ...runStamp(),
          load: {
            flat: {
              copySeconds: flat.copySeconds,
              indexSeconds: flat.indexSeconds,
              routeSeconds: 0,
            },
            part: {
              copySeconds: part.copySeconds,
              indexSeconds: part.indexSeconds,
              routeSeconds: part.routeSeconds,
            },
          },
          sizeMb: { flat: flat.mb, part: part.mb },
          nik: { flat: nik.flat!, probed: nik.probed!, routed: nik.routed! },
          workList: { flat: page.flat!, part: page.part! },
          provinceStatistics: { flat: province.flat!, part: province.part! },
          nationalStatistics: { flat: national.flat!, part: national.part! },
        };
      } finally {
        client.release();
        // The copies are for this measurement only.
        await pool.query('DROP SCHEMA IF EXISTS scale_flat CASCADE');
        await pool.query('DROP SCHEMA IF EXISTS scale_served CASCADE');
        await pool.query('DROP SCHEMA IF EXISTS scale_part CASCADE');
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
    '# A partitioned registry, measured (issue #19, item 4)',
    '',
    'Generated by `bench/scale.bench.ts`. The served snapshot copied into two schemas built the same way in one run: ' +
      '`flat` (one table each, as served today) and `part` (households and members partitioned by province, LIST, ' +
      'one partition per province and a default; a routing table NIK → province). Both loaded by 2 connections a ' +
      'province at a time and indexed by 2 connections. Queries interleaved one by one on one connection ' +
      '(prepared), latencies in ms.',
    '',
  ];
  for (const r of results) {
    const servedFlat = r.flatIs === 'served';
    const ratio = (a: number, b: number) => (b === 0 ? '—' : `${round(a / b)}×`);
    lines.push(
      `## ${r.persons.toLocaleString('en')} persons`,
      '',
      `- Date: ${r.date}; commit ${r.commit}`,
      `- Machine: ${r.machine}`,
      servedFlat
        ? '- `flat` is the served tables themselves (a copy would not fit the disk beside the partitioned one); statistics: 5 rounds'
        : '- `flat` is a copy built like the partitioned one',
      '',
      '| what | flat | partitioned | partitioned ÷ flat |',
      '| --- | ---: | ---: | ---: |',
      `| load: copy (s) | ${servedFlat ? '—' : r.load.flat.copySeconds} | ${r.load.part.copySeconds} | ${servedFlat ? '' : ratio(r.load.part.copySeconds, r.load.flat.copySeconds)} |`,
      `| load: keys and indexes (s) | ${servedFlat ? '—' : r.load.flat.indexSeconds} | ${r.load.part.indexSeconds} | ${servedFlat ? '' : ratio(r.load.part.indexSeconds, r.load.flat.indexSeconds)} |`,
      `| load: NIK routing table (s) | — | ${r.load.part.routeSeconds} | |`,
      `| size on disk (MB) | ${r.sizeMb.flat} | ${r.sizeMb.part} | ${ratio(r.sizeMb.part, r.sizeMb.flat)} |`,
      `| NIK lookup p50 / p99, probing every partition | ${r.nik.flat.p50} / ${r.nik.flat.p99} | ${r.nik.probed.p50} / ${r.nik.probed.p99} | ${ratio(r.nik.probed.p99, r.nik.flat.p99)} (p99) |`,
      `| NIK lookup p50 / p99, routed | ${r.nik.flat.p50} / ${r.nik.flat.p99} | ${r.nik.routed.p50} / ${r.nik.routed.p99} | ${ratio(r.nik.routed.p99, r.nik.flat.p99)} (p99) |`,
      `| work-list page of 50 (3201) p50 / p99 | ${r.workList.flat.p50} / ${r.workList.flat.p99} | ${r.workList.part.p50} / ${r.workList.part.p99} | ${ratio(r.workList.part.p50, r.workList.flat.p50)} (p50) |`,
      `| statistics, one province, district × decile p50 | ${r.provinceStatistics.flat.p50} | ${r.provinceStatistics.part.p50} | ${ratio(r.provinceStatistics.part.p50, r.provinceStatistics.flat.p50)} |`,
      `| statistics, national, province × decile p50 | ${r.nationalStatistics.flat.p50} | ${r.nationalStatistics.part.p50} | ${ratio(r.nationalStatistics.part.p50, r.nationalStatistics.flat.p50)} |`,
      '',
    );
  }
  return lines.join('\n');
}

await measureSizes('scale', SIZES, measure, render);
