import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ELDERLY_AGE } from '../../domain/programs.js';
import { Program } from '../eligibility.types.js';
import { VerificationStatus } from '../enums.js';
import { DateScalar } from '../scalars/date.scalar.js';
import { RegionCodeScalar } from '../scalars/region-code.scalar.js';
import { Household } from './record.types.js';

export const HouseholdOrder = { ID: 'ID', LAST_VERIFIED: 'LAST_VERIFIED' } as const;
registerEnumType(HouseholdOrder, {
  name: 'HouseholdOrder',
  description: 'The order of a work list.',
  valuesConfig: {
    ID: { description: 'By household id (the default).' },
    LAST_VERIFIED: {
      description:
        'Longest unverified first: never-verified households, then by the date of the last ' +
        'verification, oldest first; ties by household id.',
    },
  },
});

const MEMBER_RULE =
  'Only ACTIVE members count. true: at least one such member; false: none; absent: either.';
const AGE_RULE = "Age in completed years at the served snapshot's as-of date, as in the PKH rule.";

@InputType({
  description:
    'Narrows a work list. Every condition given must hold (AND), always inside your region scope; ' +
    'a filter on a field your agreement withholds is refused (FORBIDDEN).',
})
export class HouseholdFilterInput {
  @Field(() => RegionCodeScalar, {
    nullable: true,
    description:
      'Only households whose village code starts with this: a regency (4 digits), a district ' +
      '(6, e.g. 320101) or a village (10); a region outside your scope matches nothing.',
  })
  regionCode?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Lowest decile, 1–10 (unranked households never match a decile bound).',
  })
  decileMin?: number | null;

  @Field(() => Int, { nullable: true, description: 'Highest decile, 1–10.' })
  decileMax?: number | null;

  @Field(() => VerificationStatus, {
    nullable: true,
    description: 'Only households with this verification status.',
  })
  verificationStatus?: string | null;

  @Field(() => Program, {
    nullable: true,
    description:
      'Current recipients: households with at least one ACTIVE member who currently receives this ' +
      'program (program recipients of the served snapshot).',
  })
  program?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: `Households with a pregnant member. ${MEMBER_RULE}`,
  })
  hasPregnantMember?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: `Households with a child under 6 (aged 0–5). ${AGE_RULE} ${MEMBER_RULE}`,
  })
  hasChildUnder6?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: `Households with an elderly member, aged ${ELDERLY_AGE} or older. ${AGE_RULE} ${MEMBER_RULE}`,
  })
  hasElderlyMember?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: `Households with a member with a SEVERE disability. ${MEMBER_RULE}`,
  })
  hasSevereDisability?: boolean | null;

  @Field(() => DateScalar, {
    nullable: true,
    description:
      'Not verified since this date: households never verified, or last verified before it ' +
      '(a verification on the date itself counts as verified since).',
  })
  notVerifiedSince?: string | null;
}

@ObjectType({ description: 'Relay page information.', simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether another page follows this one.' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'Pass as `after` for the next page. Bound to your client, this filter and this order; it ' +
      'cannot be used by anyone else or for another query.',
  })
  endCursor!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class HouseholdEdge {
  @Field(() => String, { description: 'The position of this household, for `after`.' })
  cursor!: string;

  @Field(() => Household, { description: 'The household.' })
  node!: Household;
}

@ObjectType({
  description: 'A page of a work list (Relay connection), in the order asked for (orderBy).',
})
export class HouseholdConnection {
  @Field(() => [HouseholdEdge], { description: 'The households of this page, in order.' })
  edges!: HouseholdEdge[];

  @Field(() => PageInfo, { description: 'Whether more pages follow, and where to continue.' })
  pageInfo!: PageInfo;

  @Field(() => Int, {
    description:
      'How many households of your region scope match the filter, all pages together. Counted ' +
      'only when asked for, in the same statement as the page.',
  })
  totalCount!: number;

  @Field(() => DateScalar, {
    nullable: true,
    description:
      'The as-of date of the registry snapshot the page was read from: the dataAsOf of its ' +
      'households, read in the same statement (an empty page reads it alone); null only while ' +
      'no snapshot has been loaded.',
  })
  dataAsOf?: string | null;
}
