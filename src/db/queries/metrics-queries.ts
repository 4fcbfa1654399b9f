import { sql, type Kysely } from 'kysely';
import type { Database } from '../database-types.js';

/** The served snapshot's import times, for `/metrics`; null before the first import. */
export async function servedSnapshotTimes(db: Kysely<Database>): Promise<{
  loadSeconds: number;
  rollupSeconds: number | null;
  publishedSeconds: number | null;
  loadedAt: Date;
} | null> {
  const { rows } = await sql<{
    load_seconds: number;
    rollup_seconds: number | null;
    published_seconds: number | null;
    loaded_at: Date;
  }>`SELECT load_seconds, rollup_seconds, published_seconds, loaded_at
       FROM snapshot ORDER BY id DESC LIMIT 1`.execute(db);
  const r = rows[0];
  return r
    ? {
        loadSeconds: r.load_seconds,
        rollupSeconds: r.rollup_seconds,
        publishedSeconds: r.published_seconds,
        loadedAt: r.loaded_at,
      }
    : null;
}

/**
 * Webhook deliveries not yet accepted: how many wait (PENDING) or were given up (DEAD), and the
 * age in seconds of the oldest one waiting (0 when none). Read through the partial index on the
 * undelivered ones, so the cost does not grow with the deliveries made.
 */
export async function undeliveredWebhooks(
  db: Kysely<Database>,
): Promise<{ pending: number; dead: number; oldestPendingSeconds: number }> {
  const { rows } = await sql<{ pending: number; dead: number; oldest: number }>`
    SELECT count(*) FILTER (WHERE state = 'PENDING')::int AS pending,
           count(*) FILTER (WHERE state = 'DEAD')::int AS dead,
           COALESCE(extract(epoch FROM now() - min(created_at) FILTER (WHERE state = 'PENDING')),
                    0)::float8 AS oldest
      FROM webhook_delivery
     WHERE state <> 'DELIVERED'`.execute(db);
  const r = rows[0]!;
  return { pending: r.pending, dead: r.dead, oldestPendingSeconds: r.oldest };
}
