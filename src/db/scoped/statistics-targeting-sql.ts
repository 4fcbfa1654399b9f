import { sql, type Kysely, type RawBuilder } from 'kysely';
import { ageBandSql } from '../age-band-sql.js';
import { cellKeySumSql, recordKeySql } from '../cell-key-sql.js';
import { isProgramCode, PROGRAM_CODES, PROGRAMS, type ProgramCode } from '../../domain/programs.js';
import {
  MAX_MEMBERS_COUNTED,
  PERSON_PROGRAMS,
  targetingPrograms,
  type Dimension,
  type NormalizedStatisticsQuery,
  type RuleVersion,
  type TargetingMeasure,
} from '../../domain/statistics-query.js';
import type { Database, EligibilityRuleDefinition } from '../database-types.js';
import { compileRule } from './eligibility-rule-sql.js';
import { statisticsMembers } from './restriction-sql.js';
import {
  countsOf,
  groupedCount,
  regionAndDecileConditions,
  targetingCondition,
  type CountedCells,
} from './statistics-counts.js';

/**
 * The base-table path of the targeting measures (issue #13), the definition of who is counted;
 * the rollups (statistics-rollup-sql.ts, rows `T`) must give the same numbers, which
 * tests/statistics/statistics-rollups.test.ts checks on random queries.
 *
 * Per program of the table (`targetingPrograms`), in the program's unit:
 * - household programs (PKH, BPNT): every household. It *receives* the program when at least one
 *   of its members, whatever the status, is listed as a recipient; it is *eligible* when at least
 *   one of its ACTIVE members is decided ELIGIBLE by the program's rule (`compileRule`, the
 *   decision `eligibility` gives for that member). SEX and AGE_BAND are its head's.
 * - person programs (PBI_JK, PIP): the household's *candidates* — members who are ACTIVE or
 *   listed as recipients of a person program, whatever their status — at most
 *   MAX_MEMBERS_COUNTED per household, the first by NIK. A candidate receives the program when
 *   listed as its recipient (a DECEASED or MOVED recipient is an inclusion error) and is eligible
 *   when the rule decides ELIGIBLE (never for one not ACTIVE).
 * Then RECIPIENTS counts the units receiving, ELIGIBLE the eligible ones,
 * ELIGIBLE_NON_RECIPIENTS the eligible not receiving and RECIPIENTS_NOT_ELIGIBLE the receiving
 * not eligible. Region and decile filters and the region scope apply to the unit's household.
 *
 * The rules are those the served snapshot's rollups were decided with (`snapshot.rule_versions`),
 * or, for a snapshot imported before migration 0015, the rules current now; the answer names the
 * versions. The rules are read first (they are compiled here into SQL), then counted in one
 * statement that checks it still counts the same snapshot.
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
      return sql`u.program`;
    case 'SEX':
      return sql`u.sex::text`;
    case 'AGE_BAND':
      return sql.raw(ageBandSql('s.as_of', 'u.birth_date'));
  }
}

interface SnapshotRule {
  program: ProgramCode;
  version: number;
  rule: EligibilityRuleDefinition;
}

/** How often the counts are read again when a new snapshot was swapped in meanwhile. */
const ATTEMPTS = 3;

/**
 * Exact counts of a targeting query over the served base tables; null when no snapshot has been
 * loaded. `db` may be a transaction (the privacy ledger's).
 */
export async function countTargetingFromBaseTables(
  db: Kysely<Database>,
  query: NormalizedStatisticsQuery & { measure: TargetingMeasure },
  regionScope: readonly string[],
): Promise<CountedCells | null> {
  const programs = targetingPrograms(query);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const served = await snapshotRules(db);
    if (!served) return null;
    const rules = served.rules.filter((r) => programs.includes(r.program));
    const counted = await countWithRules(db, query, regionScope, programs, rules);
    if (!counted || counted.snapshotId !== served.snapshotId) continue;
    const ruleVersions: RuleVersion[] = rules.map((r) => ({
      program: r.program,
      version: r.version,
    }));
    return { ...counted, ruleVersions };
  }
  throw new Error('the served snapshot kept changing while its targeting statistics were counted');
}

/**
 * The served snapshot and the rules its targeting counts use: the versions recorded at its
 * import, else (imported before migration 0015) the current ones.
 */
async function snapshotRules(
  db: Kysely<Database>,
): Promise<{ snapshotId: number; rules: SnapshotRule[] } | null> {
  const { rows } = await sql<{
    id: string;
    program: ProgramCode | null;
    version: number | null;
    rule: EligibilityRuleDefinition | null;
  }>`
    WITH s AS (SELECT id, rule_versions FROM snapshot ORDER BY id DESC LIMIT 1)
    SELECT s.id::text AS id, r.program, r.version, r.rule
      FROM s LEFT JOIN eligibility_rule r
        ON r.version = CASE WHEN s.rule_versions IS NULL
                            THEN (SELECT max(x.version) FROM eligibility_rule x
                                   WHERE x.program = r.program)
                            ELSE (s.rule_versions ->> r.program)::int END`.execute(db);
  if (rows.length === 0) return null;
  const rules = rows
    .filter((r): r is typeof r & SnapshotRule => r.program !== null && isProgramCode(r.program))
    .map((r) => ({ program: r.program, version: r.version, rule: r.rule }))
    .sort((a, b) => PROGRAM_CODES.indexOf(a.program) - PROGRAM_CODES.indexOf(b.program));
  return { snapshotId: Number(rows[0]!.id), rules };
}

/** One statement: the snapshot, its as-of and the counts, with `rules` compiled in. */
async function countWithRules(
  db: Kysely<Database>,
  query: NormalizedStatisticsQuery & { measure: TargetingMeasure },
  regionScope: readonly string[],
  programs: readonly ProgramCode[],
  rules: readonly SnapshotRule[],
): Promise<Omit<CountedCells, 'ruleVersions'> | null> {
  const grouped = query.groupBy;
  const asOf = sql`(SELECT as_of FROM s)`;
  // The decision of the program `p.program` for member `m` of household `h`.
  const decision =
    rules.length === 0
      ? sql`NULL::text`
      : sql`CASE p.program ${sql.join(
          rules.map((r) => sql`WHEN ${r.program} THEN ${compileRule(r.rule, asOf)}`),
          sql` `,
        )} END`;
  const values = (codes: readonly ProgramCode[]) =>
    sql`(VALUES ${sql.join(codes.map((c) => sql`(${c}::text)`))}) AS p (program)`;
  const householdPrograms = programs.filter((p) => PROGRAMS[p].unit === 'HOUSEHOLD');
  const personPrograms = programs.filter((p) => PROGRAMS[p].unit === 'PERSON');
  const needsHead = grouped.includes('SEX') || grouped.includes('AGE_BAND');

  const parts: RawBuilder<unknown>[] = [];
  if (householdPrograms.length > 0) {
    const head = needsHead
      ? sql`LEFT JOIN (SELECT DISTINCT ON (household_id) household_id, sex, birth_date
                         FROM member WHERE relationship = 'HEAD' AND status = 'ACTIVE'
                        ORDER BY household_id, nik) hd ON hd.household_id = h.household_id`
      : sql`LEFT JOIN (SELECT NULL::text AS household_id, NULL::char(1) AS sex,
                              NULL::date AS birth_date) hd ON false`;
    parts.push(sql`
      SELECT h.household_id AS unit, h.region_code, h.decile, hd.sex, hd.birth_date, p.program,
             EXISTS (SELECT 1 FROM member m JOIN program_recipient r ON r.nik = m.nik
                      WHERE m.household_id = h.household_id AND r.program = p.program) AS recipient,
             EXISTS (SELECT 1 FROM member m
                      WHERE m.household_id = h.household_id AND m.status = 'ACTIVE'
                        AND (${decision}) = 'ELIGIBLE') AS eligible
        FROM h ${head} CROSS JOIN ${values(householdPrograms)}`);
  }
  if (personPrograms.length > 0) {
    parts.push(sql`
      SELECT m.nik::text AS unit, h.region_code, h.decile, m.sex, m.birth_date, p.program,
             EXISTS (SELECT 1 FROM program_recipient r
                      WHERE r.nik = m.nik AND r.program = p.program) AS recipient,
             coalesce((${decision}) = 'ELIGIBLE', false) AS eligible
        FROM h JOIN (SELECT c.*, row_number() OVER (PARTITION BY c.household_id ORDER BY c.nik) AS rn
                       FROM member c
                      WHERE c.status = 'ACTIVE'
                         OR EXISTS (SELECT 1 FROM program_recipient r
                                     WHERE r.nik = c.nik AND r.program = ANY (${[...PERSON_PROGRAMS]}::text[]))) m
          ON m.household_id = h.household_id AND m.rn <= ${sql.lit(MAX_MEMBERS_COUNTED)}
        CROSS JOIN ${values(personPrograms)}`);
  }
  if (parts.length === 0) throw new Error('a targeting table needs at least one program');

  const hConditions = regionAndDecileConditions(query, regionScope, {
    region: 'h.region_code',
    decile: 'h.decile',
  });
  const hWhere = hConditions.length > 0 ? sql`WHERE ${sql.join(hConditions, sql` AND `)}` : sql``;
  const keys = grouped.map(keyExpression);
  const conditions = [
    targetingCondition(query.measure, sql`u.recipient`, sql`u.eligible`),
    ...keys.map((k) => sql`${k} IS NOT NULL`),
  ];
  const {
    select,
    groupBy: groupClause,
    cell,
  } = groupedCount(keys, [sql`count(*)`, sql.raw(cellKeySumSql(recordKeySql('u.unit')))]);

  const result = await sql<{ id: string; as_of: string; cells: (string | number | null)[][] }>`
    WITH s AS (SELECT id, as_of, restrictions_as_of FROM snapshot ORDER BY id DESC LIMIT 1),
    ${statisticsMembers('(SELECT restrictions_as_of FROM s)')},
    h AS (SELECT h.household_id, h.province, h.region_code, h.decile, h.verification_status
            FROM household h ${hWhere}),
    u AS (${sql.join(parts, sql` UNION ALL `)}),
    g AS (SELECT ${select} FROM u CROSS JOIN s
           WHERE ${sql.join(conditions, sql` AND `)} ${groupClause})
    SELECT s.id::text AS id, to_char(s.as_of, 'YYYY-MM-DD') AS as_of,
           (SELECT coalesce(json_agg(json_build_array(${cell})), '[]'::json) FROM g) AS cells
      FROM s`.execute(db);
  const row = result.rows[0];
  if (!row) return null;
  return { snapshotId: Number(row.id), asOf: row.as_of, ...countsOf(row.cells) };
}
