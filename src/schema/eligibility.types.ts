import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PROGRAMS } from '../domain/programs.js';
import { REASON_CODES } from '../domain/reason-codes.js';
import { DateScalar } from './scalars/date.scalar.js';

export const Program = Object.fromEntries(Object.keys(PROGRAMS).map((p) => [p, p]));
registerEnumType(Program, {
  name: 'Program',
  description:
    'PKH (Program Keluarga Harapan), BPNT (Sembako), PBI_JK (health insurance contribution), PIP (school assistance).',
});

export const EligibilityReason = Object.fromEntries(
  [...REASON_CODES, 'NOT_ELIGIBLE'].map((r) => [r, r]),
);
registerEnumType(EligibilityReason, {
  name: 'EligibilityReason',
  description:
    'Why a NIK is or is not eligible, the first that applies: NOT_REGISTERED, INACTIVE, HOUSEHOLD_REJECTED, ' +
    'NOT_RANKED, ABOVE_DECILE_THRESHOLD, NO_QUALIFYING_MEMBER (PKH), NOT_IN_TARGET_GROUP (PIP), ELIGIBLE. ' +
    'Agreements without detailed reasons see only ELIGIBLE or NOT_ELIGIBLE.',
});

@ObjectType({
  // Plain values read straight from the row (graphql's default resolver, no per-field wrapper):
  // a page or a batch resolves thousands of them.
  simpleResolvers: true,
  description:
    'A decision, never a record: whether a NIK is eligible for a program under the current rule, as of the served snapshot.',
})
export class EligibilityDecision {
  @Field(() => Program)
  program!: string;

  @Field(() => Boolean)
  eligible!: boolean;

  @Field(() => EligibilityReason)
  reason!: string;

  @Field(() => String, {
    description: 'Unique id of this decision; also in the audit log. Quote it in a dispute.',
  })
  decisionId!: string;

  @Field(() => DateScalar, {
    description: 'The as-of date of the snapshot the decision is based on.',
  })
  dataAsOf!: string;

  @Field(() => Int, { description: 'Version of the program rule applied (see `programs`).' })
  ruleVersion!: number;

  @Field(() => String, {
    description:
      'A pseudonym of the NIK for your agency: stable for your agency, unlinkable across agencies, present whether or not the NIK is registered.',
  })
  subjectRef!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Welfare decile, only where your agreement discloses it; otherwise null.',
  })
  decile!: number | null;
}

@ObjectType({
  description:
    'A version of a program’s eligibility rule published for a later date (`dtks-gateway rules publish`).',
})
export class ScheduledRuleVersion {
  @Field(() => Int)
  ruleVersion!: number;

  @Field(() => String, { description: 'The rule in plain language.' })
  rule!: string;

  @Field(() => DateScalar, {
    description: 'It applies to decisions on snapshots as of this date or later.',
  })
  effectiveOn!: string;
}

@ObjectType({
  description:
    'A program and the version of its eligibility rule in force for the served snapshot, in plain words, with the versions scheduled after it.',
})
export class ProgramInfo {
  @Field(() => Program)
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'HOUSEHOLD or PERSON: whom the program is given to.' })
  unit!: string;

  @Field(() => Int)
  ruleVersion!: number;

  @Field(() => String, {
    description: 'The rule in plain language, as applied to every decision of this version.',
  })
  rule!: string;

  @Field(() => GraphQLDateTimeISO, {
    description:
      'When this version was recorded; for a published version, the start (Jakarta time) of the day it is in force from.',
  })
  effectiveFrom!: Date;

  @Field(() => DateScalar, {
    nullable: true,
    description:
      'Decisions on snapshots as of this date or later apply this version (until a later one); null: in force from the start.',
  })
  effectiveOn!: string | null;

  @Field(() => [ScheduledRuleVersion], {
    description:
      'Versions published for a date after the served snapshot’s as-of date: they apply from the first snapshot as of that date or later. Oldest first.',
  })
  scheduled!: ScheduledRuleVersion[];
}
