import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

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
  try {
    await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return loadOrCreateKeyFile(dataDir, name);
    throw error;
  }
}
