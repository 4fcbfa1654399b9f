import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createFileOnce } from '../files/create-once.js';

/** Length of the audit subject key in bytes. */
export const SUBJECT_KEY_BYTES = 32;

/**
 * Keyed pseudonym of a NIK for the audit log (HMAC-SHA-256, hex). Without the key a subject hash
 * cannot be linked to a NIK, not even by hashing all 10^16 candidate NIKs; with it, the gateway can
 * answer "who accessed my data" for one NIK.
 */
export function subjectHash(key: Buffer, nik: string): string {
  if (key.length < SUBJECT_KEY_BYTES) {
    throw new RangeError(`the audit subject key must be at least ${SUBJECT_KEY_BYTES} bytes`);
  }
  return createHmac('sha256', key).update(nik, 'utf8').digest('hex');
}

/** How many recent NIKs a {@link SubjectHasher} remembers by default (about 10 MB of heap). */
export const DEFAULT_SUBJECT_CACHE_ENTRIES = 100_000;

/**
 * {@link subjectHash} with a bounded cache of the NIKs seen most recently in this process: an HMAC
 * costs about 3 µs, a cache hit a sixth of that, and the same NIKs recur (officers re-check, a
 * work list is paged, a ministry re-runs its batch). The cache holds at most `maxEntries` NIKs and
 * drops the least recently used first, so memory stays bounded under any traffic. It lives only
 * in the process's memory, as the key does.
 */
export class SubjectHasher {
  private readonly cache = new Map<string, string>();
  private readonly maxEntries: number;

  constructor(
    private readonly key: Buffer,
    options: { maxEntries?: number } = {},
  ) {
    this.maxEntries = options.maxEntries ?? DEFAULT_SUBJECT_CACHE_ENTRIES;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 0) {
      throw new RangeError('maxEntries must be a non-negative integer');
    }
    subjectHash(key, ''); // checks the key's length now, not at the first request
  }

  /** NIKs currently cached. */
  get size(): number {
    return this.cache.size;
  }

  /** The audit subject hash of a NIK. */
  readonly hash = (nik: string): string => {
    const cached = this.cache.get(nik);
    if (cached !== undefined) {
      // Map keeps insertion order: moving a hit to the end makes the first entry the oldest.
      this.cache.delete(nik);
      this.cache.set(nik, cached);
      return cached;
    }
    const hash = subjectHash(this.key, nik);
    if (this.maxEntries === 0) return hash;
    if (this.cache.size >= this.maxEntries) {
      this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(nik, hash);
    return hash;
  };
}

/** Where the audit subject key lives under the data folder. */
export function subjectKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'audit-subject.key');
}

/**
 * Loads or creates the 32-byte audit subject key at `<dataDir>/keys/audit-subject.key` (mode 0600,
 * folder 0700). The file holds the key as 64 hex digits and a newline. Creation is atomic and safe
 * against a concurrent start of another process: the key is written to a temporary file and linked
 * into place, so the first process wins and every process reads the same key.
 */
export async function loadOrCreateSubjectKey(dataDir: string): Promise<Buffer> {
  const file = subjectKeyPath(dataDir);
  const folder = path.dirname(file);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700).catch(() => {}); // an existing folder may be wider; not ours to fail on
  const existing = await readKey(file);
  if (existing) return existing;

  const key = randomBytes(SUBJECT_KEY_BYTES);
  // Created whole (src/files/create-once.ts); another process that got there first wins.
  await createFileOnce(file, `${key.toString('hex')}\n`);
  const stored = await readKey(file);
  if (!stored) throw new Error(`the audit subject key ${file} could not be created`);
  return stored;
}

/**
 * The existing audit subject key of a data folder, or null when there is none (a tool that reads
 * the audit log must not make a new key: it would match no subject).
 */
export function readSubjectKey(dataDir: string): Promise<Buffer | null> {
  return readKey(subjectKeyPath(dataDir));
}

async function readKey(file: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const hex = text.trim();
  if (!new RegExp(`^[0-9a-fA-F]{${SUBJECT_KEY_BYTES * 2}}$`).test(hex)) {
    // Never echo the content: it is (or resembles) a secret.
    throw new Error(
      `the audit subject key ${file} is malformed: expected ${SUBJECT_KEY_BYTES * 2} hex digits`,
    );
  }
  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0) await chmod(file, 0o600).catch(() => {});
  return Buffer.from(hex, 'hex');
}
