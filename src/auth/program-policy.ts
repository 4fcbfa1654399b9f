import { forbidden } from '../errors/gateway-errors.js';
import type { Principal } from './principal.js';

/** A ministry may ask only about the programs of its agreement (CONTRACT §6). */
export function assertProgramAllowed(principal: Principal, program: string): void {
  if (!principal.agreement.programs.includes(program)) {
    throw forbidden('your agreement does not cover this program');
  }
}

/** Does the agreement show this field of an eligibility decision (e.g. the decile)? */
export function showsDecisionField(principal: Principal, field: string): boolean {
  return principal.agreement.fieldPolicy.EligibilityDecision?.[field] === 'show';
}
