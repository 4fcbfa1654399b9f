import { GraphQLError } from 'graphql';

/**
 * The client-facing errors of the gateway (CONTRACT §6), one class per stable `extensions.code`.
 * Messages may name fields and rules, never data: no NIK, KK number, name or secret.
 */
export const GATEWAY_ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'PURPOSE_REQUIRED',
  'PURPOSE_NOT_ALLOWED',
  'AGREEMENT_EXPIRED',
  'BAD_USER_INPUT',
  'BATCH_TOO_LARGE',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'BUDGET_EXHAUSTED',
  'SERVICE_UNAVAILABLE',
  'IDEMPOTENCY_CONFLICT',
  'PERSISTED_QUERY_REQUIRED',
  'PERSISTED_QUERY_NOT_FOUND',
] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

/** Errors that mean "refused" by a limit or the policy: audited as refused attempts. */
export const REFUSAL_CODES: ReadonlySet<string> = new Set<GatewayErrorCode>([
  'FORBIDDEN',
  'PURPOSE_REQUIRED',
  'PURPOSE_NOT_ALLOWED',
  'AGREEMENT_EXPIRED',
  'BATCH_TOO_LARGE',
  'RATE_LIMITED',
  'BUDGET_EXHAUSTED',
]);

/** Codes Apollo gives requests that GraphQL over HTTP refuses before they run. */
const PROTOCOL_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
] as const;

/** Error codes a client may see as they are; anything else is an internal error. */
export const CLIENT_CODES: ReadonlySet<string> = new Set([
  ...PROTOCOL_CODES,
  ...GATEWAY_ERROR_CODES,
]);

/** HTTP status for errors that decide the status of the whole response. */
export const HTTP_STATUS: Partial<Record<GatewayErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  // Request errors of GraphQL over HTTP: nothing was executed (docs/security.md, trusted documents).
  PERSISTED_QUERY_REQUIRED: 400,
  PERSISTED_QUERY_NOT_FOUND: 400,
};

export class GatewayError extends GraphQLError {
  /** The client refused, when known (for the audit of refused attempts). */
  clientId: string | null = null;
  /** Its kind (for the metrics), when known. */
  clientKind: string | null = null;
  /** The persisted document the refused request named, when it named a well-formed id. */
  documentId: string | null = null;

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
  ) {
    super(message, { extensions: { code } });
  }
}

/** The seconds a refusal asks the client to wait (`Retry-After`), when it asks. */
export function retryAfterOf(error: GatewayError): number | undefined {
  const seconds = (error as { retryAfter?: unknown }).retryAfter;
  return typeof seconds === 'number' ? seconds : undefined;
}

export const unauthenticated = (message = 'a valid bearer token is required') =>
  new GatewayError('UNAUTHENTICATED', message);
export const forbidden = (message = 'your agreement does not allow this operation') =>
  new GatewayError('FORBIDDEN', message);
export const purposeRequired = () =>
  new GatewayError(
    'PURPOSE_REQUIRED',
    'send the purpose of this operation in the X-Purpose header',
  );
export const purposeNotAllowed = () =>
  new GatewayError('PURPOSE_NOT_ALLOWED', 'this purpose is not one of your agreement’s purposes');
export const agreementExpired = () =>
  new GatewayError('AGREEMENT_EXPIRED', 'your agreement is not valid at this time');
export const badUserInput = (message: string) => new GatewayError('BAD_USER_INPUT', message);
export const serviceUnavailable = (message = 'the service is temporarily unavailable; try again') =>
  new GatewayError('SERVICE_UNAVAILABLE', message);
export const persistedQueryRequired = () =>
  new GatewayError(
    'PERSISTED_QUERY_REQUIRED',
    'your agreement allows published documents only: send a documentId, not query text',
  );
export const persistedQueryNotFound = () =>
  new GatewayError('PERSISTED_QUERY_NOT_FOUND', 'no published document has this id');
