import type { KeyObject } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CHECKPOINT_PUBLIC_FILE,
  loadOrCreateCheckpointSigner,
  readCheckpointPublicKeys,
  type CheckpointSigner,
} from '../../src/audit/checkpoint-key.js';

/** A checkpoint key of its own (in a temporary folder) and the public keys to verify with. */
export async function testCheckpointKey(): Promise<{
  signer: CheckpointSigner;
  publicKeys: Map<string, KeyObject>;
  dataDir: string;
}> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dtks-audit-key-'));
  const signer = await loadOrCreateCheckpointSigner(dataDir);
  return { signer, publicKeys: new Map([[signer.keyId, signer.publicKey]]), dataDir };
}

/** The checkpoint public key a gateway (or `serve`) wrote into its data folder. */
export function publicKeysOf(dataDir: string): Promise<Map<string, KeyObject>> {
  return readCheckpointPublicKeys([path.join(dataDir, CHECKPOINT_PUBLIC_FILE)]);
}
