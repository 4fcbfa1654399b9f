import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/**
 * A random sample of `size` registered NIKs of the served snapshot, shuffled so that consecutive
 * requests do not walk the index in order (repeatable: the same snapshot gives the same set), and
 * valid-format NIKs of Kab. Bogor that are not registered.
 */
export async function sampleNiks(
  pool: pg.Pool,
  persons: number,
  size: number,
): Promise<{ registered: string[]; unregistered: string[] }> {
  const percent = Math.min(100, ((size * 1.3) / persons) * 100);
  const { rows } = await pool.query<{ nik: string }>(
    `SELECT nik FROM member TABLESAMPLE BERNOULLI (${percent}) REPEATABLE (1) LIMIT ${size}`,
  );
  const registered = rows.map((r) => r.nik);
  for (let i = registered.length - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32BE() % (i + 1);
    [registered[i], registered[j]] = [registered[j]!, registered[i]!];
  }
  const candidates = Array.from(
    { length: 6_000 },
    (_, i) => `3201019999${String(i).padStart(6, '0')}`,
  );
  const { rows: free } = await pool.query<{ nik: string }>(
    `SELECT c AS nik FROM unnest($1::text[]) AS c
      WHERE NOT EXISTS (SELECT 1 FROM member m WHERE m.nik = c::char(16))`,
    [candidates],
  );
  return { registered, unregistered: free.map((r) => r.nik) };
}
