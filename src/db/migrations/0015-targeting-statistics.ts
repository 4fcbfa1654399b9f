import { sql, type Kysely } from 'kysely';

/**
 * Targeting statistics (CONTRACT §10, issue #13): the rollups gain the rows of the targeting
 * measures, and each snapshot records the eligibility rules they were decided with.
 *
 * - `statistics_rollup.measure` `T`: one row per cell of a cuboid with programs, counting the
 *   targeting units — a household for the household programs (PKH, BPNT), a person for the
 *   person programs (PBI_JK, PIP) — that receive or are eligible for at least one program of
 *   their unit. `programs` holds the programs the unit receives and the new column `eligible`
 *   those it is eligible for under the rule of the snapshot's `rule_versions` (bits as for
 *   `programs`; a household row only has household programs' bits, a person row only person
 *   programs'). `eligible` is NULL on the `H` and `P` rows. Built by
 *   src/snapshot/statistics-rollup-build.ts.
 * - `snapshot.rule_versions`: `{ "PKH": 1, … }`, the version of each program's rule used by the
 *   import; NULL for snapshots imported before this migration, whose targeting statistics take
 *   the base tables and the rules current when asked.
 *
 * The measure check is replaced under the name an import gives it (the import rebuilds the table
 * with `ALTER TABLE statistics_rollup_next ADD CHECK …` and renames the table, not its checks),
 * and under the migration's own name for a database never imported into.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE statistics_rollup
      DROP CONSTRAINT IF EXISTS statistics_rollup_measure_check,
      DROP CONSTRAINT IF EXISTS statistics_rollup_next_measure_check,
      ADD CONSTRAINT statistics_rollup_measure_check CHECK (measure IN ('H', 'P', 'T')),
      ADD COLUMN eligible smallint`.execute(db);
  await sql`ALTER TABLE snapshot ADD COLUMN rule_versions jsonb`.execute(db);
}
