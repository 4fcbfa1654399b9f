import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar } from './scalars/date.scalar.js';

/* Operational figures for internal dashboards and the administrator (issue #13, docs/privacy.md
   "Operational figures"). Aggregates only: no type here names a person, an officer or a request. */

export const AuditOutcome = {
  DISCLOSED: 'DISCLOSED',
  NOT_FOUND: 'NOT_FOUND',
  REFUSED: 'REFUSED',
  FAILED: 'FAILED',
};
registerEnumType(AuditOutcome, {
  name: 'AuditOutcome',
  description:
    'How an audited request ended (docs/audit.md): DISCLOSED (answered), NOT_FOUND (nothing to disclose), REFUSED (by policy: an error code says why), FAILED (another error).',
});

@InputType({
  description: 'Which regencies, and from which month verification is counted as recent.',
})
export class VerificationProgressFilter {
  @Field(() => String, {
    nullable: true,
    description:
      'A province (2 digits) or a regency (4 digits) within your region scope; without it every regency of your scope.',
  })
  regionCode?: string | null;

  @Field(() => DateScalar, {
    nullable: true,
    description:
      'The first day of a month (YYYY-MM-01): adds the households never verified or last verified before it. Other days are refused (households are counted by month of last verification).',
  })
  notVerifiedSince?: string | null;
}

@ObjectType({
  description:
    'A household count under the dashboard rule: null and suppressed when it is 1–9 households, or when showing it would let a hidden one be computed (so a suppressed count is not necessarily small). Never 0 for a hidden value.',
})
export class ProtectedCount {
  @Field(() => Int, { nullable: true, description: 'The count; null when suppressed.' })
  value!: number | null;

  @Field(() => Boolean, { description: 'Whether the count is hidden.' })
  suppressed!: boolean;
}

@ObjectType({
  description:
    'Verification submissions or proposals by status (CONTRACT §9). Counts of what agencies did, exact.',
})
export class VerificationStatusCounts {
  @Field(() => Int, { description: 'Waiting for review.' })
  submitted!: number;

  @Field(() => Int, { description: 'Approved, not yet in a published snapshot.' })
  approved!: number;

  @Field(() => Int, { description: 'Rejected by the reviewer.' })
  rejected!: number;

  @Field(() => Int, { description: 'Approved and reflected in a published snapshot.' })
  applied!: number;

  @Field(() => Int, { description: 'All of them.' })
  total!: number;
}

@ObjectType({ description: 'Verification progress of one regency (within your region scope).' })
export class RegencyVerificationProgress {
  @Field(() => String, { description: 'The regency or city code (4 digits).' })
  regencyCode!: string;

  @Field(() => String, { description: 'Its name in the region reference.' })
  regencyName!: string;

  @Field(() => String, { description: 'Its province code (2 digits).' })
  provinceCode!: string;

  @Field(() => Boolean, {
    description:
      'True when the regency has 1–9 households in your scope: every figure of it, submissions included, is hidden.',
  })
  suppressed!: boolean;

  @Field(() => ProtectedCount, { description: 'Households of the served snapshot.' })
  households!: ProtectedCount;

  @Field(() => ProtectedCount, { description: 'Households never verified (no verification date).' })
  neverVerified!: ProtectedCount;

  @Field(() => ProtectedCount, {
    nullable: true,
    description:
      'Households never verified or last verified before filter.notVerifiedSince; null when no date was given.',
  })
  notVerifiedSince!: ProtectedCount | null;

  @Field(() => VerificationStatusCounts, {
    nullable: true,
    description:
      'Verification submissions (visits to registered households) by status; null when the regency is suppressed.',
  })
  submissions!: VerificationStatusCounts | null;

  @Field(() => VerificationStatusCounts, {
    nullable: true,
    description:
      'Proposals of new households (usulan baru) by status; null when the regency is suppressed.',
  })
  proposals!: VerificationStatusCounts | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Submissions and proposals reviewed (approved or rejected); null when the regency is suppressed.',
  })
  reviewed!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Median days from submission to review over those reviewed, one decimal; null when none was reviewed or the regency is suppressed.',
  })
  medianDaysToReview!: number | null;
}

@ObjectType({ description: 'Verification and validation (verivali) progress per regency.' })
export class VerificationProgress {
  @Field(() => DateScalar, {
    nullable: true,
    description:
      'As-of date of the snapshot the household counts come from; null before the first.',
  })
  dataAsOf!: string | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: 'The month start the notVerifiedSince counts use, as asked.',
  })
  notVerifiedSince!: string | null;

  @Field(() => Int, {
    description: 'Household counts below this (1 to threshold − 1) are never shown: 10.',
  })
  threshold!: number;

  @Field(() => [RegencyVerificationProgress], {
    description:
      'Every regency of the region reference within your scope and the filter, by code (empty ones included, as 0).',
  })
  regencies!: RegencyVerificationProgress[];
}

@ObjectType({ description: 'Data-quality warnings of one kind found at import.' })
export class DataQualityWarning {
  @Field(() => String, {
    description:
      'The kind, e.g. NIK_BIRTH_DATE_MISMATCH (a NIK whose embedded birth date disagrees with birth_date).',
  })
  code!: string;

  @Field(() => Int, { description: 'How many rows had it.' })
  count!: number;
}

@ObjectType({ description: 'One loaded registry snapshot (whole-registry totals).' })
export class SnapshotHistoryEntry {
  @Field(() => Int, { description: 'The snapshot number, as the import printed it.' })
  id!: number;

  @Field(() => DateScalar, { description: 'The date the data describes.' })
  asOf!: string;

  @Field(() => GraphQLDateTimeISO, { description: 'When it was loaded.' })
  loadedAt!: Date;

  @Field(() => Boolean, { description: 'Whether it is the snapshot served now (the newest).' })
  served!: boolean;

  @Field(() => Int, { description: 'Households loaded.' })
  households!: number;

  @Field(() => Int, { description: 'Persons (members) loaded.' })
  persons!: number;

  @Field(() => Int, { description: 'Program recipient rows loaded.' })
  programRecipients!: number;

  @Field(() => [DataQualityWarning], { description: 'Data-quality warnings by kind.' })
  dataQualityWarnings!: DataQualityWarning[];

  @Field(() => Int, { description: 'All data-quality warnings together.' })
  dataQualityWarningTotal!: number;

  @Field(() => Float, { description: 'Seconds the import took, one decimal.' })
  importSeconds!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Of which building the statistics rollups; null for snapshots loaded before rollups existed.',
  })
  rollupSeconds!: number | null;
}

@ObjectType({ description: 'Audited requests of one Jakarta day, agency, purpose and outcome.' })
export class GatewayRequestCount {
  @Field(() => DateScalar, { description: 'The day in Asia/Jakarta time (WIB).' })
  day!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The agency; null for callers that could not be authenticated.',
  })
  agencyId!: string | null;

  @Field(() => String, { nullable: true, description: 'The agency’s name.' })
  agencyName!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The declared purpose (X-Purpose); null when none; UNRECOGNIZED for a purpose no agreement has.',
  })
  purpose!: string | null;

  @Field(() => AuditOutcome, { description: 'How the requests ended.' })
  outcome!: string;

  @Field(() => Int, { description: 'How many.' })
  count!: number;
}

@ObjectType({ description: 'Audited requests of one operation and outcome over the range.' })
export class GatewayOperationCount {
  @Field(() => String, {
    description:
      'The operation as audited: its type and root fields, e.g. query:statistics; http:graphql for a request refused before GraphQL.',
  })
  operation!: string;

  @Field(() => AuditOutcome, { description: 'How the requests ended.' })
  outcome!: string;

  @Field(() => Int, { description: 'How many.' })
  count!: number;
}

@ObjectType({ description: 'Refused requests of one error code and agency over the range.' })
export class GatewayRefusalCount {
  @Field(() => String, { description: 'The error code, e.g. FORBIDDEN or RATE_LIMITED.' })
  errorCode!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The agency; null for callers that could not be authenticated.',
  })
  agencyId!: string | null;

  @Field(() => String, { nullable: true, description: 'The agency’s name.' })
  agencyName!: string | null;

  @Field(() => Int, { description: 'How many.' })
  count!: number;
}

@ObjectType({ description: 'Privacy budget (ε) one client spent on one snapshot.' })
export class PrivacyBudgetUse {
  @Field(() => Int, { description: 'The snapshot number.' })
  snapshotId!: number;

  @Field(() => DateScalar, { description: 'Its as-of date.' })
  snapshotAsOf!: string;

  @Field(() => String, { description: 'The client.' })
  clientId!: string;

  @Field(() => String, { nullable: true, description: 'Its agency.' })
  agencyId!: string | null;

  @Field(() => String, { nullable: true, description: 'The agency’s name.' })
  agencyName!: string | null;

  @Field(() => Float, { description: 'ε spent on this snapshot.' })
  epsilonSpent!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'ε its current agreement allows its agency per accounting period; null without a budget.',
  })
  epsilonBudget!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'ε its agency has left in the current accounting period (all its clients together); null without a budget.',
  })
  epsilonRemaining!: number | null;
}

@ObjectType({ description: 'Privacy budget (ε) all researchers together spent on one snapshot.' })
export class GlobalPrivacyBudgetUse {
  @Field(() => Int, { description: 'The snapshot number.' })
  snapshotId!: number;

  @Field(() => DateScalar, { description: 'Its as-of date.' })
  snapshotAsOf!: string;

  @Field(() => Float, { description: 'ε spent on this snapshot.' })
  epsilonSpent!: number;

  @Field(() => Float, {
    description: 'The global budget per accounting period (DTKS_GLOBAL_PRIVACY_BUDGET).',
  })
  epsilonBudget!: number;

  @Field(() => Float, { description: 'ε left in the current accounting period.' })
  epsilonRemaining!: number;
}

@ObjectType({
  description: 'Distinct NIKs one agreement checked on one Jakarta day, against its quota.',
})
export class DailyQuotaUse {
  @Field(() => DateScalar, { description: 'The day in Asia/Jakarta time (WIB).' })
  day!: string;

  @Field(() => String, { description: 'The agreement.' })
  agreementId!: string;

  @Field(() => String, { description: 'Its agency.' })
  agencyId!: string;

  @Field(() => String, { description: 'The agency’s name.' })
  agencyName!: string;

  @Field(() => Int, { description: 'Distinct NIKs checked that day.' })
  distinctSubjects!: number;

  @Field(() => Int, { description: 'Room reserved for large batches not yet counted one by one.' })
  reserved!: number;

  @Field(() => Int, { description: 'The agreement’s daily quota of distinct NIKs.' })
  dailyQuota!: number;

  @Field(() => Float, { description: '(distinctSubjects + reserved) / dailyQuota.' })
  share!: number;
}

@ObjectType({
  description:
    'What the gateway was used for over a range of Jakarta days: counts of what agencies did, never naming a person, an officer or a request.',
})
export class GatewayUse {
  @Field(() => DateScalar, { description: 'The first day of the range (Asia/Jakarta).' })
  from!: string;

  @Field(() => DateScalar, { description: 'The last day of the range, included.' })
  to!: string;

  @Field(() => [GatewayRequestCount], {
    description:
      'Audited requests per day, agency, purpose and outcome: every operation that discloses data and every refused attempt (successful me, snapshot, programs and regions calls are not audited).',
  })
  requests!: GatewayRequestCount[];

  @Field(() => [GatewayOperationCount], {
    description: 'Audited requests per operation and outcome, most frequent first.',
  })
  operations!: GatewayOperationCount[];

  @Field(() => [GatewayRefusalCount], {
    description: 'Refused requests per error code and agency, most frequent first.',
  })
  refusals!: GatewayRefusalCount[];

  @Field(() => [PrivacyBudgetUse], {
    description: 'ε spent per client on each snapshot served during the range.',
  })
  privacyBudget!: PrivacyBudgetUse[];

  @Field(() => [GlobalPrivacyBudgetUse], {
    description: 'ε spent by all researchers on each snapshot served during the range.',
  })
  globalPrivacyBudget!: GlobalPrivacyBudgetUse[];

  @Field(() => [DailyQuotaUse], {
    description:
      'Daily quota use per agreement and day (counters kept in an unlogged table: a crash of PostgreSQL clears them).',
  })
  quotaUse!: DailyQuotaUse[];
}
