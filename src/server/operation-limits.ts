import { ApolloArmor } from '@escape.tech/graphql-armor';

/**
 * Operation limits (graphql-armor) with production values. Limits are not revealed in error
 * messages (`exposeLimits: false`); every rejection has one message, which `formatError` gives
 * the code QUERY_TOO_COMPLEX.
 *
 * - depth 12: the deepest legitimate query (households → edges → node → members → household …) is 7;
 * - cost 20,000 and 15 aliases: a page of 500 households with members, not a multiplication trick;
 * - 5,000 tokens: a batch of 10,000 NIKs travels as a variable, not in the document;
 * - field suggestions are blocked (they leak the schema to clients that may not introspect).
 */
/** The one message of every limit rejection; `formatError` gives it the code QUERY_TOO_COMPLEX. */
export const TOO_COMPLEX_MESSAGE =
  'the operation is too large, too deep or has too many aliases; split it into smaller operations';

/** `development`: field suggestions on (they are blocked in production, where they leak the schema). */
export function operationLimits(options: { development: boolean } = { development: false }) {
  const errorMessage = TOO_COMPLEX_MESSAGE;
  return new ApolloArmor({
    // flattenFragments: depth counts fields, not the fragments code generators write per type.
    maxDepth: { n: 12, flattenFragments: true, exposeLimits: false, errorMessage },
    costLimit: { maxCost: 20_000, exposeLimits: false, errorMessage },
    maxAliases: { n: 15, exposeLimits: false, errorMessage },
    maxTokens: { n: 5_000, exposeLimits: false, errorMessage },
    maxDirectives: { n: 10, exposeLimits: false, errorMessage },
    blockFieldSuggestion: { enabled: !options.development },
  }).protect();
}
