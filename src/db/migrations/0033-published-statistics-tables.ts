import { sql, type Kysely } from 'kysely';

/**
 * Published statistics tables (issue #16; src/domain/published-tables.ts): after each import
 * swaps a snapshot in, the exact counts and cell keys of every cell of the largest tables (those
 * grouped by REGENCY), one row per table, so that they are read rather than summed from the
 * rollups when asked.
 *
 * - `counts` and `cell_keys` are JSON arrays over the cells, row-major over the grouping's
 *   dimensions in their display order (the last varies fastest); `region_codes` lists the
 *   regencies of the grid in order, so that a table stays readable whatever later changes the
 *   region reference. JSON rather than int[]: `json` is returned as stored, where converting
 *   two arrays of 20,560 integers to text took PostgreSQL 8 ms per read; stored uncompressed
 *   (STORAGE EXTERNAL), since they are read far more often than written.
 * - Rows are keyed by the snapshot they were counted from: a table of another snapshot is never
 *   read, and a snapshot whose tables are not (yet) written is answered from its rollups, with
 *   the same counts (the tables are counted from them).
 * - `snapshot.published_seconds`: what writing them cost, after the swap; null while not written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE statistics_table (
      snapshot_id bigint NOT NULL,
      measure text NOT NULL,
      grouping text NOT NULL,
      region_codes json NOT NULL,
      counts json NOT NULL,
      cell_keys json NOT NULL,
      PRIMARY KEY (snapshot_id, measure, grouping),
      CHECK (json_array_length(counts) = json_array_length(cell_keys))
    )`.execute(db);
  await sql`
    ALTER TABLE statistics_table ALTER COLUMN region_codes SET STORAGE EXTERNAL,
      ALTER COLUMN counts SET STORAGE EXTERNAL, ALTER COLUMN cell_keys SET STORAGE EXTERNAL`.execute(
    db,
  );
  await sql`ALTER TABLE snapshot ADD COLUMN published_seconds real`.execute(db);
}
