import type { FieldPolicy, FieldRule } from './agreement.js';

/**
 * Masks the gateway knows (UU PDP: data minimisation). A field may be masked only when a mask
 * exists for it; asking to mask any other field withholds it instead (fail closed).
 *
 * - `FIRST6_LAST4`: NIK and KK number keep the first 6 and last 4 digits (`320101******0001`),
 *   enough for an officer to match a card in hand, not enough to look a person up elsewhere.
 */
export const MASKS = Object.freeze({
  'Person.nik': 'FIRST6_LAST4',
  'Household.kkNumber': 'FIRST6_LAST4',
} as const);
export type MaskName = (typeof MASKS)[keyof typeof MASKS];

/** How a client sees one field: shown, masked (and how), or withheld. */
export type ResolvedRule =
  { rule: 'show' } | { rule: 'mask'; mask: MaskName } | { rule: 'withhold' };

/** A principal's field policy, compiled once: the rule of any field, withheld when unlisted. */
export interface CompiledFieldPolicy {
  rule(type: string, field: string): ResolvedRule;
}

const SHOW: ResolvedRule = { rule: 'show' };
const WITHHOLD: ResolvedRule = { rule: 'withhold' };

export function compileFieldPolicy(policy: FieldPolicy): CompiledFieldPolicy {
  const rules = new Map<string, ResolvedRule>();
  for (const [type, fields] of Object.entries(policy)) {
    for (const [field, rule] of Object.entries(fields) as Array<[string, FieldRule]>) {
      const key = `${type}.${field}`;
      const mask = (MASKS as Record<string, MaskName | undefined>)[key];
      rules.set(
        key,
        rule === 'show' ? SHOW : rule === 'mask' && mask ? { rule: 'mask', mask } : WITHHOLD,
      );
    }
  }
  return { rule: (type, field) => rules.get(`${type}.${field}`) ?? WITHHOLD };
}
