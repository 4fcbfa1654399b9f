import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import {
  MEMBER_ACTIONS,
  OUTCOMES,
  REVIEW_DECISIONS,
  SUBMISSION_KINDS,
  SUBMISSION_STATUSES,
} from '../domain/verification-input.js';
import { PageInfo } from './records/household-connection.type.js';
import { Household } from './records/record.types.js';
import { DateScalar } from './scalars/date.scalar.js';
import { RegionCodeScalar } from './scalars/region-code.scalar.js';

/*
 * Verification and validation (verivali, CONTRACT §9). Coded fields of the inputs are Strings
 * checked against docs/code-lists.md by the gateway, so that one answer names every wrong field
 * (`changes.floorType: not a floor_type code`) instead of stopping at the first.
 */

const enumOf = (values: readonly string[]) => Object.fromEntries(values.map((v) => [v, v]));

export const VerificationOutcome = enumOf(OUTCOMES);
registerEnumType(VerificationOutcome, {
  name: 'VerificationOutcome',
  description:
    'What the officer found: CONFIRMED (as registered, nothing changed), UPDATED (changes or ' +
    'member changes attached), MOVED (the household left this address), DECEASED (the ' +
    'household no longer exists: all its members died), NOT_FOUND (nobody could be found), ' +
    'DUPLICATE (the same family as another registered household; say which in the note).',
});

export const VerificationKind = enumOf(SUBMISSION_KINDS);
registerEnumType(VerificationKind, {
  name: 'VerificationKind',
  description:
    'SUBMISSION: a visit to a registered household; PROPOSAL: a household not yet registered (usulan baru).',
});

export const VerificationSubmissionStatus = enumOf(SUBMISSION_STATUSES);
registerEnumType(VerificationSubmissionStatus, {
  name: 'VerificationSubmissionStatus',
  description:
    'SUBMITTED (waiting for review), APPROVED (goes to the central ranking cycle), REJECTED ' +
    '(see reviewNote), APPLIED (a published snapshot includes it).',
});

export const ReviewDecision = enumOf(REVIEW_DECISIONS);
registerEnumType(ReviewDecision, {
  name: 'ReviewDecision',
  description: 'APPROVED (send to the central ranking cycle) or REJECTED (a note says why).',
});

export const MemberChangeAction = enumOf(MEMBER_ACTIONS);
registerEnumType(MemberChangeAction, {
  name: 'MemberChangeAction',
  description:
    'ADD a person not yet in the registry (a newborn, someone who joined); mark a member ' +
    'DECEASED or MOVED (left the household); CORRECT a member’s name or birth date.',
});

export const VerificationEventType = enumOf(['SUBMITTED', 'APPROVED', 'REJECTED', 'APPLIED']);
registerEnumType(VerificationEventType, {
  name: 'VerificationEventType',
  description: 'A step of a submission: sent, approved, rejected, or applied by a snapshot.',
});

@InputType({
  description:
    'Household details found on the visit. Give only what changed (or, in a proposal, what is ' +
    'known); codes are from docs/code-lists.md.',
})
export class HouseholdDetailsInput {
  @Field(() => String, { nullable: true, description: 'Address (one line, up to 500 characters).' })
  address?: string | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Floor area in square metres, 0–999999.99, at most 2 decimals.',
  })
  floorAreaM2?: number | null;

  @Field(() => String, { nullable: true, description: 'A floor_type code.' })
  floorType?: string | null;

  @Field(() => String, { nullable: true, description: 'A wall_type code.' })
  wallType?: string | null;

  @Field(() => String, { nullable: true, description: 'A roof_type code.' })
  roofType?: string | null;

  @Field(() => String, { nullable: true, description: 'A water_source code.' })
  waterSource?: string | null;

  @Field(() => String, { nullable: true, description: 'A sanitation code.' })
  sanitation?: string | null;

  @Field(() => String, { nullable: true, description: 'A lighting code.' })
  lighting?: string | null;

  @Field(() => String, { nullable: true, description: 'A cooking_fuel code.' })
  cookingFuel?: string | null;
}

@InputType({
  description:
    'A change to one member. ADD takes nik, name and birthDate (required) and optionally sex, ' +
    'relationship, pregnant, disability, inSchool; DECEASED and MOVED take only nik; CORRECT ' +
    'takes nik and a new name and/or birthDate. nik is always the full NIK; for DECEASED, MOVED ' +
    'and CORRECT it must be a member of the household.',
})
export class MemberChangeInput {
  @Field(() => MemberChangeAction, { description: 'What changed for this person.' })
  action!: 'ADD' | 'DECEASED' | 'MOVED' | 'CORRECT';

  @Field(() => String, { description: 'The full NIK (16 digits, known province code).' })
  nik!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Name (ADD: required; CORRECT: the correct name).',
  })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'M or F (ADD only).' })
  sex?: string | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: 'Birth date, not after the visit (ADD: required; CORRECT: the correct date).',
  })
  birthDate?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'HEAD, SPOUSE, CHILD, PARENT or OTHER (ADD only).',
  })
  relationship?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Pregnant (ADD only; sex F).' })
  pregnant?: boolean | null;

  @Field(() => String, { nullable: true, description: 'NONE, MILD or SEVERE (ADD only).' })
  disability?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Attends school (ADD only).' })
  inSchool?: boolean | null;
}

@InputType({ description: 'A member of a proposed household: a person not yet in the registry.' })
export class NewMemberInput {
  @Field(() => String, { description: 'The full NIK (16 digits, known province code).' })
  nik!: string;

  @Field(() => String, { description: 'Name (one line, up to 100 characters).' })
  name!: string;

  @Field(() => DateScalar, { description: 'Birth date, not after the visit.' })
  birthDate!: string;

  @Field(() => String, { nullable: true, description: 'M or F.' })
  sex?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'HEAD, SPOUSE, CHILD, PARENT or OTHER; exactly one member is the HEAD.',
  })
  relationship?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Pregnant (sex F).' })
  pregnant?: boolean | null;

  @Field(() => String, { nullable: true, description: 'NONE, MILD or SEVERE.' })
  disability?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Attends school.' })
  inSchool?: boolean | null;
}

@InputType({
  description:
    'What an officer found at a registered household of your region. Stored for review; the ' +
    'served snapshot never changes (the central ranking cycle applies approved submissions).',
})
export class VerificationInput {
  @Field(() => ID, { description: 'The registry household id (ID DTKS), in your region.' })
  householdId!: string;

  @Field(() => VerificationOutcome, { description: 'What the officer found.' })
  outcome!: 'CONFIRMED' | 'UPDATED' | 'MOVED' | 'DECEASED' | 'NOT_FOUND' | 'DUPLICATE';

  @Field(() => DateScalar, {
    description:
      'Date of the visit (Jakarta time): not in the future, within the last year, and after the household’s verifiedAt.',
  })
  visitedAt!: string;

  @Field(() => String, {
    description:
      'Your unique key for this submission (1–128 letters, digits, . _ : -; a UUID is good). ' +
      'Sending it again with the same input returns the first submission; with different input ' +
      'fails with IDEMPOTENCY_CONFLICT.',
  })
  idempotencyKey!: string;

  @Field(() => HouseholdDetailsInput, {
    nullable: true,
    description: 'Household details that changed (outcome UPDATED).',
  })
  changes?: HouseholdDetailsInput | null;

  @Field(() => [MemberChangeInput], {
    nullable: true,
    description: 'Member changes (outcome UPDATED), at most 50; each NIK at most once.',
  })
  memberChanges?: MemberChangeInput[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Free text for the reviewer, up to 2000 characters (required for DUPLICATE).',
  })
  note?: string | null;
}

@InputType({
  description:
    'A household not yet in the registry (usulan baru), found in your region. Reviewed like a submission.',
})
export class HouseholdProposalInput {
  @Field(() => String, {
    description:
      'Your unique key for this proposal; same rules as VerificationInput.idempotencyKey.',
  })
  idempotencyKey!: string;

  @Field(() => String, { description: 'Village code (10 digits) in your region scope.' })
  regionCode!: string;

  @Field(() => String, {
    description: 'Family card number (No. KK), 16 digits; not already registered in your region.',
  })
  kkNumber!: string;

  @Field(() => DateScalar, {
    description: 'Date of the visit (Jakarta time): not in the future, within the last year.',
  })
  visitedAt!: string;

  @Field(() => HouseholdDetailsInput, { description: 'Address (required) and housing details.' })
  details!: HouseholdDetailsInput;

  @Field(() => [NewMemberInput], {
    description:
      'The members, 1–50, exactly one of them the HEAD; none already registered in your region.',
  })
  members!: NewMemberInput[];

  @Field(() => String, {
    nullable: true,
    description: 'Free text for the reviewer, up to 2000 characters.',
  })
  note?: string | null;
}

@InputType({ description: 'Narrows the list of submissions; always inside your region scope.' })
export class VerificationSubmissionFilter {
  @Field(() => VerificationSubmissionStatus, { nullable: true, description: 'Only this status.' })
  status?: string | null;

  @Field(() => VerificationKind, {
    nullable: true,
    description: 'Only submissions or only proposals.',
  })
  kind?: string | null;

  @Field(() => RegionCodeScalar, {
    nullable: true,
    description: 'Only those whose village code starts with this.',
  })
  regionCode?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only those about this household.' })
  householdId?: string | null;
}

@ObjectType({
  description:
    'A member change as sent. NIK, name, sex, birth date and relationship follow your ' +
    'agreement’s rules for Person (NIK usually masked) and are listed in extensions.disclosure ' +
    'when masked or withheld.',
})
export class MemberChange {
  @Field(() => MemberChangeAction, { description: 'What changed for this person.' })
  action!: string;

  @Field(() => String, { nullable: true, description: 'NIK, usually masked: 320101******0001.' })
  nik?: string | null;

  @Field(() => String, { nullable: true, description: 'Name given (ADD, CORRECT).' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Sex given (ADD).' })
  sex?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Birth date given (ADD, CORRECT).' })
  birthDate?: string | null;

  @Field(() => String, { nullable: true, description: 'Relationship given (ADD).' })
  relationship?: string | null;
}

@ObjectType({
  description:
    'The changes of a submission (or the details of a proposal) as validated and stored. Address ' +
    'and KK number follow your agreement’s rules for Household; housing codes are shown as sent.',
})
export class VerificationChanges {
  @Field(() => String, {
    nullable: true,
    description: 'Proposals: the family card number, usually masked.',
  })
  kkNumber?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'New address (null: unchanged or withheld).',
  })
  address?: string | null;

  @Field(() => Float, { nullable: true, description: 'Floor area in square metres.' })
  floorAreaM2?: number | null;

  @Field(() => String, { nullable: true, description: 'A floor_type code.' })
  floorType?: string | null;

  @Field(() => String, { nullable: true, description: 'A wall_type code.' })
  wallType?: string | null;

  @Field(() => String, { nullable: true, description: 'A roof_type code.' })
  roofType?: string | null;

  @Field(() => String, { nullable: true, description: 'A water_source code.' })
  waterSource?: string | null;

  @Field(() => String, { nullable: true, description: 'A sanitation code.' })
  sanitation?: string | null;

  @Field(() => String, { nullable: true, description: 'A lighting code.' })
  lighting?: string | null;

  @Field(() => String, { nullable: true, description: 'A cooking_fuel code.' })
  cookingFuel?: string | null;

  @Field(() => [MemberChange], { description: 'Member changes; a proposal’s members as ADD.' })
  members!: MemberChange[];
}

@ObjectType({
  description:
    'A verification submission or household proposal, with where it stands. Local governments ' +
    'see those of their region; the administrator sees all, without changes and household.',
})
export class VerificationSubmission {
  @Field(() => ID, { description: 'Opaque id; pass it to reviewVerification.' })
  id!: string;

  @Field(() => VerificationKind, { description: 'A submission or a proposal.' })
  kind!: string;

  @Field(() => VerificationSubmissionStatus, { description: 'Where it stands.' })
  status!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The registry household id; for a proposal, null until a snapshot includes it.',
  })
  householdId?: string | null;

  @Field(() => Household, {
    nullable: true,
    description:
      'The household as your agreement lets you see it; null for proposals, outside your region scope, or when no longer registered.',
  })
  household?: Household | null;

  @Field(() => RegionCodeScalar, {
    nullable: true,
    description: 'Village code of the household (at submission) or of the proposal.',
  })
  regionCode?: string | null;

  @Field(() => VerificationOutcome, { nullable: true, description: 'Null for proposals.' })
  outcome?: string | null;

  @Field(() => DateScalar, { description: 'Date of the visit.' })
  visitedAt!: string;

  @Field(() => String, { nullable: true, description: 'The officer who visited (X-Officer-Id).' })
  officerId?: string | null;

  @Field(() => String, { description: 'The client that submitted.' })
  submittedBy!: string;

  @Field(() => String, { description: 'The agency of the client that submitted.' })
  submittedByAgency!: string;

  @Field(() => GraphQLDateTimeISO, { description: 'When the gateway stored it.' })
  submittedAt!: Date;

  @Field(() => String, { nullable: true, description: 'The officer’s note.' })
  note?: string | null;

  @Field(() => String, {
    description:
      'What changed, in words and without personal data, e.g. "address, floorType; members: 1 ADD".',
  })
  changeSummary!: string;

  @Field(() => VerificationChanges, {
    nullable: true,
    description: 'The changes in detail (local governments only).',
  })
  changes?: VerificationChanges | null;

  @Field(() => String, { nullable: true, description: 'The client that reviewed.' })
  reviewedBy?: string | null;

  @Field(() => String, { nullable: true, description: 'The agency of the reviewing client.' })
  reviewedByAgency?: string | null;

  @Field(() => String, { nullable: true, description: 'The officer who reviewed (X-Officer-Id).' })
  reviewerOfficerId?: string | null;

  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When it was reviewed.' })
  reviewedAt?: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'The reviewer’s note (always given with a rejection).',
  })
  reviewNote?: string | null;

  @Field(() => GraphQLDateTimeISO, {
    nullable: true,
    description: 'When an imported snapshot was found to include it (status APPLIED).',
  })
  appliedAt?: Date | null;

  @Field(() => Int, { nullable: true, description: 'The snapshot that includes it.' })
  appliedSnapshotId?: number | null;

  @Field(() => DateScalar, {
    nullable: true,
    description:
      'The as-of date of the registry snapshot served when this answer was read (in the same ' +
      'statement as the submission): the snapshot `household` comes from. The submission was ' +
      'checked against the snapshot served when it was sent, an older one if a snapshot was ' +
      'loaded since (compare submittedAt with snapshot.loadedAt). Null only while no snapshot ' +
      'has been loaded.',
  })
  dataAsOf?: string | null;
}

@ObjectType({ description: 'One submission of a page, with its position.' })
export class VerificationSubmissionEdge {
  @Field(() => String, { description: 'The position of this submission, for `after`.' })
  cursor!: string;

  @Field(() => VerificationSubmission, { description: 'The submission.' })
  node!: VerificationSubmission;
}

@ObjectType({
  description: 'A page of submissions and proposals (Relay connection), oldest first.',
})
export class VerificationSubmissionConnection {
  @Field(() => [VerificationSubmissionEdge], { description: 'The submissions of this page.' })
  edges!: VerificationSubmissionEdge[];

  @Field(() => PageInfo, { description: 'Whether more pages follow, and where to continue.' })
  pageInfo!: PageInfo;
}

@ObjectType({ description: 'One step in the verification history of a household.' })
export class VerificationEvent {
  @Field(() => GraphQLDateTimeISO, { description: 'When the step was taken.' })
  at!: Date;

  @Field(() => VerificationEventType, { description: 'Which step.' })
  type!: string;

  @Field(() => ID, { description: 'The submission or proposal this step belongs to.' })
  submissionId!: string;

  @Field(() => VerificationKind, { description: 'A submission or a proposal.' })
  kind!: string;

  @Field(() => VerificationOutcome, { nullable: true, description: 'The outcome reported.' })
  outcome?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Client that took the step (null for APPLIED).',
  })
  clientId?: string | null;

  @Field(() => String, { nullable: true, description: 'Agency of that client.' })
  agencyId?: string | null;

  @Field(() => String, { nullable: true, description: 'Officer that took the step.' })
  officerId?: string | null;

  @Field(() => String, { nullable: true, description: 'The officer’s or the reviewer’s note.' })
  note?: string | null;

  @Field(() => Int, { nullable: true, description: 'APPLIED: the snapshot that included it.' })
  snapshotId?: number | null;
}
