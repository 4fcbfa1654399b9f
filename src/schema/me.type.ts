import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, Float, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Your client, its agency and what its agreement (PKS) allows.' })
export class Me {
  @Field(() => String)
  clientId!: string;

  @Field(() => String)
  agencyId!: string;

  @Field(() => String)
  agencyName!: string;

  @Field(() => String, {
    description: 'MINISTRY, LOCAL_GOV, RESEARCHER, INTERNAL, ADMIN or SUBJECT_SERVICE.',
  })
  kind!: string;

  @Field(() => String, { description: 'The agreement this client operates under.' })
  agreementId!: string;

  @Field(() => String)
  agreementTitle!: string;

  @Field(() => [String], { description: 'Operations allowed, as resource:verb.' })
  scopes!: string[];

  @Field(() => [String], { description: 'Programs whose eligibility you may check.' })
  programs!: string[];

  @Field(() => [String], { description: 'Purposes you may declare in X-Purpose.' })
  purposes!: string[];

  @Field(() => [String], {
    description: 'Region-code prefixes you may see; "*" is the whole country.',
  })
  regionScope!: string[];

  @Field(() => GraphQLDateTimeISO)
  validFrom!: Date;

  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'Null: no end date.' })
  validUntil!: Date | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Your agency’s privacy budget (ε) left in the current accounting period (all its clients draw from it; DTKS_PRIVACY_PERIOD_MONTHS); null when your agreement has none.',
  })
  privacyBudgetRemaining!: number | null;
}
