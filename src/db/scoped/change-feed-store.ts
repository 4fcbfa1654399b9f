import { sql, type Kysely } from 'kysely';
import type { ChangeEventKind, Database } from '../database-types.js';

/** A subscription to write: the subject and the decision the agency would get now. */
export interface NewSubscription {
  subjectRef: string;
  nikSealed: Buffer;
  eligible: boolean;
  reason: string;
  ruleVersion: number;
  dataAsOf: string;
}

/** One event as stored (CONTRACT §11). */
export interface ChangeEventRow {
  id: string;
  eventId: string;
  kind: ChangeEventKind;
  program: string | null;
  subjectRef: string | null;
  nikSealed: Buffer | null;
  /** The members' NIKs of a household event, sealed (comma-separated). */
  subjectsSealed: Buffer | null;
  payload: unknown;
  occurredAt: Date;
}

/**
 * The request-time SQL of change feeds (issue #14): an agreement's subscriptions and its events.
 * Every statement is bound to one agreement; nothing here reads another agency's rows.
 */
export const changeFeedStore = {
  /** Adds subscriptions (those that exist stay as they are); returns how many were added. */
  async subscribe(
    db: Kysely<Database>,
    agreementId: string,
    program: string,
    subjects: readonly NewSubscription[],
  ): Promise<number> {
    if (subjects.length === 0) return 0;
    const { rows } = await sql<{ added: string }>`
      WITH added AS (
        INSERT INTO change_subscription
               (agreement_id, program, subject_ref, nik_sealed, eligible, reason, rule_version, data_as_of)
        SELECT ${agreementId}, ${program}, s.ref, s.sealed, s.eligible, s.reason, s.version, s.as_of
          FROM unnest(${subjects.map((s) => s.subjectRef)}::text[],
                      ${subjects.map((s) => s.nikSealed)}::bytea[],
                      ${subjects.map((s) => s.eligible)}::boolean[],
                      ${subjects.map((s) => s.reason)}::text[],
                      ${subjects.map((s) => s.ruleVersion)}::integer[],
                      ${subjects.map((s) => s.dataAsOf)}::date[])
               AS s(ref, sealed, eligible, reason, version, as_of)
        ON CONFLICT (agreement_id, program, subject_ref) DO NOTHING
        RETURNING 1)
      SELECT count(*)::text AS added FROM added`.execute(db);
    return Number(rows[0]!.added);
  },

  /** Removes subscriptions; returns how many there were. */
  async unsubscribe(
    db: Kysely<Database>,
    agreementId: string,
    program: string,
    subjectRefs: readonly string[],
  ): Promise<number> {
    const result = await db
      .deleteFrom('change_subscription')
      .where('agreement_id', '=', agreementId)
      .where('program', '=', program)
      .where('subject_ref', '=', sql<string>`ANY(${[...subjectRefs]}::text[])`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  },

  /**
   * The agreement's events after `afterId`, oldest first, of the programs it still covers;
   * `limit` + 1 rows tell whether more follow.
   */
  async events(
    db: Kysely<Database>,
    agreementId: string,
    programs: readonly string[],
    afterId: string,
    limit: number,
  ): Promise<ChangeEventRow[]> {
    const rows = await db
      .selectFrom('change_event')
      .select([
        'id',
        'event_id as eventId',
        'kind',
        'program',
        'subject_ref as subjectRef',
        'nik_sealed as nikSealed',
        'subjects_sealed as subjectsSealed',
        'payload',
        'created_at as occurredAt',
      ])
      .where('agreement_id', '=', agreementId)
      .where('id', '>', afterId)
      .where((eb) =>
        eb.or([
          eb('program', 'is', null),
          eb('program', '=', sql<string>`ANY(${[...programs]}::text[])`),
        ]),
      )
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...r, id: String(r.id), eventId: String(r.eventId) }));
  },
};
