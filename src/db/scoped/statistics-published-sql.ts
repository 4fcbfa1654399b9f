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

/** A published table's cells as stored: they never change once written for a snapshot. */
interface StoredCells {
  regionCodes: string[];
  counts: number[];
  cellKeys: number[];
}

/**
 * The published tables this process has read, for the snapshot it read them from. A published
 * table never changes once written, so each is read and parsed once per served snapshot, not per
 * request: a 20,560-cell table is two JSON arrays of about 100 kB, whose transfer and parsing
 * were a sixth of its answer's time. What is kept is bounded by one snapshot's published tables
 * (38 tables, about 300,000 cells in all: a few megabytes); another snapshot's reading replaces
 * them. The arrays are shared by every reader and never written to.
 */
export class PublishedTablesCache {
  private snapshotId: number | null = null;
  private readonly tables = new Map<string, StoredCells>();

  /** The snapshot whose tables are kept, and which of `measures`' tables of `grouping` are. */
  held(grouping: string, measures: readonly string[]): { snapshotId: number; measures: string[] } {
    return {
      snapshotId: this.snapshotId ?? -1,
      measures: measures.filter((m) => this.tables.has(key(grouping, m))),
    };
  }

  get(snapshotId: number, grouping: string, measure: string): StoredCells | undefined {
    return snapshotId === this.snapshotId ? this.tables.get(key(grouping, measure)) : undefined;
  }

  keep(snapshotId: number, grouping: string, measure: string, cells: StoredCells): void {
    if (snapshotId !== this.snapshotId) {
      this.tables.clear();
      this.snapshotId = snapshotId;
    }
    this.tables.set(key(grouping, measure), cells);
  }
}

function key(grouping: string, measure: string): string {
  return `${measure}:${grouping}`;
}

/**
 * The published tables of several measures of one grouping, in one statement with the served
 * snapshot: by measure, those that are written (absent: not yet written for the served snapshot;
 * the caller then sums the rollups). Without a cache, only `withCellKeys`' table brings its cell
 * keys (the others' are left empty): the targeting measures' suppression reads the counts of
 * three more tables of the grid (src/statistics/suppression/targeting-protection.ts). With one,
 * each table comes whole, and only when the cache does not hold it for the served snapshot.
 * Null when no snapshot is loaded.
 */
export async function readPublishedTables(
  db: Kysely<Database>,
  measures: readonly string[],
  grouping: string,
  withCellKeys: string | null,
  cache?: PublishedTablesCache,
): Promise<Map<string, PublishedCells> | null> {
  const held = cache?.held(grouping, measures) ?? { snapshotId: -1, measures: [] };
  // Sent only when not held: the served snapshot is not the one the cache holds, or its table
  // of this measure has not been read yet.
  const send = sql`NOT (s.id = ${held.snapshotId} AND t.measure = ANY (${held.measures}::text[]))`;
  const keys = cache ? sql`true` : sql`t.measure = ${withCellKeys}`;
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
           CASE WHEN ${send} THEN t.region_codes END AS region_codes,
           CASE WHEN ${send} THEN t.counts END AS counts,
           CASE WHEN ${send} AND ${keys} THEN t.cell_keys END AS cell_keys
      FROM s LEFT JOIN statistics_table t
        ON t.snapshot_id = s.id AND t.grouping = ${grouping}
       AND t.measure = ANY (${[...measures]}::text[])`.execute(db);
  if (rows.length === 0) return null;
  const tables = new Map<string, PublishedCells>();
  for (const row of rows) {
    if (row.measure === null) continue;
    const snapshotId = Number(row.id);
    let cells = cache?.get(snapshotId, grouping, row.measure);
    if (!cells) {
      if (row.counts === null || row.region_codes === null) continue;
      cells = { regionCodes: row.region_codes, counts: row.counts, cellKeys: row.cell_keys ?? [] };
      cache?.keep(snapshotId, grouping, row.measure, cells);
    }
    tables.set(row.measure, {
      snapshotId,
      asOf: row.as_of,
      ruleVersions: row.rule_versions,
      ...cells,
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
