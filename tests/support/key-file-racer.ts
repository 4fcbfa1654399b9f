/**
 * One of several processes racing to create the same key files (tests/auth/secret-key-file.test.ts):
 * prints `ready`, waits for a line on stdin, then loads or creates `race` in each of `count`
 * folders under `base` and prints the keys (hex, or `error: …`) as one JSON array.
 */
import { createInterface } from 'node:readline';
import { loadOrCreateKeyFile } from '../../src/auth/secret-key-file.js';

const [base, count] = [process.argv[2]!, Number(process.argv[3])];
const lines = createInterface({ input: process.stdin });
const go = new Promise((resolve) => lines.once('line', resolve));
console.log('ready');
await go;
lines.close();
const keys: string[] = [];
for (let i = 0; i < count; i++) {
  try {
    keys.push((await loadOrCreateKeyFile(`${base}/d${i}`, 'race')).toString('hex'));
  } catch (error) {
    keys.push(`error: ${(error as Error).message}`);
  }
}
console.log(JSON.stringify(keys));
