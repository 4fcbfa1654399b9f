import { sql, type Kysely, type RawBuilder } from 'kysely';
import { ageBandSql } from '../age-band-sql.js';
import type { NormalizedStatisticsQuery } from '../../domain/statistics-query.js';
import {
  isTargetingMeasure,
  MAX_MEMBERS_COUNTED,
  PROGRAM_CODES,
  type Dimension,
} from '../../domain/statistics-query.js';
import { cellKeySumSql, recordKeySql } from '../cell-key-sql.js';
import type { Database } from '../database-types.js';
import { statisticsMembers } from './restriction-sql.js';
import {
  countsOf,
  groupedCount,
  regionAndDecileConditions,
  type CountedCells,
} from './statistics-counts.js';
import { countTargetingFromBaseTables } from './statistics-targeting-sql.js';

/**
 * The base-table path of `statistics` (CONTRACT §8): one grouped count over the served
 * household, member and program_recipient tables. It answers every query, rollups or not, and is
 * the reference the rollups are tested against (tests/statistics/statistics-rollups.test.ts); the
 * dispatcher (statistics-sql.ts) takes it for what the rollups do not cover.
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
 * - Members whose processing was restricted when the snapshot was imported are left out, as if not
 *   in the registry (`statisticsMembers`, restriction-sql.ts); their household still counts.
 *
 * Ages are completed years at the snapshot's as-of date (PostgreSQL `age()`, as in
 * eligibility-rule-sql.ts).
 *
 * The targeting measures (RECIPIENTS, ELIGIBLE, …) are defined in statistics-targeting-sql.ts.
 */

const REGION_LENGTH: Partial<Record<Dimension, number>> = { PROVINCE: 2, REGENCY: 4, DISTRICT: 6 };

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
    case 'AGE_BAND':
      return sql.raw(ageBandSql('s.as_of', 'u.birth_date'));
  }
}

/**
 * Exact counts of a normalized query over the served base tables. `db` may be a transaction (the
 * privacy ledger's); the counts, the snapshot id and its as-of come from one statement. Returns
 * null when no snapshot has been loaded.
 */
export async function countFromBaseTables(
  db: Kysely<Database>,
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
): Promise<CountedCells | null> {
  if (isTargetingMeasure(query.measure)) {
    return countTargetingFromBaseTables(db, { ...query, measure: query.measure }, regionScope);
  }
  const persons = query.measure === 'PERSONS';
  const grouped = query.groupBy;
  const needsPerson = grouped.includes('SEX') || grouped.includes('AGE_BAND');
  const hConditions = regionAndDecileConditions(query, regionScope, {
    region: 'h.region_code',
    decile: 'h.decile',
  });
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
  const {
    select,
    groupBy: groupClause,
    cell,
  } = groupedCount(keys, [sql`count(*)`, sql.raw(cellKeySumSql(recordKeySql('u.unit')))]);
  const hasWhere = !grouped.includes('PROGRAM') && query.programs !== null;
  const knownClause =
    known.length > 0
      ? sql`${hasWhere ? sql`AND` : sql`WHERE`} ${sql.join(known, sql` AND `)}`
      : sql``;

  const result = await sql<{ id: string; as_of: string; cells: (string | number | null)[][] }>`
    WITH s AS (SELECT id, as_of, restrictions_as_of FROM snapshot ORDER BY id DESC LIMIT 1),
    ${statisticsMembers('(SELECT restrictions_as_of FROM s)')},
    h AS (SELECT h.household_id, h.region_code, h.decile FROM household h ${hWhere}),
    u AS (${units}),
    up AS (${unitPrograms}),
    g AS (SELECT ${select} ${from} ${knownClause} ${groupClause})
    SELECT s.id::text AS id, to_char(s.as_of, 'YYYY-MM-DD') AS as_of,
           (SELECT coalesce(json_agg(json_build_array(${cell})), '[]'::json) FROM g) AS cells
      FROM s`.execute(db);
  const row = result.rows[0];
  if (!row) return null;
  return {
    snapshotId: Number(row.id),
    asOf: row.as_of,
    ...countsOf(row.cells),
    ruleVersions: [],
  };
}
