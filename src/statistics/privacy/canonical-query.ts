import { createHash } from 'node:crypto';
import { ALL_REGIONS } from '../../auth/agreement.js';
import { badUserInput } from '../../errors/gateway-errors.js';
import {
  DIMENSIONS,
  PROGRAM_CODES,
  REGION_DIMENSIONS,
  type Dimension,
  type Measure,
  type NormalizedStatisticsQuery,
} from '../../domain/statistics-query.js';

/** A statistics question as a client may send it (CONTRACT §8), ε already in milli-ε. */
export interface StatisticsQueryInput {
  measure: Measure;
  groupBy?: readonly Dimension[] | null;
  filter?: {
    regionCode?: string | null;
    deciles?: readonly number[] | null;
    programs?: readonly string[] | null;
  } | null;
  epsilonMilli: number;
}

/**
 * Bumped when the meaning of a key changes, so old cache entries never match. 2: the effective
 * region scope is part of the key (version 1 keys ignored it and leaked answers across scopes).
 */
const KEY_VERSION = 2;
const MAX_GROUP_BY = 3;

/**
 * Normalizes a query; BAD_USER_INPUT for a repeated or unknown dimension, more than three, a
 * decile outside 1–10 or an unknown program.
 *
 * groupBy order is not part of the question: it only orders each cell's key, and the cells are
 * the same set. Sharing the cache entry lets a permuted query reuse the published answer instead
 * of spending budget again; the resolver presents the keys in the order asked.
 */
export function normalizeStatisticsQuery(input: StatisticsQueryInput): NormalizedStatisticsQuery {
  const groupBy = input.groupBy ?? [];
  if (groupBy.length > MAX_GROUP_BY) throw badUserInput('groupBy takes at most three dimensions');
  if (new Set(groupBy).size !== groupBy.length) {
    throw badUserInput('groupBy names a dimension twice');
  }
  for (const dimension of groupBy) {
    if (!DIMENSIONS.includes(dimension)) throw badUserInput(`unknown dimension ${dimension}`);
  }
  // A region code starts with the codes of the regions containing it: a second region level adds
  // nothing but a grid of impossible pairs (38 provinces × 514 regencies, nearly all empty).
  if (groupBy.filter((d) => REGION_DIMENSIONS.includes(d)).length > 1) {
    throw badUserInput(
      'groupBy takes one region level (PROVINCE, REGENCY or DISTRICT): a region code starts with the codes of the regions containing it',
    );
  }
  const deciles = input.filter?.deciles ?? [];
  for (const decile of deciles) {
    if (!Number.isInteger(decile) || decile < 1 || decile > 10) {
      throw badUserInput('deciles are integers from 1 to 10');
    }
  }
  const programs = input.filter?.programs ?? [];
  for (const program of programs) {
    if (!(PROGRAM_CODES as readonly string[]).includes(program)) {
      throw badUserInput(`unknown program ${program}`);
    }
  }
  const sortedDeciles = [...new Set(deciles)].sort((a, b) => a - b);
  const sortedPrograms = [...new Set(programs)].sort();
  // A filter keeping every value of a dimension the table is grouped by changes no cell (a unit
  // without a value of a grouped dimension is in no cell either way): it is the question without
  // the filter, and shares its answer, cache entry and budget. Not so for a dimension that is
  // not grouped: deciles 1–10 then leave out unranked households, and all four programs leave
  // out units receiving none.
  const everyDecile = groupBy.includes('DECILE') && sortedDeciles.length === 10;
  const everyProgram =
    groupBy.includes('PROGRAM') && sortedPrograms.length === PROGRAM_CODES.length;
  return {
    measure: input.measure,
    groupBy: DIMENSIONS.filter((dimension) => groupBy.includes(dimension)),
    regionCode: input.filter?.regionCode ?? null,
    deciles: sortedDeciles.length > 0 && !everyDecile ? sortedDeciles : null,
    programs: sortedPrograms.length > 0 && !everyProgram ? sortedPrograms : null,
    epsilonMilli: input.epsilonMilli,
  };
}

/**
 * The region scope that decides the answer to `query` for a client with `regionScope`, in one
 * form: `['*']` for the whole country, else the scope's prefixes sorted, deduplicated and without
 * those inside another (`['32', '3201']` is `['32']`); `[]` for none.
 *
 * When the filter's region lies within the scope (a researcher scoped to 3201 asking about 3201
 * or a village of it), the scope restricts nothing the filter does not: the table is the one a
 * national client gets for that filter, so the effective scope is `['*']` and both share the
 * answer. Otherwise the scope is kept whole: a region code that contains both the filter and a
 * scope prefix still names a row of the table, so no prefix can be dropped.
 */
export function effectiveRegionScope(
  query: Pick<NormalizedStatisticsQuery, 'regionCode'>,
  regionScope: readonly string[],
): string[] {
  if (regionScope.includes(ALL_REGIONS)) return [ALL_REGIONS];
  const sorted = [...new Set(regionScope)].sort();
  const prefixes = sorted.filter((p) => !sorted.some((q) => q !== p && p.startsWith(q)));
  const filter = query.regionCode;
  if (filter !== null && prefixes.some((p) => filter.startsWith(p))) return [ALL_REGIONS];
  return prefixes;
}

/**
 * The cache (and audit) key of a normalized query asked by a client with `regionScope`:
 * `sq<version>:` and the SHA-256 of its canonical JSON (fields in a fixed order), the effective
 * region scope included, since the same question has a different answer in another scope. Equal
 * questions in the same effective scope share a key; any difference changes it.
 */
export function canonicalQueryKey(
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
): string {
  const canonical = JSON.stringify([
    KEY_VERSION,
    effectiveRegionScope(query, regionScope),
    query.measure,
    query.groupBy,
    query.regionCode,
    query.deciles,
    query.programs,
    query.epsilonMilli,
  ]);
  return `sq${KEY_VERSION}:${createHash('sha256').update(canonical).digest('hex')}`;
}
