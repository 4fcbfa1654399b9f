import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Principal } from '../../auth/principal.js';
import type { Database } from '../database-types.js';
import { householdRegionPredicate, regionPredicate } from './record-projection.js';

/** What validating a submission needs to know about its household. Internal: never returned. */
export interface HouseholdFacts {
  id: string;
  regionCode: string | null;
  verifiedAt: string | null;
  /** Members in clear, to check that a change names a member of this household. */
  members: Array<{ nik: string; status: string }>;
}

/**
 * The registry reads of verification (CONTRACT §9), behind the same door as every other read of
 * households and members: built with a principal, every statement carries its region predicate.
 * A household outside the scope is `null`, exactly like one that does not exist; a NIK or KK
 * number registered outside the scope is not found either, so validation can never tell a
 * submitter that someone is registered elsewhere (see docs/security.md, verivali).
 */
export class VerificationReads {
  private readonly inScope: RawBuilder<unknown>;
  private readonly villageInScope: RawBuilder<unknown>;

  constructor(
    principal: Principal,
    private readonly db: Kysely<Database>,
  ) {
    if (!principal) throw new Error('VerificationReads needs a principal');
    this.inScope = householdRegionPredicate(principal.agreement.regionScope);
    this.villageInScope = regionPredicate(principal.agreement.regionScope, 'r.code');
  }

  /** Whether `code` is a village (level 4) of the region reference inside the scope. */
  async isVillageInScope(code: string): Promise<boolean> {
    const { rows } = await sql<{ one: number }>`
      SELECT 1 AS one FROM region r
       WHERE r.code = ${code} AND r.level = 4 AND ${this.villageInScope}`.execute(this.db);
    return rows.length > 0;
  }

  /** The household with its members' NIKs and statuses, or null outside the scope or unknown. */
  async household(id: string): Promise<HouseholdFacts | null> {
    // PostgreSQL text cannot hold NUL: such an id cannot exist, and must look like any other.
    if (id.includes('\u0000')) return null;
    const { rows } = await sql<HouseholdFacts>`
      SELECT h.household_id AS "id", h.region_code AS "regionCode", h.verified_at AS "verifiedAt",
             COALESCE((SELECT json_agg(json_build_object('nik', m.nik, 'status', m.status) ORDER BY m.nik)
                         FROM member m WHERE m.household_id = h.household_id AND m.province = h.province),
                       '[]'::json) AS "members"
        FROM household h
       WHERE h.household_id = ${id} AND ${this.inScope}`.execute(this.db);
    return rows[0] ?? null;
  }

  /** Those of `niks` that are registered (any status) in a household inside the scope. */
  async registeredNiks(niks: readonly string[]): Promise<Set<string>> {
    if (niks.length === 0) return new Set();
    const { rows } = await sql<{ nik: string }>`
      SELECT m.nik FROM member m JOIN household h ON h.household_id = m.household_id AND h.province = m.province
       WHERE m.nik = ANY(${[...niks]}) AND ${this.inScope}`.execute(this.db);
    return new Set(rows.map((r) => r.nik));
  }

  /** Whether a household with this KK number is registered inside the scope. */
  async kkRegistered(kkNumber: string): Promise<boolean> {
    // No index on kk_number: the region predicate bounds the scan to the scope's households.
    const { rows } = await sql<{ one: number }>`
      SELECT 1 AS one FROM household h
       WHERE h.kk_number = ${kkNumber} AND ${this.inScope} LIMIT 1`.execute(this.db);
    return rows.length > 0;
  }
}
