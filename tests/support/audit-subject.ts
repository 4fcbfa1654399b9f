import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The audit log's subject hash of a NIK as a gateway with this data folder writes it, computed
 * here from its key file (HMAC-SHA-256), not by the gateway's code: tests compare the audit table
 * with it independently.
 */
export async function auditSubjectHasher(dataDir: string): Promise<(nik: string) => string> {
  const hex = (await readFile(path.join(dataDir, 'keys', 'audit-subject.key'), 'utf8')).trim();
  const key = Buffer.from(hex, 'hex');
  return (nik) => createHmac('sha256', key).update(nik, 'utf8').digest('hex');
}
