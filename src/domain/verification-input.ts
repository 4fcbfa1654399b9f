/**
 * The vocabulary of verification and validation (verivali, CONTRACT §9), independent of GraphQL:
 * what a local government sends, and the validated form that is stored and exported.
 */
export const OUTCOMES = [
  'CONFIRMED',
  'UPDATED',
  'MOVED',
  'DECEASED',
  'NOT_FOUND',
  'DUPLICATE',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const MEMBER_ACTIONS = ['ADD', 'DECEASED', 'MOVED', 'CORRECT'] as const;
export type MemberAction = (typeof MEMBER_ACTIONS)[number];

export const SUBMISSION_KINDS = ['SUBMISSION', 'PROPOSAL'] as const;
export type SubmissionKind = (typeof SUBMISSION_KINDS)[number];

export const SUBMISSION_STATUSES = ['SUBMITTED', 'APPROVED', 'REJECTED', 'APPLIED'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

export const REVIEW_DECISIONS = ['APPROVED', 'REJECTED'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** Household fields a visit may report (names as in the API; snapshot columns in the export). */
export interface HouseholdDetails {
  address?: string | null;
  floorAreaM2?: number | null;
  floorType?: string | null;
  wallType?: string | null;
  roofType?: string | null;
  waterSource?: string | null;
  sanitation?: string | null;
  lighting?: string | null;
  cookingFuel?: string | null;
}

/** The coded household fields and their code list (docs/code-lists.md). */
export const HOUSEHOLD_CODE_FIELDS = {
  floorType: 'floor_type',
  wallType: 'wall_type',
  roofType: 'roof_type',
  waterSource: 'water_source',
  sanitation: 'sanitation',
  lighting: 'lighting',
  cookingFuel: 'cooking_fuel',
} as const;

/** A person as sent: a new member, a proposed household's member, or the subject of a change. */
export interface MemberFields {
  nik: string;
  name?: string | null;
  sex?: string | null;
  birthDate?: string | null;
  relationship?: string | null;
  pregnant?: boolean | null;
  disability?: string | null;
  inSchool?: boolean | null;
}

export interface MemberChange extends MemberFields {
  action: MemberAction;
}

export interface VerificationInput {
  householdId: string;
  outcome: Outcome;
  visitedAt: string;
  idempotencyKey: string;
  changes?: HouseholdDetails | null;
  memberChanges?: MemberChange[] | null;
  note?: string | null;
}

export interface HouseholdProposalInput {
  idempotencyKey: string;
  regionCode: string;
  kkNumber: string;
  visitedAt: string;
  details: HouseholdDetails;
  members: MemberFields[];
  note?: string | null;
}

/**
 * The validated changes, as stored (`verification_submission.payload`) and exported: only the
 * fields that were given, strings trimmed. Proposals list their members as ADD changes.
 */
export interface VerificationPayload {
  v: 1;
  household: HouseholdDetails;
  members: MemberChange[];
}
