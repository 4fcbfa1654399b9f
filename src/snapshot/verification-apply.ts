import { verificationEventsSql } from '../db/change-outbox.js';
import type pg from 'pg';

/** An approved verification the staged snapshot reflects, and the household it became. */
export interface AppliedVerification {
  id: number;
  householdId: string;
}

/**
 * The approved verifications that the staged snapshot (`household_next`) reflects. The snapshot
 * format has no column naming submissions (CONTRACT §4 is fixed), so the rule reads what the
 * central ranking cycle does when it applies a verification: it sets the household's
 * `verified_at` to the visit date (docs/verification-export.md).
 *
 * - A SUBMISSION is applied when its household is in the snapshot with `verified_at` on or after
 *   the visit date; or, for outcomes that end a household (MOVED, DECEASED, NOT_FOUND,
 *   DUPLICATE), when the household is no longer in the snapshot.
 * - A PROPOSAL is applied when a household with the proposed KK number is in the snapshot with
 *   `verified_at` on or after the visit date; it then records that household's id.
 *
 * Submitting requires a visit after the household's current `verified_at`, so a submission is
 * never taken for applied by a snapshot that merely predates it. Run on the staged tables before
 * the swap: the KK number has no index, and scanning households inside the swap transaction would
 * hold every reader back.
 */
export async function findAppliedVerifications(
  client: pg.PoolClient,
): Promise<AppliedVerification[]> {
  const { rows: submissions } = await client.query<AppliedVerification>(
    `SELECT s.id, s.household_id AS "householdId"
       FROM verification_submission s
       LEFT JOIN household_next h ON h.household_id = s.household_id
      WHERE s.status = 'APPROVED' AND s.kind = 'SUBMISSION'
        AND (h.verified_at >= s.visited_at
             OR (h.household_id IS NULL AND s.outcome IN ('MOVED', 'DECEASED', 'NOT_FOUND', 'DUPLICATE')))`,
  );
  // Households by KK number is a scan: only when a proposal awaits.
  const { rows: waiting } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM verification_submission
      WHERE status = 'APPROVED' AND kind = 'PROPOSAL'`,
  );
  if (waiting[0]!.n === 0) return submissions;
  const { rows: proposals } = await client.query<AppliedVerification>(
    `SELECT DISTINCT ON (s.id) s.id, h.household_id AS "householdId"
       FROM verification_submission s
       JOIN household_next h ON h.kk_number = s.kk_number AND h.verified_at >= s.visited_at
      WHERE s.status = 'APPROVED' AND s.kind = 'PROPOSAL'
      ORDER BY s.id, h.household_id`,
  );
  return [...submissions, ...proposals];
}

/**
 * Marks them APPLIED with the published snapshot's id, inside the transaction that publishes it
 * (a reader never sees the new snapshot with stale statuses), and writes their status events for
 * the agreements that sent them (the caller holds the change outbox lock). One approved meanwhile
 * waits for the next import. Returns how many were marked and how many events were written.
 */
export async function markAppliedVerifications(
  client: pg.PoolClient,
  applied: readonly AppliedVerification[],
  snapshotId: number,
): Promise<{ verificationsApplied: number; events: number }> {
  if (applied.length === 0) return { verificationsApplied: 0, events: 0 };
  const { rows } = await client.query<{ applied: number; events: number }>(
    `WITH applied AS (
       UPDATE verification_submission s
          SET status = 'APPLIED', applied_at = now(), applied_snapshot_id = $3,
              household_id = a.household_id
         FROM unnest($1::bigint[], $2::text[]) AS a(id, household_id)
        WHERE s.id = a.id AND s.status = 'APPROVED'
       RETURNING s.public_id, s.kind, s.household_id, s.client_id,
                 'APPROVED'::text AS previous_status, s.status
     ), events AS (${verificationEventsSql('applied', '$3::bigint')})
     SELECT (SELECT count(*) FROM applied)::int AS applied, (SELECT count(*) FROM events)::int AS events`,
    [applied.map((a) => a.id), applied.map((a) => a.householdId), snapshotId],
  );
  return { verificationsApplied: rows[0]!.applied, events: rows[0]!.events };
}
