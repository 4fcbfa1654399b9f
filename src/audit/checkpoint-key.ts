import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createFileOnce } from '../files/create-once.js';

/**
 * The key that signs audit checkpoints (Ed25519).
 *
 * The private key lives in `<dataDir>/keys/audit-checkpoint.pem` (0600), beside the token keys,
 * never in the database: the database role of the serving gateway can append audit rows but
 * cannot sign them. The public key is written to `<dataDir>/audit-checkpoint.pub.pem`; an auditor
 * keeps a copy elsewhere and checks the log with it alone (`dtks-gateway audit verify
 * --public-key FILE`). Gateway processes that share DTKS_DATA_DIR share the key.
 */
export interface CheckpointSigner {
  keyId: string;
  publicKey: KeyObject;
  sign(checkpoint: CheckpointBody): Buffer;
}

/** What a checkpoint asserts: the chain ends at event `lastId`, whose hash is `lastHash`. */
export interface CheckpointBody {
  lastId: number;
  lastHash: Buffer;
  /** Millisecond precision (what timestamptz stores exactly). */
  at: Date;
}

const PRIVATE_FILE = path.join('keys', 'audit-checkpoint.pem');
export const CHECKPOINT_PUBLIC_FILE = 'audit-checkpoint.pub.pem';

/** The bytes that are signed: versioned, one field a line, the hash in hex. */
export function checkpointMessage(body: CheckpointBody): Buffer {
  return Buffer.from(
    `dtks-audit-checkpoint\n1\n${body.lastId}\n${body.lastHash.toString('hex')}\n${body.at.toISOString()}\n`,
  );
}

/** A public key's id: base64url SHA-256 of its SubjectPublicKeyInfo. */
export function checkpointKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

export function verifyCheckpoint(
  publicKey: KeyObject,
  body: CheckpointBody,
  signature: Buffer,
): boolean {
  try {
    return verify(null, checkpointMessage(body), publicKey, signature);
  } catch {
    return false;
  }
}

/** Loads the checkpoint key of a data folder, creating it on first use. */
export async function loadOrCreateCheckpointSigner(dataDir: string): Promise<CheckpointSigner> {
  const file = path.join(dataDir, PRIVATE_FILE);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} is not a readable Ed25519 private key (PEM)`);
    }
    privateKey = await createKeyFile(file);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${file} is not an Ed25519 key`);
  }
  const publicKey = createPublicKey(privateKey);
  const publicFile = path.join(dataDir, CHECKPOINT_PUBLIC_FILE);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const existing = await readFile(publicFile, 'utf8').catch(() => null);
  if (existing === null) {
    await writeFile(publicFile, publicPem, { mode: 0o644 });
  } else if (existing !== publicPem) {
    // The private key was replaced or lost: checkpoints signed before would no longer verify.
    throw new Error(
      `${publicFile} belongs to another key than ${file}: restore the checkpoint key from backup ` +
        '(docs/audit.md, "Signed checkpoints")',
    );
  }
  const keyId = checkpointKeyId(publicKey);
  return {
    keyId,
    publicKey,
    sign: (body) => sign(null, checkpointMessage(body), privateKey),
  };
}

/** Reads public keys (PEM files) into a map by key id, for `audit verify`. */
export async function readCheckpointPublicKeys(files: string[]): Promise<Map<string, KeyObject>> {
  const keys = new Map<string, KeyObject>();
  for (const file of files) {
    let key: KeyObject;
    try {
      key = createPublicKey(await readFile(file, 'utf8'));
    } catch {
      throw new Error(`${file} is not a readable public key (PEM)`);
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 key`);
    keys.set(checkpointKeyId(key), key);
  }
  return keys;
}

async function createKeyFile(file: string): Promise<KeyObject> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  // Created whole (src/files/create-once.ts); another process that got there first wins.
  if (await createFileOnce(file, pem)) return privateKey;
  return createPrivateKey(await readFile(file, 'utf8'));
}
