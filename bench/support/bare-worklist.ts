import type pg from 'pg';

/**
 * The bare baseline of the work-list benchmark: the statements a hand-written handler with plain
 * `pg` would send for one page of a district's work list in LAST_VERIFIED order with its total:
 * page (its households chosen from the index first, then read) and count side by side, then the
 * members of the page with their programs (the statement shapes the gateway sends), the NIK masked
 * in SQL as the gateway does. No GraphQL, token, gate, field policy, cursor or audit.
 */
export interface WorkListPage {
  district: string;
  notVerifiedSince: string;
  first: number;
}

const WHERE = `h.region_code LIKE $1 AND COALESCE(h.verified_at, '-infinity'::date) < $2`;

/** Runs one page; returns the number of households, members and program rows read. */
export async function bareWorkListPage(
  pool: pg.Pool,
  page: WorkListPage,
): Promise<{ households: number; members: number; programs: number; total: number }> {
  const params = [`${page.district}%`, page.notVerifiedSince];
  const [households, count] = await Promise.all([
    pool.query<{ household_id: string; address: string | null; decile: number | null }>(
      `SELECT h.household_id, h.address, h.decile, h.verified_at
         FROM (SELECT h.household_id AS k FROM household h
                WHERE ${WHERE}
                ORDER BY COALESCE(h.verified_at, '-infinity'::date), h.household_id
                LIMIT ${page.first + 1}) page
         JOIN household h ON h.household_id = page.k
        ORDER BY COALESCE(h.verified_at, '-infinity'::date), h.household_id`,
      params,
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM household h WHERE ${WHERE}`, params),
  ]);
  const ids = households.rows.slice(0, page.first).map((r) => r.household_id);
  const members = await pool.query<{ household_id: string; programs: string[] }>(
    `SELECT m.household_id, left(m.nik, 6) || '******' || right(m.nik, 4) AS nik, m.name,
            ARRAY(SELECT r.program FROM program_recipient r WHERE r.nik = m.nik ORDER BY r.program)
              AS programs
       FROM member m
      WHERE m.household_id = ANY($1)
      ORDER BY m.household_id, m.nik`,
    [ids],
  );
  return {
    households: ids.length,
    members: members.rowCount ?? 0,
    programs: members.rows.reduce((n, m) => n + m.programs.length, 0),
    total: count.rows[0]!.n,
  };
}
