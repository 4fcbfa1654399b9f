import type { NormalizedStatisticsQuery } from './statistics-query.js';
import { isTargetingMeasure, PROGRAM_CODES, type Dimension } from './statistics-query.js';

/**
 * Which rollup cuboid answers a statistics query (migration 0012 describes the table). A query
 * needs the dimensions it groups by and those its filters and the client's region scope test:
 * the region at the finest level among them, the decile, the sex, the age band, the programs.
 * A cuboid with at least those dimensions holds the answer; summing its rows per cell (over the
 * finer region level, the dimensions the query does not need and the program bits) gives it.
 */

/** Region levels of the rollups: none, province (2 digits), regency (4), district (6). */
export type RegionLevel = 0 | 1 | 2 | 3;

export interface Cuboid {
  regionLevel: RegionLevel;
  decile: boolean;
  sex: boolean;
  ageBand: boolean;
  programs: boolean;
}

/** Digits of a region code at each level (0: no region). */
export const REGION_DIGITS: Record<RegionLevel, number> = { 0: 0, 1: 2, 2: 4, 3: 6 };

const LEVEL_OF_DIGITS: Record<number, RegionLevel | undefined> = { 2: 1, 4: 2, 6: 3 };

const LEVEL_OF_DIMENSION: Partial<Record<Dimension, RegionLevel>> = {
  PROVINCE: 1,
  REGENCY: 2,
  DISTRICT: 3,
};

/** The cuboid's number in `statistics_rollup.cuboid`. */
export function cuboidId(c: Cuboid): number {
  return (
    c.regionLevel * 16 +
    (c.decile ? 8 : 0) +
    (c.sex ? 4 : 0) +
    (c.ageBand ? 2 : 0) +
    (c.programs ? 1 : 0)
  );
}

/** How many dimensions a cuboid has (the region, at whatever level, counts as one). */
export function dimensionCount(c: Cuboid): number {
  return [c.regionLevel > 0, c.decile, c.sex, c.ageBand, c.programs].filter(Boolean).length;
}

/**
 * Whether the import builds a cuboid: every one above the district level (3 × 16), and at the
 * district level only the finest (district × decile × sex × age band × programs). A district
 * query sums that one cuboid within its scope or filter: the district cuboids of fewer
 * dimensions would add more rows than the registry has households and most of the build's time,
 * for tables only internal dashboards may ask for.
 *
 * The targeting measures (rows of measure `T`) are built only in the cuboids with programs
 * (`hasTargeting`): every targeting query needs its program.
 */
export function isBuilt(c: Cuboid): boolean {
  return c.regionLevel < 3 || dimensionCount(c) === 5;
}

/** Whether a built cuboid holds the targeting rows (measure `T`): those with programs. */
export function hasTargeting(c: Cuboid): boolean {
  return c.programs;
}

/** The finest cuboid, the one every district query reads. */
export const DISTRICT_CUBOID: Readonly<Cuboid> = Object.freeze({
  regionLevel: 3,
  decile: true,
  sex: true,
  ageBand: true,
  programs: true,
});

/** Every cuboid the import builds (see `isBuilt`). */
export function builtCuboids(): Cuboid[] {
  return allCuboids().filter(isBuilt);
}

/** Every cuboid there is: 4 region levels × 16 subsets of the other four. */
export function allCuboids(): Cuboid[] {
  const cuboids: Cuboid[] = [];
  for (const regionLevel of [0, 1, 2, 3] as const) {
    for (let bits = 0; bits < 16; bits++) {
      cuboids.push({
        regionLevel,
        decile: (bits & 8) !== 0,
        sex: (bits & 4) !== 0,
        ageBand: (bits & 2) !== 0,
        programs: (bits & 1) !== 0,
      });
    }
  }
  return cuboids;
}

/**
 * The cuboid that answers `query` for a client with `regionScope`, or null when the rollups do
 * not cover it and the base tables must: a village (10-digit) region filter or scope prefix.
 * Above the district, the cuboid with exactly the dimensions the query needs; at the district
 * level, the finest (see `isBuilt`).
 */
export function cuboidFor(
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
): Cuboid | null {
  const levels: RegionLevel[] = query.groupBy.map((d) => LEVEL_OF_DIMENSION[d] ?? 0);
  const prefixes = [
    ...(query.regionCode !== null ? [query.regionCode] : []),
    ...(regionScope.includes('*') ? [] : regionScope),
  ];
  for (const prefix of prefixes) {
    const level = LEVEL_OF_DIGITS[prefix.length];
    if (level === undefined) return null;
    levels.push(level);
  }
  const cuboid: Cuboid = {
    regionLevel: Math.max(0, ...levels) as RegionLevel,
    decile: query.groupBy.includes('DECILE') || query.deciles !== null,
    sex: query.groupBy.includes('SEX'),
    ageBand: query.groupBy.includes('AGE_BAND'),
    // A targeting measure always needs its program (the cell's, or the filter's one).
    programs:
      query.groupBy.includes('PROGRAM') ||
      query.programs !== null ||
      isTargetingMeasure(query.measure),
  };
  return cuboid.regionLevel === 3 ? { ...DISTRICT_CUBOID } : cuboid;
}

/** The bit of each program in `statistics_rollup.programs`. */
export const PROGRAM_BITS: Readonly<Record<(typeof PROGRAM_CODES)[number], number>> = {
  PKH: 1,
  BPNT: 2,
  PBI_JK: 4,
  PIP: 8,
};

/** The bits of a list of program codes (codes outside PROGRAM_CODES have none). */
export function programMask(programs: readonly string[]): number {
  return programs.reduce(
    (mask, p) => mask | (PROGRAM_BITS[p as keyof typeof PROGRAM_BITS] ?? 0),
    0,
  );
}
