import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUSEHOLDS_HEADER, MEMBERS_HEADER, validSnapshot } from '../support/snapshot-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Runs the real command (from source, through tsx) and captures its output and exit code. */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-cli-'));
});
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('dtks-gateway command', () => {
  it('stops on invalid configuration with one line naming the variable', async () => {
    const result = await cli(['migrate'], { PORT: 'abc', DATABASE_URL: db.url });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^dtks-gateway migrate: invalid configuration: PORT /);
  });

  it('refuses a folder without the required files, naming them, and changes nothing', async () => {
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    await writeFile(path.join(empty, 'household.csv'), HOUSEHOLDS_HEADER + '\n');
    const result = await cli(['import', empty, '--as-of', '2026-06-30'], { DATABASE_URL: db.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('households.csv:0: file is missing');
    expect(result.stderr).toContain('members.csv:0: file is missing');
    expect(result.stderr).toContain('household.csv:0: unknown file');
    expect(result.stderr).toMatch(/the served snapshot is unchanged\n$/);
  });

  it('prints every problem of a bad snapshot with file, line and column, and exits 1', async () => {
    const bad = path.join(dir, 'bad');
    await mkdir(bad);
    const v = validSnapshot();
    await writeFile(path.join(bad, 'households.csv'), v.households);
    await writeFile(
      path.join(bad, 'members.csv'),
      [MEMBERS_HEADER, '1234,H1,Ani,F,2001-01-01,HEAD,false,NONE,false,ACTIVE'].join('\n'),
    );
    const result = await cli(['import', bad, '--as-of', '2026-06-30'], { DATABASE_URL: db.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('members.csv:2: nik: NIK must be exactly 16 digits');
    expect(result.stderr).not.toContain('1234'); // never echoes the value
  });

  it('rejects a malformed --as-of before doing any work', async () => {
    const result = await cli(['import', dir, '--as-of', '30-06-2026'], { DATABASE_URL: db.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('expected a date written YYYY-MM-DD');
  });

  it('generates a snapshot and imports it, printing a summary', async () => {
    const out = path.join(dir, 'generated');
    const generated = await cli([
      'generate',
      '--persons',
      '3000',
      '--out',
      out,
      '--seed',
      '5',
      '--as-of',
      '2026-06-30',
    ]);
    expect(generated.code).toBe(0);
    expect(generated.stdout).toMatch(/wrote .*: \d+ households, 3000 persons/);
    const imported = await cli(['import', out, '--as-of', '2026-06-30'], { DATABASE_URL: db.url });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(
      /^imported snapshot \d+ as of 2026-06-30: \d+ households, 3000 persons, \d+ program recipients/,
    );
  });
});
