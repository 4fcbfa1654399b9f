import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { Kysely } from 'kysely';
import { GatewayError } from '../errors/gateway-errors.js';
import type { Logger } from '../logger.js';
import type { RequestContext } from '../resolvers/request-context.js';
import { readBody, sendJson, type RouteHandler } from '../http/json-http.js';
import {
  answerHeader,
  describeIssues,
  errorAnswer,
  requestEnvelopeSchema,
  searchItemSchema,
  searchMessageSchema,
  txnStatusMessageSchema,
  type ErrorCode,
  type HeaderReasonCode,
  type RequestEnvelope,
  type SearchItem,
  type SearchReasonCode,
} from './dci-envelope.js';
import {
  findDciTransaction,
  saveDciTransaction,
  type DciRequestStatus,
  type DciTransaction,
} from '../db/queries/dci-transaction-queries.js';
import type { Database } from '../db/database-types.js';
import { planSearch } from './dci-search.js';

/** The largest request body: 10,000 searches of one NIK fit easily. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** What the DCI door needs of the gateway: the same context, GraphQL server and refusal audit. */
export interface DciDeps {
  apollo: ApolloServer<RequestContext>;
  createContext(
    req: IncomingMessage,
    requestId: string,
    options: { singlePurposeDefault: boolean },
  ): Promise<RequestContext>;
  onRefused(req: IncomingMessage, requestId: string, error: GatewayError): Promise<void>;
  /** The primary: transactions are written and read back here. */
  db: Kysely<Database>;
  logger: Logger;
  /** This registry's id in DCI headers (`sender_id` of answers). */
  registryId: string;
}

/**
 * The DCI Social Registry API (CONTRACT §12, docs/dci.md) under `/dci/`: a second door to the
 * same principal, policy and audit. Each request is authenticated as a GraphQL request is, and
 * its searches run as one operation of the gateway's own schema (src/dci/dci-search.ts).
 */
export function createDciRoutes(deps: DciDeps): Record<string, RouteHandler> {
  return {
    '/dci/registry/sync/search': (req, res) => syncSearch(req, res, deps),
    '/dci/registry/sync/txn/status': (req, res) => syncTxnStatus(req, res, deps),
  };
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

function refuse(res: ServerResponse, code: string, message: string): void {
  const as = REFUSED_AS[code] ?? { status: 400, code: 'err.request.bad' as const };
  if (as.status === 401) res.setHeader('www-authenticate', 'Bearer');
  sendJson(res, as.status, errorAnswer(as.code, message));
}

/**
 * What every DCI endpoint does first: POST only; the caller authenticated as for GraphQL (nothing
 * of the body is read for an unknown caller); the body JSON; the envelope as the spec has it.
 * Null when the request was answered (refused) here.
 */
async function readRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: DciDeps,
): Promise<{ context: RequestContext; envelope: RequestEnvelope } | null> {
  const requestId = String(res.getHeader('x-request-id') ?? randomUUID());
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    sendJson(res, 405, errorAnswer('err.request.bad', 'use POST'));
    return null;
  }
  let context: RequestContext;
  try {
    context = await deps.createContext(req, requestId, { singlePurposeDefault: true });
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    await deps.onRefused(req, requestId, error);
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
  const envelope = requestEnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    sendJson(res, 400, errorAnswer('err.request.bad', describeIssues(envelope.error)));
    return null;
  }
  return { context, envelope: envelope.data };
}

async function syncSearch(req: IncomingMessage, res: ServerResponse, deps: DciDeps) {
  const read = await readRequest(req, res, deps);
  if (!read) return;
  const { context } = read;
  const envelope = { data: read.envelope };
  const message = searchMessageSchema.safeParse(envelope.data.message);
  if (!message.success) {
    return sendJson(res, 400, errorAnswer('err.request.bad', describeIssues(message.error)));
  }
  const { header } = envelope.data;
  const requests = message.data.search_request;
  const rejectAll = (code: HeaderReasonCode, text: string) =>
    sendRecorded(
      res,
      deps,
      context,
      'search',
      searchAnswer(deps, envelope.data, message.data.transaction_id, [], {
        code,
        message: text,
      }),
    );
  if (header.action !== 'search') {
    return rejectAll('rjct.action.invalid', 'this endpoint takes action "search"');
  }
  if (header.total_count !== requests.length) {
    return rejectAll(
      'rjct.total_count.invalid',
      `total_count is ${header.total_count}; the message holds ${requests.length} searches`,
    );
  }
  if (requests.length > context.principal.agreement.batchLimit) {
    return rejectAll(
      'rjct.total_count.limit_exceeded',
      `your agreement allows ${context.principal.agreement.batchLimit} searches per request`,
    );
  }

  // Each search checked on its own: one malformed search is refused, the others answered.
  const seen = new Set<string>();
  const checked = requests.map((raw) => {
    const item = searchItemSchema.safeParse(raw);
    if (!item.success) {
      const paths = item.error.issues.map((i) => String(i.path[0] ?? ''));
      const code: SearchReasonCode = paths.includes('reference_id')
        ? 'rjct.reference_id.invalid'
        : paths.includes('timestamp')
          ? 'rjct.timestamp.invalid'
          : 'rjct.search_criteria.invalid';
      const reference = (raw as { reference_id?: unknown } | null)?.reference_id;
      return {
        reference: typeof reference === 'string' ? reference.slice(0, 99) : 'unknown',
        refused: { code, message: describeIssues(item.error) },
      };
    }
    if (seen.has(item.data.reference_id)) {
      return {
        reference: item.data.reference_id,
        refused: {
          code: 'rjct.reference_id.duplicate' as const,
          message: 'this reference_id is already in the request',
        },
      };
    }
    seen.add(item.data.reference_id);
    return { reference: item.data.reference_id, item: item.data };
  });
  const valid = checked.flatMap((c) => ('item' in c && c.item ? [c.item] : []));
  const plan = planSearch(context.principal, valid);
  let data: Record<string, unknown> = {};
  let notes: unknown[] = [];
  if (plan.query !== '') {
    const result = await deps.apollo.executeOperation(
      { query: plan.query, variables: plan.variables },
      { contextValue: context },
    );
    if (result.body.kind !== 'single') throw new Error('a DCI search was answered incrementally');
    const single = result.body.singleResult;
    const refusal = single.errors?.[0];
    if (refusal) {
      const code = String(refusal.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
      if (code === 'BATCH_TOO_LARGE') {
        return rejectAll('rjct.total_count.limit_exceeded', refusal.message);
      }
      if (code === 'INTERNAL_SERVER_ERROR') throw new Error('a DCI search failed in GraphQL');
      return refuse(res, code, refusal.message);
    }
    data = (single.data ?? {}) as Record<string, unknown>;
    notes = (single.extensions?.disclosure as unknown[] | undefined) ?? [];
  }
  let next = 0;
  const responses = checked.map((c) => {
    const timestamp = new Date().toISOString();
    const planned = 'item' in c && c.item ? plan.items[next++]! : null;
    const refused =
      'refused' in c && c.refused
        ? c.refused
        : planned && 'refused' in planned
          ? planned.refused
          : null;
    if (refused || !planned || !('records' in planned)) {
      return {
        reference_id: c.reference,
        timestamp,
        status: 'rjct' as const,
        status_reason_code: refused?.code ?? 'rjct.search_criteria.invalid',
        status_reason_message: refused?.message ?? 'not answered',
      };
    }
    const records = planned.records(data);
    return {
      reference_id: c.reference,
      timestamp,
      status: 'succ' as const,
      data: {
        version: '1.0.0',
        reg_type: 'DTSEN',
        reg_record_type: recordType(c.item),
        reg_records: records,
      },
      pagination: { page_size: records.length, page_number: 1, total_count: records.length },
    };
  });
  return sendRecorded(
    res,
    deps,
    context,
    'search',
    searchAnswer(deps, envelope.data, message.data.transaction_id, responses, undefined, notes),
  );
}

/** The answer of a transaction as DCI writes it: what `registry/txn/status` reads back. */
interface TransactionAnswer {
  header: Record<string, unknown> & { status: DciTransaction['status'] };
  message: {
    transaction_id: string;
    correlation_id: string;
    search_response: Array<DciRequestStatus & Record<string, unknown>>;
  };
}

/**
 * Records how the transaction ended (statuses and reason codes, never records) for the client's
 * later `txn/status`, then sends the answer.
 */
async function sendRecorded(
  res: ServerResponse,
  deps: DciDeps,
  context: RequestContext,
  action: DciTransaction['action'],
  answer: TransactionAnswer,
): Promise<void> {
  const clientId = context.principal.clientId;
  if (clientId !== null) {
    await saveDciTransaction(deps.db, clientId, {
      transactionId: answer.message.transaction_id,
      action,
      correlationId: answer.message.correlation_id,
      status: answer.header.status,
      requests: answer.message.search_response.map((r) => ({
        reference_id: r.reference_id,
        timestamp: r.timestamp,
        status: r.status,
        ...(r.status_reason_code ? { status_reason_code: r.status_reason_code } : {}),
      })),
    });
  }
  sendJson(res, 200, answer);
}

/**
 * How a transaction of the client's ended (`txn-on-status`): the statuses and reason codes of its
 * requests, never their records again. A transaction this client never sent (or another
 * client's) is answered with no requests, the same either way.
 */
async function syncTxnStatus(req: IncomingMessage, res: ServerResponse, deps: DciDeps) {
  const read = await readRequest(req, res, deps);
  if (!read) return;
  const { context, envelope } = read;
  const message = txnStatusMessageSchema.safeParse(envelope.message);
  if (!message.success) {
    return sendJson(res, 400, errorAnswer('err.request.bad', describeIssues(message.error)));
  }
  const { transaction_id: transactionId, txnstatus_request: asked } = message.data;
  const correlationId = randomUUID();
  const header = (reason?: { code: HeaderReasonCode; message: string }) =>
    answerHeader(envelope.header, {
      action: 'txn-on-status',
      status: reason ? 'rjct' : 'succ',
      total: envelope.header.total_count,
      completed: reason ? 0 : 1,
      senderId: deps.registryId,
      ...(reason ? { reason } : {}),
    });
  if (envelope.header.action !== 'txn-status') {
    return sendJson(res, 200, {
      header: header({
        code: 'rjct.action.invalid',
        message: 'this endpoint takes action "txn-status"',
      }),
    });
  }
  const value = asked.attribute_value;
  const by =
    asked.attribute_type === 'reference_id_list'
      ? { referenceIds: value as string[] }
      : asked.attribute_type === 'correlation_id'
        ? { correlationId: value as string }
        : { transactionId: value as string };
  const clientId = context.principal.clientId;
  const found =
    clientId === null || asked.txn_type === 'receipt'
      ? null
      : await findDciTransaction(deps.db, clientId, by, asked.txn_type);
  const wanted = 'referenceIds' in by ? new Set(by.referenceIds) : null;
  return sendJson(res, 200, {
    header: header(),
    message: {
      transaction_id: transactionId,
      correlation_id: correlationId,
      txnstatus_response: {
        txn_type: asked.txn_type,
        txn_status: {
          transaction_id:
            found?.transactionId ?? ('transactionId' in by ? by.transactionId : transactionId),
          correlation_id: found?.correlationId ?? correlationId,
          search_response: (found?.requests ?? []).filter(
            (r) => wanted === null || wanted.has(r.reference_id),
          ),
        },
      },
    },
  });
}

function recordType(item: SearchItem | undefined): string {
  const type = (item?.search_criteria.query as { type?: string } | undefined)?.type;
  return type?.toUpperCase() === 'HOUSEHOLD_ID' ? 'Group' : 'Member';
}

/** A sync search answer (the `on-search` shape); `reason` rejects the message as a whole. */
function searchAnswer(
  deps: DciDeps,
  envelope: RequestEnvelope,
  transactionId: string,
  responses: TransactionAnswer['message']['search_response'],
  reason?: { code: HeaderReasonCode; message: string },
  notes: unknown[] = [],
): TransactionAnswer {
  return {
    header: answerHeader(envelope.header, {
      action: 'on-search',
      status: reason ? 'rjct' : 'succ',
      total: envelope.header.total_count,
      completed: responses.length,
      senderId: deps.registryId,
      ...(reason ? { reason } : {}),
      // Masked and withheld fields, as GraphQL lists them in `extensions.disclosure`.
      ...(notes.length > 0 ? { meta: { disclosure: notes } } : {}),
    }),
    message: {
      transaction_id: transactionId,
      correlation_id: randomUUID(),
      search_response: responses,
    },
  };
}
