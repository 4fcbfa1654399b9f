import type pg from 'pg';
import { PREPARED_TEXT } from '../prepared-statements.js';

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

/** Requests of a client admitted in a minute (`windowStart`, epoch ms) and not yet counted. */
export interface RequestCount {
  clientId: string;
  windowStart: number;
  count: number;
}

/** The constraint of migration 0028: a day's subjects and reserved room stay within its quota. */
const WITHIN_QUOTA = 'daily_usage_within_quota';

/**
 * Adds requests per client and minute ($4–$6, one row per client) to the shared counters, as
 * `addRequests` does, in a statement that goes to the database anyway.
 */
const COUNT_REQUESTS = `requests AS (
       INSERT INTO rate_window (client_id, window_start, requests)
       SELECT c, to_timestamp(w / 1000.0), n
         FROM unnest($4::text[], $5::float8[], $6::int[]) AS r(c, w, n)
       ON CONFLICT (client_id, window_start)
         DO UPDATE SET requests = rate_window.requests + EXCLUDED.requests
       RETURNING client_id, requests)`;

/** The minute's total of every gateway process, by client, of the requests just counted. */
const REQUEST_TOTALS = `(SELECT json_object_agg(client_id, requests) FROM requests)`;

function requestParameters(requests: readonly RequestCount[]): [string[], number[], number[]] {
  return [
    requests.map((r) => r.clientId),
    requests.map((r) => r.windowStart),
    requests.map((r) => r.count),
  ];
}

function totals(requests: Record<string, number> | null): Map<string, number> {
  return new Map(Object.entries(requests ?? {}));
}

/**
 * Reserves room for `count` more distinct subjects of the day (Jakarta time) when the day's
 * subjects, plus the room already reserved, plus `count` stay within `quota`. One short statement
 * on the day's row: nothing is inserted per subject yet. Returns the day, or null when the room is
 * not there (then the exact path, `addDailySubjects`, decides). The requests per minute of
 * `requests` are counted in the same statement, room or not (see `addDailySubjects`).
 */
export async function reserveDailySubjects(
  pool: pg.Pool,
  agreementId: string,
  count: number,
  quota: number,
  requests: readonly RequestCount[] = [],
): Promise<{ day: string | null; requests: Map<string, number> }> {
  const { rows } = await pool.query<{
    day: string | null;
    requests: Record<string, number> | null;
  }>(
    `${PREPARED_TEXT}WITH reserved AS (
       INSERT INTO daily_usage (agreement_id, day, distinct_subjects, reserved, quota)
       SELECT $1, (now() AT TIME ZONE 'Asia/Jakarta')::date, 0, $2::int, $3::int WHERE $2::int <= $3::int
       ON CONFLICT (agreement_id, day)
         DO UPDATE SET reserved = daily_usage.reserved + EXCLUDED.reserved, quota = EXCLUDED.quota
         WHERE daily_usage.distinct_subjects + daily_usage.reserved + EXCLUDED.reserved <= $3
       RETURNING to_char(day, 'YYYY-MM-DD') AS day),
     ${COUNT_REQUESTS}
     SELECT (SELECT day FROM reserved) AS day, ${REQUEST_TOTALS} AS requests`,
    [agreementId, count, quota, ...requestParameters(requests)],
  );
  return { day: rows[0]!.day, requests: totals(rows[0]!.requests) };
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
 *
 * One statement, one round trip: the new subjects are inserted and counted on the day's row,
 * which is held to `quota` by its check constraint (migration 0028). When they would pass it the
 * constraint fails the statement and nothing of it remains. The requests per minute of `requests`
 * are counted in the same statement (the usage limiter's pending counts, sent along instead of in
 * a statement of their own); their totals over every gateway process come back in `requests`, or
 * nothing is counted when the subjects do not fit.
 */
export async function addDailySubjects(
  pool: pg.Pool,
  agreementId: string,
  subjects: readonly string[],
  quota: number,
  requests: readonly RequestCount[] = [],
): Promise<{ fits: boolean; secondsLeft: number; requests: Map<string, number> }> {
  try {
    const { rows } = await pool.query<{ requests: Record<string, number> | null }>(
      // Subjects are inserted in order, so that two admissions of the same subjects cannot each
      // wait for the other's.
      `${PREPARED_TEXT}WITH today AS (SELECT (now() AT TIME ZONE 'Asia/Jakarta')::date AS day),
            added AS (
              INSERT INTO daily_subject (agreement_id, day, subject)
              SELECT $1, (SELECT day FROM today), s FROM unnest($2::text[]) AS s ORDER BY s
              ON CONFLICT DO NOTHING RETURNING 1),
            counted AS (
              INSERT INTO daily_usage (agreement_id, day, distinct_subjects, quota)
              VALUES ($1, (SELECT day FROM today), (SELECT count(*) FROM added), $3)
              ON CONFLICT (agreement_id, day) DO UPDATE
                SET distinct_subjects = daily_usage.distinct_subjects + EXCLUDED.distinct_subjects,
                    quota = EXCLUDED.quota
              RETURNING 1),
            ${COUNT_REQUESTS}
       SELECT ${REQUEST_TOTALS} AS requests`,
      [agreementId, [...new Set(subjects)], quota, ...requestParameters(requests)],
    );
    return { fits: true, secondsLeft: secondsLeftToday(), requests: totals(rows[0]!.requests) };
  } catch (error) {
    if (isOverQuota(error)) {
      return { fits: false, secondsLeft: secondsLeftToday(), requests: new Map() };
    }
    throw error;
  }
}

function isOverQuota(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown };
  return e.code === '23514' && e.constraint === WITHIN_QUOTA;
}

/** Jakarta keeps UTC+7 all year (no daylight saving time). */
const JAKARTA_OFFSET_MS = 7 * 3_600_000;

/** Seconds until the day ends in Jakarta (at least 1): when a refused client may try again. */
function secondsLeftToday(now = Date.now()): number {
  const local = now + JAKARTA_OFFSET_MS;
  const nextMidnight = local - (local % 86_400_000) + 86_400_000;
  return Math.max(1, Math.ceil((nextMidnight - local) / 1000));
}

/** Drops counters that can no longer matter (older than an hour / two days). */
export async function pruneUsage(pool: pg.Pool): Promise<void> {
  await pool.query(`DELETE FROM rate_window WHERE window_start < now() - interval '1 hour'`);
  await pool.query(
    `DELETE FROM daily_subject WHERE day < (now() AT TIME ZONE 'Asia/Jakarta')::date - 1`,
  );
}
