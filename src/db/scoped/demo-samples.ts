import { sql, type Kysely } from 'kysely';
import type { Principal } from '../../auth/principal.js';
import type { ReasonCode } from '../../domain/reason-codes.js';
import type { Database } from '../database-types.js';
import { currentRules } from '../queries/eligibility-rule-queries.js';
import { evaluateEligibility } from './eligibility-evaluator.js';
import { householdRegionPredicate } from './record-projection.js';

/**
 * Real ids of the served demo snapshot for the demo clients (`dtks-gateway demo samples`), so that
 * the README's examples can be run as written. Behind the same door as every read of households
 * and members: each sample is read for a demo client's principal, inside its region scope. The
 * command refuses any snapshot that is not synthetic (see `isSyntheticSnapshot`), so it can never
 * print a real person's NIK.
 *
 * Every pick is deterministic for a snapshot: candidates are ordered by household id and name.
 * The synthetic generator draws households, their regions and their members the same way for
 * seed "demo" whatever the as-of date, so the households picked (and their ids) are the same in
 * every demo; NIKs embed a birth date counted back from the as-of date, so they change with it.
 */

/** The `source` of a snapshot loaded by `serve --demo` or `seed` (the generator's label). */
export function isSyntheticSnapshot(source: string): boolean {
  return source.startsWith('synthetic, seed ');
}

/** Samples for a local government: persons and households of its region. */
export interface RegionSamples {
  /** The head (ACTIVE) of `householdId`. */
  nik: string;
  /** A household of the region with an active head and another active member. */
  householdId: string;
  villageCode: string;
  activeMembers: number;
  /** An ACTIVE member of `householdId` who is not its head (for a member change). */
  memberNik: string;
  /** A few more households of the region. */
  householdIds: string[];
  /** The districts (6 digits) with the most households, most first. */
  districts: Array<{ code: string; households: number }>;
}

/** Samples for a ministry: NIKs eligible and not eligible for every program of its agreement. */
export interface EligibilitySamples {
  programs: string[];
  /** ELIGIBLE for every program of the agreement. */
  nik: string;
  /** Registered and active, NOT eligible for any program of the agreement. */
  notEligibleNik: string;
  notEligibleReasons: ReasonCode[];
  /** A mix for a batch: eligible, not eligible, eligible. */
  niks: string[];
}

/** Samples of persons and households inside a (local government's) principal's region scope. */
export async function regionSamples(
  db: Kysely<Database>,
  principal: Principal,
): Promise<RegionSamples | null> {
  if (!principal) throw new Error('demo samples need a principal');
  const inScope = householdRegionPredicate(principal.agreement.regionScope);
  const { rows } = await sql<{
    householdId: string;
    villageCode: string;
    headNik: string;
    memberNik: string;
    activeMembers: number;
  }>`
    WITH served AS (SELECT as_of FROM snapshot ORDER BY id DESC LIMIT 1)
    SELECT h.household_id AS "householdId", h.region_code AS "villageCode",
           head.nik AS "headNik", other.nik AS "memberNik",
           (SELECT count(*)::int FROM member a
             WHERE a.household_id = h.household_id AND a.province = h.province
               AND a.status = 'ACTIVE') AS "activeMembers"
      FROM household h
      JOIN LATERAL (SELECT m.nik FROM member m
                     WHERE m.household_id = h.household_id AND m.province = h.province AND m.status = 'ACTIVE'
                       AND m.relationship = 'HEAD'
                     ORDER BY m.name, m.nik LIMIT 1) head ON true
      JOIN LATERAL (SELECT m.nik FROM member m
                     WHERE m.household_id = h.household_id AND m.province = h.province AND m.status = 'ACTIVE'
                       AND m.relationship IS DISTINCT FROM 'HEAD'
                     ORDER BY m.name, m.nik LIMIT 1) other ON true
     WHERE ${inScope}
       -- a visit today comes after the last verification (submitVerification checks it)
       AND (h.verified_at IS NULL OR h.verified_at < (SELECT as_of FROM served))
     ORDER BY h.household_id
     LIMIT 4`.execute(db);
  const first = rows[0];
  if (!first) return null;
  const { rows: districts } = await sql<{ code: string; households: number }>`
    SELECT left(h.region_code, 6) AS code, count(*)::int AS households
      FROM household h
     WHERE ${inScope} AND h.region_code IS NOT NULL
     GROUP BY 1
     ORDER BY 2 DESC, 1
     LIMIT 3`.execute(db);
  return {
    nik: first.headNik,
    householdId: first.householdId,
    villageCode: first.villageCode,
    activeMembers: first.activeMembers,
    memberNik: first.memberNik,
    householdIds: rows.slice(1).map((r) => r.householdId),
    districts,
  };
}

/**
 * How many candidates are decided to find a sample (one statement per program each way): in the
 * poorest deciles a few hundred members include pupils (PIP) and PKH households many times over.
 */
const CANDIDATES = { eligible: 400, notEligible: 50 };

/**
 * Samples for a ministry's principal: decided by the served rules of its agreement's programs,
 * through the gateway's own evaluator, inside its region scope.
 */
export async function eligibilitySamples(
  db: Kysely<Database>,
  principal: Principal,
): Promise<EligibilitySamples | null> {
  if (!principal) throw new Error('demo samples need a principal');
  const programs = principal.agreement.programs;
  const rules = (await currentRules(db)).filter((r) => programs.includes(r.program));
  if (rules.length === 0) return null;
  const inScope = householdRegionPredicate(principal.agreement.regionScope);
  const decide = async (niks: string[]) => {
    const reasons = new Map<string, ReasonCode[]>(niks.map((n) => [n, []]));
    for (const rule of rules) {
      const { facts } = await evaluateEligibility(db, principal, niks, rule);
      facts.forEach((f, i) => reasons.get(niks[i]!)!.push(f.reason));
    }
    return reasons;
  };
  // Candidates: active members of households likely to pass (poorest deciles) or to fail.
  const candidates = async (deciles: [number, number], limit: number) => {
    const { rows } = await sql<{ nik: string }>`
      SELECT m.nik FROM member m JOIN household h ON h.household_id = m.household_id AND h.province = m.province
       WHERE m.status = 'ACTIVE' AND h.verification_status <> 'REJECTED' AND ${inScope}
         AND h.decile BETWEEN ${deciles[0]} AND ${deciles[1]}
       ORDER BY h.household_id, m.name, m.nik
       LIMIT ${limit}`.execute(db);
    return rows.map((r) => r.nik);
  };
  const eligible = [...(await decide(await candidates([1, 3], CANDIDATES.eligible)))]
    .filter(([, reasons]) => reasons.every((r) => r === 'ELIGIBLE'))
    .map(([nik]) => nik);
  const notEligible = [...(await decide(await candidates([8, 10], CANDIDATES.notEligible)))].find(
    ([, reasons]) => reasons.every((r) => r === 'ABOVE_DECILE_THRESHOLD'),
  );
  if (eligible.length < 2 || !notEligible) return null;
  return {
    programs: rules.map((r) => r.program),
    nik: eligible[0]!,
    notEligibleNik: notEligible[0],
    notEligibleReasons: notEligible[1],
    niks: [eligible[0]!, notEligible[0], eligible[1]!],
  };
}
