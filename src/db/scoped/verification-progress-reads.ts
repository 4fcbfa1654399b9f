import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Principal } from '../../auth/principal.js';
import type { Database } from '../database-types.js';
import { householdRegionPredicate, regionPredicate } from './record-projection.js';

/** A regency (level 2) of the region reference inside the principal's region scope. */
export interface ScopedRegency {
  code: string;
  name: string;
  provinceCode: string;
}

/**
 * The served snapshot's households of the scope per regency and month of last verification.
 * `month` is the first day of the month (`YYYY-MM-01`), null for households never verified.
 */
export interface VerificationHistogram {
  /** The served snapshot (read in the same statement); null before the first. */
  snapshotId: number | null;
  asOf: string | null;
  cells: Array<{ regency: string; month: string | null; n: number }>;
}

/** Verification submissions and proposals of the scope per regency (CONTRACT §9 statuses). */
export interface SubmissionTally {
  regency: string;
  submissions: StatusTally;
  proposals: StatusTally;
  /** Submissions and proposals reviewed (approved or rejected, applied ones included). */
  reviewed: number;
  /** Median of reviewed_at − submitted_at over the reviewed ones, in seconds; null if none. */
  medianReviewSeconds: number | null;
}

export interface StatusTally {
  submitted: number;
  approved: number;
  rejected: number;
  applied: number;
}

/**
 * The registry reads of verification progress (issue #13), behind the one door: built with a
 * principal, every statement carries the principal's region predicate, so households and
 * submissions outside the scope are never counted. Only counts leave PostgreSQL: no household id,
 * NIK or officer. What may be shown of the counts is decided by src/monitoring/.
 *
 * `prefix` is a region-code prefix of 2 or 4 digits (a province or a regency), or null.
 *
 * ```sql
 * SELECT left(h.region_code, 4), date_trunc('month', h.verified_at::timestamp)::date, count(*)
 *   FROM household h WHERE h.region_code LIKE '3201%' AND h.region_code LIKE '32%' GROUP BY 1, 2
 * ```
 */
export class VerificationProgressReads {
  private readonly householdScope: RawBuilder<unknown>;
  private readonly submissionScope: RawBuilder<unknown>;
  private readonly regencyScope: RawBuilder<unknown>;

  constructor(
    principal: Principal,
    private readonly db: Kysely<Database>,
  ) {
    if (!principal) throw new Error('VerificationProgressReads needs a principal');
    const scope = principal.agreement.regionScope;
    this.householdScope = householdRegionPredicate(scope);
    this.submissionScope = regionPredicate(scope, 's.region_code');
    this.regencyScope = regencyInScope(scope);
  }

  /** The regencies of the reference inside the scope (and under `prefix`), by code. */
  async regencies(prefix: string | null): Promise<ScopedRegency[]> {
    const { rows } = await sql<ScopedRegency>`
      SELECT r.code, r.name, r.parent_code AS "provinceCode"
        FROM region r
       WHERE r.level = 2 AND ${this.regencyScope} AND ${like('r.code', prefix)}
       ORDER BY r.code`.execute(this.db);
    return rows;
  }

  /** Households per regency and month of last verification, with the snapshot's as-of date. */
  async householdsByLastVerification(prefix: string | null): Promise<VerificationHistogram> {
    const { rows } = await sql<VerificationHistogram>`
      WITH served AS (SELECT sn.id, sn.as_of FROM snapshot sn ORDER BY sn.id DESC LIMIT 1)
      SELECT (SELECT id FROM served)::int AS "snapshotId", (SELECT as_of FROM served) AS "asOf",
             COALESCE((SELECT json_agg(json_build_object('regency', g.regency, 'month', g.month, 'n', g.n))
                         FROM (SELECT left(h.region_code, 4) AS regency,
                                      date_trunc('month', h.verified_at::timestamp)::date AS month,
                                      count(*)::int AS n
                                 FROM household h
                                WHERE ${this.householdScope} AND ${like('h.region_code', prefix)}
                                GROUP BY 1, 2) g), '[]'::json) AS cells`.execute(this.db);
    return rows[0]!;
  }

  /** The id of the snapshot served now (null before the first): what a cached count belongs to. */
  async servedSnapshotId(): Promise<number | null> {
    const { rows } = await sql<{ id: number }>`
      SELECT id::int AS id FROM snapshot ORDER BY id DESC LIMIT 1`.execute(this.db);
    return rows[0]?.id ?? null;
  }

  /** Submissions and proposals per regency by status, and the median time to review. */
  async submissions(prefix: string | null): Promise<SubmissionTally[]> {
    const count = (kind: string, status: string) =>
      sql`count(*) FILTER (WHERE s.kind = ${kind} AND s.status = ${status})::int`;
    const tally = (kind: string) =>
      sql`json_build_object('submitted', ${count(kind, 'SUBMITTED')}, 'approved', ${count(kind, 'APPROVED')},
                            'rejected', ${count(kind, 'REJECTED')}, 'applied', ${count(kind, 'APPLIED')})`;
    const { rows } = await sql<SubmissionTally>`
      SELECT left(s.region_code, 4) AS regency,
             ${tally('SUBMISSION')} AS submissions,
             ${tally('PROPOSAL')} AS proposals,
             count(*) FILTER (WHERE s.reviewed_at IS NOT NULL)::int AS reviewed,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.reviewed_at - s.submitted_at))
               FILTER (WHERE s.reviewed_at IS NOT NULL) AS "medianReviewSeconds"
        FROM verification_submission s
       WHERE s.region_code IS NOT NULL AND ${this.submissionScope} AND ${like('s.region_code', prefix)}
       GROUP BY 1
       ORDER BY 1`.execute(this.db);
    return rows;
  }
}

function like(column: string, prefix: string | null): RawBuilder<unknown> {
  return prefix === null ? sql`true` : sql`${sql.raw(column)} LIKE ${prefix + '%'}`;
}

/**
 * A regency is in a scope when it lies inside one of its prefixes (`32`, `3201`) or holds one
 * (`320101`: the regency is listed, and counts only the district's households).
 */
function regencyInScope(scope: readonly string[]): RawBuilder<unknown> {
  if (scope.includes('*')) return sql`true`;
  const prefixes = scope.filter((p) => /^\d{2,10}$/.test(p));
  const within = prefixes.filter((p) => p.length <= 4).map((p) => `${p}%`);
  const holding = prefixes.filter((p) => p.length > 4).map((p) => p.slice(0, 4));
  if (within.length === 0 && holding.length === 0) return sql`false`;
  return sql`(r.code LIKE ANY (${within}::text[]) OR r.code = ANY (${holding}::text[]))`;
}
