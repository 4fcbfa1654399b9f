import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DciRequestStatus, DciTransaction } from '../db/queries/dci-transaction-queries.js';
import { sendJson, sendJsonPieces, type RouteHandler } from '../http/json-http.js';
import {
  recordTransaction,
  searchOutcome,
  txnStatusOutcome,
  type DciAnswer,
  type DciOutcome,
} from './dci-answers.js';
import { readRequest, refuse, type DciDeps, type DciRequest } from './dci-request.js';
import { signedEnvelope } from './dci-signature.js';
import { subscribeOutcome, unsubscribeOutcome } from './dci-subscriptions.js';

export type { DciDeps } from './dci-request.js';

/** One DCI action: how its answer is made, and what of it `txn/status` reports later. */
interface Action {
  outcome(deps: DciDeps, read: DciRequest): Promise<DciOutcome>;
  /** Recorded for `txn/status` under this type; null: not a transaction of its own. */
  recordAs: DciTransaction['action'] | null;
  /** The part of the answer's message listing its requests' statuses. */
  requests?: string;
}

const SEARCH: Action = { outcome: searchOutcome, recordAs: 'search', requests: 'search_response' };
const SUBSCRIBE: Action = {
  outcome: subscribeOutcome,
  recordAs: 'subscribe',
  requests: 'subscribe_response',
};
const UNSUBSCRIBE: Action = { outcome: unsubscribeOutcome, recordAs: 'unsubscribe' };
const TXN_STATUS: Action = { outcome: txnStatusOutcome, recordAs: null };

/**
 * The DCI Social Registry API (CONTRACT §12, docs/dci.md) under `/dci/`: a second door to the
 * same principal, policy and audit. Each request is authenticated as a GraphQL request is, and
 * its work runs as one operation of the gateway's own schema. The synchronous endpoints answer
 * in the HTTP answer; the asynchronous ones answer ACK and send the same answer as a callback to
 * the sender's `sender_uri` (which must lie under the agreement's registered callback address).
 */
export function createDciRoutes(deps: DciDeps): Record<string, RouteHandler> {
  const sync = (action: Action) => (req: IncomingMessage, res: ServerResponse) =>
    answerNow(req, res, deps, action);
  const async = (action: Action) => (req: IncomingMessage, res: ServerResponse) =>
    answerLater(req, res, deps, action);
  return {
    '/dci/registry/sync/search': sync(SEARCH),
    '/dci/registry/sync/txn/status': sync(TXN_STATUS),
    '/dci/registry/search': async(SEARCH),
    '/dci/registry/subscribe': async(SUBSCRIBE),
    '/dci/registry/unsubscribe': async(UNSUBSCRIBE),
    '/dci/registry/txn/status': async(TXN_STATUS),
  };
}

/** Works the request out and records it; null when it was refused as a whole (answered). */
async function work(
  res: ServerResponse,
  deps: DciDeps,
  read: DciRequest,
  action: Action,
): Promise<DciAnswer | null> {
  const outcome = await action.outcome(deps, read);
  if ('refused' in outcome) {
    refuse(res, outcome.refused.code, outcome.refused.message);
    return null;
  }
  const { answer } = outcome;
  if (action.recordAs) {
    // The requests' statuses, as the answer lists them (search_response, subscribe_response).
    const listed = action.requests ? answer.message[action.requests] : undefined;
    recordTransaction(deps, read, action.recordAs, answer, (listed ?? []) as DciRequestStatus[]);
  }
  return answer;
}

/** A synchronous endpoint: the answer, signed, in the HTTP answer. */
async function answerNow(
  req: IncomingMessage,
  res: ServerResponse,
  deps: DciDeps,
  action: Action,
): Promise<void> {
  const read = await readRequest(req, res, deps);
  if (!read) return;
  const answer = await work(res, deps, read, action);
  if (!answer) return;
  sendJsonPieces(res, 200, signedEnvelope(answer.header, answer.message, deps.signer));
}

/**
 * An asynchronous endpoint: the request is checked and worked out now (so a refusal comes back
 * at once, and nothing of the request is stored), the answer is stored sealed and sent as a
 * callback, and the caller gets ACK with the callback's correlation id.
 */
async function answerLater(
  req: IncomingMessage,
  res: ServerResponse,
  deps: DciDeps,
  action: Action,
): Promise<void> {
  const read = await readRequest(req, res, deps);
  if (!read) return;
  const senderUri = read.envelope.header.sender_uri;
  const registered = read.settings.callbackUrl;
  if (!deps.callbacks) {
    return refuse(res, 'SERVICE_UNAVAILABLE', 'this gateway process sends no DCI callbacks');
  }
  if (registered === null) {
    return refuse(
      res,
      'FORBIDDEN',
      'no DCI callback address is registered for your agreement: ask for one, or use registry/sync/…',
    );
  }
  if (!senderUri) {
    return refuse(res, 'err.request.bad', 'header.sender_uri is required: callbacks go there');
  }
  if (!underRegistered(senderUri, registered)) {
    return refuse(
      res,
      'FORBIDDEN',
      'header.sender_uri is not under the callback address registered for your agreement',
    );
  }
  const answer = await work(res, deps, read, action);
  if (!answer) return;
  await deps.callbacks.send(read.context.principal.clientId!, senderUri, answer);
  sendJson(res, 202, {
    message: {
      ack_status: 'ACK',
      timestamp: new Date().toISOString(),
      correlation_id: answer.message.correlation_id ?? randomUUID(),
    },
  });
}

/** Same origin, and a path at or below the registered one. */
function underRegistered(uri: string, registered: string): boolean {
  let target: URL;
  let base: URL;
  try {
    target = new URL(uri);
    base = new URL(registered);
  } catch {
    return false;
  }
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return (
    target.origin === base.origin &&
    (target.pathname === base.pathname || target.pathname.startsWith(basePath))
  );
}
