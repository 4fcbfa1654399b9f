import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIST_HEADER, registerClients } from '../../src/commands/clients.command.js';
import { registerDemo } from '../../src/commands/demo.command.js';
import { readPopulation, readRegions } from '../../src/domain/region-reference.js';
import { seedSyntheticSnapshot } from '../../src/snapshot/synthetic-seed.js';
import { generateSnapshotText, parseCsvRows } from '../support/generated-snapshot.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { runInProcess, type CliResult } from '../support/cli-in-process.js';

/**
 * What a newcomer checks first: the licence the README names, `--version`, a `clients list` that
 * says what its columns are, and `demo samples`, which reads only synthetic data.
 */

const savedEnv = { ...process.env };
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-identity-'));
  Object.assign(process.env, { DTKS_DATA_DIR: dir, LOG_LEVEL: 'silent' });
});
afterAll(async () => {
  process.env = savedEnv;
  await rm(dir, { recursive: true, force: true });
});

/** Runs commands in this process (tests/support/cli-in-process.ts) against `databaseUrl`. */
function inProcess(
  register: (program: Command) => void,
  args: string[],
  databaseUrl: string,
): Promise<CliResult> {
  process.env.DATABASE_URL = databaseUrl;
  return runInProcess(register, args);
}

describe('licence and version', () => {
  it('has the MIT LICENSE the README and package.json name', async () => {
    const license = await readFile('LICENSE', 'utf8');
    expect(license.split('\n')[0]).toBe('MIT License');
    expect(license).toContain('Copyright (c) 2026 dtks-gateway contributors');
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { license: string };
    expect(pkg.license).toBe('MIT');
    expect(await readFile('README.md', 'utf8')).toContain('MIT licensed: see [LICENSE](LICENSE)');
  });

  it('prints the package version with --version and exits 0', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const result = await new Promise<CliResult>((resolve) => {
      const cli = path.resolve('src/cli.ts');
      const tsx = import.meta.resolve('tsx');
      const child = spawn(process.execPath, ['--import', tsx, cli, '--version'], {
        // From another folder: the version is read next to the module, not from the cwd.
        cwd: os.tmpdir(),
        env: {
          ...process.env,
          TSX_TSCONFIG_PATH: path.resolve('tsconfig.json'),
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    }).catch((e: unknown) => ({ code: -1, stdout: '', stderr: String(e) }));
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('clients list', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.close());

  it('starts with a header row naming its tab-separated columns', async () => {
    const empty = await inProcess(registerClients, ['clients', 'list'], db.url);
    expect(empty).toEqual({
      code: 0,
      stdout: 'CLIENT\tKIND\tAGENCY\tSCOPES\tPURPOSES\tREGIONS\tDOCUMENTS\tDOCUMENT_APPS\tSTATUS\n',
      stderr: '',
    });
    await inProcess(
      registerClients,
      [
        ...['clients', 'create', 'uji-3201', '--agency-id', 'uji', '--agency-name', 'Uji'],
        ...['--kind', 'LOCAL_GOV', '--title', 'PKS uji', '--scopes', 'records:read'],
        ...['--purposes', 'VERIVALI', '--regions', '3201'],
      ],
      db.url,
    );
    const listed = await inProcess(registerClients, ['clients', 'list'], db.url);
    const [header, row] = listed.stdout.trimEnd().split('\n');
    expect(header!.split('\t')).toEqual([...LIST_HEADER]);
    expect(row!.split('\t')).toHaveLength(LIST_HEADER.length);
    expect(row!.split('\t')[0]).toBe('uji-3201');
  });
});

describe('demo samples', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.close());

  it('refuses before any snapshot, and a snapshot that is not synthetic, printing nothing', async () => {
    expect(await inProcess(registerDemo, ['demo', 'samples'], db.url)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'dtks-gateway demo samples: no snapshot is loaded yet; start the demo first (npm start)\n',
    });
    await importText(db, validSnapshot()); // source: "test fixture", as a real export would be
    const refused = await inProcess(registerDemo, ['demo', 'samples', '--json'], db.url);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /^dtks-gateway demo samples: the served snapshot is not synthetic;/,
    );
    expect(refused.stderr).not.toMatch(/\d{16}/);
  });

  // What lets the README name demo households (H000000018 in Kabupaten Bogor) but not NIKs.
  it('the demo generator gives the same households whatever the as-of date, not the same NIKs', async () => {
    const options = { persons: 20_000, seed: 'demo', regions: await readRegions() };
    const population = await readPopulation();
    const [a, b] = await Promise.all(
      ['2026-12-04', '2027-03-01'].map((asOf) =>
        generateSnapshotText({ ...options, population, asOf }),
      ),
    );
    const households = (text: string) =>
      parseCsvRows(text).map((r) => [r.household_id, r.region_code, r.decile, r.floor_type]);
    expect(households(a!.households)).toEqual(households(b!.households));
    const h18 = parseCsvRows(a!.households).find((r) => r.household_id === 'H000000018');
    expect(h18?.region_code?.startsWith('3201')).toBe(true);
    const members = (text: string) =>
      parseCsvRows(text).map((r) => [r.household_id, r.name, r.relationship, r.status]);
    expect(members(a!.members)).toEqual(members(b!.members));
    const niks = (text: string) => parseCsvRows(text).map((r) => r.nik);
    expect(niks(a!.members)).not.toEqual(niks(b!.members));
  });

  it('names the demo clients when asked for another', async () => {
    const r = await inProcess(registerDemo, ['demo', 'samples', '--client', 'nobody'], db.url);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--client is not a demo client; the demo clients are kemenkes-pbi,');
    expect(r.stderr).not.toContain('nobody'); // what was typed may be anything, a NIK too
  });

  it('prints the samples of a synthetic snapshot, as variables with --json', async () => {
    await seedSyntheticSnapshot(db, { persons: 3000, seed: 'demo', asOf: '2026-06-30' });
    const text = await inProcess(registerDemo, ['demo', 'samples'], db.url);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain('as of 2026-06-30');
    expect(text.stdout).toMatch(/\nkemenkes-pbi \(X-Purpose: PBI_JK_VERIFICATION; all regions/);
    expect(text.stdout).toContain('bps-researcher, pusdatin-dashboard: statistics, no ids needed');
    const json = await inProcess(
      registerDemo,
      ['demo', 'samples', '--client', 'kemensos-bansos', '--json'],
      db.url,
    );
    const vars = JSON.parse(json.stdout) as { nik: string; notEligibleNik: string; niks: string[] };
    expect(vars.nik).toMatch(/^\d{16}$/);
    expect(vars.notEligibleNik).toMatch(/^\d{16}$/);
    expect(vars.niks).toHaveLength(3);
    expect(text.stdout).toContain(vars.nik);
  });
});
