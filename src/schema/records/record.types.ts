import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Program } from '../eligibility.types.js';
import { MemberStatus, Relationship, Sex, VerificationStatus } from '../enums.js';
import { DateScalar } from '../scalars/date.scalar.js';
import { RegionCodeScalar } from '../scalars/region-code.scalar.js';

/*
 * Household and Person live in one file because each refers to the other. Every field a policy
 * can mask or withhold is nullable, so a withheld value never nulls its parent; what was masked
 * or withheld is listed in the response's `extensions.disclosure`.
 */

@ObjectType({
  // Plain values read straight from the row (graphql's default resolver, no per-field wrapper):
  // a page or a batch resolves thousands of them.
  simpleResolvers: true,
  description:
    'A household (keluarga) of the registry, as your agreement lets you see it. Fields your ' +
    'agreement masks or withholds are masked or null and listed in extensions.disclosure.',
})
export class Household {
  @Field(() => ID, {
    description: 'The registry household id (ID DTKS). Always shown to record clients.',
  })
  id!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Family card number (No. KK); often masked: 320101******0001.',
  })
  kkNumber?: string | null;

  @Field(() => RegionCodeScalar, { nullable: true, description: 'Village (desa/kelurahan) code.' })
  regionCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Address as recorded.' })
  address?: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Welfare decile (desil) 1–10 from the national ranking; null when not ranked or withheld.',
  })
  decile?: number | null;

  @Field(() => VerificationStatus, { nullable: true, description: 'Verification status.' })
  verificationStatus?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Date of the last verification.' })
  verifiedAt?: string | null;

  @Field(() => [Person], {
    nullable: true,
    description: 'Members of the household, ordered by NIK.',
  })
  members?: Person[] | null;

  @Field(() => DateScalar, {
    description:
      'The as-of date of the registry snapshot this record was read from (the date the ' +
      'snapshot describes, CONTRACT §4), read in the same statement as the record.',
  })
  dataAsOf!: string;
}

@ObjectType({
  // Plain values read straight from the row (graphql's default resolver, no per-field wrapper):
  // a page or a batch resolves thousands of them.
  simpleResolvers: true,
  description:
    'A person (anggota keluarga) of the registry, as your agreement lets you see them. The NIK ' +
    'is usually masked (first 6 and last 4 digits kept).',
})
export class Person {
  @Field(() => String, { nullable: true, description: 'NIK, usually masked: 320101******0001.' })
  nik?: string | null;

  @Field(() => String, { nullable: true, description: 'Name as recorded.' })
  name?: string | null;

  @Field(() => Sex, { nullable: true })
  sex?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Date of birth.' })
  birthDate?: string | null;

  @Field(() => Relationship, {
    nullable: true,
    description: 'Relationship to the head of the household.',
  })
  relationship?: string | null;

  @Field(() => MemberStatus, { nullable: true })
  status?: string | null;

  @Field(() => [Program], {
    nullable: true,
    description:
      'Programs the person currently receives (program recipients of the served snapshot), in ' +
      'alphabetical order; empty when none.',
  })
  programs?: string[] | null;

  @Field(() => Household, { nullable: true, description: 'The household the person belongs to.' })
  household?: Household | null;

  @Field(() => DateScalar, {
    description:
      'The as-of date of the registry snapshot this record was read from (the date the ' +
      'snapshot describes, CONTRACT §4), read in the same statement as the record.',
  })
  dataAsOf!: string;
}
