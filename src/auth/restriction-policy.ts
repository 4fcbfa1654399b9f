import { basisOrDefault, legalBasisOf, type LegalBasis } from './agreement.js';
import type { Principal } from './principal.js';

/**
 * Whether a restriction of processing a person asked for (UU PDP Art. 9–11) stops processing for
 * a purpose resting on each legal basis (Art. 20(2)) — this is the place. Processing a law
 * requires, a public task (an eligibility decision for a social program) or a vital interest goes
 * on; the restriction is recorded and shown to the person with the purposes it does not stop
 * (docs/subjects.md). Processing on consent, a contract or a legitimate interest stops.
 */
export const RESTRICTION_STOPS: Readonly<Record<LegalBasis, boolean>> = Object.freeze({
  CONSENT: true,
  CONTRACT: true,
  LEGITIMATE_INTEREST: true,
  LEGAL_OBLIGATION: false,
  PUBLIC_TASK: false,
  VITAL_INTEREST: false,
});

/** Who restricts for the request: its agency and purpose, when restrictions stop its processing. */
export interface RestrictionScope {
  agencyId: string;
  /** The declared purpose; null (none declared) matches a restriction of any purpose. */
  purpose: string | null;
}

/**
 * The agency and purpose whose restrictions the request's reads must honour, or null when they
 * do not stop it (the purpose rests on a basis a restriction does not stop). A request without a
 * purpose honours every restriction of its agency (fail closed).
 */
export function restrictionScopeOf(principal: Principal): RestrictionScope | null {
  const { purpose, agreement, agencyId } = principal;
  if (purpose !== null && !RESTRICTION_STOPS[legalBasisOf(agreement, purpose)]) return null;
  return { agencyId, purpose };
}

/**
 * The purposes of an agreement that a restriction stops, for work done for the agreement as a
 * whole rather than for one request's purpose (the change events an import decides for a
 * ministry's followed subjects): a restriction applies when it covers any of them.
 */
export function stoppedPurposes(agreement: {
  purposes: readonly string[];
  purposeLegalBasis: Readonly<Record<string, string>>;
}): string[] {
  return agreement.purposes.filter((purpose) => {
    return RESTRICTION_STOPS[basisOrDefault(agreement.purposeLegalBasis[purpose])];
  });
}
