import type { Kysely } from 'kysely';
import type { Database, SnapshotTable } from '../database-types.js';
import type { Selectable } from 'kysely';

export type SnapshotRow = Selectable<SnapshotTable>;

/** The snapshot being served: the last one loaded, or null before the first import. */
export async function currentSnapshot(db: Kysely<Database>): Promise<SnapshotRow | null> {
  const row = await db
    .selectFrom('snapshot')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}
