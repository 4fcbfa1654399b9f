import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import { snapshotLog } from '../db/queries/snapshot-history-query.js';
import { badUserInput } from '../errors/gateway-errors.js';

/** Snapshots listed when `first` is not given, and the most one call lists. */
export const DEFAULT_SNAPSHOTS = 20;
export const MAX_SNAPSHOTS = 200;

export interface DataQualityWarning {
  code: string;
  count: number;
}

export interface SnapshotHistoryEntry {
  id: number;
  asOf: string;
  loadedAt: Date;
  served: boolean;
  households: number;
  persons: number;
  programRecipients: number;
  dataQualityWarnings: DataQualityWarning[];
  dataQualityWarningTotal: number;
  importSeconds: number;
  rollupSeconds: number | null;
}

/** `nikBirthDateMismatch` → `NIK_BIRTH_DATE_MISMATCH`: the import's warning kinds as codes. */
export function warningCode(kind: string): string {
  return kind.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The snapshots loaded, newest (the one served) first: registry totals and import timings. */
export async function snapshotHistory(
  db: Kysely<Database>,
  first: number | null | undefined,
): Promise<SnapshotHistoryEntry[]> {
  const n = first ?? DEFAULT_SNAPSHOTS;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SNAPSHOTS) {
    throw badUserInput(`first: from 1 to ${MAX_SNAPSHOTS}`);
  }
  const rows = await snapshotLog(db, n);
  return rows.map((row, i) => {
    const warnings = Object.entries(row.warnings ?? {})
      .filter(([, count]) => typeof count === 'number')
      .map(([kind, count]) => ({ code: warningCode(kind), count }))
      .sort((a, b) => (a.code < b.code ? -1 : 1));
    return {
      id: row.id,
      asOf: row.asOf,
      loadedAt: row.loadedAt,
      served: i === 0,
      households: row.households,
      persons: row.persons,
      programRecipients: row.recipients,
      dataQualityWarnings: warnings,
      dataQualityWarningTotal: warnings.reduce((sum, w) => sum + w.count, 0),
      importSeconds: Math.round(row.loadSeconds * 10) / 10,
      rollupSeconds: row.rollupSeconds === null ? null : Math.round(row.rollupSeconds * 10) / 10,
    };
  });
}
