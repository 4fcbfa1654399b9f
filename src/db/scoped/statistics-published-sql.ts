import { sql, type Kysely } from 'kysely';
import type { Database } from '../database-types.js';

/**
 * The statistics tables published whole for a snapshot (migration 0033; which tables:
 * src/domain/published-tables.ts). They are counted by the import from the snapshot's rollups
 * (src/snapshot/published-tables-build.ts), so they hold the same counts as the rollup path.
 */

/** A published table as read, with the served snapshot it belongs to. */
export interface PublishedCells {
  snapshotId: number;
  asOf: string;
  ruleVersions: Record<string, number> | null;
  /** The grid's regencies in order. */
  regionCodes: string[];
  /** Count and cell key per cell, row-major over the grouping's dimensions in display order. */
  counts: number[];
  cellKeys: number[];
}

/**
 * The published tables of several measures of one grouping, in one statement with the served
 * snapshot: by measure, those that are written (absent: not yet written for the served snapshot;
 * the caller then sums the rollups). Only `withCellKeys`' table brings its cell keys
 * (the others' are left empty): the targeting measures' suppression reads the counts of three
 * more tables of the grid (src/statistics/suppression/targeting-protection.ts). Null when no
 * snapshot is loaded.
 */
export async function readPublishedTables(
  db: Kysely<Database>,
  measures: readonly string[],
  grouping: string,
  withCellKeys: string | null,
): Promise<Map<string, PublishedCells> | null> {
  // The arrays are stored as JSON text: sent as stored and parsed natively (migration 0033).
  const { rows } = await sql<{
    id: string;
    as_of: string;
    rule_versions: Record<string, number> | null;
    measure: string | null;
    region_codes: string[] | null;
    counts: number[] | null;
    cell_keys: number[] | null;
  }>`
    WITH s AS (SELECT id, as_of, rule_versions FROM snapshot ORDER BY id DESC LIMIT 1)
    SELECT s.id::text AS id, to_char(s.as_of, 'YYYY-MM-DD') AS as_of, s.rule_versions, t.measure,
           t.region_codes, t.counts,
           CASE WHEN t.measure = ${withCellKeys} THEN t.cell_keys END AS cell_keys
      FROM s LEFT JOIN statistics_table t
        ON t.snapshot_id = s.id AND t.grouping = ${grouping}
       AND t.measure = ANY (${[...measures]}::text[])`.execute(db);
  if (rows.length === 0) return null;
  const tables = new Map<string, PublishedCells>();
  for (const row of rows) {
    if (row.measure === null || row.counts === null || row.region_codes === null) continue;
    tables.set(row.measure, {
      snapshotId: Number(row.id),
      asOf: row.as_of,
      ruleVersions: row.rule_versions,
      regionCodes: row.region_codes,
      counts: row.counts,
      cellKeys: row.cell_keys ?? [],
    });
  }
  return tables;
}

/** One table to publish. */
export interface PublishedTableRow {
  measure: string;
  grouping: string;
  regionCodes: string[];
  counts: number[];
  cellKeys: number[];
}

/**
 * Writes the published tables of `snapshotId`, replacing every table of earlier snapshots, and
 * what writing them cost, in one transaction: readers see all of them or none.
 */
export async function writePublishedTables(
  db: Kysely<Database>,
  snapshotId: number,
  tables: readonly PublishedTableRow[],
  seconds: () => number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('statistics_table').execute();
    for (const t of tables) {
      await trx
        .insertInto('statistics_table')
        .values({
          snapshot_id: snapshotId,
          measure: t.measure,
          grouping: t.grouping,
          region_codes: JSON.stringify(t.regionCodes),
          counts: JSON.stringify(t.counts),
          cell_keys: JSON.stringify(t.cellKeys),
        })
        .execute();
    }
    await trx
      .updateTable('snapshot')
      .set({ published_seconds: seconds() })
      .where('id', '=', snapshotId)
      .execute();
  });
}
