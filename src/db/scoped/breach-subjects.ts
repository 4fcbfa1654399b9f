import type pg from 'pg';

/*
 * The breach impact report's reads of the registry (src/audit/breach-report.ts): an operator's
 * tool with no principal, kept here, behind the one door, because it reads members. It returns
 * only NIKs the audit log already records as disclosed (matched by their keyed hash) and counts
 * per regency; never a record.
 */

/** NIKs read from the served snapshot per statement while resolving subjects. */
const NIK_BATCH = 50_000;

/** Subjects affected in one regency (by their household in the served snapshot). */
export interface RegencyCount {
  regencyCode: string;
  regencyName: string | null;
  provinceName: string | null;
  subjects: number;
}

/**
 * The NIKs of the served snapshot whose audit subject hash (`subjectOf`) is wanted, in NIK order:
 * one keyset pass over the member key, stopping once every subject is found.
 */
export async function resolveSubjects(
  pool: pg.Pool,
  subjectOf: (nik: string) => string,
  wanted: ReadonlySet<string>,
  onProgress?: (hashed: number, total: number) => void,
): Promise<string[]> {
  const { rows: size } = await pool.query<{ persons: number }>(
    'SELECT coalesce((SELECT persons FROM snapshot ORDER BY id DESC LIMIT 1), 0)::int AS persons',
  );
  const total = size[0]!.persons;
  const found: string[] = [];
  let after = '';
  let hashed = 0;
  for (;;) {
    const { rows } = await pool.query<{ nik: string }>(
      'SELECT nik FROM member WHERE nik > $1 ORDER BY nik LIMIT $2',
      [after, NIK_BATCH],
    );
    for (const { nik } of rows) {
      if (wanted.has(subjectOf(nik))) found.push(nik);
    }
    hashed += rows.length;
    onProgress?.(hashed, total);
    if (rows.length < NIK_BATCH) break;
    after = rows.at(-1)!.nik;
    if (found.length === wanted.size) break;
  }
  return found;
}

/** Persons affected per regency of their household (and how many have no region). */
export async function countByRegency(
  pool: pg.Pool,
  niks: readonly string[],
): Promise<{ byRegency: RegencyCount[]; withoutRegion: number }> {
  if (niks.length === 0) return { byRegency: [], withoutRegion: 0 };
  const { rows } = await pool.query<{ code: string | null; subjects: number }>(
    `SELECT left(h.region_code, 4) AS code, count(*)::int AS subjects
       FROM member m JOIN household h ON h.household_id = m.household_id AND h.province = m.province
      WHERE m.nik = ANY ($1::text[])
      GROUP BY 1`,
    [niks],
  );
  const { rows: names } = await pool.query<{ code: string; name: string; province: string | null }>(
    `SELECT r.code, r.name, p.name AS province
       FROM region r LEFT JOIN region p ON p.code = r.parent_code
      WHERE r.code = ANY ($1::text[])`,
    [rows.flatMap((r) => (r.code ? [r.code] : []))],
  );
  const byCode = new Map(names.map((n) => [n.code, n]));
  const byRegency = rows
    .filter((r): r is { code: string; subjects: number } => r.code !== null)
    .map((r) => ({
      regencyCode: r.code,
      regencyName: byCode.get(r.code)?.name ?? null,
      provinceName: byCode.get(r.code)?.province ?? null,
      subjects: r.subjects,
    }))
    .sort((a, b) => b.subjects - a.subjects || a.regencyCode.localeCompare(b.regencyCode));
  return { byRegency, withoutRegion: rows.find((r) => r.code === null)?.subjects ?? 0 };
}
