import { sql, type RawBuilder } from 'kysely';
import type { MemberCondition } from '../database-types.js';
import { memberCondition } from './eligibility-rule-sql.js';
import { ELDERLY_AGE } from '../../domain/programs.js';

/**
 * The SQL of local governments' work lists (`households(filter, orderBy)`): the filter as
 * predicates on a household row `h`, the two sort orders and their keyset conditions. The scoped
 * registry always adds the region scope, written with `regionPrefix`.
 *
 * Example, `{ regionCode: "320101", hasChildUnder6: true, notVerifiedSince: "2025-07-01" }` with
 * `orderBy: LAST_VERIFIED`, for a client of region 3201, after a page that ended at
 * (2024-09-02, H000123):
 *
 *   WHERE (left(h.region_code, 4) = '3201')                     -- region scope
 *     AND h.region_code LIKE '320101%'
 *     AND EXISTS (SELECT 1 FROM member q WHERE q.household_id = h.household_id
 *                    AND q.status = 'ACTIVE' AND COALESCE(<age at as-of> <= 5, false))
 *     AND COALESCE(h.verified_at, '-infinity') < '2025-07-01'
 *     AND (COALESCE(h.verified_at, '-infinity'), h.household_id) > ('2024-09-02', 'H000123')
 *   ORDER BY COALESCE(h.verified_at, '-infinity'), h.household_id
 */

/** A work-list filter; every condition present must hold (AND). */
export interface HouseholdFilter {
  /** Region-code prefix (province … village); intersected with the region scope. */
  regionCode?: string | null;
  decileMin?: number | null;
  decileMax?: number | null;
  verificationStatus?: string | null;
  /** Households with at least one ACTIVE member currently receiving this program. */
  program?: string | null;
  hasPregnantMember?: boolean | null;
  hasChildUnder6?: boolean | null;
  hasElderlyMember?: boolean | null;
  hasSevereDisability?: boolean | null;
  /** Households never verified, or last verified before this date (`YYYY-MM-DD`). */
  notVerifiedSince?: string | null;
}

export type HouseholdOrder = 'ID' | 'LAST_VERIFIED';

/** Where the previous page ended: its last household's sort key. */
export interface HouseholdPosition {
  id: string;
  /** LAST_VERIFIED only: that household's `verified_at` (null = never verified). */
  verifiedAt: string | null;
}

/**
 * The member filters and the member condition each stands for, shared with the eligibility rules
 * (ages in completed years at the served snapshot's as-of date). Only ACTIVE members count.
 */
export const MEMBER_FILTERS = Object.freeze({
  hasPregnantMember: { pregnant: true },
  hasChildUnder6: { maxAge: 5 },
  hasElderlyMember: { minAge: ELDERLY_AGE },
  hasSevereDisability: { disability: 'SEVERE' },
} as const satisfies Record<string, MemberCondition>);

/** The as-of date of the served snapshot, read in the same statement as the data. */
const SERVED_AS_OF = sql`(SELECT as_of FROM snapshot ORDER BY id DESC LIMIT 1)`;

/**
 * Never verified sorts first: a missing date counts as the earliest possible one. The same
 * expression is indexed (migration 0009), so the LAST_VERIFIED order, its keyset and
 * `notVerifiedSince` can all walk that index.
 */
const LAST_VERIFIED = sql`COALESCE(h.verified_at, '-infinity'::date)`;

/**
 * A region-code prefix as a predicate on `h.region_code`. A regency (4 digits), the usual scope of
 * a local government, is written `left(h.region_code, 4) = '3201'`: the expression the regency
 * indexes of migration 0009 lead with, so that a page of a regency's work list can walk its
 * households in the order asked for and stop after the page, or count them from the index, with
 * the row estimates of that expression's own statistics. Other prefixes are a LIKE range on
 * household_region_idx.
 */
export function regionPrefix(prefix: string): RawBuilder<unknown> {
  return prefix.length === 4
    ? sql`left(h.region_code, 4) = ${prefix}`
    : sql`h.region_code LIKE ${prefix + '%'}`;
}

/**
 * A region filter of a work list: {@link regionPrefix}, within its province's partition (the
 * partition key, migration 0032) once the filter names a province.
 */
function regionFilter(prefix: string): RawBuilder<unknown> {
  return prefix.length < 2
    ? regionPrefix(prefix)
    : sql`h.province = ${prefix.slice(0, 2)} AND ${regionPrefix(prefix)}`;
}

/**
 * Predicates of a filter (without the region scope). `visible` is the condition a member `q` must
 * meet to be read at all (not restricted for the request's purpose): a filter on members' facts
 * never reads a restricted member's.
 */
export function filterConditions(
  filter: HouseholdFilter,
  visible: RawBuilder<unknown> = sql`TRUE`,
): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = [];
  if (filter.regionCode) conditions.push(regionFilter(filter.regionCode));
  // Deciles run 1–10; a bound beyond is a plain bound (clamped to stay within smallint).
  const bound = (d: number) => Math.min(11, Math.max(0, d));
  if (filter.decileMin !== null && filter.decileMin !== undefined) {
    conditions.push(sql`h.decile >= ${bound(filter.decileMin)}`);
  }
  if (filter.decileMax !== null && filter.decileMax !== undefined) {
    conditions.push(sql`h.decile <= ${bound(filter.decileMax)}`);
  }
  if (filter.verificationStatus) {
    conditions.push(sql`h.verification_status = ${filter.verificationStatus}`);
  }
  if (filter.program) {
    conditions.push(sql`EXISTS (
        SELECT 1 FROM member q JOIN program_recipient r ON r.nik = q.nik
         WHERE q.household_id = h.household_id AND q.province = h.province AND q.status = 'ACTIVE'
           AND r.program = ${filter.program} AND ${visible})`);
  }
  for (const [name, condition] of Object.entries(MEMBER_FILTERS)) {
    const wanted = filter[name as keyof typeof MEMBER_FILTERS];
    if (wanted === null || wanted === undefined) continue;
    // false asks for households without such a member: NOT EXISTS.
    conditions.push(sql`${sql.raw(wanted ? 'EXISTS' : 'NOT EXISTS')} (
        SELECT 1 FROM member q
         WHERE q.household_id = h.household_id AND q.province = h.province AND q.status = 'ACTIVE'
           AND ${memberCondition(condition, 'q', SERVED_AS_OF)} AND ${visible})`);
  }
  if (filter.notVerifiedSince) {
    conditions.push(sql`${LAST_VERIFIED} < ${filter.notVerifiedSince}::date`);
  }
  return conditions;
}

/** The ORDER BY of a sort; the household id breaks ties, so the order is total. */
export function orderBy(order: HouseholdOrder): RawBuilder<unknown> {
  return order === 'LAST_VERIFIED' ? sql`${LAST_VERIFIED}, h.household_id` : sql`h.household_id`;
}

/** Rows strictly after `position` in the sort order (a row comparison the index can seek to). */
export function afterPosition(
  order: HouseholdOrder,
  position: HouseholdPosition,
): RawBuilder<unknown> {
  if (order === 'ID') return sql`h.household_id > ${position.id}`;
  return sql`(${LAST_VERIFIED}, h.household_id) > (${position.verifiedAt ?? '-infinity'}::date, ${position.id})`;
}
