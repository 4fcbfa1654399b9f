import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { SnapshotResolver } from '../resolvers/snapshot.resolver.js';

/** The gateway's GraphQL schema, built from the type-graphql classes. */
export function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [SnapshotResolver],
    validate: false,
    // Descriptions are the partner agencies' documentation: keep them in the printed schema.
    emitSchemaFile: false,
  });
}
