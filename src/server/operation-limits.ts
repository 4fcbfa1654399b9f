import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLError } from 'graphql';

/**
 * Operation limits (graphql-armor) with production values. Limits are not revealed in error
 * messages (`exposeLimits: false`), and every rejection carries the code QUERY_TOO_COMPLEX.
 *
 * - depth 12: the deepest legitimate query (households → edges → node → members → household …) is 7;
 * - cost 20,000 and 15 aliases: a page of 500 households with members, not a multiplication trick;
 * - 5,000 tokens: a batch of 10,000 NIKs travels as a variable, not in the document;
 * - field suggestions are blocked (they leak the schema to clients that may not introspect).
 */
export function operationLimits() {
  const onReject = [
    (_ctx: unknown, error: GraphQLError) => {
      (error.extensions as Record<string, unknown>).code = 'QUERY_TOO_COMPLEX';
    },
  ];
  return new ApolloArmor({
    maxDepth: { n: 12, exposeLimits: false, onReject },
    costLimit: { maxCost: 20_000, exposeLimits: false, onReject },
    maxAliases: { n: 15, exposeLimits: false, onReject },
    maxTokens: { n: 5_000, exposeLimits: false, onReject },
    maxDirectives: { n: 10, exposeLimits: false, onReject },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}
