import { createHash } from 'node:crypto';

/**
 * One audit event: what was disclosed (or refused) to whom, for which purpose, about which
 * subjects. Subjects are keyed hashes (see `subject-hash.ts`), never NIKs; no personal data other
 * than those pseudonyms ever enters an event.
 */
export type AuditOutcome = 'DISCLOSED' | 'NOT_FOUND' | 'REFUSED' | 'FAILED';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = Object.freeze([
  'DISCLOSED',
  'NOT_FOUND',
  'REFUSED',
  'FAILED',
]);

/** What the request path hands to the writer. */
export interface AuditEventInput {
  requestId: string;
  /** null when the caller could not be authenticated */
  clientId: string | null;
  agencyId: string | null;
  officerId: string | null;
  purpose: string | null;
  /** e.g. 'query person' or the operation name + root fields: 'query:person,household' */
  operation: string;
  outcome: AuditOutcome;
  /** e.g. 'FORBIDDEN' for a refused attempt */
  errorCode: string | null;
  /** fields disclosed, as 'Type.field' (e.g. 'Person.name'), sorted, unique */
  fields: string[];
  /** keyed subject hashes (from subjectHash), unique */
  subjects: string[];
  decisionIds: string[];
  /**
   * The persisted document the request ran (`sha256:<hex>`), or named when refused (CONTRACT
   * §10); null or absent for query text.
   */
  documentId?: string | null;
  /** `name@version` of the application whose published document ran; null or absent otherwise. */
  app?: string | null;
}

/** An event as stored: the writer assigns `id` and `at`, and chains it. */
export interface AuditEventRow extends AuditEventInput {
  id: number;
  at: Date;
  prevHash: Buffer;
  hash: Buffer;
}

/** An event before it is chained: every column except the hashes. */
export type AuditEventBody = Omit<AuditEventRow, 'prevHash' | 'hash'>;

/** The hash the chain starts from (the `prev_hash` of event 1): 32 zero bytes. */
export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/** Tags the canonical form so that a change of it can be told apart. */
const CANONICAL_V1 = 'dtks-audit-v1';
/** v1 and the persisted document and its application (migration 0014). */
const CANONICAL_V2 = 'dtks-audit-v2';

/**
 * Canonical bytes of an event for hashing: a JSON array of every column except the hashes, in a
 * fixed order (arrays kept in the order given). `at` is written as an ISO string with milliseconds:
 * the writer assigns `at` with millisecond precision, which PostgreSQL's `timestamptz`
 * (microseconds) stores exactly, so the bytes are reproducible from the stored row.
 *
 * An event without a document (`documentId` and `app` null) has the form `dtks-audit-v1`, byte
 * for byte as before they existed, so every event written earlier still verifies; an event with
 * either has the form `dtks-audit-v2`: the same array with both appended. The version tag is
 * hashed too, so removing the document from a v2 event (or adding one to a v1 event) breaks its
 * hash.
 */
export function canonicalEvent(e: AuditEventBody): Buffer {
  const documentId = e.documentId ?? null;
  const app = e.app ?? null;
  const v2 = documentId !== null || app !== null;
  return Buffer.from(
    JSON.stringify([
      v2 ? CANONICAL_V2 : CANONICAL_V1,
      e.id,
      e.at.toISOString(),
      e.requestId,
      e.clientId,
      e.agencyId,
      e.officerId,
      e.purpose,
      e.operation,
      e.outcome,
      e.errorCode,
      e.fields,
      e.subjects,
      e.decisionIds,
      ...(v2 ? [documentId, app] : []),
    ]),
    'utf8',
  );
}

/** `sha256(prevHash || canonical)`: the hash of an event, linking it to the one before. */
export function chainHash(prevHash: Buffer, canonical: Buffer): Buffer {
  return createHash('sha256').update(prevHash).update(canonical).digest();
}

// PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate does not survive the round trip
// through UTF-8: either would make a stored event differ from what was hashed (or fail the whole
// batch), so both become U+FFFD before the event is hashed.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storable(value: string): string {
  return value.replace(UNSTORABLE, '\uFFFD');
}

function storableOrNull(value: string | null): string | null {
  return value === null ? null : storable(value);
}

/** A subject is a keyed hash as made by `subjectHash`: 64 lowercase hex digits. */
export const SUBJECT_HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * A copy of an input event that PostgreSQL stores exactly as hashed (see `UNSTORABLE`), with
 * arrays copied so that later changes by the caller cannot alter what is chained. Throws a
 * `TypeError` (naming no content) for an event that must never be written: an unknown outcome or
 * a subject that is not a keyed hash (for instance a raw NIK).
 */
export function normalizeEventInput(input: AuditEventInput): AuditEventInput {
  if (!AUDIT_OUTCOMES.includes(input.outcome)) {
    throw new TypeError('audit event has an unknown outcome');
  }
  input.subjects.forEach((s, i) => {
    if (typeof s !== 'string' || !SUBJECT_HASH_PATTERN.test(s)) {
      throw new TypeError(`audit event subject ${i} is not a keyed subject hash`);
    }
  });
  return {
    requestId: storable(String(input.requestId)),
    clientId: storableOrNull(input.clientId ?? null),
    agencyId: storableOrNull(input.agencyId ?? null),
    officerId: storableOrNull(input.officerId ?? null),
    purpose: storableOrNull(input.purpose ?? null),
    operation: storable(String(input.operation)),
    outcome: input.outcome,
    errorCode: storableOrNull(input.errorCode ?? null),
    fields: input.fields.map((f) => storable(String(f))),
    subjects: [...input.subjects],
    decisionIds: input.decisionIds.map((d) => storable(String(d))),
    documentId: storableOrNull(input.documentId ?? null),
    app: storableOrNull(input.app ?? null),
  };
}
