import { randomUUID } from 'node:crypto';
import type { DciRequestStatus, DciTransaction } from '../db/queries/dci-transaction-queries.js';
import {
  answerHeader,
  describeIssues,
  readSearchItem,
  searchMessageSchema,
  txnStatusMessageSchema,
  type HeaderReasonCode,
  type RequestEnvelope,
  type SearchItem,
  type SearchReasonCode,
} from './dci-envelope.js';
import type { DciDeps, DciRequest } from './dci-request.js';
import { planSearch, type PageStart, type SearchPlan } from './dci-search.js';
import { GatewayError } from '../errors/gateway-errors.js';
import type { HouseholdFilter } from '../db/scoped/scoped-registry.js';
import type { RequestContext } from '../resolvers/request-context.js';
import { WorkListCursors } from '../resolvers/work-list-cursors.js';

/**
 * The answers of DCI requests, the same whether they go back in the HTTP answer (`sync/…`) or
 * in a callback (`on-search`, …): each is a header and a message, or a refusal of the whole
 * request (a gateway error code: the caller is answered with an HTTP error instead).
 */
export interface DciAnswer {
  header: Record<string, unknown> & { status: DciTransaction['status'] };
  message: Record<string, unknown> & { transaction_id: string; correlation_id: string };
}
export type DciOutcome = { answer: DciAnswer } | { refused: { code: string; message: string } };

/** Why a message as a whole is rejected (a `rjct` header). */
export type HeaderReason = { code: HeaderReasonCode; message: string };

/** The message fails its schema: refused as a bad request. */
export function badMessage(error: Parameters<typeof describeIssues>[0]): DciOutcome {
  return { refused: { code: 'err.request.bad', message: describeIssues(error) } };
}

/** Header checks shared by every action: the endpoint's action, the count, freshness. */
export function headerRejection(
  read: DciRequest,
  action: string,
  count: number | null,
): HeaderReason | null {
  const { header } = read.envelope;
  if (header.action !== action) {
    return { code: 'rjct.action.invalid', message: `this endpoint takes action "${action}"` };
  }
  if (read.rejected) return read.rejected;
  if (count !== null && header.total_count !== count) {
    return {
      code: 'rjct.total_count.invalid',
      message: `total_count is ${header.total_count}; the message holds ${count} requests`,
    };
  }
  return null;
}

/** The header of an answer to this request. */
export function replyHeader(
  deps: DciDeps,
  envelope: RequestEnvelope,
  action: string,
  completed: number,
  reason?: HeaderReason | null,
  meta?: Record<string, unknown>,
): DciAnswer['header'] {
  return answerHeader(envelope.header, {
    action,
    status: reason ? 'rjct' : 'succ',
    total: envelope.header.total_count,
    completed: reason ? 0 : completed,
    senderId: deps.registryId,
    ...(reason ? { reason } : {}),
    ...(meta ? { meta } : {}),
  });
}

/**
 * Runs the searches of a `search` message as one GraphQL operation of the request's context
 * (src/dci/dci-search.ts), so the gate, policy, limits and audit are GraphQL's. Each search is
 * checked on its own: a malformed one is rejected, the others answered.
 */
export async function searchOutcome(deps: DciDeps, read: DciRequest): Promise<DciOutcome> {
  const { context, envelope } = read;
  const message = searchMessageSchema.safeParse(envelope.message);
  if (!message.success) return badMessage(message.error);
  const requests = message.data.search_request;
  const transactionId = message.data.transaction_id;
  const rejectAll = (reason: HeaderReason): DciOutcome => ({
    answer: {
      header: replyHeader(deps, envelope, 'on-search', 0, reason),
      message: { correlation_id: randomUUID(), search_response: [], transaction_id: transactionId },
    },
  });
  const rejection = headerRejection(read, 'search', requests.length);
  if (rejection) return rejectAll(rejection);
  if (requests.length > context.principal.agreement.batchLimit) {
    return rejectAll({
      code: 'rjct.total_count.limit_exceeded',
      message: `your agreement allows ${context.principal.agreement.batchLimit} searches per request`,
    });
  }
  // A ministry's searches are one eligibilityBatch per program; anyone else's are one field each,
  // under the same operation limit as in GraphQL.
  if (context.principal.kind !== 'MINISTRY' && requests.length > deps.maxFieldsPerOperation) {
    return rejectAll({
      code: 'rjct.total_count.limit_exceeded',
      message: `a request of your kind of client holds at most ${deps.maxFieldsPerOperation} searches`,
    });
  }

  const seen = new Set<string>();
  const checked = requests.map((raw) => {
    const item = readSearchItem(raw);
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
  let plan: SearchPlan;
  try {
    plan = await planSearch(context.principal, valid, pageStart(context));
  } catch (error) {
    // A page's start is looked up with the work list's policy (a filter on a withheld field).
    if (error instanceof GatewayError) {
      return { refused: { code: error.code, message: error.message } };
    }
    throw error;
  }
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
        return rejectAll({ code: 'rjct.total_count.limit_exceeded', message: refusal.message });
      }
      if (code === 'INTERNAL_SERVER_ERROR') throw new Error('a DCI search failed in GraphQL');
      return { refused: { code, message: refusal.message } };
    }
    data = (single.data ?? {}) as Record<string, unknown>;
    notes = (single.extensions?.disclosure as unknown[] | undefined) ?? [];
  }
  let next = 0;
  // The searches are answered at one moment.
  const timestamp = new Date().toISOString();
  const responses = checked.map((c) => {
    const planned = 'item' in c && c.item ? plan.items[next++]! : null;
    const refused =
      'refused' in c && c.refused
        ? c.refused
        : planned && 'refused' in planned
          ? planned.refused
          : null;
    // Keys in JCS order: the signed answer is then written without a copy.
    if (refused || !planned || !('records' in planned)) {
      return {
        reference_id: c.reference,
        status: 'rjct' as const,
        status_reason_code: refused?.code ?? 'rjct.search_criteria.invalid',
        status_reason_message: refused?.message ?? 'not answered',
        timestamp,
      };
    }
    const records = planned.records(data);
    // Only a search by condition has pages; an identifier finds one record or none, and the
    // spec's `pagination` (like `reg_type` and `version`) is optional: a 1,000-search answer is
    // 14 % smaller without them.
    const pagination = planned.pagination?.(data);
    return {
      data: { reg_record_type: recordType(c.item), reg_records: records },
      ...(pagination ? { pagination } : {}),
      reference_id: c.reference,
      status: 'succ' as const,
      timestamp,
    };
  });
  return {
    answer: {
      // Masked and withheld fields, as GraphQL lists them in `extensions.disclosure`.
      header: replyHeader(
        deps,
        envelope,
        'on-search',
        responses.length,
        null,
        notes.length > 0 ? { disclosure: notes } : undefined,
      ),
      message: {
        correlation_id: randomUUID(),
        search_response: responses,
        transaction_id: transactionId,
      },
    },
  };
}

function recordType(item: SearchItem | undefined): string {
  if (item && item.search_criteria.query_type !== 'idtype-value') return 'Group';
  const type = (item?.search_criteria.query as { type?: string } | undefined)?.type;
  return type?.toUpperCase() === 'HOUSEHOLD_ID' ? 'Group' : 'Member';
}

/** Page starts of searches by conditions, on the request's own work-list scope and policy. */
function pageStart(context: RequestContext): PageStart {
  return async (filter, offset) => {
    const id = await context.registry.householdIdAt(filter, offset);
    if (id === null) return 'beyond';
    const cursors = new WorkListCursors(
      context.cursors,
      context.principal.clientId,
      filter as HouseholdFilter,
      'ID',
    );
    return cursors.encodePosition({ id, verifiedAt: null });
  };
}

/**
 * Records how a transaction ended (statuses and reason codes of its requests, never records)
 * for the client's later `txn/status`.
 */
export function recordTransaction(
  deps: DciDeps,
  read: DciRequest,
  action: DciTransaction['action'],
  answer: DciAnswer,
  requests: readonly DciRequestStatus[],
): void {
  const clientId = read.context.principal.clientId;
  if (clientId === null) return;
  deps.transactions.record(clientId, {
    transactionId: answer.message.transaction_id,
    action,
    correlationId: answer.message.correlation_id,
    status: answer.header.status,
    requests: requests.map((r) => ({
      reference_id: r.reference_id,
      timestamp: r.timestamp,
      status: r.status,
      ...(r.status_reason_code ? { status_reason_code: r.status_reason_code } : {}),
    })),
  });
}

/**
 * How a transaction of the client's ended (`txn-on-status`): the statuses and reason codes of its
 * requests, never their records again. A transaction this client never sent (or another
 * client's) is answered with no requests, the same either way.
 */
export async function txnStatusOutcome(deps: DciDeps, read: DciRequest): Promise<DciOutcome> {
  const { context, envelope } = read;
  const message = txnStatusMessageSchema.safeParse(envelope.message);
  if (!message.success) return badMessage(message.error);
  const { transaction_id: transactionId, txnstatus_request: asked } = message.data;
  const correlationId = randomUUID();
  const rejection = headerRejection(read, 'txn-status', null);
  if (rejection) {
    return {
      answer: {
        header: replyHeader(deps, envelope, 'txn-on-status', 0, rejection),
        message: { transaction_id: transactionId, correlation_id: correlationId },
      },
    };
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
      : await deps.transactions.find(clientId, by, asked.txn_type);
  const wanted = 'referenceIds' in by ? new Set(by.referenceIds) : null;
  const requests = (found?.requests ?? []).filter(
    (r) => wanted === null || wanted.has(r.reference_id),
  );
  return {
    answer: {
      header: replyHeader(deps, envelope, 'txn-on-status', 1),
      message: {
        transaction_id: transactionId,
        correlation_id: correlationId,
        txnstatus_response: {
          txn_type: asked.txn_type,
          txn_status: {
            transaction_id:
              found?.transactionId ?? ('transactionId' in by ? by.transactionId : transactionId),
            correlation_id: found?.correlationId ?? correlationId,
            ...(asked.txn_type === 'subscribe'
              ? { subscribe_response: requests }
              : { search_response: requests }),
          },
        },
      },
    },
  };
}
