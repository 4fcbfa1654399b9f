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
import { isDatabaseUnavailable } from '../db/database-errors.js';
import { CLIENT_CODES } from '../errors/gateway-errors.js';
import type { Logger } from '../logger.js';
import { MAX_TOKENS, TOO_COMPLEX_MESSAGE } from './operation-limits.js';
import type { RequestContext } from '../resolvers/request-context.js';

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
    // Automatic persisted queries share one cache between all clients: sending only a hash
    // would tell whether another client sent that query text (NIKs in it included).
    persistedQueries: false,
    // `serve` handles SIGINT and SIGTERM and stops Apollo itself; Apollo's own handlers would
    // stop it and then re-raise the signal, killing the process before the database is stopped.
    stopOnTerminationSignals: false,
    // The token limit is the parser's own: a syntax error (HTTP 400), not a plugin throwing.
    parseOptions: { maxLexicalTokens: MAX_TOKENS },
    validationRules: options.validationRules ?? [],
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No HTTP caching of personal data; and its per-field hook would instrument every field.
      ApolloServerPluginCacheControlDisabled(),
      persistedQueryRefusal,
      ...(options.plugins ?? []),
    ],
    formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      if (
        formatted.message.includes(TOO_COMPLEX_MESSAGE) ||
        (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' &&
          PARSER_LIMIT_RE.test(formatted.message))
      ) {
        return { message: TOO_COMPLEX_MESSAGE, extensions: { code: 'QUERY_TOO_COMPLEX' } };
      }
      if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED') {
        return {
          message: scrubSyntaxError(formatted.message),
          locations: formatted.locations,
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
        };
      }
      if (isUncodedInputError(error)) {
        return {
          message: scrub(formatted.message),
          locations: formatted.locations,
          path: formatted.path,
          extensions: { code: 'BAD_USER_INPUT' },
        };
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
      if (isDatabaseUnavailable(original)) {
        // The database went away under the request: the client may retry (HTTP 503, set by the
        // service-unavailable plugin); the gateway reconnects by itself.
        logger.warn(
          { reason: (original as Error).message, path: formatted.path },
          'database unreachable',
        );
        return {
          message: 'the service is temporarily unavailable; try again',
          path: formatted.path,
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        };
      }
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
 * graphql-js repeats rejected input in its messages (`Variable "$nik" got invalid value "…"`,
 * `Int cannot represent non-integer value: "…"`, `Value "…" does not exist in "Program" enum`),
 * and input may be a NIK or a name: drop echoed values and redact any long run of digits.
 */
export function scrub(message: string): string {
  return (
    message
      // The value is printed by graphql-js `inspect`: strings in JSON quotes, which may hold `;`.
      .replace(/got invalid value (?:[^;"]|"(?:[^"\\]|\\.)*")*;/gs, 'got an invalid value;')
      .replace(/(Expected value of type "[^"]+", found) .*$/s, '$1 an invalid value.')
      .replace(/(Argument "[^"]+") has invalid value .*$/s, '$1 has an invalid value.')
      .replace(/(cannot represent [^:;]*value): .*$/s, '$1.')
      .replace(/Value ".*" (does not exist in "[^"]+" enum\.)/s, 'The value $1')
      .replace(/\d{12,}/g, '[redacted]')
  );
}

/** The parser's size limits (MAX_TOKENS): a refusal for size, answered as QUERY_TOO_COMPLEX. */
const PARSER_LIMIT_RE =
  /^Syntax Error: (Document contains more th(?:an|at) \d+ (tokens|comments)|Source contains more than \d+ UTF-16 code units)/;

/** How a syntax error names a token it quotes (graphql-js `getTokenDesc`), without its text. */
const TOKEN_KINDS: Record<string, string> = {
  Name: 'name',
  String: 'string',
  BlockString: 'block string',
  Int: 'integer',
  Float: 'number',
};

/** What a scrubbed syntax error may still quote: punctuators and the keywords it expects. */
const SAFE_QUOTED = new Set([
  ...['!', '$', '&', '(', ')', '...', ':', '=', '@', '[', ']', '{', '|', '}'],
  ...['on', 'fragment', 'extend', 'schema', 'scalar', 'type', 'interface', 'union', 'enum'],
  ...['input', 'directive', 'repeatable', 'implements'],
]);

/**
 * graphql-js syntax errors quote the source: `Unexpected Name "Budi"`, `found String "…"`,
 * `Invalid Unicode escape sequence: "\u12"`, `Unexpected variable "$x"`. Keep the kind of
 * token found, never its text; the location stays in `locations`. Anything else quoted must be
 * one character, a punctuator or a keyword, or the message becomes a generic one.
 */
export function scrubSyntaxError(message: string): string {
  const scrubbed = message
    .replace(/\b(Name|String|BlockString|Int|Float) ".*"(?=\.$)/s, (_, kind: string) => {
      return TOKEN_KINDS[kind] ?? 'token';
    })
    // One character (`Unexpected character: "x"`) says nothing; an escape sequence may.
    .replace(/: ".{2,}"(?=\.$)/s, '')
    .replace(/Unexpected variable "\$[^"]*"/, 'Unexpected variable');
  const quoted = [...scrubbed.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
  const safe = (q: string) => q.length <= 1 || SAFE_QUOTED.has(q);
  if (!scrubbed.startsWith('Syntax Error: ') || !quoted.every(safe)) {
    return 'Syntax Error: the document is not valid GraphQL';
  }
  return scrubbed.replace(/\d{12,}/g, '[redacted]');
}

/**
 * graphql-js's execution-time errors about the client's input carry no code (Apollo codes only
 * variable coercion errors): a null or missing value for a non-null argument (through a
 * nullable variable into an argument with a default, or a directive), an argument value that
 * does not coerce, and an operation type the schema does not have. They are BAD_USER_INPUT.
 */
const INPUT_ERROR_RE =
  /^(Argument "[^"]+" (of non-null type "[^"]+" must not be null|of required type "[^"]+" was (not provided|provided the variable "\$[^"]+" which was not provided a runtime value)|has invalid value .*)\.|Schema is not configured to execute \w+ operation\.)$/s;

function isUncodedInputError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return false;
  // A field error wraps graphql-js's own error; that error wraps nothing (no thrown Error).
  const source = error.originalError ?? error;
  return (
    source instanceof GraphQLError &&
    source.originalError === undefined &&
    source.extensions.code === undefined &&
    INPUT_ERROR_RE.test(source.message)
  );
}

/**
 * Apollo answers PERSISTED_QUERY_NOT_SUPPORTED with HTTP 200 (the APQ retry signal). The
 * answer has no data, which GraphQL over HTTP answers with a 4xx: 400.
 */
const persistedQueryRefusal: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const errors = response.body.singleResult.errors ?? [];
        if (errors.some((e) => e.extensions?.code === 'PERSISTED_QUERY_NOT_SUPPORTED')) {
          response.http.status = 400;
        }
      },
    };
  },
};
