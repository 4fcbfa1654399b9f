import { randomBytes, webcrypto } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type KeyObject,
} from 'jose';

/**
 * The gateway's token signing keys: Ed25519 (JWS `alg` EdDSA) key pairs kept as JWK files under
 * `<dataDir>/keys/` (folder 0700, files 0600), one file per key named `<kid>.jwk.json`, where
 * `kid` is the key's RFC 7638 thumbprint. Besides the JWK members a file records `created_at`,
 * and once the key is retired `retired_at` and `remove_after` (ISO 8601).
 *
 * The active key is the newest key that is not retired. Retired keys stay published in the JWKS
 * and valid for verification until `remove_after`; a later load or rotation deletes their files.
 * Processes sharing the folder see each other's rotations: a verifier re-reads the folder when a
 * token names an unknown kid (at most once a second), and the issuer every few seconds.
 */

export type KeyLike = CryptoKey | KeyObject;

export const SIGNING_ALG = 'EdDSA';
/** How long a retired key stays valid for verification by default (seconds). */
export const DEFAULT_KEEP_RETIRED_FOR = 24 * 60 * 60;
/** A kid of ours: a SHA-256 JWK thumbprint in base64url. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const KEY_FILE = /^([A-Za-z0-9_-]{43})\.jwk\.json$/;
const LOCK_NAME = '.lock';
const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

export interface SigningKeys {
  /** The key new tokens are signed with. */
  readonly active: { kid: string; privateKey: CryptoKey | KeyObject };
  /** Public keys only (never `d`): the active key and the retired keys still within their grace. */
  readonly publicJwks: { keys: JWK[] };
  /** resolve a kid for verification */
  publicKeyFor(kid: string): KeyLike | null;
  /**
   * Re-reads the key folder so that a rotation done by another process is seen; skipped when the
   * last read is more recent than `ifOlderThanMs`. Never throws: on a read error the keys in
   * memory stay in use.
   */
  refresh(options?: { ifOlderThanMs?: number }): Promise<void>;
}

/** Thrown for an unreadable or invalid key folder; the message names the file, never key material. */
export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

/** What `dtks-gateway keys list` shows of a key. */
export interface SigningKeyInfo {
  kid: string;
  createdAt: Date;
  retiredAt: Date | null;
  removeAfter: Date | null;
  active: boolean;
}

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
  createdAt: number;
  retiredAt: number | null;
  removeAfter: number | null;
}

interface KeyFile {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  d: string;
  kid: string;
  alg: typeof SIGNING_ALG;
  use: 'sig';
  created_at: string;
  retired_at?: string;
  remove_after?: string;
}

export const keysDirectory = (dataDir: string) => path.join(dataDir, 'keys');

/** Loads the signing keys under `<dataDir>/keys/`, creating the first key on first start. */
export async function loadOrCreateSigningKeys(dataDir: string): Promise<SigningKeys> {
  const dir = await ensureKeysDirectory(dataDir);
  const keys = await withKeysLock(dir, async () => {
    const now = Date.now();
    const all = await removeExpired(dir, await readKeys(dir, new Map()), now);
    if (selectActive(all)) return all;
    return [...all, await createKey(dir, now)];
  });
  return new FileSigningKeys(dir, keys);
}

/**
 * Makes a new key the active one. The previous keys are retired: they stay published and valid
 * for verification for `keepRetiredFor` seconds (default 24 h; make it longer than the longest
 * token lifetime), after which a later load or rotation removes them.
 */
export async function rotateSigningKey(
  dataDir: string,
  options: { keepRetiredFor?: number } = {},
): Promise<{ kid: string }> {
  const keepRetiredFor = options.keepRetiredFor ?? DEFAULT_KEEP_RETIRED_FOR;
  if (!Number.isFinite(keepRetiredFor) || keepRetiredFor < 0) {
    throw new RangeError('keepRetiredFor must be a number of seconds ≥ 0');
  }
  const dir = await ensureKeysDirectory(dataDir);
  return withKeysLock(dir, async () => {
    const now = Date.now();
    const all = await removeExpired(dir, await readKeys(dir, new Map()), now);
    // The new key first: there is never a moment without an active key.
    const fresh = await createKey(dir, Math.max(now, ...all.map((k) => k.createdAt + 1)));
    for (const key of all) {
      if (key.retiredAt !== null) continue;
      await writeKeyFile(dir, {
        ...(await readKeyFile(dir, key.kid)),
        retired_at: new Date(now).toISOString(),
        remove_after: new Date(now + keepRetiredFor * 1000).toISOString(),
      });
    }
    return { kid: fresh.kid };
  });
}

/** The keys on disk, newest first (for the operator; no key material). */
export async function listSigningKeys(dataDir: string): Promise<SigningKeyInfo[]> {
  const dir = keysDirectory(dataDir);
  const all = await readKeys(dir, new Map());
  const active = selectActive(all);
  return all
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((k) => ({
      kid: k.kid,
      createdAt: new Date(k.createdAt),
      retiredAt: k.retiredAt === null ? null : new Date(k.retiredAt),
      removeAfter: k.removeAfter === null ? null : new Date(k.removeAfter),
      active: k === active,
    }));
}

class FileSigningKeys implements SigningKeys {
  #keys: LoadedKey[];
  #active: LoadedKey;
  /** When the folder was last re-read (0: never since the load, so the first refresh reads). */
  #lastRead = 0;
  #reading: Promise<void> | null = null;

  constructor(
    private readonly dir: string,
    keys: LoadedKey[],
  ) {
    const active = selectActive(keys);
    if (!active) throw new SigningKeyError('no active signing key');
    this.#keys = keys;
    this.#active = active;
  }

  get active(): { kid: string; privateKey: CryptoKey } {
    return { kid: this.#active.kid, privateKey: this.#active.privateKey };
  }

  get publicJwks(): { keys: JWK[] } {
    const now = Date.now();
    return {
      keys: this.#keys
        .filter((k) => k === this.#active || usable(k, now))
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((k) => ({ ...k.publicJwk })),
    };
  }

  publicKeyFor(kid: string): CryptoKey | null {
    const key = this.#keys.find((k) => k.kid === kid);
    if (!key) return null;
    return key === this.#active || usable(key, Date.now()) ? key.publicKey : null;
  }

  refresh(options: { ifOlderThanMs?: number } = {}): Promise<void> {
    if (this.#reading) return this.#reading;
    if (Date.now() - this.#lastRead < (options.ifOlderThanMs ?? 0)) return Promise.resolve();
    this.#lastRead = Date.now();
    const known = new Map(this.#keys.map((k) => [k.kid, k]));
    this.#reading = readKeys(this.dir, known)
      .then((keys) => {
        const active = selectActive(keys);
        // A folder with no active key (deleted, being restored) leaves the keys in memory in use.
        if (!active) return;
        this.#keys = keys;
        this.#active = active;
      })
      .catch(() => {})
      .finally(() => {
        this.#reading = null;
      });
    return this.#reading;
  }
}

const usable = (key: LoadedKey, now: number) => key.removeAfter === null || now < key.removeAfter;

/** The newest key that is not retired (ties broken by kid, so every process picks the same). */
function selectActive(keys: LoadedKey[]): LoadedKey | null {
  let best: LoadedKey | null = null;
  for (const key of keys) {
    if (key.retiredAt !== null) continue;
    if (
      !best ||
      key.createdAt > best.createdAt ||
      (key.createdAt === best.createdAt && key.kid > best.kid)
    ) {
      best = key;
    }
  }
  return best;
}

async function ensureKeysDirectory(dataDir: string): Promise<string> {
  const dir = keysDirectory(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
  return dir;
}

/** Reads every key file; keys already imported (`known`, same kid) are reused. */
async function readKeys(dir: string, known: Map<string, LoadedKey>): Promise<LoadedKey[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const keys: LoadedKey[] = [];
  for (const name of names.sort()) {
    const match = KEY_FILE.exec(name);
    if (!match) continue;
    const kid = match[1]!;
    let file: KeyFile;
    try {
      file = await readKeyFile(dir, kid);
    } catch (error) {
      // Removed by another process between readdir and here.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    keys.push(await loadKey(file, name, known.get(kid)));
  }
  return keys;
}

async function readKeyFile(dir: string, kid: string): Promise<KeyFile> {
  const name = `${kid}.jwk.json`;
  const text = await readFile(path.join(dir, name), 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SigningKeyError(`key file ${name} is not valid JSON`);
  }
  const file = value as Partial<KeyFile> | null;
  if (
    !file ||
    typeof file !== 'object' ||
    file.kty !== 'OKP' ||
    file.crv !== 'Ed25519' ||
    typeof file.x !== 'string' ||
    typeof file.d !== 'string' ||
    file.kid !== kid ||
    !isDate(file.created_at) ||
    (file.retired_at !== undefined && !isDate(file.retired_at)) ||
    (file.remove_after !== undefined && !isDate(file.remove_after))
  ) {
    throw new SigningKeyError(`key file ${name} is not an Ed25519 signing key of this gateway`);
  }
  return file as KeyFile;
}

const isDate = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));

async function loadKey(file: KeyFile, name: string, known?: LoadedKey): Promise<LoadedKey> {
  const times = {
    createdAt: Date.parse(file.created_at),
    retiredAt: file.retired_at === undefined ? null : Date.parse(file.retired_at),
    removeAfter: file.remove_after === undefined ? null : Date.parse(file.remove_after),
  };
  if (known && known.publicJwk.x === file.x) return { ...known, ...times };
  const publicJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: file.x };
  if ((await calculateJwkThumbprint(publicJwk, 'sha256')) !== file.kid) {
    throw new SigningKeyError(`key file ${name}: its kid is not the thumbprint of its key`);
  }
  let publicKey: CryptoKey;
  let privateKey: CryptoKey;
  try {
    publicKey = (await importJWK(publicJwk, SIGNING_ALG)) as CryptoKey;
    privateKey = (await importJWK(
      { kty: 'OKP', crv: 'Ed25519', x: file.x, d: file.d },
      SIGNING_ALG,
    )) as CryptoKey;
    // The private half must belong to the public half, or every token would fail to verify.
    const probe = randomBytes(32);
    const signature = await webcrypto.subtle.sign('Ed25519', privateKey, probe);
    if (!(await webcrypto.subtle.verify('Ed25519', publicKey, signature, probe))) throw new Error();
  } catch {
    throw new SigningKeyError(`key file ${name} does not hold a usable Ed25519 key pair`);
  }
  return {
    kid: file.kid,
    publicJwk: { ...publicJwk, kid: file.kid, alg: SIGNING_ALG, use: 'sig' },
    publicKey,
    privateKey,
    ...times,
  };
}

async function createKey(dir: string, now: number): Promise<LoadedKey> {
  const pair = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(pair.privateKey);
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x! }, 'sha256');
  const file: KeyFile = {
    kty: 'OKP',
    crv: 'Ed25519',
    x: jwk.x!,
    d: jwk.d!,
    kid,
    alg: SIGNING_ALG,
    use: 'sig',
    created_at: new Date(now).toISOString(),
  };
  await writeKeyFile(dir, file);
  return loadKey(file, `${kid}.jwk.json`);
}

/** Writes a key file atomically (temporary file, then rename) with mode 0600. */
async function writeKeyFile(dir: string, file: KeyFile): Promise<void> {
  const temporary = path.join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
  try {
    await writeFile(temporary, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, path.join(dir, `${file.kid}.jwk.json`));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Deletes the files of keys past `remove_after`, returns the others (and fixes loose modes). */
async function removeExpired(dir: string, keys: LoadedKey[], now: number): Promise<LoadedKey[]> {
  const kept: LoadedKey[] = [];
  for (const key of keys) {
    const file = path.join(dir, `${key.kid}.jwk.json`);
    if (!usable(key, now)) {
      await rm(file, { force: true });
      continue;
    }
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
    kept.push(key);
  }
  return kept;
}

/**
 * Runs `body` holding the key folder's lock (a `.lock` directory: mkdir is atomic), so that two
 * processes starting together create one first key, and rotations do not interleave. A lock
 * older than 30 s is taken to be left by a crashed process and broken.
 */
async function withKeysLock<T>(dir: string, body: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, LOCK_NAME);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock, { mode: 0o700 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (since > LOCK_STALE_MS) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new SigningKeyError(
          `the key folder ${dir} is locked by another process (remove ${lock} if no dtks-gateway is running)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    }
  }
  try {
    return await body();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
