/**
 * Eligibility reason codes (CONTRACT §5), in order of precedence: the first that applies is the
 * answer. Agreements without detailed reasons see only ELIGIBLE or NOT_ELIGIBLE.
 */
export const REASON_CODES = [
  'NOT_REGISTERED',
  'INACTIVE',
  'HOUSEHOLD_REJECTED',
  'NOT_RANKED',
  'ABOVE_DECILE_THRESHOLD',
  'NO_QUALIFYING_MEMBER',
  'NOT_IN_TARGET_GROUP',
  'ELIGIBLE',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** What an agreement without detailed reasons sees. */
export type CoarseReason = 'ELIGIBLE' | 'NOT_ELIGIBLE';
