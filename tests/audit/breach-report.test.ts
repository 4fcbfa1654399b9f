import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreachReport } from '../../src/audit/breach-report.js';
import { registerAudit } from '../../src/commands/audit.command.js';
import { auditSubjectHasher } from '../support/audit-subject.js';
import { useFixtureGateway, type FixtureGateway } from '../support/fixture-gateway.js';
import { parseCsvRows } from '../support/generated-snapshot.js';
import { validSnapshot } from '../support/snapshot-fixture.js';
import { graphql } from '../support/test-gateway.js';
import { runInProcess, type CliResult } from '../support/cli-in-process.js';

/*
 * `dtks-gateway audit breach-report` (issue #17, part 4), run as an operator runs it (spawned,
 * against the gateway's database and data folder) after real traffic through the API. Its
 * persons equal an independent count from the audit table, and its NIK file equals the fixture's
 * NIKs whose keyed hash (computed here from the key file) is among those subjects.
 */

let f: FixtureGateway;
useFixtureGateway((fixture) => (f = fixture));

const BUDI = '3201011505809001';
const DEWI = '3374010202709004';
const UNREGISTERED = '3201019999999999';
let dir: string;
let from: string;
let to: string;

function cli(args: string[], dataDir = f.gateway.dataDir): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, DATABASE_URL: f.db.url, DTKS_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Runs `audit breach-report …` in this process (tests/support/cli-in-process.ts): its output and
 * exit code. The window is this test's unless `window: false`.
 */
async function inProcess(
  args: string[],
  options: { window?: boolean; dataDir?: string } = {},
): Promise<CliResult> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    DATABASE_URL: f.db.url,
    DTKS_DATA_DIR: options.dataDir ?? f.gateway.dataDir,
    LOG_LEVEL: 'silent',
  });
  try {
    const window = options.window === false ? [] : ['--from', from, '--to', to];
    return await runInProcess(registerAudit, ['audit', 'breach-report', ...window, ...args]);
  } finally {
    process.env = saved;
  }
}

async function ask(client: string, purpose: string, query: string, variables = {}) {
  const r = await graphql(f.gateway, query, {
    variables,
    headers: await f.access.as(client, purpose),
  });
  expect(r.body.errors, client).toBeUndefined();
}

/** Distinct subjects of DISCLOSED events in the window, read from the table directly. */
async function auditSubjects(where: string, value: string): Promise<string[]> {
  const { rows } = await f.db.pool.query<{ s: string }>(
    `SELECT DISTINCT s FROM audit_event, unnest(subjects) s
      WHERE outcome = 'DISCLOSED' AND at >= $1 AND at < $2 AND ${where} = $3 ORDER BY s`,
    [from, to, value],
  );
  return rows.map((r) => r.s);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-breach-'));
  from = new Date(Date.now() - 60_000).toISOString();
  await ask(
    'kemenkes-pbi',
    'PBI_JK_VERIFICATION',
    `query($n: [NIK!]!) { eligibilityBatch(niks: $n, program: PBI_JK) { decisionId } }`,
    { n: [BUDI, DEWI, UNREGISTERED] },
  );
  await ask(
    'pemda-3201',
    'VERIVALI',
    `{ household(id: "H1") { id address members { nik name } } }`,
  );
  await ask(
    'bps-researcher',
    'RESEARCH',
    `{ statistics(query: { measure: PERSONS, groupBy: [PROVINCE], epsilon: 0.1 }) { cells { value } } }`,
  );
  // Let the audit writer's group commit land.
  await new Promise((r) => setTimeout(r, 500));
  to = new Date(Date.now() + 60_000).toISOString();
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('audit breach-report', () => {
  it('counts the persons, regions, fields and decisions a client disclosed, as the audit table has them', async () => {
    const file = path.join(dir, 'kemenkes.txt');
    const r = await cli([
      'audit',
      'breach-report',
      '--client',
      'kemenkes-pbi',
      '--from',
      from,
      '--to',
      to,
      '--subjects',
      file,
      '--json',
    ]);
    expect(r.stderr).toContain(`wrote 2 NIKs to ${file} (mode 0600)`);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as BreachReport;

    const subjects = await auditSubjects('client_id', 'kemenkes-pbi');
    const hash = await auditSubjectHasher(f.gateway.dataDir);
    const fixtureNiks = parseCsvRows(validSnapshot().members).map((m) => m.nik!);
    const named = fixtureNiks.filter((nik) => subjects.includes(hash(nik))).sort();
    expect(subjects).toHaveLength(3);
    expect(named).toEqual([BUDI, DEWI].sort());
    expect(report).toMatchObject({
      subjects: subjects.length,
      resolvedSubjects: 2,
      unresolvedSubjects: 1,
      decisions: 3,
      changeEvents: 0,
      aggregates: 0,
      withoutRegion: 0,
    });
    // Dewi's NIK is from Semarang, her household in Jakarta Selatan: the household counts.
    expect(report.byRegency.map((g) => [g.regencyCode, g.subjects]).sort()).toEqual([
      ['3171', 1],
      ['3201', 1],
    ]);
    expect(report.byRegency.find((g) => g.regencyCode === '3201')?.regencyName).toMatch(/BOGOR/i);
    const { rows: fields } = await f.db.pool.query<{ field: string; events: number }>(
      `SELECT x AS field, count(*)::int AS events FROM audit_event, unnest(fields) x
        WHERE outcome = 'DISCLOSED' AND at >= $1 AND at < $2 AND client_id = 'kemenkes-pbi'
        GROUP BY 1 ORDER BY 2 DESC, 1`,
      [from, to],
    );
    expect(report.fields).toEqual(fields);

    expect(await readFile(file, 'utf8')).toBe(named.map((n) => `${n}\n`).join(''));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The report itself names no one.
    expect(r.stdout).not.toContain(BUDI);
    expect(r.stdout).not.toContain(DEWI);
  });

  it('reports by agency or purpose, as text', async () => {
    const r = await inProcess(['--purpose', 'VERIVALI']);
    expect(r.code).toBe(0);
    const subjects = await auditSubjects('purpose', 'VERIVALI');
    expect(subjects).toHaveLength(3); // Budi's household: Budi, Siti, Ahmad
    expect(r.stdout).toContain('Breach impact report: purpose VERIVALI, from ');
    expect(r.stdout).toContain(`persons affected: 3 (3 in the served snapshot; 0 not in it`);
    expect(r.stdout).toMatch(/^ {2}3201\t.*\t3$/m);
    expect(r.stdout).toMatch(/^ {2}Person\.name\t1$/m);

    const research = await inProcess(['--agency', 'bps', '--json']);
    expect(research.code).toBe(0);
    expect(JSON.parse(research.stdout)).toMatchObject({ subjects: 0, aggregates: 1, decisions: 0 });
    const nobody = await inProcess(['--agency', 'no-such-agency', '--json']);
    expect(JSON.parse(nobody.stdout)).toMatchObject({ events: 0, subjects: 0 });
  });

  it('refuses a bad window, an existing subjects file and a data folder without the key', async () => {
    const existing = path.join(dir, 'existing.txt');
    await writeFile(existing, 'earlier list\n');
    const cases: Array<[string[], RegExp]> = [
      [['--from', to, '--to', from], /--from must be before --to/],
      [['--from', 'yesterday', '--to', to], /--from.*a date \(YYYY-MM-DD/],
      [['--from', from, '--to', to, '--subjects', existing], /exists; choose a new file/],
    ];
    for (const [args, reason] of cases) {
      const r = await inProcess(args, { window: false });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(reason);
    }
    expect(await readFile(existing, 'utf8')).toBe('earlier list\n');
    const empty = await mkdtemp(path.join(os.tmpdir(), 'dtks-breach-nokey-'));
    try {
      const r = await inProcess([], { dataDir: empty });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /no audit subject key at .*run this with the gateway's DTKS_DATA_DIR/,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
