import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Logger } from '../logger.js';
import type { RequestContext } from './request-context.js';

/** Error codes a client may see as they are; anything else is an internal error. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'PURPOSE_REQUIRED',
  'PURPOSE_NOT_ALLOWED',
  'AGREEMENT_EXPIRED',
  'BATCH_TOO_LARGE',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'BUDGET_EXHAUSTED',
  'SERVICE_UNAVAILABLE',
  'IDEMPOTENCY_CONFLICT',
]);

/**
 * Apollo Server with the gateway's error policy: client errors keep their message and code;
 * every other error is logged with the request id and answered with a generic message, so no
 * SQL, stack trace or personal data ever reaches a client.
 */
export function createGraphQLServer(
  schema: GraphQLSchema,
  logger: Logger,
): ApolloServer<RequestContext> {
  return new ApolloServer<RequestContext>({
    schema,
    introspection: process.env.NODE_ENV !== 'production',
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageDisabled()],
    formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      const code = formatted.extensions?.code;
      if (typeof code === 'string' && CLIENT_CODES.has(code)) {
        return {
          message: formatted.message,
          locations: formatted.locations,
          path: formatted.path,
          extensions: { code },
        };
      }
      const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
      logger.error({ err: original, path: formatted.path }, 'internal error while resolving');
      return {
        message: 'Internal server error',
        path: formatted.path,
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      };
    },
  });
}
