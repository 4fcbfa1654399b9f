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

/** Subscriptions to write, as rows `n(ref, sealed, eligible, reason, version, as_of)`. */
function newSubjects(subjects: readonly NewSubscription[]) {
  return sql`unnest(${subjects.map((s) => s.subjectRef)}::text[],
                    ${subjects.map((s) => s.nikSealed)}::bytea[],
                    ${subjects.map((s) => s.eligible)}::boolean[],
                    ${subjects.map((s) => s.reason)}::text[],
                    ${subjects.map((s) => s.ruleVersion)}::integer[],
                    ${subjects.map((s) => s.dataAsOf)}::date[])
             AS n(ref, sealed, eligible, reason, version, as_of)`;
}

/**
 * The request-time SQL of change feeds (issue #14): an agreement's subscriptions and its events.
 * Every statement is bound to one agreement; nothing here reads another agency's rows.
 */
export const changeFeedStore = {
  /**
   * Adds subscriptions; one that exists stays as it is, except that a subject followed only
   * because it was checked is now subscribed (it no longer lapses). Returns how many were added
   * or so made subscribed.
   */
  async subscribe(
    db: Kysely<Database>,
    agreementId: string,
    program: string,
    subjects: readonly NewSubscription[],
  ): Promise<number> {
    if (subjects.length === 0) return 0;
    const { rows } = await sql<{ added: string }>`
      WITH added AS (
        INSERT INTO change_subscription AS s
               (agreement_id, program, subject_ref, nik_sealed, eligible, reason, rule_version, data_as_of)
        SELECT ${agreementId}, ${program}, n.ref, n.sealed, n.eligible, n.reason, n.version, n.as_of
          FROM ${newSubjects(subjects)}
        ON CONFLICT (agreement_id, program, subject_ref) DO UPDATE
           SET origin = 'SUBSCRIBED', checked_at = NULL
         WHERE s.origin = 'CHECKED'
        RETURNING 1)
      SELECT count(*)::text AS added FROM added`.execute(db);
    return Number(rows[0]!.added);
  },

  /**
   * Follows checked subjects (an agreement with `follow_checked_days`): new ones as CHECKED,
   * and every one, new or not, now has the decision just sent as the one last sent; a CHECKED
   * one is checked again now. `subjects` holds each subject once.
   */
  async followChecked(
    db: Kysely<Database>,
    agreementId: string,
    program: string,
    subjects: readonly NewSubscription[],
  ): Promise<void> {
    if (subjects.length === 0) return;
    await sql`
      INSERT INTO change_subscription AS s
             (agreement_id, program, subject_ref, nik_sealed, eligible, reason, rule_version,
              data_as_of, origin, checked_at)
      SELECT ${agreementId}, ${program}, n.ref, n.sealed, n.eligible, n.reason, n.version, n.as_of,
             'CHECKED', now()
        FROM ${newSubjects(subjects)}
      ON CONFLICT (agreement_id, program, subject_ref) DO UPDATE
         SET eligible = excluded.eligible, reason = excluded.reason,
             rule_version = excluded.rule_version, data_as_of = excluded.data_as_of,
             checked_at = CASE WHEN s.origin = 'CHECKED' THEN now() END`.execute(db);
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
