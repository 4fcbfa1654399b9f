/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
  'query DashboardMe {\n  me {\n    clientId\n    agencyName\n    purposes\n  }\n}': typeof types.DashboardMeDocument;
  'query DecilePersons($regionCode: String) {\n  statistics(\n    query: {measure: PERSONS, groupBy: [DECILE], filter: {regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}': typeof types.DecilePersonsDocument;
  'query GatewayUse($from: Date!, $to: Date!) {\n  gatewayUse(from: $from, to: $to) {\n    from\n    to\n    requests {\n      day\n      agencyId\n      agencyName\n      purpose\n      outcome\n      count\n    }\n    refusals {\n      agencyName\n      errorCode\n      count\n    }\n    privacyBudget {\n      clientId\n      agencyName\n      snapshotAsOf\n      epsilonSpent\n      epsilonBudget\n    }\n    quotaUse {\n      agencyName\n      day\n      distinctSubjects\n      dailyQuota\n      share\n    }\n  }\n}': typeof types.GatewayUseDocument;
  'query NationalOverview {\n  snapshot {\n    asOf\n    households\n    persons\n  }\n  statistics(query: {measure: HOUSEHOLDS, groupBy: [PROVINCE]}) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}': typeof types.NationalOverviewDocument;
  'query PoorestPersonsByRegion($level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: PERSONS, groupBy: [$level], filter: {deciles: [1, 2, 3, 4], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    dataAsOf\n  }\n}': typeof types.PoorestPersonsByRegionDocument;
  'query Provinces {\n  regions(level: PROVINCE) {\n    code\n    name\n  }\n}': typeof types.ProvincesDocument;
  'query RegionHouseholds($level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: HOUSEHOLDS, groupBy: [$level], filter: {regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}': typeof types.RegionHouseholdsDocument;
  'query RegionPopulation($level: RegionLevel!, $parentCode: RegionCode) {\n  regions(level: $level, parentCode: $parentCode) {\n    code\n    name\n    population {\n      total\n    }\n  }\n}': typeof types.RegionPopulationDocument;
  'query SnapshotHistory($first: Int) {\n  snapshotHistory(first: $first) {\n    id\n    asOf\n    loadedAt\n    households\n    persons\n    programRecipients\n    dataQualityWarningTotal\n    importSeconds\n    served\n  }\n}': typeof types.SnapshotHistoryDocument;
  'query SnapshotTotals {\n  snapshot {\n    asOf\n    households\n    persons\n  }\n}': typeof types.SnapshotTotalsDocument;
  'query TargetingByDecile($measure: StatisticsMeasure!, $program: Program!, $regionCode: String) {\n  statistics(\n    query: {measure: $measure, groupBy: [DECILE], filter: {programs: [$program], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n    ruleVersions {\n      program\n      version\n    }\n  }\n}': typeof types.TargetingByDecileDocument;
  'query TargetingByRegion($measure: StatisticsMeasure!, $program: Program!, $level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: $measure, groupBy: [$level], filter: {programs: [$program], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}': typeof types.TargetingByRegionDocument;
  'query VerificationProgress($regionCode: String, $notVerifiedSince: Date) {\n  verificationProgress(\n    filter: {regionCode: $regionCode, notVerifiedSince: $notVerifiedSince}\n  ) {\n    dataAsOf\n    notVerifiedSince\n    regencies {\n      regencyCode\n      regencyName\n      provinceCode\n      suppressed\n      households {\n        value\n        suppressed\n      }\n      neverVerified {\n        value\n        suppressed\n      }\n      notVerifiedSince {\n        value\n        suppressed\n      }\n      submissions {\n        submitted\n        approved\n        rejected\n        applied\n        total\n      }\n      medianDaysToReview\n    }\n  }\n}': typeof types.VerificationProgressDocument;
};
const documents: Documents = {
  'query DashboardMe {\n  me {\n    clientId\n    agencyName\n    purposes\n  }\n}':
    types.DashboardMeDocument,
  'query DecilePersons($regionCode: String) {\n  statistics(\n    query: {measure: PERSONS, groupBy: [DECILE], filter: {regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}':
    types.DecilePersonsDocument,
  'query GatewayUse($from: Date!, $to: Date!) {\n  gatewayUse(from: $from, to: $to) {\n    from\n    to\n    requests {\n      day\n      agencyId\n      agencyName\n      purpose\n      outcome\n      count\n    }\n    refusals {\n      agencyName\n      errorCode\n      count\n    }\n    privacyBudget {\n      clientId\n      agencyName\n      snapshotAsOf\n      epsilonSpent\n      epsilonBudget\n    }\n    quotaUse {\n      agencyName\n      day\n      distinctSubjects\n      dailyQuota\n      share\n    }\n  }\n}':
    types.GatewayUseDocument,
  'query NationalOverview {\n  snapshot {\n    asOf\n    households\n    persons\n  }\n  statistics(query: {measure: HOUSEHOLDS, groupBy: [PROVINCE]}) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}':
    types.NationalOverviewDocument,
  'query PoorestPersonsByRegion($level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: PERSONS, groupBy: [$level], filter: {deciles: [1, 2, 3, 4], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    dataAsOf\n  }\n}':
    types.PoorestPersonsByRegionDocument,
  'query Provinces {\n  regions(level: PROVINCE) {\n    code\n    name\n  }\n}':
    types.ProvincesDocument,
  'query RegionHouseholds($level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: HOUSEHOLDS, groupBy: [$level], filter: {regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}':
    types.RegionHouseholdsDocument,
  'query RegionPopulation($level: RegionLevel!, $parentCode: RegionCode) {\n  regions(level: $level, parentCode: $parentCode) {\n    code\n    name\n    population {\n      total\n    }\n  }\n}':
    types.RegionPopulationDocument,
  'query SnapshotHistory($first: Int) {\n  snapshotHistory(first: $first) {\n    id\n    asOf\n    loadedAt\n    households\n    persons\n    programRecipients\n    dataQualityWarningTotal\n    importSeconds\n    served\n  }\n}':
    types.SnapshotHistoryDocument,
  'query SnapshotTotals {\n  snapshot {\n    asOf\n    households\n    persons\n  }\n}':
    types.SnapshotTotalsDocument,
  'query TargetingByDecile($measure: StatisticsMeasure!, $program: Program!, $regionCode: String) {\n  statistics(\n    query: {measure: $measure, groupBy: [DECILE], filter: {programs: [$program], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n    ruleVersions {\n      program\n      version\n    }\n  }\n}':
    types.TargetingByDecileDocument,
  'query TargetingByRegion($measure: StatisticsMeasure!, $program: Program!, $level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: $measure, groupBy: [$level], filter: {programs: [$program], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}':
    types.TargetingByRegionDocument,
  'query VerificationProgress($regionCode: String, $notVerifiedSince: Date) {\n  verificationProgress(\n    filter: {regionCode: $regionCode, notVerifiedSince: $notVerifiedSince}\n  ) {\n    dataAsOf\n    notVerifiedSince\n    regencies {\n      regencyCode\n      regencyName\n      provinceCode\n      suppressed\n      households {\n        value\n        suppressed\n      }\n      neverVerified {\n        value\n        suppressed\n      }\n      notVerifiedSince {\n        value\n        suppressed\n      }\n      submissions {\n        submitted\n        approved\n        rejected\n        applied\n        total\n      }\n      medianDaysToReview\n    }\n  }\n}':
    types.VerificationProgressDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query DashboardMe {\n  me {\n    clientId\n    agencyName\n    purposes\n  }\n}',
): (typeof documents)['query DashboardMe {\n  me {\n    clientId\n    agencyName\n    purposes\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query DecilePersons($regionCode: String) {\n  statistics(\n    query: {measure: PERSONS, groupBy: [DECILE], filter: {regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}',
): (typeof documents)['query DecilePersons($regionCode: String) {\n  statistics(\n    query: {measure: PERSONS, groupBy: [DECILE], filter: {regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query GatewayUse($from: Date!, $to: Date!) {\n  gatewayUse(from: $from, to: $to) {\n    from\n    to\n    requests {\n      day\n      agencyId\n      agencyName\n      purpose\n      outcome\n      count\n    }\n    refusals {\n      agencyName\n      errorCode\n      count\n    }\n    privacyBudget {\n      clientId\n      agencyName\n      snapshotAsOf\n      epsilonSpent\n      epsilonBudget\n    }\n    quotaUse {\n      agencyName\n      day\n      distinctSubjects\n      dailyQuota\n      share\n    }\n  }\n}',
): (typeof documents)['query GatewayUse($from: Date!, $to: Date!) {\n  gatewayUse(from: $from, to: $to) {\n    from\n    to\n    requests {\n      day\n      agencyId\n      agencyName\n      purpose\n      outcome\n      count\n    }\n    refusals {\n      agencyName\n      errorCode\n      count\n    }\n    privacyBudget {\n      clientId\n      agencyName\n      snapshotAsOf\n      epsilonSpent\n      epsilonBudget\n    }\n    quotaUse {\n      agencyName\n      day\n      distinctSubjects\n      dailyQuota\n      share\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query NationalOverview {\n  snapshot {\n    asOf\n    households\n    persons\n  }\n  statistics(query: {measure: HOUSEHOLDS, groupBy: [PROVINCE]}) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}',
): (typeof documents)['query NationalOverview {\n  snapshot {\n    asOf\n    households\n    persons\n  }\n  statistics(query: {measure: HOUSEHOLDS, groupBy: [PROVINCE]}) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query PoorestPersonsByRegion($level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: PERSONS, groupBy: [$level], filter: {deciles: [1, 2, 3, 4], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    dataAsOf\n  }\n}',
): (typeof documents)['query PoorestPersonsByRegion($level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: PERSONS, groupBy: [$level], filter: {deciles: [1, 2, 3, 4], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    dataAsOf\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query Provinces {\n  regions(level: PROVINCE) {\n    code\n    name\n  }\n}',
): (typeof documents)['query Provinces {\n  regions(level: PROVINCE) {\n    code\n    name\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query RegionHouseholds($level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: HOUSEHOLDS, groupBy: [$level], filter: {regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}',
): (typeof documents)['query RegionHouseholds($level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: HOUSEHOLDS, groupBy: [$level], filter: {regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query RegionPopulation($level: RegionLevel!, $parentCode: RegionCode) {\n  regions(level: $level, parentCode: $parentCode) {\n    code\n    name\n    population {\n      total\n    }\n  }\n}',
): (typeof documents)['query RegionPopulation($level: RegionLevel!, $parentCode: RegionCode) {\n  regions(level: $level, parentCode: $parentCode) {\n    code\n    name\n    population {\n      total\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query SnapshotHistory($first: Int) {\n  snapshotHistory(first: $first) {\n    id\n    asOf\n    loadedAt\n    households\n    persons\n    programRecipients\n    dataQualityWarningTotal\n    importSeconds\n    served\n  }\n}',
): (typeof documents)['query SnapshotHistory($first: Int) {\n  snapshotHistory(first: $first) {\n    id\n    asOf\n    loadedAt\n    households\n    persons\n    programRecipients\n    dataQualityWarningTotal\n    importSeconds\n    served\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query SnapshotTotals {\n  snapshot {\n    asOf\n    households\n    persons\n  }\n}',
): (typeof documents)['query SnapshotTotals {\n  snapshot {\n    asOf\n    households\n    persons\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query TargetingByDecile($measure: StatisticsMeasure!, $program: Program!, $regionCode: String) {\n  statistics(\n    query: {measure: $measure, groupBy: [DECILE], filter: {programs: [$program], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n    ruleVersions {\n      program\n      version\n    }\n  }\n}',
): (typeof documents)['query TargetingByDecile($measure: StatisticsMeasure!, $program: Program!, $regionCode: String) {\n  statistics(\n    query: {measure: $measure, groupBy: [DECILE], filter: {programs: [$program], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n    ruleVersions {\n      program\n      version\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query TargetingByRegion($measure: StatisticsMeasure!, $program: Program!, $level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: $measure, groupBy: [$level], filter: {programs: [$program], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}',
): (typeof documents)['query TargetingByRegion($measure: StatisticsMeasure!, $program: Program!, $level: StatisticsDimension!, $regionCode: String) {\n  statistics(\n    query: {measure: $measure, groupBy: [$level], filter: {programs: [$program], regionCode: $regionCode}}\n  ) {\n    cells {\n      key {\n        code\n        label\n      }\n      value\n      suppressed\n    }\n    method\n    dataAsOf\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query VerificationProgress($regionCode: String, $notVerifiedSince: Date) {\n  verificationProgress(\n    filter: {regionCode: $regionCode, notVerifiedSince: $notVerifiedSince}\n  ) {\n    dataAsOf\n    notVerifiedSince\n    regencies {\n      regencyCode\n      regencyName\n      provinceCode\n      suppressed\n      households {\n        value\n        suppressed\n      }\n      neverVerified {\n        value\n        suppressed\n      }\n      notVerifiedSince {\n        value\n        suppressed\n      }\n      submissions {\n        submitted\n        approved\n        rejected\n        applied\n        total\n      }\n      medianDaysToReview\n    }\n  }\n}',
): (typeof documents)['query VerificationProgress($regionCode: String, $notVerifiedSince: Date) {\n  verificationProgress(\n    filter: {regionCode: $regionCode, notVerifiedSince: $notVerifiedSince}\n  ) {\n    dataAsOf\n    notVerifiedSince\n    regencies {\n      regencyCode\n      regencyName\n      provinceCode\n      suppressed\n      households {\n        value\n        suppressed\n      }\n      neverVerified {\n        value\n        suppressed\n      }\n      notVerifiedSince {\n        value\n        suppressed\n      }\n      submissions {\n        submitted\n        approved\n        rejected\n        applied\n        total\n      }\n      medianDaysToReview\n    }\n  }\n}'];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> =
  TDocumentNode extends DocumentNode<infer TType, any> ? TType : never;
