import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { NikScalar } from './scalars/nik.scalar.js';

/*
 * Restrictions of processing (UU PDP Art. 9–11, CONTRACT §13): asked for by a person through a
 * data subjects' service, or made by the administrator. docs/subjects.md says what each purpose's
 * legal basis means for them.
 */

@ObjectType({
  description:
    'A purpose of an agency that a restriction covers but does not stop: its legal basis (a public ' +
    'task, a legal obligation or a vital interest) lets processing go on. The restriction is ' +
    'recorded and shown there.',
})
export class RestrictionExemption {
  @Field(() => String)
  agencyId!: string;

  @Field(() => String)
  agencyName!: string;

  @Field(() => String)
  purpose!: string;

  @Field(() => String, { description: 'PUBLIC_TASK, LEGAL_OBLIGATION or VITAL_INTEREST.' })
  basis!: string;
}

@ObjectType({
  description:
    'A restriction of processing a NIK. While active, the person is left out — as if not in the ' +
    'registry — of records and eligibility decisions for the purposes and agencies it covers, ' +
    'unless the purpose’s legal basis is one a restriction does not stop (`notStoppedFor`); and of ' +
    'statistics from the next snapshot import on.',
})
export class ProcessingRestriction {
  @Field(() => ID)
  id!: string;

  @Field(() => [String], { description: 'The purposes it covers; empty: every purpose.' })
  purposes!: string[];

  @Field(() => [String], { description: 'The agencies it covers; empty: every agency.' })
  agencyIds!: string[];

  @Field(() => String, { description: 'Why it was asked for, as given.' })
  reason!: string;

  @Field(() => String, {
    description: 'SUBJECT (the person, through a data subjects’ service) or ADMINISTRATOR.',
  })
  requestedBy!: string;

  @Field(() => GraphQLDateTimeISO)
  restrictedAt!: Date;

  @Field(() => Boolean, { description: 'False once lifted.' })
  active!: boolean;

  @Field(() => GraphQLDateTimeISO, { nullable: true })
  liftedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was lifted, as given.' })
  liftReason!: string | null;

  @Field(() => [RestrictionExemption], {
    description:
      'The agreements’ purposes it covers where it does not stop processing (empty once lifted).',
  })
  notStoppedFor!: RestrictionExemption[];
}

@InputType({ description: 'What to restrict: a NIK, for purposes and/or agencies, and why.' })
export class RestrictProcessingInput {
  @Field(() => NikScalar)
  nik!: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Purpose codes (e.g. RESEARCH), at most 50; empty or absent: every purpose.',
  })
  purposes?: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Agency ids, at most 50; empty or absent: every agency.',
  })
  agencyIds?: string[] | null;

  @Field(() => String, {
    description: 'Why (1–1000 characters). Kept with the restriction; never in an error or a log.',
  })
  reason!: string;
}
