import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Program } from './eligibility.types.js';
import { PageInfo } from './records/household-connection.type.js';
import { Household } from './records/record.types.js';
import { NikScalar } from './scalars/nik.scalar.js';

/*
 * Grievances (sanggah, CONTRACT §13): a person, through a data subjects' service, or a ministry
 * contests a decision; the local government of the household's region handles it.
 */

export const GrievanceStatus = {
  OPEN: 'OPEN',
  IN_REVIEW: 'IN_REVIEW',
  RESOLVED: 'RESOLVED',
  DISMISSED: 'DISMISSED',
} as const;
registerEnumType(GrievanceStatus, {
  name: 'GrievanceStatus',
  description: 'OPEN → IN_REVIEW → RESOLVED (with a verification) or DISMISSED (with a reason).',
});

@ObjectType({
  description:
    'A grievance (sanggah) against an eligibility decision. Its opener (the agency that opened ' +
    'it) and the local government of the region it is routed to see it; the province once it is ' +
    'escalated; for anyone else it does not exist.',
})
export class Grievance {
  @Field(() => ID)
  id!: string;

  @Field(() => GrievanceStatus)
  status!: string;

  @Field(() => Program, { description: 'The program of the contested decision.' })
  program!: string;

  @Field(() => String, { description: 'The contested decision (EligibilityDecision.decisionId).' })
  decisionId!: string;

  @Field(() => String, { description: 'The complaint, as the opener wrote it.' })
  text!: string;

  @Field(() => String, { nullable: true, description: 'The agency that opened it.' })
  openedBy!: string | null;

  @Field(() => GraphQLDateTimeISO)
  openedAt!: Date;

  @Field(() => GraphQLDateTimeISO, {
    description:
      'When it must be handled by; past it, still open, it is escalated to the province.',
  })
  dueAt!: Date;

  @Field(() => Boolean, { description: 'The due date passed while it was not closed.' })
  escalated!: boolean;

  @Field(() => GraphQLDateTimeISO, { nullable: true })
  reviewedAt!: Date | null;

  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When resolved or dismissed.' })
  closedAt!: Date | null;

  @Field(() => ID, {
    nullable: true,
    description: 'RESOLVED: the verification submission (or proposal) that answers it.',
  })
  submissionId!: string | null;

  @Field(() => String, { nullable: true, description: 'DISMISSED: why, as the region wrote it.' })
  dismissalReason!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Local governments: the region it is routed to. Null for the opener.',
  })
  regionCode!: string | null;

  @Field(() => Household, {
    nullable: true,
    description:
      'Local governments: the person’s household, as your agreement lets you see it (null for a ' +
      'person not in the registry).',
  })
  household!: Household | null;
}

@ObjectType()
export class GrievanceEdge {
  @Field(() => Grievance)
  node!: Grievance;

  @Field(() => String)
  cursor!: string;
}

@ObjectType({ description: 'A page of grievances, in the order they were opened.' })
export class GrievanceConnection {
  @Field(() => [GrievanceEdge])
  edges!: GrievanceEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType({ description: 'Narrows a grievance list; every condition given must hold.' })
export class GrievanceFilterInput {
  @Field(() => [GrievanceStatus], { nullable: true, description: 'Any of these statuses.' })
  statuses?: string[] | null;

  @Field(() => Program, { nullable: true })
  program?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: escalated only; false: not.' })
  escalated?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: 'Local governments: routed within this region-code prefix.',
  })
  regionCode?: string | null;

  @Field(() => NikScalar, { nullable: true, description: 'About this person only.' })
  nik?: string | null;
}

@InputType({ description: 'A grievance against a decision about a person.' })
export class OpenGrievanceInput {
  @Field(() => NikScalar, { description: 'The person the decision is about.' })
  nik!: string;

  @Field(() => String, {
    description:
      'The contested decision’s decisionId: for a ministry, one it was given; for a data ' +
      'subjects’ service, any decision about the person.',
  })
  decisionId!: string;

  @Field(() => Program)
  program!: string;

  @Field(() => String, {
    description:
      'The region where the person lives, as they state it (regency, district or village code): ' +
      'the grievance goes there when the person is not in the registry; otherwise to their ' +
      'household’s region.',
  })
  regionCode!: string;

  @Field(() => String, {
    description: 'The complaint (1–2000 characters). Never in an error or a log.',
  })
  text!: string;
}
