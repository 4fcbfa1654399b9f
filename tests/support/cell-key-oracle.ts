import { sql } from 'kysely';
import type { TestDatabase } from './test-database.js';

/*
 * The cell-key method as docs/privacy.md states it, written here without the gateway's code:
 * a unit's record key is hashtextextended(NIK or household id, seed) & 255 with the database's
 * secret seed, a cell's key the sum of its units' record keys modulo 256, and the shown count the
 * exact count moved by the perturbation the documented table gives that key (0 stays 0; nothing
 * under 10 is shown).
 */

/** Keys per perturbation −4 … +4, as docs/privacy.md lists them. */
const DOCUMENTED_TABLE = [10, 20, 31, 41, 52, 41, 31, 20, 10];

/** The record key of each unit (NIK or household id), read with the database's seed. */
export async function recordKeys(
  db: TestDatabase,
  units: readonly string[],
): Promise<Map<string, number>> {
  const { rows } = await sql<{ unit: string; key: number }>`
    SELECT u AS unit, (hashtextextended(u, k.seed) & 255)::int AS key
      FROM unnest(${[...units]}::text[]) AS u, statistics_cell_key k`.execute(db.db);
  return new Map(rows.map((r) => [r.unit, r.key]));
}

/** The perturbation of a cell key, from the documented table. */
export function documentedPerturbation(cellKey: number): number {
  let k = cellKey;
  for (let i = 0; i < DOCUMENTED_TABLE.length; i++) {
    if (k < DOCUMENTED_TABLE[i]!) return i - 4;
    k -= DOCUMENTED_TABLE[i]!;
  }
  throw new RangeError('a cell key is 0 … 255');
}

/** The count a dashboard should show for `count` units whose record keys sum to `keySum`. */
export function documentedShownCount(count: number, keySum: number): number {
  if (count === 0) return 0;
  return Math.max(10, count + documentedPerturbation(keySum % 256));
}
