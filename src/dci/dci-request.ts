import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import type { DciClientSettings } from '../auth/principal.js';
import { firstSeenMessage } from '../db/queries/dci-queries.js';
import { GatewayError, retryAfterOf } from '../errors/gateway-errors.js';
import { readBody, sendJson } from '../http/json-http.js';
import type { Logger } from '../logger.js';
import type { RequestContext } from '../resolvers/request-context.js';
import type { DciCallbacks } from './dci-callbacks.js';
import type { DciTransactionLog } from './dci-transaction-log.js';
import {
  describeIssues,
  errorAnswer,
  readEnvelope,
  type ErrorCode,
  type HeaderReasonCode,
  type RequestEnvelope,
} from './dci-envelope.js';
import { checkDciSignature, CLOCK_SKEW_SECONDS, type DciSigningKey } from './dci-signature.js';

/** The largest request body: 10,000 searches of one NIK fit easily. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** A message older (or further ahead) than this is refused: a replay window kept short. */
export const MESSAGE_AGE_LIMIT_SECONDS = CLOCK_SKEW_SECONDS;

/** What the DCI door needs of the gateway: the same context, GraphQL server and refusal audit. */
export interface DciDeps {
  apollo: ApolloServer<RequestContext>;
  createContext(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    options: { singlePurposeDefault: boolean },
  ): Promise<RequestContext>;
  onRefused(req: IncomingMessage, requestId: string, error: GatewayError): Promise<void>;
  /** The primary: transactions, message ids and callbacks are written and read back here. */
  db: Kysely<Database>;
  logger: Logger;
  /** This registry's id in DCI headers (`sender_id` of answers). */
  registryId: string;
  /**
   * The most root fields one GraphQL operation may have (its alias limit): the most searches by
   * person, household or condition one request of a local government may hold.
   */
  maxFieldsPerOperation: number;
  /** Signs every answer and callback: the gateway's webhook key, named by the registry's id. */
  signer: DciSigningKey;
  /** The key that seals followed NIKs (src/db/subject-seal.ts), for DCI subscriptions. */
  sealKey: Buffer;
  /** Where transactions' statuses are recorded and found (`txn/status`). */
  transactions: DciTransactionLog;
  /** Sends the callbacks of asynchronous requests; null: this process answers only sync ones. */
  callbacks: DciCallbacks | null;
}

/** A request that passed the door: who sent it, what it says, and the client's DCI settings. */
export interface DciRequest {
  context: RequestContext;
  envelope: RequestEnvelope;
  settings: DciClientSettings;
  /**
   * Why the message as a whole is rejected though it was read (a stale timestamp, a message id
   * seen before): answered in the header of the answer or callback, as the spec has it.
   */
  rejected: { code: HeaderReasonCode; message: string } | null;
}

/** Why a whole request is refused: its HTTP status and the spec's error code. */
const REFUSED_AS: Record<string, { status: number; code: ErrorCode }> = {
  UNAUTHENTICATED: { status: 401, code: 'err.request.unauthorized' },
  FORBIDDEN: { status: 403, code: 'err.request.forbidden' },
  AGREEMENT_EXPIRED: { status: 403, code: 'err.request.forbidden' },
  PURPOSE_NOT_ALLOWED: { status: 403, code: 'err.request.forbidden' },
  PURPOSE_REQUIRED: { status: 400, code: 'err.request.bad' },
  RATE_LIMITED: { status: 429, code: 'err.request.bad' },
  SERVICE_UNAVAILABLE: { status: 503, code: 'err.service.unavailable' },
};

/** Answers a refusal of the whole request: a gateway error code (or a DCI one) as HTTP + ERR. */
export function refuse(res: ServerResponse, code: string, message: string): void {
  const as = code.startsWith('err.')
    ? { status: code.startsWith('err.signature') ? 401 : 400, code: code as ErrorCode }
    : (REFUSED_AS[code] ?? { status: 400, code: 'err.request.bad' as const });
  if (as.status === 401) res.setHeader('www-authenticate', 'Bearer');
  sendJson(res, as.status, errorAnswer(as.code, message));
}

/**
 * What every DCI endpoint does first: POST only; the caller authenticated as for GraphQL (nothing
 * of the body is read for an unknown caller); the body JSON; the envelope as the spec has it; the
 * signature as the client's key asks. Then the message's timestamp and id: a stale or replayed
 * message is read but rejected. Null when the request was answered (refused) here.
 */
export async function readRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: DciDeps,
): Promise<DciRequest | null> {
  const requestId = String(res.getHeader('x-request-id') ?? randomUUID());
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    sendJson(res, 405, errorAnswer('err.request.bad', 'use POST'));
    return null;
  }
  let context: RequestContext;
  try {
    context = await deps.createContext(req, res, requestId, { singlePurposeDefault: true });
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    // Refused by policy: audited. Unavailable (no database, or no turn for it): not a refusal.
    if (error.code !== 'SERVICE_UNAVAILABLE') await deps.onRefused(req, requestId, error);
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
    refuse(res, error.code, error.message);
    return null;
  }
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === null) {
    sendJson(res, 413, errorAnswer('err.request.bad', 'body too large'));
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    sendJson(res, 400, errorAnswer('err.request.bad', 'the body is not JSON'));
    return null;
  }
  const envelope = readEnvelope(json);
  if (!envelope.success) {
    sendJson(res, 400, errorAnswer('err.request.bad', describeIssues(envelope.error)));
    return null;
  }
  const clientId = context.principal.clientId;
  // Loaded and cached with the client's policy (and dropped with it when they change).
  const settings = context.principal.dci ?? { publicKey: null, callbackUrl: null };
  const signatureRefusal = checkDciSignature(
    envelope.data.signature,
    envelope.data,
    settings.publicKey,
  );
  if (signatureRefusal) {
    refuse(res, signatureRefusal.code, signatureRefusal.message);
    return null;
  }
  return {
    context,
    envelope: envelope.data,
    settings,
    // A message that passed the check with a registered key is signed.
    rejected: await freshness(deps, clientId, envelope.data, settings.publicKey !== null),
  };
}

/**
 * A message must be recent; a signed one must also be new (its id not seen from this client in
 * the window). Unsigned messages are authenticated by the bearer token of each request: whoever
 * could replay one holds the token and could send any message, so a database write per request
 * to remember their ids would protect nothing (docs/dci.md "Replays").
 */
async function freshness(
  deps: DciDeps,
  clientId: string | null,
  envelope: RequestEnvelope,
  signed: boolean,
): Promise<DciRequest['rejected']> {
  const age = (Date.now() - Date.parse(envelope.header.message_ts)) / 1000;
  if (Math.abs(age) > MESSAGE_AGE_LIMIT_SECONDS) {
    return {
      code: 'rjct.message_ts.invalid',
      message: `message_ts must be within ${MESSAGE_AGE_LIMIT_SECONDS} s of the registry's clock`,
    };
  }
  if (
    signed &&
    clientId !== null &&
    !(await firstSeenMessage(
      deps.db,
      clientId,
      envelope.header.message_id,
      2 * MESSAGE_AGE_LIMIT_SECONDS,
    ))
  ) {
    return { code: 'rjct.message_id.duplicate', message: 'this message_id was already received' };
  }
  return null;
}
