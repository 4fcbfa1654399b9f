import { sql, type Kysely } from 'kysely';
import type { Database } from '../database-types.js';

/** One loaded snapshot as the log of snapshots (table `snapshot`, migration 0002) holds it. */
export interface SnapshotLogRow {
  id: number;
  asOf: string;
  loadedAt: Date;
  households: number;
  persons: number;
  recipients: number;
  /** Data-quality warnings by kind, e.g. `{ "nikBirthDateMismatch": 12 }`. */
  warnings: Record<string, number>;
  loadSeconds: number;
  /** Null for snapshots loaded before rollups existed (migration 0012). */
  rollupSeconds: number | null;
}

/**
 * The snapshots loaded, newest first (the first one is the one served). Whole-registry totals and
 * timings: nothing about any household. The source (a folder on the operator's machine) is not
 * read.
 */
export async function snapshotLog(db: Kysely<Database>, first: number): Promise<SnapshotLogRow[]> {
  const { rows } = await sql<SnapshotLogRow>`
    SELECT id, as_of AS "asOf", loaded_at AS "loadedAt", households, persons, recipients, warnings,
           load_seconds AS "loadSeconds", rollup_seconds AS "rollupSeconds"
      FROM snapshot
     ORDER BY id DESC
     LIMIT ${first}`.execute(db);
  return rows;
}
