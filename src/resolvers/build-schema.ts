import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AccessLogResolver } from './access-log.resolver.js';
import { SubjectHouseholdResolver, SubjectReportResolver } from './subject.resolver.js';
import { ChangesResolver } from './changes.resolver.js';
import {
  EligibilityChange,
  GrievanceStatusChange,
  HouseholdChange,
  VerificationStatusChange,
} from '../schema/change.types.js';
import { EligibilityResolver } from './eligibility.resolver.js';
import { MeResolver } from './me.resolver.js';
import { MonitoringResolver } from './monitoring.resolver.js';
import {
  HouseholdConnectionResolver,
  HouseholdRelationsResolver,
  PersonRelationsResolver,
  RecordsResolver,
} from './records.resolver.js';
import { GrievanceResolver } from './grievance.resolver.js';
import { RegionResolver } from './region.resolver.js';
import { RestrictionResolver, SubjectRestrictionsResolver } from './restriction.resolver.js';
import { StatisticsResolver } from './statistics.resolver.js';
import { SnapshotResolver } from './snapshot.resolver.js';
import {
  HouseholdHistoryResolver,
  MemberChangeResolver,
  VerificationChangesResolver,
  VerificationResolver,
  VerificationSubmissionFieldsResolver,
} from './verification.resolver.js';

/** The gateway's GraphQL schema, built from the type-graphql classes. */
export function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      MeResolver,
      SnapshotResolver,
      RecordsResolver,
      HouseholdConnectionResolver,
      HouseholdRelationsResolver,
      PersonRelationsResolver,
      AccessLogResolver,
      EligibilityResolver,
      StatisticsResolver,
      VerificationResolver,
      VerificationSubmissionFieldsResolver,
      VerificationChangesResolver,
      MemberChangeResolver,
      HouseholdHistoryResolver,
      MonitoringResolver,
      RegionResolver,
      ChangesResolver,
      SubjectReportResolver,
      SubjectHouseholdResolver,
      RestrictionResolver,
      SubjectRestrictionsResolver,
      GrievanceResolver,
    ],
    // Event kinds are reached through the ChangeEvent interface only.
    orphanedTypes: [
      EligibilityChange,
      HouseholdChange,
      VerificationStatusChange,
      GrievanceStatusChange,
    ],
    validate: false,
    // Descriptions are the partner agencies' documentation: keep them in the printed schema.
    emitSchemaFile: false,
  });
}
