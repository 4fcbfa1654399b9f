import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, Int, InterfaceType, ObjectType, registerEnumType } from 'type-graphql';
import { EligibilityReason, Program } from './eligibility.types.js';
import { PageInfo } from './records/household-connection.type.js';
import { DateScalar } from './scalars/date.scalar.js';
import { NikScalar } from './scalars/nik.scalar.js';
import { VerificationSubmissionStatus } from './verification.types.js';

export const ChangeKind = {
  ELIGIBILITY_CHANGED: 'ELIGIBILITY_CHANGED',
  HOUSEHOLD_CHANGED: 'HOUSEHOLD_CHANGED',
  VERIFICATION_STATUS_CHANGED: 'VERIFICATION_STATUS_CHANGED',
  GRIEVANCE_STATUS_CHANGED: 'GRIEVANCE_STATUS_CHANGED',
} as const;
registerEnumType(ChangeKind, {
  name: 'ChangeKind',
  description:
    'What an event reports. ELIGIBILITY_CHANGED (ministries): the decision on a subject you ' +
    'follow changed (a new snapshot, or a new rule version taking effect with it). ' +
    'HOUSEHOLD_CHANGED (local governments): a new snapshot added, removed or changed a household ' +
    'of your region. VERIFICATION_STATUS_CHANGED (local governments): a submission you sent was ' +
    'approved, rejected or applied. GRIEVANCE_STATUS_CHANGED (whoever opened grievances): a ' +
    'grievance your agency opened was taken into review, resolved or dismissed.',
});

export const HouseholdChangeType = { ADDED: 'ADDED', REMOVED: 'REMOVED', CHANGED: 'CHANGED' };
registerEnumType(HouseholdChangeType, {
  name: 'HouseholdChangeType',
  description:
    'ADDED: the household is in your region now and was not (new, or moved in). REMOVED: it ' +
    'was in your region and is not any more (gone from the registry, or moved out). CHANGED: ' +
    'it stays in your region and some of its fields changed.',
});

const EVENT_TYPES: Record<string, string> = {
  ELIGIBILITY_CHANGED: 'EligibilityChange',
  HOUSEHOLD_CHANGED: 'HouseholdChange',
  VERIFICATION_STATUS_CHANGED: 'VerificationStatusChange',
  GRIEVANCE_STATUS_CHANGED: 'GrievanceStatusChange',
};

@ObjectType({
  description:
    'The result of subscribeSubjects: how many of the NIKs sent are now followed for the program.',
})
export class SubjectSubscriptionResult {
  @Field(() => Program)
  program!: string;

  @Field(() => Int, { description: 'Distinct NIKs in the request.' })
  requested!: number;

  @Field(() => Int, { description: 'NIKs followed from now on.' })
  subscribed!: number;

  @Field(() => Int, { description: 'NIKs that were followed already (left as they were).' })
  alreadySubscribed!: number;
}

@ObjectType({
  description:
    'The result of unsubscribeSubjects: how many of the NIKs sent are no longer followed.',
})
export class SubjectUnsubscriptionResult {
  @Field(() => Program)
  program!: string;

  @Field(() => Int, { description: 'Distinct NIKs in the request.' })
  requested!: number;

  @Field(() => Int, { description: 'NIKs no longer followed: no events about them from now on.' })
  unsubscribed!: number;

  @Field(() => Int, { description: 'NIKs that were not followed.' })
  notSubscribed!: number;
}

@ObjectType({ description: 'A decision as it was sent to you, or as it is now.' })
export class DecisionState {
  @Field(() => Boolean)
  eligible!: boolean;

  @Field(() => EligibilityReason, {
    description: 'The reason code (ELIGIBLE or NOT_ELIGIBLE only without detailed reasons).',
  })
  reason!: string;

  @Field(() => Int, { description: 'The version of the program rule that decided it.' })
  ruleVersion!: number;

  @Field(() => DateScalar, { description: 'The as-of date of the snapshot it was decided on.' })
  dataAsOf!: string;
}

@InterfaceType({
  description:
    'One change event of your feed, in commit order. The same event (eventId) is delivered by ' +
    'webhook and read by `changes`; every read or delivery is an audited disclosure.',
  resolveType: (value: { kind: string }) => EVENT_TYPES[value.kind],
})
export abstract class ChangeEvent {
  @Field(() => String, { description: 'Unique id of the event (the webhook-id of its delivery).' })
  eventId!: string;

  @Field(() => ChangeKind)
  kind!: string;

  @Field(() => GraphQLDateTimeISO, { description: 'When the change was committed.' })
  occurredAt!: Date;
}

@ObjectType({
  implements: ChangeEvent,
  description:
    'The eligibility decision on a subject you follow changed: what was last sent to you ' +
    '(when you subscribed, or in the previous event) and what it is now.',
})
export class EligibilityChange extends ChangeEvent {
  @Field(() => Program)
  program!: string;

  @Field(() => String, { description: 'Your pseudonym of the NIK, as in your decisions.' })
  subjectRef!: string;

  @Field(() => NikScalar, {
    nullable: true,
    description: 'The NIK, only where your agreement shows it in change events; otherwise null.',
  })
  nik!: string | null;

  @Field(() => DecisionState)
  previous!: DecisionState;

  @Field(() => DecisionState)
  current!: DecisionState;

  @Field(() => String, {
    description: 'Id of the current decision; also in the audit log. Quote it in a dispute.',
  })
  decisionId!: string;
}

@ObjectType({
  implements: ChangeEvent,
  description:
    'A new snapshot added, removed or changed a household of your region. It names the fields ' +
    'that changed, never their values: read the household for those.',
})
export class HouseholdChange extends ChangeEvent {
  @Field(() => ID, { description: 'The household (as Household.id).' })
  householdId!: string;

  @Field(() => HouseholdChangeType)
  change!: string;

  @Field(() => String, {
    description: 'Its region code now (for REMOVED: where it was in your region).',
  })
  regionCode!: string;

  @Field(() => [String], {
    description:
      'For CHANGED: the fields that changed, as Household names them (kkNumber, regionCode, ' +
      'address, decile, verificationStatus, verifiedAt), "housing" for the housing ' +
      'characteristics and "members" when a member was added, removed or changed. Empty for ' +
      'ADDED and REMOVED.',
  })
  fields!: string[];
}

@ObjectType({
  implements: ChangeEvent,
  description:
    'A verification submission or household proposal you sent changed status: APPROVED or ' +
    'REJECTED by the reviewer, APPLIED when a published snapshot reflects it.',
})
export class VerificationStatusChange extends ChangeEvent {
  @Field(() => ID, { description: 'The submission (as VerificationSubmission.id).' })
  submissionId!: string;

  @Field(() => String, { description: 'SUBMISSION (a verification) or PROPOSAL (usulan baru).' })
  submissionKind!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The household; for a proposal, only once a snapshot holds it (APPLIED).',
  })
  householdId!: string | null;

  @Field(() => VerificationSubmissionStatus)
  previousStatus!: string;

  @Field(() => VerificationSubmissionStatus)
  status!: string;
}

@ObjectType({
  implements: ChangeEvent,
  description:
    'A grievance (sanggah) your agency opened changed status: IN_REVIEW when the region took it ' +
    'up, RESOLVED (with a verification) or DISMISSED (with a reason; read it with grievance(id)).',
})
export class GrievanceStatusChange extends ChangeEvent {
  @Field(() => ID, { description: 'The grievance (as Grievance.id).' })
  grievanceId!: string;

  @Field(() => String, { description: 'The decision it contests.' })
  decisionId!: string;

  @Field(() => Program)
  program!: string;

  @Field(() => String, { description: 'OPEN, IN_REVIEW, RESOLVED or DISMISSED.' })
  previousStatus!: string;

  @Field(() => String, { description: 'OPEN, IN_REVIEW, RESOLVED or DISMISSED.' })
  status!: string;
}

@ObjectType({ description: 'One event and its cursor.' })
export class ChangeEventEdge {
  @Field(() => ChangeEvent)
  node!: ChangeEvent;

  @Field(() => String, { description: 'Pass as `after` to continue after this event.' })
  cursor!: string;
}

@ObjectType({
  description:
    'Your change events after a cursor, oldest first. Reading on with each endCursor sees every ' +
    'event exactly once, in commit order; the cursor works only for the client that got it.',
})
export class ChangeEventConnection {
  @Field(() => [ChangeEventEdge])
  edges!: ChangeEventEdge[];

  @Field(() => PageInfo, {
    description: 'hasNextPage: more events wait now; endCursor: where to continue (keep it).',
  })
  pageInfo!: PageInfo;
}
