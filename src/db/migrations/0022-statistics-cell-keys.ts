import { sql, type Kysely } from 'kysely';

/**
 * Cell keys for dashboard statistics (issue #16; docs/privacy.md "Internal dashboards").
 *
 * - `statistics_cell_key`: one secret seed, drawn once from PostgreSQL's cryptographic random
 *   source (gen_random_uuid). A unit's record key is `hashtextextended(unit, seed) & 255`
 *   (src/db/statistics-cell-key-sql.ts), so a person (by NIK) or a household (by id) keeps its key
 *   across snapshots, and every gateway and import sharing the database uses the same keys. It is
 *   never rotated: new keys would give every table fresh perturbations, which could then be
 *   averaged away.
 * - `statistics_rollup.ck`: each rollup row's sum of its units' record keys, modulo 256 (sums
 *   stay additive: a cell's key is the sum of its rows' keys, modulo 256).
 * - `snapshot.cell_keys`: the snapshot's rollups carry `ck`. Snapshots imported before have none
 *   and their statistics take the base tables, which compute the keys as they count.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE statistics_cell_key (
      only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
      seed bigint NOT NULL
    )`.execute(db);
  await sql`
    INSERT INTO statistics_cell_key (seed)
    SELECT ('x' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 16))::bit(64)::bigint`.execute(
    db,
  );
  await sql`ALTER TABLE statistics_rollup ADD COLUMN ck integer`.execute(db);
  await sql`ALTER TABLE snapshot ADD COLUMN cell_keys boolean NOT NULL DEFAULT false`.execute(db);
}
