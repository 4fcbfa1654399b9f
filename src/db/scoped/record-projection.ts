import { sql, type RawBuilder } from 'kysely';
import type { CompiledFieldPolicy, MaskName } from '../../auth/field-policy.js';

/**
 * The record fields a client can be given, and the SQL column behind each. `compileProjection`
 * turns a principal's field policy into the SELECT list: shown fields as they are, masked fields
 * through their mask (computed in PostgreSQL, so the clear value never reaches the gateway's
 * response path), withheld fields not selected at all.
 *
 * Example, Person for a local government (NIK masked, name shown):
 *   left(m.nik, 6) || '******' || right(m.nik, 4) AS "nik", m.name AS "name", …
 */
export const HOUSEHOLD_COLUMNS: Readonly<Record<string, string>> = Object.freeze({
  kkNumber: 'h.kk_number',
  regionCode: 'h.region_code',
  address: 'h.address',
  decile: 'h.decile',
  verificationStatus: 'h.verification_status',
  verifiedAt: 'h.verified_at',
});

export const PERSON_COLUMNS: Readonly<Record<string, string>> = Object.freeze({
  nik: 'm.nik',
  name: 'm.name',
  sex: 'm.sex',
  birthDate: 'm.birth_date',
  relationship: 'm.relationship',
  status: 'm.status',
  // Read with the person, in the same statement: a page's members and their programs are one
  // statement, not two (an index-only probe of program_recipient_pkey per person).
  programs:
    'ARRAY(SELECT r.program FROM program_recipient r WHERE r.nik = m.nik ORDER BY r.program)',
});

/** The fields of each record type an operation selects (`Household.address`, …). */
export interface RecordSelection {
  Household: ReadonlySet<string>;
  Person: ReadonlySet<string>;
  /** Fields of a work-list page (`totalCount` is then counted in the page's statement). */
  HouseholdConnection: ReadonlySet<string>;
}

/**
 * The as-of date of the served snapshot, as a column of the record queries (`dataAsOf`). An
 * uncorrelated scalar subquery: PostgreSQL computes it once per statement, and reading it in the
 * same statement as the records means an import swapping the tables in between cannot pair new
 * records with the old date. Not personal data, so outside the field policy.
 */
export const SERVED_AS_OF_COLUMN = sql.raw(
  `(SELECT sn.as_of FROM snapshot sn ORDER BY sn.id DESC LIMIT 1) AS "dataAsOf"`,
);

const MASK_SQL: Record<MaskName, (column: string) => string> = {
  FIRST6_LAST4: (c) => `left(${c}, 6) || '******' || right(${c}, 4)`,
};

/**
 * The SELECT list of one record type under a field policy. Columns are constants above. With
 * `wanted` (the fields an operation selects), only those are read: a field outside it is not
 * selected at all, whatever the policy says, and the policy still decides how a wanted one is read.
 */
export function compileProjection(
  policy: CompiledFieldPolicy,
  type: 'Household' | 'Person',
  wanted?: ReadonlySet<string>,
): RawBuilder<unknown> {
  const columns = type === 'Household' ? HOUSEHOLD_COLUMNS : PERSON_COLUMNS;
  const parts: string[] = [];
  for (const [field, column] of Object.entries(columns)) {
    if (wanted !== undefined && !wanted.has(field)) continue;
    const r = policy.rule(type, field);
    if (r.rule === 'show') parts.push(`${column} AS "${field}"`);
    else if (r.rule === 'mask') parts.push(`${MASK_SQL[r.mask](column)} AS "${field}"`);
  }
  return sql.raw(parts.length > 0 ? parts.join(', ') + ',' : '');
}

/**
 * The region scope as a predicate on a region-code column: `*` is the whole country, a prefix
 * limits to that region (index range scan under the "C" collation), no prefix matches nothing.
 * `prefixPredicate` may write one prefix differently (the work lists use an equivalent form
 * that their indexes lead with).
 */
export function regionPredicate(
  scope: readonly string[],
  column: string,
  prefixPredicate: (prefix: string) => RawBuilder<unknown> = (p) =>
    sql`${sql.raw(column)} LIKE ${p + '%'}`,
): RawBuilder<unknown> {
  if (scope.includes('*')) return sql.raw('true');
  const prefixes = scope.filter((p) => /^\d{2,10}$/.test(p));
  if (prefixes.length === 0) return sql.raw('false');
  return sql`(${sql.join(prefixes.map(prefixPredicate), sql` OR `)})`;
}

/**
 * The region scope as a predicate on the household `h`. Each prefix also names its province,
 * the partition key of the registry (migration 0032), so PostgreSQL reads only the partitions of
 * the scope, and through `m.province = h.province` only those of the members too.
 */
export function householdRegionPredicate(
  scope: readonly string[],
  prefixPredicate: (prefix: string) => RawBuilder<unknown> = (p) =>
    sql`h.region_code LIKE ${p + '%'}`,
): RawBuilder<unknown> {
  return regionPredicate(
    scope,
    'h.region_code',
    (p) => sql`(h.province = ${p.slice(0, 2)} AND ${prefixPredicate(p)})`,
  );
}
