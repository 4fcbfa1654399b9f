import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AccessLogResolver } from '../resolvers/access-log.resolver.js';
import { EligibilityResolver } from '../resolvers/eligibility.resolver.js';
import { MeResolver } from '../resolvers/me.resolver.js';
import {
  HouseholdConnectionResolver,
  HouseholdRelationsResolver,
  PersonRelationsResolver,
  RecordsResolver,
} from '../resolvers/records.resolver.js';
import { StatisticsResolver } from '../resolvers/statistics.resolver.js';
import { SnapshotResolver } from '../resolvers/snapshot.resolver.js';
import {
  HouseholdHistoryResolver,
  MemberChangeResolver,
  VerificationChangesResolver,
  VerificationResolver,
  VerificationSubmissionFieldsResolver,
} from '../resolvers/verification.resolver.js';

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
    ],
    validate: false,
    // Descriptions are the partner agencies' documentation: keep them in the printed schema.
    emitSchemaFile: false,
  });
}
