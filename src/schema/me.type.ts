import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, Float, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'The legal basis (UU PDP Art. 20(2)) your agreement records for one of its purposes. A restriction a person asks for stops processing for a purpose unless its basis is PUBLIC_TASK or LEGAL_OBLIGATION, where it is recorded and shown but does not stop it.',
})
export class PurposeLegalBasis {
  @Field(() => String)
  purpose!: string;

  @Field(() => String, {
    description:
      'CONSENT, CONTRACT, LEGAL_OBLIGATION, VITAL_INTEREST, PUBLIC_TASK or LEGITIMATE_INTEREST.',
  })
  basis!: string;
}

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

  @Field(() => [PurposeLegalBasis], {
    description: 'The legal basis of each of your purposes, in the order of `purposes`.',
  })
  legalBases!: PurposeLegalBasis[];

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
