import type pg from 'pg';

/**
 * Counters behind the usage limits. They run on a pool whose connections use
 * `synchronous_commit = off`: a crash may lose the last few counts, which is acceptable for a
 * limiter, and no request waits for a disk flush.
 */

/**
 * Adds `count` requests of a client to a minute's window (`windowStart`, epoch milliseconds) and
 * returns the window's total over all gateway processes.
 */
export async function addRequests(
  pool: pg.Pool,
  clientId: string,
  windowStart: number,
  count: number,
): Promise<number> {
  const { rows } = await pool.query<{ requests: number }>(
    `INSERT INTO rate_window (client_id, window_start, requests) VALUES ($1, to_timestamp($2 / 1000.0), $3)
     ON CONFLICT (client_id, window_start) DO UPDATE SET requests = rate_window.requests + EXCLUDED.requests
     RETURNING requests`,
    [clientId, windowStart, count],
  );
  return rows[0]!.requests;
}

/**
 * Adds subjects to an agreement's distinct subjects of the day (Jakarta time) if the total stays
 * within `quota`; otherwise changes nothing. Returns whether they fit and the seconds until the
 * day ends.
 */
export async function addDailySubjects(
  pool: pg.Pool,
  agreementId: string,
  subjects: readonly string[],
  quota: number,
): Promise<{ fits: boolean; used: number; secondsLeft: number }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ used: number; seconds_left: number }>(
      `WITH today AS (SELECT (now() AT TIME ZONE 'Asia/Jakarta')::date AS day),
            added AS (
              INSERT INTO daily_subject (agreement_id, day, subject)
              SELECT $1, (SELECT day FROM today), s FROM unnest($2::text[]) AS s
              ON CONFLICT DO NOTHING RETURNING 1)
       INSERT INTO daily_usage (agreement_id, day, distinct_subjects)
       VALUES ($1, (SELECT day FROM today), (SELECT count(*) FROM added))
       ON CONFLICT (agreement_id, day)
         DO UPDATE SET distinct_subjects = daily_usage.distinct_subjects + EXCLUDED.distinct_subjects
       RETURNING distinct_subjects AS used,
                 ceil(extract(epoch FROM ((SELECT day FROM today) + 1)::timestamp - (now() AT TIME ZONE 'Asia/Jakarta')))::int AS seconds_left`,
      [agreementId, [...new Set(subjects)]],
    );
    const { used, seconds_left } = rows[0]!;
    const fits = used <= quota;
    await client.query(fits ? 'COMMIT' : 'ROLLBACK');
    return { fits, used, secondsLeft: Math.max(1, seconds_left) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Drops counters that can no longer matter (older than an hour / two days). */
export async function pruneUsage(pool: pg.Pool): Promise<void> {
  await pool.query(`DELETE FROM rate_window WHERE window_start < now() - interval '1 hour'`);
  await pool.query(
    `DELETE FROM daily_subject WHERE day < (now() AT TIME ZONE 'Asia/Jakarta')::date - 1`,
  );
}
