import { sql, type Kysely, type RawBuilder } from 'kysely';
import { grievanceRoutes } from '../../auth/grievance-routing.js';
import type { Principal } from '../../auth/principal.js';
import { lockOutboxSql } from '../change-outbox.js';
import type { Database } from '../database-types.js';
import { regionPredicate } from './record-projection.js';

/** A grievance as the gateway reads it; `_nik` is internal (audit subject), never returned. */
export interface GrievanceRecord {
  id: string;
  status: 'OPEN' | 'IN_REVIEW' | 'RESOLVED' | 'DISMISSED';
  program: string;
  decisionId: string;
  text: string;
  householdId: string | null;
  regionCode: string;
  openedByAgency: string;
  openedByAgencyName: string | null;
  openedAt: Date;
  dueAt: Date;
  escalated: boolean;
  reviewedAt: Date | null;
  closedAt: Date | null;
  submissionId: string | null;
  dismissalReason: string | null;
  _key: string;
  _nik: string;
}

/** What a list may be narrowed by. */
export interface GrievanceFilter {
  statuses?: readonly string[] | null;
  program?: string | null;
  escalated?: boolean | null;
  regionCode?: string | null;
  nik?: string | null;
}

/** A grievance to store (routed, with its due date already computed by the caller). */
export interface NewGrievance {
  publicId: string;
  nik: string;
  decisionId: string;
  program: string;
  householdId: string | null;
  regionCode: string;
  text: string;
  dueAt: Date;
}

const COLUMNS = sql`g.public_id AS "id", g.status, g.program, g.decision_id AS "decisionId",
  g.text, g.household_id AS "householdId", g.region_code AS "regionCode",
  g.opened_by_agency AS "openedByAgency",
  (SELECT a.name FROM agency a WHERE a.id = g.opened_by_agency) AS "openedByAgencyName",
  g.opened_at AS "openedAt", g.due_at AS "dueAt",
  g.due_at < coalesce(g.closed_at, now()) AS escalated,
  g.reviewed_at AS "reviewedAt", g.closed_at AS "closedAt", g.submission_id AS "submissionId",
  g.dismissal_reason AS "dismissalReason", g.id::text AS "_key", g.nik AS "_nik"`;

/**
 * The grievances a principal may see, as SQL: a local government those routed to its region
 * (src/auth/grievance-routing.ts); an opener (a ministry, a data subjects' service) those its
 * agency opened; nobody else any. A grievance outside this is missing, exactly like one that does
 * not exist.
 */
function visibleTo(principal: Principal): RawBuilder<unknown> {
  if (principal.kind === 'LOCAL_GOV') {
    const { fromOpening, onceEscalated } = grievanceRoutes(principal.agreement.regionScope);
    const parts: RawBuilder<unknown>[] = fromOpening.map((p) =>
      p.length === 4 ? sql`left(g.region_code, 4) = ${p}` : sql`g.region_code LIKE ${p + '%'}`,
    );
    for (const p of onceEscalated) {
      parts.push(sql`(left(g.region_code, 2) = ${p} AND g.due_at < coalesce(g.closed_at, now()))`);
    }
    return parts.length === 0 ? sql`false` : sql`(${sql.join(parts, sql` OR `)})`;
  }
  if (principal.kind === 'MINISTRY' || principal.kind === 'SUBJECT_SERVICE') {
    return sql`g.opened_by_agency = ${principal.agencyId}`;
  }
  return sql`false`;
}

/**
 * Request-time SQL of grievances (CONTRACT §13) for one principal: every read and every change
 * carries the principal's visibility, so a grievance of another region can be neither read nor
 * handled, and looks missing.
 */
export class GrievanceStore {
  private readonly visible: RawBuilder<unknown>;

  constructor(
    private readonly principal: Principal,
    private readonly db: Kysely<Database>,
    private readonly readDb: Kysely<Database>,
  ) {
    this.visible = visibleTo(principal);
  }

  /**
   * Whether `decisionId` was given in a request about the person with audit subject `subject`
   * (by `agencyId`'s clients, when given): the audit log is where decisions are recorded.
   */
  async decisionAbout(
    subject: string,
    decisionId: string,
    agencyId: string | null,
  ): Promise<boolean> {
    const { rows } = await sql<{ found: boolean }>`
      SELECT EXISTS (
        SELECT 1 FROM audit_event e
         WHERE e.subjects @> ARRAY[${subject}]::text[]
           AND e.decision_ids @> ARRAY[${decisionId}]::text[]
           AND (${agencyId}::text IS NULL OR e.agency_id = ${agencyId})) AS found`.execute(
      this.readDb,
    );
    return rows[0]?.found === true;
  }

  /** The household and region of a NIK in the served snapshot, or null when not registered. */
  async householdOf(nik: string): Promise<{ householdId: string; regionCode: string } | null> {
    const { rows } = await sql<{ householdId: string; regionCode: string | null }>`
      SELECT h.household_id AS "householdId", h.region_code AS "regionCode"
        FROM member m JOIN household h ON h.household_id = m.household_id AND h.province = m.province
       WHERE m.nik = ${nik}`.execute(this.readDb);
    const row = rows[0];
    return row && row.regionCode
      ? { householdId: row.householdId, regionCode: row.regionCode }
      : null;
  }

  /** Whether a region code is in the region reference (a regency or finer). */
  async regionExists(code: string): Promise<boolean> {
    const { rows } = await sql<{ found: boolean }>`
      SELECT EXISTS (SELECT 1 FROM region WHERE code = ${code} AND level >= 2) AS found`.execute(
      this.readDb,
    );
    return rows[0]?.found === true;
  }

  async insert(g: NewGrievance): Promise<GrievanceRecord> {
    const p = this.principal;
    const { rows } = await sql<GrievanceRecord>`
      WITH g AS (
        INSERT INTO grievance (public_id, nik, decision_id, program, household_id, region_code,
                               text, opened_by_client, opened_by_agency, opened_by_officer, due_at)
        VALUES (${g.publicId}, ${g.nik}, ${g.decisionId}, ${g.program}, ${g.householdId},
                ${g.regionCode}, ${g.text}, ${p.clientId}, ${p.agencyId}, ${p.officerId}, ${g.dueAt})
        RETURNING *)
      SELECT ${COLUMNS} FROM g`.execute(this.db);
    return rows[0]!;
  }

  async byId(publicId: string): Promise<GrievanceRecord | null> {
    if (publicId.includes('\u0000')) return null;
    const { rows } = await sql<GrievanceRecord>`
      SELECT ${COLUMNS} FROM grievance g
       WHERE g.public_id = ${publicId} AND ${this.visible}`.execute(this.readDb);
    return rows[0] ?? null;
  }

  /** One page in opening order after `afterKey`; one row more than asked tells if more exist. */
  async page(
    filter: GrievanceFilter,
    first: number,
    afterKey: string | null,
  ): Promise<{ rows: GrievanceRecord[]; hasNextPage: boolean }> {
    const conditions: RawBuilder<unknown>[] = [this.visible];
    if (filter.statuses && filter.statuses.length > 0) {
      conditions.push(sql`g.status = ANY (${[...filter.statuses]}::text[])`);
    }
    if (filter.program) conditions.push(sql`g.program = ${filter.program}`);
    if (filter.regionCode) conditions.push(sql`g.region_code LIKE ${filter.regionCode + '%'}`);
    if (filter.nik) conditions.push(sql`g.nik = ${filter.nik}`);
    if (filter.escalated === true) conditions.push(sql`g.due_at < coalesce(g.closed_at, now())`);
    if (filter.escalated === false) conditions.push(sql`g.due_at >= coalesce(g.closed_at, now())`);
    if (afterKey !== null) conditions.push(sql`g.id > ${afterKey}::bigint`);
    const { rows } = await sql<GrievanceRecord>`
      SELECT ${COLUMNS} FROM grievance g
       WHERE ${sql.join(conditions, sql` AND `)}
       ORDER BY g.id LIMIT ${first + 1}`.execute(this.readDb);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /**
   * Moves a visible grievance from one of `from` to `to`, with the handler and what the step
   * needs, and writes the GRIEVANCE_STATUS_CHANGED event for the opener's agreement in the same
   * transaction (after every earlier event: the outbox lock). Null when no visible grievance in
   * one of `from` matched; the caller then reads why.
   */
  async transition(
    publicId: string,
    from: readonly string[],
    to: 'IN_REVIEW' | 'RESOLVED' | 'DISMISSED',
    details: { submissionId?: string; dismissalReason?: string },
  ): Promise<GrievanceRecord | null> {
    if (publicId.includes('\u0000')) return null;
    const p = this.principal;
    return this.db.transaction().execute(async (trx) => {
      await sql.raw(lockOutboxSql('grievance')).execute(trx);
      const { rows } = await sql<GrievanceRecord & { previousStatus: string }>`
        WITH before AS (
          SELECT g.id, g.status FROM grievance g
           WHERE g.public_id = ${publicId} AND g.status = ANY (${[...from]}::text[])
             AND ${this.visible}
           FOR UPDATE
        ), g AS (
          UPDATE grievance g
             SET status = ${to},
                 reviewed_at = CASE WHEN ${to} = 'IN_REVIEW' THEN now() ELSE g.reviewed_at END,
                 closed_at = CASE WHEN ${to} = 'IN_REVIEW' THEN NULL ELSE now() END,
                 handled_by_client = ${p.clientId}, handled_by_officer = ${p.officerId},
                 submission_id = ${details.submissionId ?? null},
                 dismissal_reason = ${details.dismissalReason ?? null}
            FROM before b WHERE g.id = b.id
          RETURNING g.*, b.status AS previous_status
        ), events AS (
          INSERT INTO change_event (agreement_id, kind, payload)
          SELECT a.id, 'GRIEVANCE_STATUS_CHANGED',
                 jsonb_build_object('grievanceId', g.public_id, 'decisionId', g.decision_id,
                                    'program', g.program, 'previousStatus', g.previous_status,
                                    'status', g.status)
            FROM g JOIN client c ON c.id = g.opened_by_client
            JOIN agreement a ON a.id = c.agreement_id
           WHERE 'changes:read' = ANY (a.scopes) AND a.revoked_at IS NULL
          RETURNING 1)
        SELECT ${COLUMNS}, g.previous_status AS "previousStatus" FROM g`.execute(trx);
      return rows[0] ?? null;
    });
  }

  /**
   * Whether verification submission `submissionId` of this principal's region answers the
   * grievance: one for its household, or, for a person not in the registry, a proposal of a new
   * household in the grievance's regency.
   */
  async submissionAnswers(
    submissionId: string,
    grievance: Pick<GrievanceRecord, 'householdId' | 'regionCode'>,
  ): Promise<boolean> {
    const inScope = regionPredicate(this.principal.agreement.regionScope, 's.region_code');
    const { rows } = await sql<{ found: boolean }>`
      SELECT EXISTS (
        SELECT 1 FROM verification_submission s
         WHERE s.public_id = ${submissionId} AND ${inScope}
           AND (${grievance.householdId}::text IS NOT NULL AND s.household_id = ${grievance.householdId}
                OR ${grievance.householdId}::text IS NULL AND s.kind = 'PROPOSAL'
                   AND left(s.region_code, 4) = ${grievance.regionCode.slice(0, 4)})) AS found`.execute(
      this.readDb,
    );
    return rows[0]?.found === true;
  }
}
