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
 * Reserves room for `count` more distinct subjects of the day (Jakarta time) when the day's
 * subjects, plus the room already reserved, plus `count` stay within `quota`. One short statement
 * on the day's row: nothing is inserted per subject yet. Returns the day, or null when the room is
 * not there (then the exact path, `addDailySubjects`, decides).
 */
export async function reserveDailySubjects(
  pool: pg.Pool,
  agreementId: string,
  count: number,
  quota: number,
): Promise<{ day: string } | null> {
  if (count > quota) return null;
  const { rows } = await pool.query<{ day: string }>(
    `INSERT INTO daily_usage (agreement_id, day, distinct_subjects, reserved)
     VALUES ($1, (now() AT TIME ZONE 'Asia/Jakarta')::date, 0, $2)
     ON CONFLICT (agreement_id, day) DO UPDATE SET reserved = daily_usage.reserved + EXCLUDED.reserved
       WHERE daily_usage.distinct_subjects + daily_usage.reserved + EXCLUDED.reserved <= $3
     RETURNING to_char(day, 'YYYY-MM-DD') AS day`,
    [agreementId, count, quota],
  );
  return rows[0] ?? null;
}

/**
 * Records subjects admitted by `reserveDailySubjects`: adds the new ones to the day's distinct
 * subjects and gives the reserved room back, in one statement.
 */
export async function recordReservedSubjects(
  pool: pg.Pool,
  agreementId: string,
  day: string,
  subjects: readonly string[],
  reserved: number,
): Promise<void> {
  await pool.query(
    `WITH added AS (
       INSERT INTO daily_subject (agreement_id, day, subject)
       SELECT $1, $2::date, s FROM unnest($3::text[]) AS s
       ON CONFLICT DO NOTHING RETURNING 1)
     UPDATE daily_usage
        SET distinct_subjects = distinct_subjects + (SELECT count(*) FROM added),
            reserved = greatest(0, reserved - $4)
      WHERE agreement_id = $1 AND day = $2::date`,
    [agreementId, day, subjects, reserved],
  );
}

/**
 * Adds subjects to an agreement's distinct subjects of the day (Jakarta time) if the total, with
 * the room other requests have reserved, stays within `quota`; otherwise changes nothing. Returns
 * whether they fit and the seconds until the day ends. Exact, and slower than a reservation: one
 * row per new subject before the answer.
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
       RETURNING distinct_subjects + reserved AS used,
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
