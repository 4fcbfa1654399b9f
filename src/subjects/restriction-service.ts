import type { Kysely } from 'kysely';
import { basisOrDefault, type LegalBasis } from '../auth/agreement.js';
import type { Principal } from '../auth/principal.js';
import { RESTRICTION_STOPS } from '../auth/restriction-policy.js';
import type { Database } from '../db/database-types.js';
import {
  agreementPurposes,
  existingAgencies,
  insertRestriction,
  liftRestriction,
  restrictionById,
  restrictionsOf,
  type RestrictionActor,
  type RestrictionRow,
} from '../db/queries/restriction-queries.js';
import { badUserInput, forbidden } from '../errors/gateway-errors.js';

/** The most purposes or agencies one restriction names. */
const MAX_LISTED = 50;
/** The longest reason kept (characters). */
const MAX_REASON = 1000;
const PURPOSE_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** A purpose a restriction covers but does not stop: its legal basis is not one a restriction stops. */
export interface RestrictionExemption {
  agencyId: string;
  agencyName: string;
  purpose: string;
  basis: LegalBasis;
}

/** A restriction as its person's service and the administrator see it. */
export interface RestrictionView {
  id: string;
  purposes: string[];
  agencyIds: string[];
  reason: string;
  requestedBy: 'SUBJECT' | 'ADMINISTRATOR';
  restrictedAt: Date;
  active: boolean;
  liftedAt: Date | null;
  liftReason: string | null;
  /** Where an active restriction applies but does not stop processing (empty once lifted). */
  notStoppedFor: RestrictionExemption[];
}

/** What a restriction asks: a NIK, purposes and agencies (empty: all), and why. */
export interface RestrictionRequest {
  nik: string;
  purposes?: readonly string[] | null;
  agencyIds?: readonly string[] | null;
  reason: string;
}

export interface RestrictionServiceDeps {
  principal: Principal;
  db: Kysely<Database>;
  readDb: Kysely<Database>;
  /** The NIK a call is about: audited as its subject. */
  onSubject(nik: string): void;
}

/**
 * Restrictions of processing (UU PDP Art. 9–11, CONTRACT §13): a data subjects' service (for the
 * person whose identity it verified) or the administrator restricts a NIK for purposes and/or
 * agencies and lifts it; who, when and why are kept. A service lifts only what a person asked for
 * through a service; the administrator lifts any. Reasons are the person's words: stored and shown
 * back to these two, never in an error or a log. The effect is in the scoped SQL
 * (src/db/scoped/restriction-sql.ts); the policy of which legal bases a restriction stops is in
 * src/auth/restriction-policy.ts.
 */
export class RestrictionService {
  constructor(private readonly deps: RestrictionServiceDeps) {}

  async restrict(request: RestrictionRequest): Promise<RestrictionView> {
    const actor = this.actor();
    const purposes = distinct(request.purposes, 'purposes');
    for (const purpose of purposes) {
      if (!PURPOSE_CODE.test(purpose)) {
        throw badUserInput('purposes are codes of capital letters, digits and _ (e.g. RESEARCH)');
      }
    }
    const agencyIds = distinct(request.agencyIds, 'agencyIds');
    const known = await existingAgencies(this.deps.readDb, agencyIds);
    const unknown = agencyIds.find((id) => !known.has(id));
    if (unknown !== undefined) {
      throw badUserInput(`agencyIds: no agency ${JSON.stringify(unknown.slice(0, 64))}`);
    }
    const reason = checkedReason(request.reason);
    this.deps.onSubject(request.nik);
    const row = await insertRestriction(
      this.deps.db,
      { nik: request.nik, purposes, agencyIds, reason },
      actor,
    );
    return (await this.views([row]))[0]!;
  }

  /**
   * Lifts restriction `id` of `nik`. An id of another NIK is refused exactly like an unknown one;
   * a service may not lift a restriction the administrator made.
   */
  async lift(nik: string, id: string, reason: string): Promise<RestrictionView> {
    const actor = this.actor();
    const lifted = checkedReason(reason);
    this.deps.onSubject(nik);
    const row = /^\d{1,18}$/.test(id) ? await restrictionById(this.deps.db, id) : undefined;
    if (!row || row.nik !== nik) throw badUserInput('no restriction with this id for this NIK');
    if (actor.kind === 'SUBJECT_SERVICE' && row.requested_by_kind !== 'SUBJECT_SERVICE') {
      throw forbidden('only the administrator lifts a restriction the administrator made');
    }
    if (row.lifted_at !== null) throw badUserInput('this restriction was already lifted');
    const updated = await liftRestriction(this.deps.db, id, lifted, actor);
    if (!updated) throw badUserInput('this restriction was already lifted');
    return (await this.views([updated]))[0]!;
  }

  /** Every restriction of a NIK, active and lifted, newest first. */
  async list(nik: string): Promise<RestrictionView[]> {
    this.actor();
    this.deps.onSubject(nik);
    return this.views(await restrictionsOf(this.deps.readDb, nik));
  }

  /** The caller as the restriction's actor; FORBIDDEN for a service that does not verify identity. */
  private actor(): RestrictionActor {
    const { kind, agreement, clientId, officerId } = this.deps.principal;
    if (kind === 'ADMIN') return { kind, clientId, officerId };
    if (kind === 'SUBJECT_SERVICE' && agreement.verifiesSubjectIdentity) {
      return { kind, clientId, officerId };
    }
    throw forbidden('only a data subjects’ service that verifies identity, or the administrator');
  }

  private async views(rows: readonly RestrictionRow[]): Promise<RestrictionView[]> {
    const agreements = rows.some((r) => r.lifted_at === null)
      ? await agreementPurposes(this.deps.readDb)
      : [];
    return rows.map((row) => {
      const active = row.lifted_at === null;
      const notStoppedFor: RestrictionExemption[] = [];
      if (active) {
        for (const a of agreements) {
          if (row.agency_ids.length > 0 && !row.agency_ids.includes(a.agencyId)) continue;
          for (const purpose of a.purposes) {
            if (row.purposes.length > 0 && !row.purposes.includes(purpose)) continue;
            const basis = basisOrDefault(a.purposeLegalBasis[purpose]);
            if (!RESTRICTION_STOPS[basis]) {
              notStoppedFor.push({
                agencyId: a.agencyId,
                agencyName: a.agencyName,
                purpose,
                basis,
              });
            }
          }
        }
      }
      return {
        id: row.id,
        purposes: row.purposes,
        agencyIds: row.agency_ids,
        reason: row.reason,
        requestedBy: row.requested_by_kind === 'ADMIN' ? 'ADMINISTRATOR' : 'SUBJECT',
        restrictedAt: row.restricted_at,
        active,
        liftedAt: row.lifted_at,
        liftReason: row.lift_reason,
        notStoppedFor,
      };
    });
  }
}

function distinct(values: readonly string[] | null | undefined, name: string): string[] {
  const list = [...new Set(values ?? [])];
  if (list.length > MAX_LISTED) throw badUserInput(`${name}: at most ${MAX_LISTED}`);
  return list;
}

/** The reason as kept: trimmed, 1–1000 characters. Never echoed. */
function checkedReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_REASON) {
    throw badUserInput(`reason: 1 to ${MAX_REASON} characters`);
  }
  return trimmed;
}
