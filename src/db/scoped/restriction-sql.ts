import { sql, type RawBuilder } from 'kysely';
import { stoppedPurposes, type RestrictionScope } from '../../auth/restriction-policy.js';

/**
 * Restrictions of processing in the scoped SQL (CONTRACT §13, docs/subjects.md). Every read of a
 * person for a purpose that a restriction stops carries `notRestricted`: a restricted person is
 * then missing, exactly like a person who is not in the registry.
 *
 *   NOT EXISTS (SELECT 1 FROM processing_restriction pr
 *                WHERE pr.nik = m.nik AND pr.lifted_at IS NULL
 *                  AND (pr.purposes = '{}' OR 'HOUSING_SURVEY' = ANY (pr.purposes))
 *                  AND (pr.agency_ids = '{}' OR 'dinsos-x' = ANY (pr.agency_ids)))
 *
 * `scope` null (the purpose rests on a basis a restriction does not stop): no condition.
 */
export function notRestricted(
  scope: RestrictionScope | null,
  nik: RawBuilder<unknown>,
): RawBuilder<unknown> {
  if (scope === null) return sql`TRUE`;
  const purpose =
    scope.purpose === null ? sql`TRUE` : sql`${scope.purpose}::text = ANY (pr.purposes)`;
  return sql`NOT EXISTS (
      SELECT 1 FROM processing_restriction pr
       WHERE pr.nik = ${nik} AND pr.lifted_at IS NULL
         AND (pr.purposes = '{}' OR ${purpose})
         AND (pr.agency_ids = '{}' OR ${scope.agencyId}::text = ANY (pr.agency_ids)))`;
}

/**
 * The same for work done for a whole agreement (an import deciding a ministry's followed
 * subjects): a restriction of its agency that covers any of the agreement's purposes a
 * restriction stops (`stoppedPurposes`). None: no condition.
 */
export function notRestrictedForAgreement(
  agreement: {
    agencyId: string;
    purposes: readonly string[];
    purposeLegalBasis: Readonly<Record<string, string>>;
  },
  nik: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const stopped = stoppedPurposes(agreement);
  const { agencyId } = agreement;
  if (stopped.length === 0) return sql`TRUE`;
  return sql`NOT EXISTS (
      SELECT 1 FROM processing_restriction pr
       WHERE pr.nik = ${nik} AND pr.lifted_at IS NULL
         AND (pr.purposes = '{}' OR pr.purposes && ${[...stopped]}::text[])
         AND (pr.agency_ids = '{}' OR ${agencyId}::text = ANY (pr.agency_ids)))`;
}

/**
 * The CTE that makes `member` mean, for the rest of one statistics statement, the members counted
 * in statistics (`countedInStatistics` at `asOf`, an SQL expression): it shadows the table, so
 * every reference to members in the statement, the compiled rules' included, reads through it.
 * NOT MATERIALIZED: each reference is planned as a scan of members with an anti-join.
 */
export function statisticsMembers(asOf: string): RawBuilder<unknown> {
  return sql`member AS NOT MATERIALIZED (
      SELECT m0.* FROM public.member m0 WHERE ${sql.raw(countedInStatistics(asOf, 'm0.nik'))})`;
}

/**
 * Statistics leave out every person restricted when the served snapshot's import read the
 * restrictions (`snapshot.restrictions_as_of`): whatever purposes or agencies a restriction names,
 * the statistics are one table for all. `asOf` is an SQL expression for that moment; NULL (a
 * snapshot imported before restrictions existed) leaves nobody out. The rollup build and the
 * base-table path both count members through this, so they agree.
 */
export function countedInStatistics(asOf: string, nik: string): string {
  return `NOT EXISTS (
      SELECT 1 FROM processing_restriction pr
       WHERE pr.nik = ${nik} AND pr.restricted_at <= ${asOf}
         AND (pr.lifted_at IS NULL OR pr.lifted_at > ${asOf}))`;
}
