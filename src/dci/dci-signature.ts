import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * DCI message signatures (social_api_v1.0.0.yaml `MsgSignature`; docs/dci.md "Signatures"):
 *
 *     Signature: namespace="spdci", kidId="{sender_id}|{key_id}|ed25519", algorithm="ed25519",
 *       created="1606970629", expires="1607030629", headers="(created) (expires) digest",
 *       signature="<base64>"
 *
 * The signature is Ed25519 over the signing string
 *
 *     (created): 1606970629
 *     (expires): 1607030629
 *     digest: BLAKE-512=<base64 of BLAKE2b-512 of the JCS form (RFC 8785) of {header, message}>
 *
 * JCS makes the digest independent of key order and spacing, so any sender's JSON library signs
 * what the gateway checks.
 */

/** What a message that is not signed carries: nothing, or the placeholder `unsigned-stub`. */
const UNSIGNED = new Set(['', 'unsigned-stub']);

/** The longest validity a sender may give a signature, and the clock skew tolerated. */
export const MAX_SIGNATURE_VALIDITY_SECONDS = 3600;
export const CLOCK_SKEW_SECONDS = 300;

export interface ParsedSignature {
  senderId: string;
  keyId: string;
  algorithm: string;
  created: number;
  expires: number;
  headers: string;
  signature: Buffer;
}

/** Reads the spec's signature form; null for anything else. */
export function parseDciSignature(value: string): ParsedSignature | null {
  const text = value.trim().replace(/^Signature:\s*/i, '');
  const fields = new Map<string, string>();
  for (const match of text.matchAll(/([A-Za-z]+)="([^"]*)"/g)) fields.set(match[1]!, match[2]!);
  const kid = (fields.get('kidId') ?? fields.get('keyId'))?.split('|');
  const created = Number(fields.get('created'));
  const expires = Number(fields.get('expires'));
  const signature = fields.get('signature');
  if (!kid || kid.length !== 3 || !signature) return null;
  if (!Number.isInteger(created) || !Number.isInteger(expires)) return null;
  return {
    senderId: kid[0]!,
    keyId: kid[1]!,
    algorithm: (fields.get('algorithm') ?? kid[2]!).toLowerCase(),
    created,
    expires,
    headers: fields.get('headers') ?? '',
    signature: Buffer.from(signature, 'base64'),
  };
}

/**
 * The JCS form (RFC 8785) of a JSON value: object keys sorted by UTF-16 code units, no spaces,
 * numbers and strings as ECMAScript's JSON.stringify writes them (which is what JCS specifies).
 * Keys are sorted into a copy and the copy is serialized natively: on a 1,000-search answer this
 * takes a few milliseconds where a serializer written in JavaScript (the `canonicalize` package,
 * which the tests use to check this one) took about 50. JavaScript objects put integer-like keys
 * ("0", "17") first whatever the insertion order, so a value with such a key is written by the
 * slower serializer below instead.
 */
export function canonicalJson(value: unknown): string {
  const copy = sortedCopy(value);
  if (copy === INTEGER_KEYS) return serialize(value);
  return JSON.stringify(copy) ?? 'null';
}

const INTEGER_KEYS = Symbol('integer-like keys');
const INTEGER_KEY = /^(0|[1-9]\d*)$/;

function plain(value: object): unknown {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? (toJSON as () => unknown).call(value) : value;
}

/**
 * The value with every object's keys in order. A part already in order (the gateway builds its
 * answers so) is returned as it is, not copied.
 */
function sortedCopy(input: unknown): unknown {
  if (input === null || typeof input !== 'object') return input;
  const value = plain(input);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = value === input ? null : [...(value as unknown[])];
    for (let i = 0; i < value.length; i++) {
      const v = sortedCopy(value[i]);
      if (v === INTEGER_KEYS) return INTEGER_KEYS;
      if (v !== value[i]) (out ??= [...(value as unknown[])])[i] = v;
    }
    return out ?? value;
  }
  const record = value as Record<string, unknown>;
  let ordered = value === input;
  let previous: string | null = null;
  // Allocated only when a child had to be copied: an object in order costs no allocation.
  let replaced: Map<string, unknown> | null = null;
  for (const key in record) {
    if (INTEGER_KEY.test(key)) return INTEGER_KEYS;
    if (previous !== null && !(previous < key)) ordered = false;
    previous = key;
    const v = record[key];
    if (v === undefined || typeof v === 'function') {
      ordered = false;
      continue;
    }
    const c = sortedCopy(v);
    if (c === INTEGER_KEYS) return INTEGER_KEYS;
    if (c !== v) (replaced ??= new Map()).set(key, c);
  }
  if (ordered && replaced === null) return value;
  // No prototype: a key "__proto__" is then a key like any other, not the prototype.
  const sorted = Object.create(null) as Record<string, unknown>;
  // Default sort order: UTF-16 code units, as JCS requires.
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined || typeof v === 'function') continue;
    sorted[key] = replaced?.has(key) ? replaced.get(key) : v;
  }
  return sorted;
}

/** The same, written out value by value (any keys). */
function serialize(input: unknown): string {
  if (input === null || typeof input !== 'object') return JSON.stringify(input) ?? 'null';
  const value = plain(input);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : serialize(v))).join(',')}]`;
  }
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function') continue;
    parts.push(`${JSON.stringify(key)}:${serialize(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** `BLAKE-512=…` of a JCS text. */
function digestOf(canonical: string): string {
  return `BLAKE-512=${createHash('blake2b512').update(canonical, 'utf8').digest('base64')}`;
}

/** `BLAKE-512=…` of the JCS form of `{header, message}`. */
export function dciDigest(header: unknown, message: unknown): string {
  return digestOf(canonicalJson({ header, message }));
}

function signingString(created: number, expires: number, digest: string): string {
  return `(created): ${created}\n(expires): ${expires}\ndigest: ${digest}`;
}

/** A signer's Ed25519 key and the names it signs under (`kidId` = senderId|keyId|ed25519). */
export interface DciSigningKey {
  privateKey: KeyObject;
  senderId: string;
  keyId: string;
}

/** The gateway's signature of an answer or callback it sends. */
export function signDciMessage(
  header: unknown,
  message: unknown,
  key: DciSigningKey,
  now = Date.now(),
  validitySeconds = 600,
): string {
  return signDigest(dciDigest(header, message), key, now, validitySeconds);
}

/** The `Signature:` value over a digest (`BLAKE-512=…`). */
function signDigest(
  digest: string,
  key: DciSigningKey,
  now: number,
  validitySeconds: number,
): string {
  const created = Math.floor(now / 1000);
  const expires = created + validitySeconds;
  const content = signingString(created, expires, digest);
  const signature = sign(null, Buffer.from(content, 'utf8'), key.privateKey).toString('base64');
  return (
    `Signature: namespace="spdci", kidId="${key.senderId}|${key.keyId}|ed25519", ` +
    `algorithm="ed25519", created="${created}", expires="${expires}", ` +
    `headers="(created) (expires) digest", signature="${signature}"`
  );
}

/** Pieces of a signed answer are about this long: young-generation strings, never one large one. */
const PIECE_CHARS = 32 * 1024;
/** An array longer than this is written a slice at a time. */
const PIECE_ITEMS = 64;

/**
 * A signed envelope as the bytes to send: `{"signature": …, "header": …, "message": …}`, with
 * header and message in their JCS form (which is also what is signed), in pieces to be written
 * in order. A large answer is made, digested and encoded a few tens of kilobytes at a time: a
 * 1,000-search answer is about 600 kB, and as one string it was flattened, encoded twice and
 * collected from the large-object space, which cost the DCI door about 5 ms a request
 * (docs/dci.md "Cost beside GraphQL").
 */
export function signedEnvelope(
  header: unknown,
  message: unknown,
  key: DciSigningKey,
  now = Date.now(),
  validitySeconds = 600,
): Buffer[] {
  const { digest, pieces } = canonicalPieces({ header, message });
  // Signed on the event loop: in libuv's thread pool the hand-over cost more than the signature
  // (gateway CPU per one-NIK request 0.95-1.67 ms against 0.57-0.61 ms).
  const signature = signDigest(digest, key, now, validitySeconds);
  return [Buffer.from(`{"signature":${JSON.stringify(signature)},`), ...pieces];
}

/** A signed envelope as JSON text (callbacks, which are stored and sent later). */
export function signedEnvelopeJson(
  header: unknown,
  message: unknown,
  key: DciSigningKey,
  now = Date.now(),
  validitySeconds = 600,
): string {
  return Buffer.concat(signedEnvelope(header, message, key, now, validitySeconds)).toString('utf8');
}

/**
 * The JCS text of an envelope's `{header, message}` after its opening brace, as UTF-8 pieces,
 * and the digest of the whole text. Answers without a long list are written in one piece.
 */
function canonicalPieces(envelope: { header: unknown; message: unknown }): {
  digest: string;
  pieces: Buffer[];
} {
  const hash = createHash('blake2b512').update('{');
  const pieces: Buffer[] = [];
  let pending = '';
  const flushPiece = () => {
    const piece = Buffer.from(pending, 'utf8');
    pending = '';
    hash.update(piece);
    pieces.push(piece);
  };
  const emit = (text: string) => {
    pending += text;
    if (pending.length >= PIECE_CHARS) flushPiece();
  };
  const copy = sortedCopy(envelope);
  if (copy === INTEGER_KEYS) emit(serialize(envelope).slice(1));
  else if (!inPieces(copy, 0)) emit(JSON.stringify(copy).slice(1));
  else writeMembers(copy as Record<string, unknown>, emit, 0);
  flushPiece();
  return { digest: `BLAKE-512=${hash.digest('base64')}`, pieces };
}

/** Whether a value of {@link sortedCopy}'s holds a long array where {@link writeCanonical} opens it. */
function inPieces(value: unknown, depth: number): boolean {
  if (Array.isArray(value)) return value.length > PIECE_ITEMS;
  if (depth > 2 || value === null || typeof value !== 'object') return false;
  for (const key in value) {
    if (inPieces((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/**
 * Writes a value of {@link sortedCopy}'s (keys in order, nothing to drop) as JSON, in pieces:
 * the envelope, its message and long arrays are opened; anything else is written whole.
 */
function writeCanonical(value: unknown, emit: (text: string) => void, depth: number): void {
  if (Array.isArray(value) && value.length > PIECE_ITEMS) {
    emit('[');
    for (let i = 0; i < value.length; i += PIECE_ITEMS) {
      const slice = JSON.stringify(value.slice(i, i + PIECE_ITEMS));
      emit(`${i > 0 ? ',' : ''}${slice.slice(1, -1)}`);
    }
    emit(']');
  } else if (depth < 2 && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    emit('{');
    writeMembers(value as Record<string, unknown>, emit, depth + 1);
  } else {
    emit(JSON.stringify(value) ?? 'null');
  }
}

/** An object's members and closing brace (its opening brace already written). */
function writeMembers(
  record: Record<string, unknown>,
  emit: (text: string) => void,
  depth: number,
): void {
  let first = true;
  for (const key in record) {
    emit(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    writeCanonical(record[key], emit, depth);
  }
  emit('}');
}

/** Why a message's signature is refused (spec `Error.code`), or null when it is accepted. */
export type SignatureRefusal = {
  code: 'err.signature.missing' | 'err.signature.invalid';
  message: string;
};

/**
 * Checks a request's signature against the sender's registered key (raw 32 bytes; null: the
 * client has none). A client with a key must sign; a client without one may send the message
 * unsigned, but a signature it does send is never ignored: one the gateway cannot check is refused.
 */
export function checkDciSignature(
  signature: string | undefined,
  envelope: { header: { sender_id: string }; message: unknown },
  publicKey: Buffer | null,
  now = Date.now(),
): SignatureRefusal | null {
  const unsigned = signature === undefined || UNSIGNED.has(signature.trim());
  if (unsigned) {
    return publicKey === null
      ? null
      : { code: 'err.signature.missing', message: 'your messages must be signed (Ed25519)' };
  }
  const invalid = (message: string): SignatureRefusal => ({
    code: 'err.signature.invalid',
    message,
  });
  const parsed = parseDciSignature(signature);
  if (!parsed) return invalid('the signature is not in the form the DCI specification gives');
  if (publicKey === null) {
    return invalid('no DCI key is registered for this client: send the message unsigned');
  }
  if (parsed.algorithm !== 'ed25519') return invalid('the algorithm must be ed25519');
  if (parsed.senderId !== envelope.header.sender_id) {
    return invalid('the key id names another sender than header.sender_id');
  }
  const seconds = now / 1000;
  if (
    parsed.created > seconds + CLOCK_SKEW_SECONDS ||
    parsed.expires < seconds - CLOCK_SKEW_SECONDS ||
    parsed.expires - parsed.created > MAX_SIGNATURE_VALIDITY_SECONDS
  ) {
    return invalid('the signature has expired or is not valid yet');
  }
  const header = envelope.header as unknown;
  const content = signingString(
    parsed.created,
    parsed.expires,
    dciDigest(header, envelope.message),
  );
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
    format: 'jwk',
  });
  if (!verify(null, Buffer.from(content, 'utf8'), key, parsed.signature)) {
    return invalid('the signature does not match the message');
  }
  return null;
}

/** Reads an Ed25519 public key (PEM, or the raw 32 bytes in base64) as the raw 32 bytes. */
export function readDciPublicKey(text: string): Buffer {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const key = createPublicKey(trimmed);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('the key is not an Ed25519 key');
    return key.export({ format: 'der', type: 'spki' }).subarray(-32);
  }
  const raw = Buffer.from(trimmed, 'base64');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is PEM or 32 bytes in base64');
  return raw;
}
