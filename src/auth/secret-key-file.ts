import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createFileOnce } from '../files/create-once.js';

/**
 * Loads (or creates on first use) a 32-byte secret key at `<dataDir>/keys/<name>.key` (folder
 * 0700, file 0600). Gateway processes that share DTKS_DATA_DIR share the key.
 */
export async function loadOrCreateKeyFile(dataDir: string, name: string): Promise<Buffer> {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, `${name}.key`);
  try {
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (key.length === 32) return key;
    throw new Error(`${file} is not a 32-byte key; remove it to create a new one`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const key = randomBytes(32);
  // Created whole (src/files/create-once.ts); another process that got there first wins.
  if (await createFileOnce(file, key.toString('base64') + '\n')) return key;
  return loadOrCreateKeyFile(dataDir, name);
}
