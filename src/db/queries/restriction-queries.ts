import type { Kysely, Selectable } from 'kysely';
import type { Database, ProcessingRestrictionTable } from '../database-types.js';

/** A stored restriction of processing (migration 0026). */
export type RestrictionRow = Selectable<ProcessingRestrictionTable>;

/** Who asks for or lifts a restriction: the client, its kind and the officer at the agency. */
export interface RestrictionActor {
  kind: 'SUBJECT_SERVICE' | 'ADMIN';
  clientId: string;
  officerId: string | null;
}

/** Records a restriction; returns it as stored. */
export async function insertRestriction(
  db: Kysely<Database>,
  restriction: { nik: string; purposes: string[]; agencyIds: string[]; reason: string },
  by: RestrictionActor,
): Promise<RestrictionRow> {
  return db
    .insertInto('processing_restriction')
    .values({
      nik: restriction.nik,
      purposes: restriction.purposes,
      agency_ids: restriction.agencyIds,
      reason: restriction.reason,
      requested_by_kind: by.kind,
      requested_by_client: by.clientId,
      requested_by_officer: by.officerId,
      lifted_at: null,
      lifted_by_client: null,
      lifted_by_officer: null,
      lift_reason: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** One restriction by id, or undefined. */
export async function restrictionById(
  db: Kysely<Database>,
  id: string,
): Promise<RestrictionRow | undefined> {
  return db
    .selectFrom('processing_restriction')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Lifts a restriction that is still active; undefined when it was lifted meanwhile (the row is
 * kept, with who lifted it, when and why).
 */
export async function liftRestriction(
  db: Kysely<Database>,
  id: string,
  reason: string,
  by: RestrictionActor,
): Promise<RestrictionRow | undefined> {
  return db
    .updateTable('processing_restriction')
    .set((eb) => ({
      lifted_at: eb.fn<Date>('now'),
      lifted_by_client: by.clientId,
      lifted_by_officer: by.officerId,
      lift_reason: reason,
    }))
    .where('id', '=', id)
    .where('lifted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Every restriction of a NIK, active and lifted, newest first. */
export async function restrictionsOf(db: Kysely<Database>, nik: string): Promise<RestrictionRow[]> {
  return db
    .selectFrom('processing_restriction')
    .selectAll()
    .where('nik', '=', nik)
    .orderBy('id', 'desc')
    .execute();
}

/** The ids among `ids` of agencies that exist. */
export async function existingAgencies(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('agency')
    .select('id')
    .where('id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** A current agreement's purposes and their legal bases, with its agency. */
export interface AgreementPurposes {
  agencyId: string;
  agencyName: string;
  purposes: string[];
  purposeLegalBasis: Record<string, string>;
}

/** The purposes of every agreement in force (not revoked, not expired), with their bases. */
export async function agreementPurposes(db: Kysely<Database>): Promise<AgreementPurposes[]> {
  const rows = await db
    .selectFrom('agreement as a')
    .innerJoin('agency as g', 'g.id', 'a.agency_id')
    .select(['g.id', 'g.name', 'a.purposes', 'a.purpose_legal_basis'])
    .where('a.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('a.valid_until', 'is', null), eb('a.valid_until', '>', new Date())]))
    .orderBy('g.id')
    .execute();
  return rows.map((r) => ({
    agencyId: r.id,
    agencyName: r.name,
    purposes: r.purposes,
    purposeLegalBasis: r.purpose_legal_basis,
  }));
}
