import { sql, type Kysely, type RawBuilder } from 'kysely';
import { PROGRAMS } from '../../domain/programs.js';
import type { NormalizedStatisticsQuery } from '../../statistics/privacy/canonical-query.js';
import {
  MAX_MEMBERS_COUNTED,
  PROGRAM_CODES,
  type Dimension,
} from '../../statistics/privacy/sensitivity.js';
import type { Database } from '../database-types.js';

/**
 * The exact counts behind `statistics` (CONTRACT §8), over the served base tables: one grouped
 * count per normalized query (the "correct, slower path"; rollups come later).
 *
 * What is counted:
 * - HOUSEHOLDS: every household. SEX and AGE_BAND are those of its head (the ACTIVE member with
 *   relationship HEAD, the smallest NIK if several), as `sensitivity.ts` assumes.
 * - PERSONS: ACTIVE members, at most MAX_MEMBERS_COUNTED per household — the first ones by NIK,
 *   the same cap the sensitivity assumes.
 * - A household *receives* a program when at least one of its ACTIVE members is a recipient of it
 *   (as in the local governments' work-list filter); a person receives it when the person is a
 *   recipient. The `programs` filter keeps units receiving any of the listed programs. With
 *   PROGRAM grouped, a unit is counted once in each program it receives (limited to the filter's
 *   programs when given), so a unit receiving none is in no cell.
 * - `deciles` keeps households (and their members) with one of the deciles; `regionCode` keeps
 *   those whose region code starts with it. Both intersect the client's region scope.
 * - A unit whose value of a grouped dimension is unknown (no region, no decile, no ACTIVE head,
 *   no sex or no birth date) is in no cell of a table grouped by that dimension.
 *
 * Ages are completed years at the snapshot's as-of date (PostgreSQL `age()`, as in
 * eligibility-rule-sql.ts). The served snapshot's id and as-of come from the same statement as
 * the counts.
 */

/** The age bands of AGE_BAND, in completed years at the snapshot's as-of date. */
export const AGE_BANDS: readonly {
  code: string;
  min: number;
  max: number | null;
  label: string;
}[] = [
  { code: '0-5', min: 0, max: 5, label: 'Aged 0–5 (early childhood)' },
  { code: '6-17', min: 6, max: 17, label: 'Aged 6–17 (school age)' },
  { code: '18-59', min: 18, max: 59, label: 'Aged 18–59 (working age)' },
  { code: '60+', min: 60, max: null, label: 'Aged 60 and over (elderly)' },
];

const SEXES = [
  { code: 'M', label: 'Male (laki-laki)' },
  { code: 'F', label: 'Female (perempuan)' },
];

const REGION_LEVEL: Partial<Record<Dimension, number>> = { PROVINCE: 1, REGENCY: 2, DISTRICT: 3 };
const REGION_LENGTH: Partial<Record<Dimension, number>> = { PROVINCE: 2, REGENCY: 4, DISTRICT: 6 };

/** One code of a dimension with its label. */
export interface DimensionCode {
  code: string;
  label: string;
}

/** The full grid of a table and its exact counts. */
export interface ExactTable {
  snapshotId: number;
  /** The served snapshot's as-of date, `YYYY-MM-DD`. */
  asOf: string;
  /** Per grouped dimension (normalized order), its codes in display order. */
  dimensions: { dimension: Dimension; codes: DimensionCode[] }[];
  /** Count per cell, keyed by the codes joined with `|` (absent: 0). */
  counts: Map<string, number>;
}

/** The key of a cell in `ExactTable.counts`. */
export const cellKey = (codes: readonly string[]): string => codes.join('|');

/** A region-code prefix as a filter: 2, 4, 6 or 10 digits. */
export const REGION_CODE_PATTERN = /^[0-9]{2}(?:[0-9]{2}(?:[0-9]{2}(?:[0-9]{4})?)?)?$/;

function keyExpression(dimension: Dimension): RawBuilder<unknown> {
  switch (dimension) {
    case 'PROVINCE':
    case 'REGENCY':
    case 'DISTRICT':
      return sql`left(u.region_code, ${sql.lit(REGION_LENGTH[dimension]!)})`;
    case 'DECILE':
      return sql`u.decile::text`;
    case 'PROGRAM':
      return sql`up.program`;
    case 'SEX':
      return sql`u.sex::text`;
    case 'AGE_BAND': {
      const age = sql`date_part('year', age(s.as_of, u.birth_date))`;
      const branches = AGE_BANDS.map((b) =>
        b.max === null
          ? sql`WHEN ${age} >= ${sql.lit(b.min)} THEN ${sql.lit(b.code)}`
          : sql`WHEN ${age} BETWEEN ${sql.lit(b.min)} AND ${sql.lit(b.max)} THEN ${sql.lit(b.code)}`,
      );
      return sql`CASE ${sql.join(branches, sql` `)} END`;
    }
  }
}

/** Region scope and filter as predicates on `h` (prefixes; "*" is everywhere). */
function householdConditions(
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = [];
  if (!regionScope.includes('*')) {
    conditions.push(
      regionScope.length === 0
        ? sql`false`
        : sql`h.region_code LIKE ANY (${regionScope.map((p) => `${p}%`)}::text[])`,
    );
  }
  if (query.regionCode !== null) conditions.push(sql`h.region_code LIKE ${query.regionCode + '%'}`);
  if (query.deciles !== null) conditions.push(sql`h.decile = ANY (${query.deciles}::smallint[])`);
  return conditions;
}

/**
 * Exact counts of a normalized query over the served snapshot, with the full grid of codes.
 * `db` may be a transaction (the privacy ledger's); every read of this function runs on it.
 * Returns null when no snapshot has been loaded.
 */
export async function countStatistics(
  db: Kysely<Database>,
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
): Promise<ExactTable | null> {
  const persons = query.measure === 'PERSONS';
  const grouped = query.groupBy;
  const needsPerson = grouped.includes('SEX') || grouped.includes('AGE_BAND');
  const hConditions = householdConditions(query, regionScope);
  const hWhere = hConditions.length > 0 ? sql`WHERE ${sql.join(hConditions, sql` AND `)}` : sql``;

  const units = persons
    ? sql`SELECT m.nik::text AS unit, h.region_code, h.decile, m.sex, m.birth_date
          FROM h JOIN (SELECT nik, household_id, sex, birth_date,
                              row_number() OVER (PARTITION BY household_id ORDER BY nik) AS rn
                         FROM member WHERE status = 'ACTIVE') m
            ON m.household_id = h.household_id AND m.rn <= ${sql.lit(MAX_MEMBERS_COUNTED)}`
    : needsPerson
      ? sql`SELECT h.household_id AS unit, h.region_code, h.decile, hd.sex, hd.birth_date
            FROM h LEFT JOIN (SELECT DISTINCT ON (household_id) household_id, sex, birth_date
                                FROM member WHERE relationship = 'HEAD' AND status = 'ACTIVE'
                               ORDER BY household_id, nik) hd
              ON hd.household_id = h.household_id`
      : sql`SELECT h.household_id AS unit, h.region_code, h.decile,
                   NULL::char(1) AS sex, NULL::date AS birth_date
            FROM h`;
  const unitPrograms = persons
    ? sql`SELECT r.nik::text AS unit, r.program FROM program_recipient r`
    : sql`SELECT DISTINCT m.household_id AS unit, r.program
            FROM program_recipient r JOIN member m ON m.nik = r.nik AND m.status = 'ACTIVE'`;
  const programList = query.programs ?? [...PROGRAM_CODES];

  const from = grouped.includes('PROGRAM')
    ? sql`FROM u CROSS JOIN s JOIN up ON up.unit = u.unit AND up.program = ANY (${programList}::text[])`
    : query.programs !== null
      ? sql`FROM u CROSS JOIN s WHERE EXISTS (SELECT 1 FROM up WHERE up.unit = u.unit
                                   AND up.program = ANY (${programList}::text[]))`
      : sql`FROM u CROSS JOIN s`;
  const keys = grouped.map(keyExpression);
  const known = keys.map((k) => sql`${k} IS NOT NULL`);
  const aliases = keys.map((_, i) => sql.raw(`k${i}`));
  const select = sql.join([...keys.map((k, i) => sql`${k} AS ${aliases[i]!}`), sql`count(*) AS n`]);
  const cellArray = sql.join([...aliases.map((a) => sql`g.${a}`), sql`g.n`]);
  const hasWhere = !grouped.includes('PROGRAM') && query.programs !== null;
  const knownClause =
    known.length > 0
      ? sql`${hasWhere ? sql`AND` : sql`WHERE`} ${sql.join(known, sql` AND `)}`
      : sql``;
  const groupClause =
    keys.length > 0
      ? sql`GROUP BY ${sql.join(
          keys.map((_, i) => sql.lit(i + 1)),
          sql`, `,
        )}`
      : sql``;

  const result = await sql<{ id: string; as_of: string; cells: (string | number | null)[][] }>`
    WITH s AS (SELECT id, as_of FROM snapshot ORDER BY id DESC LIMIT 1),
    h AS (SELECT h.household_id, h.region_code, h.decile FROM household h ${hWhere}),
    u AS (${units}),
    up AS (${unitPrograms}),
    g AS (SELECT ${select} ${from} ${knownClause} ${groupClause})
    SELECT s.id::text AS id, to_char(s.as_of, 'YYYY-MM-DD') AS as_of,
           (SELECT coalesce(json_agg(json_build_array(${cellArray})), '[]'::json) FROM g) AS cells
      FROM s`.execute(db);
  const row = result.rows[0];
  if (!row) return null;

  const dimensions = [];
  for (const dimension of grouped) {
    dimensions.push({ dimension, codes: await dimensionCodes(db, dimension, query, regionScope) });
  }
  const counts = new Map<string, number>();
  for (const cell of row.cells) {
    const count = Number(cell[cell.length - 1]);
    counts.set(cellKey(cell.slice(0, -1).map(String)), count);
  }
  return { snapshotId: Number(row.id), asOf: row.as_of, dimensions, counts };
}

/**
 * The codes of a dimension in display order. Regions: those of the region reference at the
 * dimension's level that lie within the filter and the region scope (a region containing the
 * filter's region counts as within). Others: their fixed code lists.
 */
async function dimensionCodes(
  db: Kysely<Database>,
  dimension: Dimension,
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
): Promise<DimensionCode[]> {
  switch (dimension) {
    case 'PROVINCE':
    case 'REGENCY':
    case 'DISTRICT': {
      const within = (prefix: string) =>
        sql`(code LIKE ${prefix + '%'} OR ${prefix} LIKE code || '%')`;
      const conditions = [sql`level = ${REGION_LEVEL[dimension]!}`];
      if (query.regionCode !== null) conditions.push(within(query.regionCode));
      if (!regionScope.includes('*')) {
        conditions.push(
          regionScope.length === 0
            ? sql`false`
            : sql`(${sql.join(regionScope.map(within), sql` OR `)})`,
        );
      }
      const rows = await sql<{ code: string; name: string }>`
        SELECT code, name FROM region WHERE ${sql.join(conditions, sql` AND `)} ORDER BY code`.execute(
        db,
      );
      return rows.rows.map((r) => ({ code: r.code, label: r.name }));
    }
    case 'DECILE':
      return (query.deciles ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).map((d) => ({
        code: String(d),
        label: `Decile ${d}`,
      }));
    case 'PROGRAM':
      return PROGRAM_CODES.filter((p) => query.programs?.includes(p) ?? true).map((p) => ({
        code: p,
        label: PROGRAMS[p].name,
      }));
    case 'SEX':
      return SEXES.map((s) => ({ ...s }));
    case 'AGE_BAND':
      return AGE_BANDS.map((b) => ({ code: b.code, label: b.label }));
  }
}
