import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Client secrets: generated here, shown to the operator once, stored only as a slow, salted
 * scrypt hash. The stored form carries its parameters, `scrypt$N$r$p$salt$hash` (salt and hash
 * base64url), so the cost can be raised later without invalidating existing secrets.
 */

/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds per hash). */
const COST = { N: 32_768, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** A secret longer than this is never one of ours; refusing it bounds the work per attempt. */
const MAX_SECRET_LENGTH = 1024;

/** A new random client secret (URL-safe, ≥ 256 bits). */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A slow, salted hash to store (scrypt via node:crypto, parameters encoded in the string, e.g. `scrypt$N$r$p$salt$hash`). */
export async function hashClientSecret(secret: string): Promise<string> {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new TypeError('a client secret must be a non-empty string');
  }
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt, HASH_BYTES, COST);
  return [
    'scrypt',
    COST.N,
    COST.r,
    COST.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** Constant-time check. Unknown formats are false. */
export async function verifyClientSecret(secret: string, stored: string): Promise<boolean> {
  if (typeof secret !== 'string' || typeof stored !== 'string') return false;
  const parsed = parseStored(stored);
  if (!parsed) return false;
  // An over-long secret still costs one hash, so its answer takes as long as any other.
  const candidate = secret.length > MAX_SECRET_LENGTH ? '' : secret;
  const actual = await derive(candidate, parsed.salt, parsed.hash.length, parsed.cost);
  return timingSafeEqual(actual, parsed.hash) && candidate.length > 0;
}

interface ParsedHash {
  cost: { N: number; r: number; p: number };
  salt: Buffer;
  hash: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The parts of a stored hash, or null for anything that is not a sane scrypt hash of ours. */
function parseStored(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  if (![n, r, p].every((v) => /^[1-9][0-9]{0,7}$/.test(v))) return null;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // Bounds keep a tampered row from turning one login into a denial of service.
  const powerOfTwo = (cost.N & (cost.N - 1)) === 0;
  if (!powerOfTwo || cost.N < 1024 || cost.N > 1_048_576) return null;
  if (cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 16) return null;
  if (128 * cost.N * cost.r * cost.p > 256 * 1024 * 1024) return null;
  if (!BASE64URL.test(salt) || !BASE64URL.test(hash)) return null;
  const saltBytes = Buffer.from(salt, 'base64url');
  const hashBytes = Buffer.from(hash, 'base64url');
  if (saltBytes.length < 8 || hashBytes.length < 16 || hashBytes.length > 64) return null;
  return { cost, salt: saltBytes, hash: hashBytes };
}

function derive(
  secret: string,
  salt: Buffer,
  length: number,
  cost: { N: number; r: number; p: number },
): Promise<Buffer> {
  const options: ScryptOptions = {
    N: cost.N,
    r: cost.r,
    p: cost.p,
    // scrypt needs 128·N·r·p bytes; allow that plus headroom.
    maxmem: 128 * cost.N * cost.r * cost.p + 32 * 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
