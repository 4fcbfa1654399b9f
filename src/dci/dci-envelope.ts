import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * The DCI message envelope (social_api_v1.0.0.yaml: `signature`, `header`, `message`) as this
 * gateway reads requests and writes answers. Field names, enums and reason codes are the spec's.
 */

/** RFC 3339 date-time with a time zone (`Z` or an offset), as the spec's `date-time` asks. */
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const dateTime = z
  .string()
  .regex(DATE_TIME_RE, 'a date-time with a time zone')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'a real date-time');

const id99 = z.string().min(1).max(99);

/** The request header (MsgHeader_V1.0.0). */
export const requestHeaderSchema = z.object({
  version: z.string().max(20).optional(),
  message_id: id99,
  message_ts: dateTime,
  action: z.string().min(1).max(40),
  sender_id: z.string().min(1).max(99),
  sender_uri: z.string().url().max(2048).optional(),
  receiver_id: z.string().max(99).optional(),
  total_count: z.number().int().nonnegative(),
  is_msg_encrypted: z.boolean().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});
export type RequestHeader = z.infer<typeof requestHeaderSchema>;

/** An envelope as received: the message is read by each endpoint. */
export const requestEnvelopeSchema = z.object({
  signature: z.string().max(8192).optional(),
  header: requestHeaderSchema,
  message: z.record(z.string(), z.unknown()),
});
export type RequestEnvelope = z.infer<typeof requestEnvelopeSchema>;

const PLAIN_ENVELOPE_KEYS = new Set(['signature', 'header', 'message']);
const PLAIN_HEADER_KEYS = new Set([
  'version',
  'message_id',
  'message_ts',
  'action',
  'sender_id',
  'receiver_id',
  'total_count',
  'is_msg_encrypted',
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const optionalText = (value: unknown, max: number) =>
  value === undefined || (typeof value === 'string' && value.length <= max);
const text = (value: unknown, min: number, max: number) =>
  typeof value === 'string' && value.length >= min && value.length <= max;

/**
 * An envelope as {@link requestEnvelopeSchema} reads it. The common shape (no `sender_uri` or
 * `meta`, nothing unknown) is checked by hand, as {@link readSearchItem} does for searches: the
 * schema took a tenth of what the DCI door adds to a one-NIK search. Anything else goes through
 * the schema, which also says what is wrong.
 */
export function readEnvelope(raw: unknown): ReturnType<typeof requestEnvelopeSchema.safeParse> {
  const header = isObject(raw) ? raw.header : undefined;
  if (
    isObject(raw) &&
    isObject(header) &&
    isObject(raw.message) &&
    // The schema copies the message, and a "__proto__" key then sets the copy's prototype
    // instead: such a message is left to the schema, so that both read the same.
    !Object.hasOwn(raw.message, '__proto__') &&
    Object.keys(raw).every((k) => PLAIN_ENVELOPE_KEYS.has(k)) &&
    Object.keys(header).every((k) => PLAIN_HEADER_KEYS.has(k)) &&
    optionalText(raw.signature, 8192) &&
    optionalText(header.version, 20) &&
    text(header.message_id, 1, 99) &&
    typeof header.message_ts === 'string' &&
    DATE_TIME_RE.test(header.message_ts) &&
    !Number.isNaN(Date.parse(header.message_ts)) &&
    text(header.action, 1, 40) &&
    text(header.sender_id, 1, 99) &&
    optionalText(header.receiver_id, 99) &&
    Number.isSafeInteger(header.total_count) &&
    (header.total_count as number) >= 0 &&
    (header.is_msg_encrypted === undefined || typeof header.is_msg_encrypted === 'boolean')
  ) {
    return { success: true, data: raw as RequestEnvelope } as ReturnType<
      typeof requestEnvelopeSchema.safeParse
    >;
  }
  return requestEnvelopeSchema.safeParse(raw);
}

/** One search of a `search_request` (SearchRequest). */
export const searchItemSchema = z.object({
  reference_id: id99,
  timestamp: dateTime,
  search_criteria: z.object({
    version: z.string().optional(),
    reg_type: z.string().optional(),
    reg_record_type: z.string().optional(),
    query_type: z.enum(['idtype-value', 'expression', 'predicate']),
    query: z.unknown(),
    sort: z.array(z.unknown()).optional(),
    pagination: z
      .object({
        page_size: z.number().int().positive(),
        page_number: z.number().int().positive().optional(),
      })
      .optional(),
    consent: z.unknown().optional(),
    authorize: z.unknown().optional(),
  }),
  locale: z
    .string()
    .regex(/^[a-z]{3}$/)
    .optional(),
});
export type SearchItem = z.infer<typeof searchItemSchema>;

const QUERY_TYPES = new Set(['idtype-value', 'expression', 'predicate']);
const PLAIN_ITEM_KEYS = new Set(['reference_id', 'timestamp', 'search_criteria']);
const PLAIN_CRITERIA_KEYS = new Set(['query_type', 'query']);

/**
 * One search as {@link searchItemSchema} reads it. The common shape (reference, timestamp, query
 * type and query, nothing else) is checked by hand: a request of 10,000 searches spent more in
 * the schema than in its database statements. Anything else goes through the schema, which also
 * says what is wrong.
 */
export function readSearchItem(raw: unknown): ReturnType<typeof searchItemSchema.safeParse> {
  const item = raw as Record<string, unknown> | null;
  const criteria = item?.search_criteria as Record<string, unknown> | null | undefined;
  if (
    item !== null &&
    typeof item === 'object' &&
    criteria !== null &&
    typeof criteria === 'object' &&
    !Array.isArray(criteria) &&
    Object.keys(item).every((k) => PLAIN_ITEM_KEYS.has(k)) &&
    Object.keys(criteria).every((k) => PLAIN_CRITERIA_KEYS.has(k)) &&
    typeof item.reference_id === 'string' &&
    item.reference_id.length >= 1 &&
    item.reference_id.length <= 99 &&
    typeof item.timestamp === 'string' &&
    DATE_TIME_RE.test(item.timestamp) &&
    !Number.isNaN(Date.parse(item.timestamp)) &&
    typeof criteria.query_type === 'string' &&
    QUERY_TYPES.has(criteria.query_type) &&
    'query' in criteria
  ) {
    return {
      success: true,
      data: {
        reference_id: item.reference_id,
        timestamp: item.timestamp,
        search_criteria: {
          query_type: criteria.query_type as SearchItem['search_criteria']['query_type'],
          query: criteria.query,
        },
      },
    } as ReturnType<typeof searchItemSchema.safeParse>;
  }
  return searchItemSchema.safeParse(raw);
}

export const searchMessageSchema = z.object({
  transaction_id: id99,
  search_request: z.array(z.unknown()).min(1),
});

/** A `txn/status` message (TxnStatusRequest). */
export const txnStatusMessageSchema = z.object({
  transaction_id: id99,
  txnstatus_request: z
    .object({
      reference_id: id99,
      txn_type: z.enum(['search', 'subscribe', 'receipt']),
      attribute_type: z.enum(['transaction_id', 'reference_id_list', 'correlation_id']),
      attribute_value: z.union([id99, z.array(id99).min(1).max(1000)]),
      locale: z
        .string()
        .regex(/^[a-z]{3}$/)
        .optional(),
    })
    .refine(
      (r) => (r.attribute_type === 'reference_id_list') === Array.isArray(r.attribute_value),
      'attribute_value is a list for reference_id_list, one id otherwise',
    ),
});

/** Codes of the header status (MsgHeaderStatusReasonCode) this gateway gives. */
export type HeaderReasonCode =
  | 'rjct.version.invalid'
  | 'rjct.message_id.duplicate'
  | 'rjct.message_ts.invalid'
  | 'rjct.action.invalid'
  | 'rjct.action.not_supported'
  | 'rjct.total_count.invalid'
  | 'rjct.total_count.limit_exceeded';

/** Codes of one search's status (SearchStatusReasonCode). */
export type SearchReasonCode =
  | 'rjct.reference_id.invalid'
  | 'rjct.reference_id.duplicate'
  | 'rjct.timestamp.invalid'
  | 'rjct.search_criteria.invalid'
  | 'rjct.filter.invalid'
  | 'rjct.sort.invalid'
  | 'rjct.pagination.invalid'
  | 'rjct.search.too_many_records_found';

/** The `Error` object of an ERR answer (spec `Error.code`). */
export type ErrorCode =
  | 'err.request.bad'
  | 'err.request.unauthorized'
  | 'err.request.forbidden'
  | 'err.request.timeout'
  | 'err.signature.missing'
  | 'err.signature.invalid'
  | 'err.encryption.invalid'
  | 'err.service.unavailable';

/**
 * The header of an answer or callback: MsgCallbackHeader_V1.0.0 (`status`) and MsgHeader_V1.0.0
 * (`sender_id`, `total_count`) at once, so that it satisfies whichever the spec names.
 */
export function answerHeader(
  request: Pick<RequestHeader, 'message_id' | 'sender_id' | 'receiver_id'> | null,
  fields: {
    action: string;
    status: 'rcvd' | 'pdng' | 'succ' | 'rjct';
    total: number;
    completed: number;
    senderId: string;
    reason?: { code: HeaderReasonCode; message: string };
    meta?: Record<string, unknown>;
  },
): Record<string, unknown> & { status: 'rcvd' | 'pdng' | 'succ' | 'rjct' } {
  // Keys in JCS order: the signed form is then written without a copy (dci-signature.ts).
  return {
    action: fields.action,
    completed_count: fields.completed,
    is_msg_encrypted: false,
    message_id: randomUUID(),
    message_ts: new Date().toISOString(),
    ...(fields.meta ? { meta: fields.meta } : {}),
    ...(request ? { receiver_id: request.sender_id } : {}),
    sender_id: fields.senderId,
    status: fields.status,
    ...(fields.reason
      ? { status_reason_code: fields.reason.code, status_reason_message: fields.reason.message }
      : {}),
    total_count: fields.total,
    version: '1.0.0',
  };
}

/** An ERR answer (spec `Response` with an `Error`), for requests refused as a whole. */
export function errorAnswer(code: ErrorCode, message: string): Record<string, unknown> {
  return {
    message: {
      ack_status: 'ERR',
      timestamp: new Date().toISOString(),
      correlation_id: randomUUID(),
      error: { code, message: message.slice(0, 999) },
    },
  };
}

/** The shortest account of why a value failed a schema, naming paths, never values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(envelope)'}: ${i.message}`)
    .join('; ')
    .slice(0, 999);
}
