import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { EligibilityReason, Program } from './eligibility.types.js';
import { MemberStatus, Relationship, Sex, VerificationStatus } from './enums.js';
import { PageInfo } from './records/household-connection.type.js';
import { Person } from './records/record.types.js';
import { DateScalar } from './scalars/date.scalar.js';
import { RegionCodeScalar } from './scalars/region-code.scalar.js';

/*
 * The report a data subjects' service (CONTRACT §13) gives a person about their own data. The
 * person's own record is in clear: it is theirs. The rest of the household follows the service's
 * agreement (Person fields masked or withheld as it says, listed in extensions.disclosure).
 */

@ObjectType({ description: 'The person’s own record, in clear (it is theirs).' })
export class SubjectPerson {
  @Field(() => String, { description: 'The person’s NIK.' })
  nik!: string;

  @Field(() => String, { nullable: true, description: 'Name as recorded.' })
  name!: string | null;

  @Field(() => Sex, { nullable: true })
  sex!: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Date of birth as recorded.' })
  birthDate!: string | null;

  @Field(() => Relationship, {
    nullable: true,
    description: 'Relationship to the head of the household.',
  })
  relationship!: string | null;

  @Field(() => MemberStatus, { nullable: true, description: 'Status in the registry.' })
  status!: string | null;

  @Field(() => [Program], { description: 'Programs the person currently receives.' })
  programs!: string[];

  @Field(() => DateScalar, { description: 'The as-of date of the snapshot read.' })
  dataAsOf!: string;
}

@ObjectType({
  description:
    'The person’s household, in clear; its other members as the service’s agreement lets it show them.',
})
export class SubjectHousehold {
  @Field(() => ID, { description: 'The registry household id (ID DTKS).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Family card number (No. KK).' })
  kkNumber!: string | null;

  @Field(() => RegionCodeScalar, { nullable: true, description: 'Village (desa/kelurahan) code.' })
  regionCode!: string | null;

  @Field(() => String, { nullable: true, description: 'Address as recorded.' })
  address!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Welfare decile (desil) 1–10 from the national ranking; null when not ranked.',
  })
  decile!: number | null;

  @Field(() => VerificationStatus, { nullable: true, description: 'Verification status.' })
  verificationStatus!: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Date of the last verification.' })
  verifiedAt!: string | null;

  @Field(() => [Person], {
    nullable: true,
    description:
      'The other members of the household, ordered by NIK, masked or withheld per the service’s ' +
      'agreement (null when it withholds members).',
  })
  members?: Person[] | null;
}

@ObjectType({ description: 'A decision explained in plain language.' })
export class DecisionExplanation {
  @Field(() => String, { description: 'In Bahasa Indonesia.' })
  id!: string;

  @Field(() => String, { description: 'In English.' })
  en!: string;
}

@ObjectType({
  description:
    'A program’s current decision about the person, with its reason and the rule version that made it, explained.',
})
export class SubjectDecision {
  @Field(() => Program)
  program!: string;

  @Field(() => String, { description: 'The program’s name.' })
  programName!: string;

  @Field(() => Boolean)
  eligible!: boolean;

  @Field(() => EligibilityReason, { description: 'The first reason that applies (CONTRACT §5).' })
  reason!: string;

  @Field(() => String, {
    description: 'Unique id of this decision, also in the audit log: quote it in a grievance.',
  })
  decisionId!: string;

  @Field(() => DateScalar, { description: 'The as-of date of the snapshot decided on.' })
  dataAsOf!: string;

  @Field(() => Int, { description: 'The version of the program’s rule that decided.' })
  ruleVersion!: number;

  @Field(() => String, { description: 'What that rule version asks, as published.' })
  ruleDescription!: string;

  @Field(() => DecisionExplanation)
  explanation!: DecisionExplanation;
}

@ObjectType({
  description:
    'One access to the person’s data, from the tamper-evident audit log: which agency, when, for which purpose and which fields.',
})
export class SubjectAccessEntry {
  @Field(() => GraphQLDateTimeISO)
  at!: Date;

  @Field(() => String, { nullable: true })
  agencyId!: string | null;

  @Field(() => String, { nullable: true, description: 'The agency’s name.' })
  agencyName!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The officer at the agency: null unless the service’s agreement shows officers (field policy SubjectAccess.officerId).',
  })
  officerId!: string | null;

  @Field(() => String, { nullable: true, description: 'The declared purpose.' })
  purpose!: string | null;

  @Field(() => String, { description: 'Operation type and root fields, e.g. query:eligibility.' })
  operation!: string;

  @Field(() => String, { description: 'DISCLOSED, NOT_FOUND, REFUSED or FAILED.' })
  outcome!: string;

  @Field(() => [String], { description: 'Fields disclosed by the request, as Type.field.' })
  fields!: string[];

  @Field(() => Boolean, {
    description: 'The person’s own request, through a data subjects’ service.',
  })
  subjectRequest!: boolean;
}

@ObjectType()
export class SubjectAccessEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => SubjectAccessEntry)
  node!: SubjectAccessEntry;
}

@ObjectType({ description: 'Accesses to the person’s data, newest first.' })
export class SubjectAccessConnection {
  @Field(() => [SubjectAccessEdge])
  edges!: SubjectAccessEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType({
  description:
    'What the registry holds about a person and what it decided, and who accessed it (UU PDP Art. 7), for the person through a data subjects’ service.',
})
export class SubjectReport {
  @Field(() => String, { description: 'The person’s NIK, as asked.' })
  nik!: string;

  @Field(() => Boolean, { description: 'Whether the NIK is in the served snapshot.' })
  registered!: boolean;

  @Field(() => SubjectPerson, { nullable: true, description: 'Null when not registered.' })
  person!: SubjectPerson | null;

  @Field(() => SubjectHousehold, { nullable: true, description: 'Null when not registered.' })
  household!: SubjectHousehold | null;

  @Field(() => [SubjectDecision], {
    description: 'Each program of the service’s agreement: the current decision, explained.',
  })
  decisions!: SubjectDecision[];

  @Field(() => SubjectAccessConnection, {
    description: 'Who accessed the person’s data, newest first (first ≤ 1000).',
  })
  accessHistory!: SubjectAccessConnection;

  @Field(() => GraphQLDateTimeISO, { description: 'When this report was made.' })
  generatedAt!: Date;
}
