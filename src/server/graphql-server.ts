import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import {
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Logger } from '../logger.js';
import { TOO_COMPLEX_MESSAGE } from './operation-limits.js';
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
  options: {
    plugins?: ApolloServerPlugin<RequestContext>[];
    validationRules?: ValidationRule[];
  } = {},
): ApolloServer<RequestContext> {
  return new ApolloServer<RequestContext>({
    schema,
    // Introspection is decided per principal by the operation-policy plugin.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    validationRules: options.validationRules ?? [],
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No HTTP caching of personal data; and its per-field hook would instrument every field.
      ApolloServerPluginCacheControlDisabled(),
      ...(options.plugins ?? []),
    ],
    formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      if (formatted.message.includes(TOO_COMPLEX_MESSAGE)) {
        return { message: TOO_COMPLEX_MESSAGE, extensions: { code: 'QUERY_TOO_COMPLEX' } };
      }
      const code = formatted.extensions?.code;
      if (typeof code === 'string' && CLIENT_CODES.has(code)) {
        return {
          message: scrub(formatted.message),
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

/**
 * graphql-js repeats rejected input in its messages (`Variable "$nik" got invalid value "…"`),
 * and input may be a NIK or a name: drop echoed values and redact any long run of digits.
 */
export function scrub(message: string): string {
  return message
    .replace(/got invalid value .*?;/gs, 'got an invalid value;')
    .replace(/(Expected value of type "[^"]+", found) .*?;/gs, '$1 an invalid value;')
    .replace(/\d{12,}/g, '[redacted]');
}
