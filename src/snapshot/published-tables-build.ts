import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import { countStatistics } from '../db/scoped/statistics-sql.js';
import {
  writePublishedTables,
  type PublishedTableRow,
} from '../db/scoped/statistics-published-sql.js';
import { groupingKey, publishedTables, PUBLISHED_REGION } from '../domain/published-tables.js';

/**
 * Publishes the largest statistics tables of a snapshot just swapped in (issue #16;
 * src/domain/published-tables.ts): each counted from the snapshot's rollups by the serving code
 * (`countStatistics`), nationally and unfiltered, then all written in one transaction with what
 * they cost. Until they are written the snapshot's statistics are summed from its rollups, with
 * the same counts; so an import that stops here has still served its snapshot correctly.
 *
 * Returns the seconds it took, or null when another snapshot is served by then (its own import
 * publishes its tables). `snapshotId` may come as text, as PostgreSQL returns a bigint.
 */
export async function publishStatisticsTables(
  db: Kysely<Database>,
  snapshotId: number | string,
): Promise<number | null> {
  const started = process.hrtime.bigint();
  const rows: PublishedTableRow[] = [];
  for (const { measure, groupBy } of publishedTables()) {
    const query = { measure, groupBy, regionCode: null, deciles: null, programs: null };
    const table = await countStatistics(db, { ...query, epsilonMilli: 0 }, ['*'], {
      source: 'rollups',
    });
    if (!table || table.snapshotId !== Number(snapshotId)) return null;
    rows.push({
      measure,
      grouping: groupingKey(query),
      regionCodes: table.dimensions
        .find((d) => d.dimension === PUBLISHED_REGION)!
        .codes.map((c) => c.code),
      counts: table.counts,
      cellKeys: table.cellKeys,
    });
  }
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  await writePublishedTables(db, Number(snapshotId), rows, seconds);
  return seconds();
}
