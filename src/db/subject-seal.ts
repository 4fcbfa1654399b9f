import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * How a followed NIK is stored (change feeds, issue #14): sealed with AES-256-GCM under the key
 * `<DTKS_DATA_DIR>/keys/subject-seal.key`, a fresh 12-byte nonce each time, as
 * nonce ‖ tag ‖ ciphertext. Two seals of one NIK differ, so the stored rows show neither the NIK
 * nor whether two agencies follow the same person; only a process holding the key (the gateway,
 * and an import computing changes) opens them.
 */
export const SUBJECT_SEAL_KEY = 'subject-seal';

const NONCE = 12;
const TAG = 16;

export function sealSubject(key: Buffer, nik: string): Buffer {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(nik, 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]);
}

/** Opens a seal; throws when it was made under another key or altered. */
export function openSubject(key: Buffer, sealed: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE));
  decipher.setAuthTag(sealed.subarray(NONCE, NONCE + TAG));
  return Buffer.concat([decipher.update(sealed.subarray(NONCE + TAG)), decipher.final()]).toString(
    'utf8',
  );
}
