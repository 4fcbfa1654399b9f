import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Principal } from '../../auth/principal.js';
import type {
  ReviewDecision,
  SubmissionKind,
  SubmissionStatus,
  VerificationPayload,
} from '../../domain/verification-input.js';
import type { Database } from '../database-types.js';
import { lockOutboxSql, verificationEventsSql } from '../change-outbox.js';
import { regionPredicate } from './record-projection.js';

/** A stored submission or proposal. `payload` holds NIKs in clear: internal, never returned as is. */
export interface SubmissionRecord {
  /** Internal order (list position); clients see `publicId`. */
  id: number;
  publicId: string;
  kind: SubmissionKind;
  clientId: string;
  agencyId: string;
  officerId: string | null;
  regionCode: string | null;
  householdId: string | null;
  kkNumber: string | null;
  outcome: string | null;
  visitedAt: string;
  payload: VerificationPayload;
  note: string | null;
  fingerprint: string;
  status: SubmissionStatus;
  submittedAt: Date;
  reviewerClientId: string | null;
  reviewerAgencyId: string | null;
  reviewerOfficerId: string | null;
  reviewDecision: ReviewDecision | null;
  reviewedAt: Date | null;
  reviewNote: string | null;
  appliedAt: Date | null;
  appliedSnapshotId: number | null;
  /** The as-of date of the served snapshot, read in the same statement (null before any). */
  dataAsOf: string | null;
}

export interface NewSubmission {
  kind: SubmissionKind;
  regionCode: string | null;
  householdId: string | null;
  kkNumber: string | null;
  outcome: string | null;
  visitedAt: string;
  payload: VerificationPayload;
  addedNiks: string[];
  note: string | null;
  idempotencyKey: string;
  fingerprint: string;
}

export interface SubmissionFilter {
  status?: string | null;
  kind?: string | null;
  /** Region-code prefix; intersected with the region scope. */
  regionCode?: string | null;
  householdId?: string | null;
}

/** One event of a household's verification history, derived from its submissions. */
export interface VerificationEventRecord {
  householdId: string;
  at: Date;
  type: 'SUBMITTED' | 'APPROVED' | 'REJECTED' | 'APPLIED';
  submissionId: string;
  kind: SubmissionKind;
  outcome: string | null;
  clientId: string | null;
  agencyId: string | null;
  officerId: string | null;
  note: string | null;
  snapshotId: number | null;
}

const COLUMNS = sql.raw(`
  s.id, s.public_id AS "publicId", s.kind, s.client_id AS "clientId", s.agency_id AS "agencyId",
  s.officer_id AS "officerId", s.region_code AS "regionCode", s.household_id AS "householdId",
  s.kk_number AS "kkNumber", s.outcome, s.visited_at AS "visitedAt", s.payload, s.note,
  s.fingerprint, s.status, s.submitted_at AS "submittedAt",
  s.reviewer_client_id AS "reviewerClientId", s.reviewer_agency_id AS "reviewerAgencyId",
  s.reviewer_officer_id AS "reviewerOfficerId", s.review_decision AS "reviewDecision",
  s.reviewed_at AS "reviewedAt", s.review_note AS "reviewNote", s.applied_at AS "appliedAt",
  s.applied_snapshot_id AS "appliedSnapshotId",
  (SELECT sn.as_of FROM snapshot sn ORDER BY sn.id DESC LIMIT 1) AS "dataAsOf"`);

/** Submissions still open: neither rejected nor in a published snapshot yet. */
const OPEN = sql.raw(`s.status IN ('SUBMITTED', 'APPROVED')`);

/**
 * The verification submissions table for one principal. Submissions carry personal data (the
 * NIKs and names of member changes), so they sit behind the same door as the registry: every
 * read is limited by the principal's region scope (`s.region_code`), and one submission outside
 * the scope looks exactly like one that does not exist. The only unscoped read is of the
 * client's own submission by idempotency key.
 */
export class VerificationStore {
  private readonly inScope: RawBuilder<unknown>;

  constructor(
    private readonly principal: Principal,
    private readonly db: Kysely<Database>,
  ) {
    if (!principal) throw new Error('VerificationStore needs a principal');
    this.inScope = regionPredicate(principal.agreement.regionScope, 's.region_code');
  }

  /** This client's submission under an idempotency key, if any. */
  async byKey(idempotencyKey: string): Promise<SubmissionRecord | null> {
    const { rows } = await sql<SubmissionRecord>`
      SELECT ${COLUMNS} FROM verification_submission s
       WHERE s.client_id = ${this.principal.clientId} AND s.idempotency_key = ${idempotencyKey}`.execute(
      this.db,
    );
    return rows[0] ?? null;
  }

  /**
   * Stores a submission unless this client already used the key: concurrent duplicates race on
   * the unique index, exactly one row is stored, and the others get null (and read the winner).
   */
  async insert(s: NewSubmission): Promise<SubmissionRecord | null> {
    const p = this.principal;
    const { rows } = await sql<SubmissionRecord>`
      INSERT INTO verification_submission AS s
        (public_id, kind, client_id, agency_id, officer_id, region_code, household_id, kk_number,
         outcome, visited_at, payload, added_niks, note, idempotency_key, fingerprint)
      VALUES (${newPublicId()}, ${s.kind}, ${p.clientId}, ${p.agencyId}, ${p.officerId},
              ${s.regionCode}, ${s.householdId}, ${s.kkNumber}, ${s.outcome}, ${s.visitedAt},
              ${JSON.stringify(s.payload)}::jsonb, ${s.addedNiks}, ${s.note},
              ${s.idempotencyKey}, ${s.fingerprint})
      ON CONFLICT (client_id, idempotency_key) DO NOTHING
      RETURNING ${COLUMNS}`.execute(this.db);
    return rows[0] ?? null;
  }

  /** Those of `niks` added or proposed by an open submission in the scope. */
  async openAdditions(niks: readonly string[]): Promise<Set<string>> {
    if (niks.length === 0) return new Set();
    const { rows } = await sql<{ nik: string }>`
      SELECT DISTINCT n.nik FROM verification_submission s, unnest(s.added_niks) AS n(nik)
       WHERE s.added_niks && ${[...niks]} AND ${OPEN} AND ${this.inScope}
         AND n.nik = ANY(${[...niks]})`.execute(this.db);
    return new Set(rows.map((r) => r.nik));
  }

  /** Whether an open proposal in the scope already proposes this KK number. */
  async openProposalFor(kkNumber: string): Promise<boolean> {
    const { rows } = await sql<{ one: number }>`
      SELECT 1 AS one FROM verification_submission s
       WHERE s.kind = 'PROPOSAL' AND s.kk_number = ${kkNumber} AND ${OPEN} AND ${this.inScope}
       LIMIT 1`.execute(this.db);
    return rows.length > 0;
  }

  /** A submission by its public id inside the scope, or null (unknown and out of scope alike). */
  async byPublicId(publicId: string): Promise<SubmissionRecord | null> {
    if (publicId.includes('\u0000')) return null;
    const { rows } = await sql<SubmissionRecord>`
      SELECT ${COLUMNS} FROM verification_submission s
       WHERE s.public_id = ${publicId} AND ${this.inScope}`.execute(this.db);
    return rows[0] ?? null;
  }

  /**
   * Records a review in one statement, so two reviewers cannot both decide: only a SUBMITTED
   * submission in the scope, sent by another client of another agency (two-person rule), is
   * updated. Null when nothing was; the caller then reads why.
   */
  async review(
    publicId: string,
    decision: ReviewDecision,
    note: string | null,
  ): Promise<SubmissionRecord | null> {
    if (publicId.includes('\u0000')) return null;
    const p = this.principal;
    // The status event for the sender's agreement commits with the review, after every earlier
    // event (the outbox lock, src/db/change-outbox.ts).
    return this.db.transaction().execute(async (trx) => {
      await sql.raw(lockOutboxSql('review')).execute(trx);
      const { rows } = await sql<SubmissionRecord>`
        WITH reviewed AS (
          UPDATE verification_submission s
             SET status = ${decision}, review_decision = ${decision}, reviewed_at = now(),
                 reviewer_client_id = ${p.clientId}, reviewer_agency_id = ${p.agencyId},
                 reviewer_officer_id = ${p.officerId}, review_note = ${note}
           WHERE s.public_id = ${publicId} AND s.status = 'SUBMITTED' AND ${this.inScope}
             AND s.client_id <> ${p.clientId} AND s.agency_id <> ${p.agencyId}
          RETURNING s.*
        ), changed AS (
          SELECT s.public_id, s.kind, s.household_id, s.client_id,
                 'SUBMITTED'::text AS previous_status, s.status
            FROM reviewed s
        ), events AS (${sql.raw(verificationEventsSql('changed', 'NULL::bigint'))})
        SELECT ${COLUMNS} FROM reviewed s`.execute(trx); // "events" runs though unread
      return rows[0] ?? null;
    });
  }

  /** One page in submission order after `afterId`; one row more than asked tells if more exist. */
  async page(
    filter: SubmissionFilter,
    first: number,
    afterId: number | null,
  ): Promise<{ rows: SubmissionRecord[]; hasNextPage: boolean }> {
    const conditions: RawBuilder<unknown>[] = [this.inScope];
    if (filter.status) conditions.push(sql`s.status = ${filter.status}`);
    if (filter.kind) conditions.push(sql`s.kind = ${filter.kind}`);
    if (filter.regionCode) conditions.push(sql`s.region_code LIKE ${filter.regionCode + '%'}`);
    if (filter.householdId) conditions.push(sql`s.household_id = ${filter.householdId}`);
    if (afterId !== null) conditions.push(sql`s.id > ${afterId}`);
    const { rows } = await sql<SubmissionRecord>`
      SELECT ${COLUMNS} FROM verification_submission s
       WHERE ${sql.join(conditions, sql` AND `)}
       ORDER BY s.id
       LIMIT ${first + 1}`.execute(this.db);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /**
   * The verification events of these households, oldest first, in one statement: each
   * submission gives its submission, its review and its application, when they happened.
   */
  async events(householdIds: readonly string[]): Promise<VerificationEventRecord[]> {
    const { rows } = await sql<VerificationEventRecord>`
      SELECT s.household_id AS "householdId", e.at, e.type, s.public_id AS "submissionId", s.kind,
             s.outcome, e.client_id AS "clientId", e.agency_id AS "agencyId",
             e.officer_id AS "officerId", e.note, e.snapshot_id AS "snapshotId"
        FROM verification_submission s
       CROSS JOIN LATERAL (VALUES
         (0, 'SUBMITTED', s.submitted_at, s.client_id, s.agency_id, s.officer_id, s.note, NULL::bigint),
         (1, s.review_decision, s.reviewed_at, s.reviewer_client_id, s.reviewer_agency_id,
             s.reviewer_officer_id, s.review_note, NULL::bigint),
         (2, 'APPLIED', s.applied_at, NULL, NULL, NULL, NULL, s.applied_snapshot_id)
       ) AS e(step, type, at, client_id, agency_id, officer_id, note, snapshot_id)
       WHERE s.household_id = ANY(${[...householdIds]}) AND ${this.inScope}
         AND e.at IS NOT NULL
       ORDER BY s.household_id, e.at, s.id, e.step`.execute(this.db);
    return rows;
  }
}

/** An opaque, unguessable submission id. */
function newPublicId(): string {
  return `vs_${randomBytes(12).toString('base64url')}`;
}
