import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import { regionsAtLevel } from '../db/queries/region-queries.js';
import { badUserInput } from '../errors/gateway-errors.js';

/** The levels of the region reference, by the number of digits of their codes. */
export const REGION_LEVELS = ['PROVINCE', 'REGENCY', 'DISTRICT', 'VILLAGE'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];
const CODE_LENGTH: Record<RegionLevel, number> = {
  PROVINCE: 2,
  REGENCY: 4,
  DISTRICT: 6,
  VILLAGE: 10,
};

export interface RegionEntry {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  population: { male: number; female: number; total: number } | null;
}

function levelOfCode(code: string): RegionLevel {
  const level = REGION_LEVELS.find((l) => CODE_LENGTH[l] === code.length);
  if (!level) throw badUserInput('parentCode: 2, 4, 6 or 10 digits');
  return level;
}

/**
 * The public region reference (data/wilayah/): the regions of `level` under `parentCode`. Without
 * a level, the level just below the parent (provinces without a parent). Villages (83,762) only
 * under a regency or a district, so that no answer lists the whole country's villages.
 */
export async function listRegions(
  db: Kysely<Database>,
  args: { parentCode?: string | null; level?: RegionLevel | null },
): Promise<RegionEntry[]> {
  const parent = args.parentCode ?? null;
  const parentLevel = parent === null ? -1 : REGION_LEVELS.indexOf(levelOfCode(parent));
  const level = args.level ?? REGION_LEVELS[parentLevel + 1];
  if (level === undefined) throw badUserInput('parentCode: a village has no regions under it');
  const index = REGION_LEVELS.indexOf(level);
  if (index <= parentLevel) throw badUserInput('level: must be below the level of parentCode');
  if (level === 'VILLAGE' && parentLevel < 1) {
    throw badUserInput('level: villages are listed under a regency or a district (parentCode)');
  }
  const rows = await regionsAtLevel(db, index + 1, parent);
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    level,
    parentCode: r.parentCode,
    population:
      r.total === null ? null : { male: r.male ?? 0, female: r.female ?? 0, total: r.total },
  }));
}
