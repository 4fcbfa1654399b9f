import { sql, type Kysely } from 'kysely';
import type { VerificationPayload } from '../../domain/verification-input.js';
import type { Database } from '../database-types.js';

/** An approved submission or proposal as the export writes it (operator use: NIKs in clear). */
export interface ApprovedSubmission {
  id: number;
  publicId: string;
  kind: 'SUBMISSION' | 'PROPOSAL';
  status: 'APPROVED' | 'APPLIED';
  householdId: string | null;
  kkNumber: string | null;
  regionCode: string | null;
  outcome: string | null;
  visitedAt: string;
  payload: VerificationPayload;
  note: string | null;
  officerId: string | null;
  clientId: string;
  agencyId: string;
  submittedAt: Date;
  reviewerClientId: string;
  reviewerAgencyId: string;
  reviewerOfficerId: string | null;
  reviewedAt: Date;
  reviewNote: string | null;
}

/**
 * One page of submissions and proposals approved at or after `since`, in submission order after
 * `afterId` (keyset paging keeps memory flat however many there are). For the operator's export
 * command only: it reads the submissions table alone, never the registry, and has no principal
 * because it runs on the server, not for a client.
 */
export async function approvedSince(
  db: Kysely<Database>,
  since: Date,
  afterId: number,
  limit: number,
): Promise<ApprovedSubmission[]> {
  const { rows } = await sql<ApprovedSubmission>`
    SELECT s.id, s.public_id AS "publicId", s.kind, s.status, s.household_id AS "householdId",
           s.kk_number AS "kkNumber", s.region_code AS "regionCode", s.outcome,
           s.visited_at AS "visitedAt", s.payload, s.note, s.officer_id AS "officerId",
           s.client_id AS "clientId", s.agency_id AS "agencyId", s.submitted_at AS "submittedAt",
           s.reviewer_client_id AS "reviewerClientId", s.reviewer_agency_id AS "reviewerAgencyId",
           s.reviewer_officer_id AS "reviewerOfficerId", s.reviewed_at AS "reviewedAt",
           s.review_note AS "reviewNote"
      FROM verification_submission s
     WHERE s.review_decision = 'APPROVED' AND s.reviewed_at >= ${since} AND s.id > ${afterId}
     ORDER BY s.id
     LIMIT ${limit}`.execute(db);
  return rows;
}
