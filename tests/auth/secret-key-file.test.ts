import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * Gateway processes sharing a data folder create its keys on first use (src/files/create-once.ts,
 * also for the audit checkpoint and subject keys). A process that reads a key file another has
 * just created must never find it empty: a CI run once stopped a gateway with "… is not a 32-byte
 * key" (the file had been created with O_EXCL, not yet written). Without the fix this test failed
 * in two runs of two, each with a folder where two processes got different keys.
 */
const RACER = fileURLToPath(new URL('../support/key-file-racer.ts', import.meta.url));
const PROCESSES = 4;
const FOLDERS = 100;

let base: string;
afterAll(() => rm(base, { recursive: true, force: true }));

/** Starts a racer; resolves with it once it is ready, and its keys once it is done. */
function racer() {
  const child = spawn(process.execPath, ['--import', 'tsx', RACER, base, String(FOLDERS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const ready = new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) resolve();
    }),
  );
  const keys = new Promise<string[]>((resolve) =>
    child.on('close', () => resolve(JSON.parse(out.slice('ready\n'.length)) as string[])),
  );
  return { child, ready, keys };
}

describe('secret key files', () => {
  it('appear whole: processes racing on fresh folders all get the same key in each', async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'dtks-keys-'));
    const racers = Array.from({ length: PROCESSES }, racer);
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.child.stdin.end('go\n');
    const keys = await Promise.all(racers.map((r) => r.keys));
    for (let i = 0; i < FOLDERS; i++) {
      const seen = new Set(keys.map((k) => k[i]));
      expect([...seen], `folder ${i}`).toHaveLength(1);
      expect([...seen][0]).toMatch(/^[0-9a-f]{64}$/);
    }
    // Nothing left beside the keys.
    expect(await readdir(path.join(base, 'd0', 'keys'))).toEqual(['race.key']);
  }, 60_000);
});
