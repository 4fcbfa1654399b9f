import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';

/**
 * Operation limits (graphql-armor) with production values. Limits are not revealed in error
 * messages (`exposeLimits: false`); every rejection has one message, which `formatError` gives
 * the code QUERY_TOO_COMPLEX.
 *
 * - depth 12: the deepest legitimate query (households → edges → node → members → household …) is 7;
 * - cost 20,000 and 15 aliases (`__typename` included): a page of 500 households with members,
 *   not a multiplication trick;
 * - 5,000 tokens ({@link MAX_TOKENS}): a batch of 10,000 NIKs travels as a variable, not in the
 *   document. Counted by graphql-js's own parser (Apollo's `parseOptions`), not by armor's
 *   re-parse in `parsingDidStart`, which Apollo answers with HTTP 500 and the source quoted;
 * - "Did you mean …?" suggestions (fields, arguments, types, enum values) are removed from every
 *   message: they leak the schema to clients that may not introspect.
 */
/** The one message of every limit rejection; `formatError` gives it the code QUERY_TOO_COMPLEX. */
export const TOO_COMPLEX_MESSAGE =
  'the operation is too large, too deep or has too many aliases; split it into smaller operations';

/** The most aliases (root fields included) one operation may have. */
export const MAX_ALIASES = 15;

/** The most lexical tokens a document may have: graphql-js `parse` option `maxLexicalTokens`. */
export const MAX_TOKENS = 5_000;

/** `development`: suggestions on (they are removed in production, where they leak the schema). */
export function operationLimits(options: { development: boolean } = { development: false }) {
  const errorMessage = TOO_COMPLEX_MESSAGE;
  const armor = new ApolloArmor({
    // flattenFragments: depth counts fields, not the fragments code generators write per type.
    maxDepth: { n: 12, flattenFragments: true, exposeLimits: false, errorMessage },
    costLimit: { maxCost: 20_000, exposeLimits: false, errorMessage },
    // armor exempts `__typename` by default: 1,000 aliases of it would pass.
    maxAliases: { n: MAX_ALIASES, allowList: [], exposeLimits: false, errorMessage },
    // Counted by the parser itself (MAX_TOKENS): armor's plugin re-parses in parsingDidStart.
    maxTokens: { enabled: false },
    maxDirectives: { n: 10, exposeLimits: false, errorMessage },
    // armor's mask only matches `Did you mean "…"`, not "Did you mean the enum value …".
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    ...armor,
    plugins: [...armor.plugins, ...(options.development ? [] : [suggestionsHidden])],
  };
}

/** Removes every graphql-js "Did you mean …?" suggestion from a message. */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean [^?]*\?/g, '');
}

/**
 * Hides suggestions in every error of a request (parse, validation, variable coercion and
 * execution errors all pass through `didEncounterErrors` before they are formatted).
 */
const suggestionsHidden: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) error.message = withoutSuggestions(error.message);
      },
    };
  },
};
