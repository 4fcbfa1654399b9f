import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { VerificationStatus } from '../enums.js';
import { RegionCodeScalar } from '../scalars/region-code.scalar.js';
import { Household } from './record.types.js';

@InputType({ description: 'Narrows a work list; always inside your region scope.' })
export class HouseholdFilterInput {
  @Field(() => RegionCodeScalar, {
    nullable: true,
    description:
      'Only households whose village code starts with this (province, regency, district or village).',
  })
  regionCode?: string | null;

  @Field(() => Int, { nullable: true, description: 'Lowest decile, 1–10.' })
  decileMin?: number | null;

  @Field(() => Int, { nullable: true, description: 'Highest decile, 1–10.' })
  decileMax?: number | null;

  @Field(() => VerificationStatus, { nullable: true })
  verificationStatus?: string | null;
}

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'Pass as `after` for the next page. Bound to your client and this filter; it cannot be used by anyone else.',
  })
  endCursor!: string | null;
}

@ObjectType()
export class HouseholdEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Household)
  node!: Household;
}

@ObjectType({ description: 'A page of households (Relay connection), in household id order.' })
export class HouseholdConnection {
  @Field(() => [HouseholdEdge])
  edges!: HouseholdEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
