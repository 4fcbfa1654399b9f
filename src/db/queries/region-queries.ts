import { sql, type Kysely } from 'kysely';
import type { Database } from '../database-types.js';

/** A region of the public reference (migration 0001, data/wilayah/) with its population. */
export interface RegionReferenceRow {
  code: string;
  name: string;
  level: 1 | 2 | 3 | 4;
  parentCode: string | null;
  /** 2024 reference population; provinces and regencies only, else null. */
  male: number | null;
  female: number | null;
  total: number | null;
}

/**
 * The regions of one level under a region-code prefix (null: the whole country), by code. Public
 * reference data: no scope applies. Read through `region_level_idx` (level, code).
 */
export async function regionsAtLevel(
  db: Kysely<Database>,
  level: number,
  prefix: string | null,
): Promise<RegionReferenceRow[]> {
  const { rows } = await sql<RegionReferenceRow>`
    SELECT r.code, r.name, r.level, r.parent_code AS "parentCode", p.male, p.female, p.total
      FROM region r
      LEFT JOIN region_population p ON p.code = r.code
     WHERE r.level = ${level} AND ${prefix === null ? sql`true` : sql`r.code LIKE ${prefix + '%'}`}
     ORDER BY r.code`.execute(db);
  return rows;
}
