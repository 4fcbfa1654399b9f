import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { hashClientSecret } from '../../src/auth/client-secret.js';
import { runBulkCheck, type Checker } from '../../src/bulk-check/bulk-check.js';
import {
  ALIASES_PER_OPERATION,
  EligibilityClient,
} from '../../src/bulk-check/eligibility-client.js';
import { FileProblem } from '../../src/bulk-check/file-problems.js';
import { GatewayClient, safeText } from '../../src/bulk-check/gateway-client.js';
import { InputFormatError, nikProblem, readNikInput } from '../../src/bulk-check/nik-input.js';
import {
  openResumable,
  REJECTS_HEADER,
  RESULTS_HEADER,
  type DecisionRow,
} from '../../src/bulk-check/result-files.js';
import {
  decideRetry,
  DEFAULT_RETRY_POLICY,
  GaveUpError,
  parseRetryAfter,
  type RetryPolicy,
} from '../../src/bulk-check/retry.js';
import { CommandError } from '../../src/cli/command-runner.js';
import {
  checkSettings,
  defaultRejectsPath,
  type CheckOptions,
} from '../../src/commands/check.command.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { NikScalar } from '../../src/schema/scalars/nik.scalar.js';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ db, gateway, access } = fixture));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-bulk-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BUDI = '3201011505809001';
const DEWI = '3374010202709004';
const AHMAD = '3201010101159003';
const YOHANES = '3201010707509005';
/** Valid, unregistered NIKs: the gateway decides them too (NOT_REGISTERED / NOT_ELIGIBLE). */
const unregistered = (i: number) => `32010100000${String(i).padStart(5, '0')}`;
const FIXTURE = [BUDI, DEWI, AHMAD, YOHANES];

// ---------------------------------------------------------------------------------------------
// Helpers

let fileNo = 0;
/** A fresh path in the test folder. */
const file = (name: string) => path.join(dir, `${++fileNo}-${name}`);

/** Runs the real command (from source, through tsx); `onSpawn` gets the child (to kill it). */
function cli(
  args: string[],
  options: { env?: Record<string, string>; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'check', ...args], {
      env: { ...process.env, LOG_LEVEL: 'error', DTKS_CLIENT_SECRET: '', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    options.onSpawn?.(child);
  });
}

/** The command's arguments for a demo client (its secret in the environment, as documented). */
function args(
  clientId: string,
  program: string,
  purpose: string,
  files: { in: string; out: string },
  url = gateway.url,
  more: string[] = [],
): { args: string[]; env: Record<string, string> } {
  return {
    args: [
      '--url',
      url,
      '--client-id',
      clientId,
      '--program',
      program,
      '--purpose',
      purpose,
      '--officer',
      'budi.petugas@example.go.id',
      '--in',
      files.in,
      '--out',
      files.out,
      ...more,
    ],
    env: { DTKS_CLIENT_SECRET: access.secrets[clientId]! },
  };
}

/** The client the command builds, in process (cheaper than a spawn), with short backoffs. */
function client(
  clientId: string,
  program: string,
  purpose: string,
  options: {
    url?: string;
    retry?: Partial<RetryPolicy>;
    perOperation?: number;
    secret?: string;
  } = {},
): EligibilityClient {
  const gw = new GatewayClient({
    url: options.url ?? gateway.url,
    clientId,
    clientSecret: options.secret ?? access.secrets[clientId]!,
    purpose,
    officerId: 'tester',
    timeoutMs: 10_000,
    retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 20, maxDelayMs: 200, ...options.retry },
  });
  return new EligibilityClient(gw, program, { perOperation: options.perOperation ?? 1000 });
}

async function run(
  checker: Checker,
  files: { in: string; out: string },
  options: { batchSize?: number; concurrency?: number; restart?: boolean } = {},
) {
  return runBulkCheck({
    input: files.in,
    output: files.out,
    rejects: defaultRejectsPath(files.out),
    batchSize: options.batchSize ?? 1000,
    concurrency: options.concurrency ?? 2,
    restart: options.restart ?? false,
    checker,
    progress: false,
  });
}

/** Data rows of a CSV file we wrote (no quoted line breaks in them), split into cells. */
async function rowsOf(csv: string): Promise<string[][]> {
  const lines = (await readFile(csv, 'utf8')).split('\n');
  expect(lines.pop()).toBe(''); // ends with a newline
  return lines.slice(1).map((l) => l.split(','));
}

/** NIKs the gateway decided for a client after audit event `after` (0: ever). */
async function decidedSince(clientId: string, after = 0): Promise<number> {
  const { rows } = await db.pool.query(
    'SELECT coalesce(sum(cardinality(decision_ids)), 0)::int AS n FROM audit_event WHERE client_id = $1 AND id > $2',
    [clientId, after],
  );
  return rows[0].n as number;
}

async function lastAuditId(): Promise<number> {
  const { rows } = await db.pool.query('SELECT coalesce(max(id), 0)::int AS id FROM audit_event');
  return rows[0].id as number;
}

type ProxyAction =
  | 'forward'
  | 'drop'
  | 'hold'
  | { status: number; headers?: Record<string, string>; body?: unknown };

interface Proxy {
  url: string;
  /** Bodies of every request that reached the proxy. */
  bodies: string[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the gateway. `decide` sees each request that checks eligibility
 * (numbered from 1) and answers it, drops the connection, holds it forever or forwards it; every
 * other request is forwarded.
 */
async function startProxy(decide: (n: number) => ProxyAction): Promise<Proxy> {
  const bodies: string[] = [];
  let checks = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      const action = /eligibility(Batch)?\(/.test(body) ? decide(++checks) : 'forward';
      if (action === 'drop') return req.socket.destroy();
      if (action === 'hold') return;
      if (action !== 'forward') {
        res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
        return res.end(JSON.stringify(action.body ?? { errors: [{ message: 'proxy says no' }] }));
      }
      const headers: Record<string, string> = {};
      for (const h of [
        'content-type',
        'authorization',
        'x-purpose',
        'x-officer-id',
        'x-request-id',
      ]) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      fetch(`${gateway.url}${req.url}`, { method: req.method, headers, body })
        .then(async (r) => {
          const out: Record<string, string> = {
            'content-type': r.headers.get('content-type') ?? 'application/json',
          };
          const retryAfter = r.headers.get('retry-after');
          if (retryAfter) out['retry-after'] = retryAfter;
          res.writeHead(r.status, out);
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => req.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The API's own answer for these NIKs, to compare the bulk client's output with. */
async function apiAnswers(clientId: string, purpose: string, program: string, niks: string[]) {
  const r = await graphql(
    gateway,
    'query($n: [NIK!]!, $p: Program!) { eligibilityBatch(niks: $n, program: $p) { eligible reason dataAsOf } }',
    { variables: { n: niks, p: program }, headers: await access.as(clientId, purpose) },
  );
  return (r.body.data as { eligibilityBatch: Array<Omit<DecisionRow, 'decisionId'>> })
    .eligibilityBatch;
}

async function* chunksOf(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function readAll(text: string, size = 7) {
  const rows = [];
  for await (const row of readNikInput(chunksOf(text, size))) rows.push(row);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The pure pieces, in process

describe('reading the input', () => {
  it('accepts exactly what the NIK scalar accepts', () => {
    const accepts = (v: string) => {
      try {
        NikScalar.parseValue(v);
        return true;
      } catch {
        return false;
      }
    };
    const digits = fc.string({
      unit: fc.constantFrom(...'0123456789'),
      minLength: 14,
      maxLength: 18,
    });
    const near = fc.oneof(digits, fc.string({ maxLength: 18 }), fc.constantFrom(...FIXTURE));
    fc.assert(
      fc.property(near, (v) => (nikProblem(v) === null) === accepts(v)),
      {
        numRuns: 2000,
      },
    );
    expect(nikProblem('12345')).toBe('NIK must be exactly 16 digits (this one has 5)');
    expect(nikProblem('32010115058090AB')).toBe('NIK must contain only the digits 0-9');
    expect(nikProblem('９２０１０１１５０５８０９００１'.slice(0, 16))).toMatch(/digits 0-9/);
    expect(nikProblem('9901011505809001')).toBe(
      'NIK starts with a province code that does not exist',
    );
  });

  it('reads a header row with a nik column anywhere, trims, skips blank lines, keeps line numbers', async () => {
    const text =
      '\ufeffname,NIK,note\r\nBudi, 3201011505809001 ,x\r\n\r\n"Dewi, L.",3374010202709004,"two\nlines"\r\n' +
      'Ani,12345,\r\n , , \r\nNo nik\r\n';
    expect(await readAll(text)).toEqual([
      { line: 2, nik: BUDI },
      { line: 4, nik: DEWI },
      { line: 6, value: '12345', reason: 'NIK must be exactly 16 digits (this one has 5)' },
      { line: 8, value: '', reason: 'NIK is empty' },
    ]);
  });

  it('reads a headerless file of one NIK per line; extra columns and broken quoting are rejects', async () => {
    const text = `${BUDI}\n\n  ${AHMAD}\t\n${DEWI},${BUDI}\n"${YOHANES}\n`;
    expect(await readAll(text, 5)).toEqual([
      { line: 1, nik: BUDI },
      { line: 3, nik: AHMAD },
      {
        line: 4,
        value: `${DEWI},${BUDI}`,
        reason: 'expected one NIK per line, found 2 columns',
      },
      { line: 5, value: '', reason: 'CSV syntax: unterminated quoted field' },
    ]);
    const long = await readAll(`${'7'.repeat(500)}\n`);
    expect((long[0] as { value: string }).value).toHaveLength(101); // 100 characters and '…'
  });

  it('refuses a file whose first row has several columns and no nik column', async () => {
    await expect(readAll('name,ktp\nBudi,3201011505809001\n')).rejects.toThrow(InputFormatError);
    await expect(readAll('name,ktp\n')).rejects.toThrow(/2 columns and none is named nik/);
  });
});

describe('retry policy', () => {
  const policy: RetryPolicy = {
    maxAttempts: 5,
    maxWaitSeconds: 60,
    baseDelayMs: 1000,
    maxDelayMs: 4000,
  };
  it('backs off exponentially with jitter, capped, and stops after the last attempt', () => {
    const low = [1, 2, 3, 4].map((a) =>
      decideRetry(a, { retryAfterSeconds: null }, policy, () => 0),
    );
    const high = [1, 2, 3, 4].map((a) =>
      decideRetry(a, { retryAfterSeconds: null }, policy, () => 1),
    );
    expect(low).toEqual([{ waitMs: 500 }, { waitMs: 1000 }, { waitMs: 2000 }, { waitMs: 2000 }]);
    expect(high).toEqual([{ waitMs: 1000 }, { waitMs: 2000 }, { waitMs: 4000 }, { waitMs: 4000 }]);
    expect(decideRetry(5, { retryAfterSeconds: null }, policy)).toEqual({
      stop: 'gave up after 5 attempts',
    });
  });

  it('honours Retry-After as a minimum, and stops when it is longer than the longest wait', () => {
    expect(decideRetry(1, { retryAfterSeconds: 7 }, policy, () => 0)).toEqual({ waitMs: 7000 });
    expect(decideRetry(1, { retryAfterSeconds: 7 }, policy, () => 1)).toEqual({ waitMs: 7700 });
    expect(decideRetry(1, { retryAfterSeconds: 61 }, policy)).toEqual({
      stop: 'the gateway asks to wait 1 min 1 s, longer than --max-wait (1 min 0 s)',
    });
    expect(parseRetryAfter('12')).toBe(12);
    expect(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThanOrEqual(29);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });

  it('never puts a NIK-like number from the server into a message', () => {
    expect(safeText(`no such person\n${BUDI}`)).toBe('no such person [digits]');
  });
});

describe('resuming the result files', () => {
  it('starts a missing file with its header, owner-readable only', async () => {
    const out = file('new.csv');
    const f = await openResumable(out, RESULTS_HEADER, { restart: false, option: '--out' });
    expect(f.fresh).toBe(true);
    expect(await f.nextEarlier()).toBeNull();
    await f.close();
    expect(await readFile(out, 'utf8')).toBe(`${RESULTS_HEADER}\n`);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
  });

  it('drops a torn last line and replays the rows already written', async () => {
    const out = file('torn.csv');
    await writeFile(out, `${REJECTS_HEADER}\n3,abc,bad\n9,"x,y",bad\n12,half-writ`);
    const f = await openResumable(out, REJECTS_HEADER, { restart: false, option: '--rejects' });
    expect(f.droppedPartialLine).toBe(true);
    expect([await f.nextEarlier(), await f.nextEarlier(), await f.nextEarlier()]).toEqual([
      '3',
      '9',
      null,
    ]);
    await f.append('12,again,bad\n');
    await f.close();
    expect(await readFile(out, 'utf8')).toBe(
      `${REJECTS_HEADER}\n3,abc,bad\n9,"x,y",bad\n12,again,bad\n`,
    );
  });

  it('refuses a file with another header unless told to restart', async () => {
    const out = file('other.csv');
    await writeFile(out, 'nik,name\n3201011505809001,Budi\n');
    await expect(
      openResumable(out, RESULTS_HEADER, { restart: false, option: '--out' }),
    ).rejects.toThrow(/does not start with the header .* use --restart .* another --out/);
    const f = await openResumable(out, RESULTS_HEADER, { restart: true, option: '--out' });
    await f.close();
    expect(await readFile(out, 'utf8')).toBe(`${RESULTS_HEADER}\n`);
  });
});

describe('the command’s options', () => {
  const valid: CheckOptions = {
    url: 'https://dtks-gateway.example.go.id/',
    clientId: 'kemenkes-pbi',
    clientSecret: 'secret',
    program: 'PBI_JK',
    purpose: 'PBI_JK_VERIFICATION',
    in: 'niks.csv',
    out: 'out/results.csv',
    batchSize: '1000',
    concurrency: '2',
    maxAttempts: '8',
    maxWait: '5m',
    timeout: '60s',
  };
  it('has sensible defaults: rejects next to the results, waits up to 5 minutes', () => {
    expect(checkSettings(valid)).toMatchObject({
      rejects: 'out/results.rejects.csv',
      batchSize: 1000,
      maxWaitSeconds: 300,
      timeoutSeconds: 60,
    });
    expect(defaultRejectsPath('results.txt')).toBe('results.txt.rejects.csv');
  });

  it('refuses bad values with one line naming the option', () => {
    const refusal = (change: Partial<CheckOptions>) => {
      try {
        checkSettings({ ...valid, ...change });
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(CommandError);
        return (error as Error).message;
      }
    };
    const batch = '--batch-size must be a whole number from 1 to 10000';
    expect(refusal({ batchSize: '0' })).toBe(batch);
    expect(refusal({ batchSize: '20000' })).toBe(batch);
    expect(refusal({ batchSize: '1e3' })).toBe(batch);
    expect(refusal({ concurrency: '9' })).toBe('--concurrency must be a whole number from 1 to 8');
    expect(refusal({ maxWait: 'soon' })).toMatch(/^--max-wait must be a duration such as 90s/);
    expect(refusal({ url: 'ftp://x' })).toBe('--url must be an http:// or https:// URL');
    expect(refusal({ clientSecret: '' })).toBe(
      'give the client secret in DTKS_CLIENT_SECRET or --client-secret',
    );
    expect(refusal({ officer: 'Budi Santoso' })).toMatch(/^--officer may hold/);
    expect(refusal({ purpose: 'x\ny' })).toMatch(/^--purpose must be/);
    expect(refusal({})).toBeNull();
  });
});

describe('the run, with a stand-in gateway', () => {
  /** Decides every NIK by its last digit; fails the `failAt`-th call (1-based) when set. */
  function fakeChecker(options: { failAt?: number } = {}) {
    const calls: string[][] = [];
    const checker: Checker = {
      checkMode: async () => 'batch',
      async check(niks) {
        calls.push([...niks]);
        if (calls.length === options.failAt) throw new GaveUpError('gave up after 1 attempt');
        await new Promise((r) => setTimeout(r, Math.random() * 15)); // out-of-order completion
        return niks.map((nik) => ({
          eligible: Number(nik.at(-1)) % 2 === 0,
          reason: Number(nik.at(-1)) % 2 === 0 ? 'ELIGIBLE' : 'NOT_REGISTERED',
          decisionId: `d-${nik}`,
          dataAsOf: '2026-06-30',
        }));
      },
    };
    return { checker, calls };
  }

  it('writes in input order with batches in parallel, and resumes after a failure without redoing rows or rejects', async () => {
    const niks = Array.from({ length: 95 }, (_, i) => unregistered(i % 80)); // with duplicates
    const lines = niks.flatMap((n, i) => (i % 10 === 3 ? [n, `bad${i}`] : [n]));
    const files = { in: file('order.csv'), out: file('order-out.csv') };
    await writeFile(files.in, `nik\n${lines.join('\n')}\n`);

    const first = fakeChecker({ failAt: 5 });
    await expect(run(first.checker, files, { batchSize: 7, concurrency: 3 })).rejects.toThrow(
      GaveUpError,
    );
    const partial = await rowsOf(files.out);
    expect(partial.length).toBe(28); // the four batches before the failed fifth
    expect(partial.map((r) => r[0])).toEqual(niks.slice(0, 28));

    const second = fakeChecker();
    const summary = await run(second.checker, files, { batchSize: 10, concurrency: 4 });
    expect(second.calls.flat()).toEqual(niks.slice(28)); // nothing checked twice
    expect(summary).toMatchObject({ checked: 67, resumedChecked: 28 });
    const rows = await rowsOf(files.out);
    expect(rows.map((r) => r[0])).toEqual(niks);
    expect(rows.every(([nik, , , id]) => id === `d-${nik}`)).toBe(true);
    const rejects = await rowsOf(defaultRejectsPath(files.out));
    expect(rejects.map((r) => r[1])).toEqual(lines.filter((l) => l.startsWith('bad')));
    expect(summary.rejected + summary.resumedRejected).toBe(rejects.length);

    // Run again: everything is done, nothing is checked.
    const third = fakeChecker();
    expect(await run(third.checker, files)).toMatchObject({ checked: 0, resumedChecked: 95 });
    expect(third.calls).toEqual([]);
  });

  it('refuses to resume output written for another input', async () => {
    const files = { in: file('a.csv'), out: file('a-out.csv') };
    await writeFile(files.in, [BUDI, DEWI, AHMAD].join('\n'));
    await run(fakeChecker().checker, files);
    await writeFile(files.in, [BUDI, AHMAD, DEWI].join('\n'));
    await expect(run(fakeChecker().checker, files)).rejects.toThrow(
      /a-out\.csv does not match the input at line 2: .*--restart/,
    );
    await writeFile(files.in, [BUDI, DEWI].join('\n'));
    await expect(run(fakeChecker().checker, files)).rejects.toThrow(/has more rows than the input/);
    await expect(run(fakeChecker().checker, files, { restart: true })).resolves.toMatchObject({
      checked: 2,
    });
    await expect(run(fakeChecker().checker, { in: files.in, out: files.in })).rejects.toThrow(
      FileProblem,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// End to end against a running gateway

describe('bulk eligibility checks against the gateway', () => {
  it('checks a file end to end: results in order with duplicates, rejects with lines and reasons', async () => {
    const files = { in: file('kemenkes.csv'), out: file('kemenkes-results.csv') };
    const UNKNOWN = unregistered(99999);
    await writeFile(
      files.in,
      [
        'nik,name',
        `${BUDI},Budi`,
        ` ${DEWI} ,Dewi`,
        '12345,Too short',
        '32010115058090AB,Letters',
        '9901011505809001,No such province',
        '',
        `${BUDI},Budi again`,
        `${AHMAD},Ahmad`,
        `${UNKNOWN},Unknown`,
      ].join('\n'),
    );
    const before = await lastAuditId();
    const { args: a, env } = args('kemenkes-pbi', 'PBI_JK', 'PBI_JK_VERIFICATION', files);
    const result = await cli(a, { env });
    expect(result.stderr).toMatch(
      /^checked 5 NIKs \(\d eligible\) and rejected 3 rows in [\d.]+ s; results in .*kemenkes-results\.csv, rejects in .*kemenkes-results\.rejects\.csv\n$/,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');

    // The gateway decided exactly the five valid rows: nothing rejected reached it.
    expect(await decidedSince('kemenkes-pbi', before)).toBe(5);
    const { rows: officers } = await db.pool.query(
      "SELECT DISTINCT officer_id, purpose FROM audit_event WHERE client_id = 'kemenkes-pbi' AND id > $1",
      [before],
    );
    expect(officers).toEqual([
      { officer_id: 'budi.petugas@example.go.id', purpose: 'PBI_JK_VERIFICATION' },
    ]);
    const niks = [BUDI, DEWI, BUDI, AHMAD, UNKNOWN];
    const rows = await rowsOf(files.out);
    expect((await readFile(files.out, 'utf8')).split('\n')[0]).toBe(RESULTS_HEADER);
    expect(rows.map((r) => r[0])).toEqual(niks);
    const api = await apiAnswers('kemenkes-pbi', 'PBI_JK_VERIFICATION', 'PBI_JK', niks);
    expect(rows.map(([, eligible, reason, , asOf]) => ({ eligible, reason, asOf }))).toEqual(
      api.map((d) => ({ eligible: String(d.eligible), reason: d.reason, asOf: d.dataAsOf })),
    );
    expect(rows[1]![2]).toBe('NOT_RANKED');
    expect(rows[4]![2]).toBe('NOT_REGISTERED');
    expect(new Set(rows.map((r) => r[3])).size).toBe(5); // a decision id per row
    expect((await stat(files.out)).mode & 0o777).toBe(0o600);

    expect(await readFile(defaultRejectsPath(files.out), 'utf8')).toBe(
      [
        REJECTS_HEADER,
        '4,12345,NIK must be exactly 16 digits (this one has 5)',
        '5,32010115058090AB,NIK must contain only the digits 0-9',
        '6,9901011505809001,NIK starts with a province code that does not exist',
        '',
      ].join('\n'),
    );
  });

  it('falls back to aliased single checks for an agreement without eligibilityBatch', async () => {
    const niks = [...FIXTURE, ...Array.from({ length: 36 }, (_, i) => unregistered(i))];
    const files = { in: file('pip.csv'), out: file('pip-results.csv') };
    await writeFile(files.in, niks.join('\n'));
    const before = await lastAuditId();
    const summary = await run(client('kemendikdasmen-pip', 'PIP', 'PIP_TARGETING'), files);
    expect(summary).toMatchObject({ checked: 40, rejected: 0 });
    const rows = await rowsOf(files.out);
    expect(rows.map((r) => r[0])).toEqual(niks);
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['ELIGIBLE', 'NOT_ELIGIBLE']));
    expect(rows[2]!.slice(1, 3)).toEqual(['true', 'ELIGIBLE']); // Ahmad, in school
    // Several NIKs per operation, not one request each.
    const { rows: events } = await db.pool.query(
      "SELECT cardinality(decision_ids) AS n FROM audit_event WHERE client_id = 'kemendikdasmen-pip' AND id > $1 AND cardinality(decision_ids) > 0 ORDER BY id",
      [before],
    );
    expect(ALIASES_PER_OPERATION).toBe(15);
    expect(events.map((e) => e.n)).toEqual([15, 15, 10]);
  });

  it('splits operations the agreement finds too large (BATCH_TOO_LARGE) and carries on', async () => {
    const demo = DEMO_CLIENTS.find((c) => c.clientId === 'kemenkes-pbi')!;
    const reg = registration(
      { ...demo, clientId: 'bulk-small-batch' },
      await hashClientSecret('s3cret-small'),
    );
    await saveClient(db.db, { ...reg, agreement: { ...reg.agreement, batchLimit: 4 } });
    const niks = Array.from({ length: 22 }, (_, i) => unregistered(i));
    const files = { in: file('small.csv'), out: file('small-results.csv') };
    await writeFile(files.in, niks.join('\n'));
    const checker = client('bulk-small-batch', 'PBI_JK', 'PBI_JK_VERIFICATION', {
      secret: 's3cret-small',
      perOperation: 10,
    });
    await run(checker, files, { batchSize: 10, concurrency: 1 });
    expect((await rowsOf(files.out)).map((r) => r[0])).toEqual(niks);
    expect(await decidedSince('bulk-small-batch')).toBe(22);
  });

  it('rides out 429 with Retry-After, 503 and a dropped connection, and never sends rejected rows', async () => {
    const proxy = await startProxy((n) =>
      n === 1
        ? {
            status: 429,
            headers: { 'retry-after': '1' },
            body: { errors: [{ message: 'slow down', extensions: { code: 'RATE_LIMITED' } }] },
          }
        : n === 3
          ? { status: 503 }
          : n === 4
            ? 'drop'
            : 'forward',
    );
    try {
      const niks = Array.from({ length: 50 }, (_, i) => unregistered(1000 + i));
      const bad = ['3201010000012', '99010100000123AB'];
      const files = { in: file('flaky.csv'), out: file('flaky-results.csv') };
      await writeFile(
        files.in,
        [bad[0], ...niks.slice(0, 25), bad[1], ...niks.slice(25)].join('\n'),
      );
      const before = await lastAuditId();
      const started = Date.now();
      const summary = await run(
        client('kemensos-bansos', 'PKH', 'BANSOS_DISTRIBUTION', { url: proxy.url }),
        files,
        { batchSize: 10, concurrency: 2 },
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // waited the Retry-After
      expect(summary).toMatchObject({ checked: 50, rejected: 2 });
      expect((await rowsOf(files.out)).map((r) => r[0])).toEqual(niks);
      expect(await decidedSince('kemensos-bansos', before)).toBe(50);
      for (const body of proxy.bodies) for (const b of bad) expect(body).not.toContain(b);
    } finally {
      await proxy.close();
    }
  });

  it('gives up when transient failures do not stop, or when Retry-After is longer than --max-wait', async () => {
    const always503 = await startProxy(() => ({ status: 503, headers: {} }));
    const tooLong = await startProxy(() => ({ status: 429, headers: { 'retry-after': '3600' } }));
    try {
      const files = { in: file('down.csv'), out: file('down-results.csv') };
      await writeFile(files.in, FIXTURE.join('\n'));
      const checker = client('kemenkes-pbi', 'PBI_JK', 'PBI_JK_VERIFICATION', {
        url: always503.url,
        retry: { maxAttempts: 3 },
      });
      await expect(run(checker, files)).rejects.toThrow(
        /^gave up after 3 attempts \(last: HTTP 503, request id [0-9a-f-]{36}\)$/,
      );
      expect(await readFile(files.out, 'utf8')).toBe(`${RESULTS_HEADER}\n`);

      const started = Date.now();
      const patient = client('kemenkes-pbi', 'PBI_JK', 'PBI_JK_VERIFICATION', { url: tooLong.url });
      await expect(run(patient, files)).rejects.toThrow(
        /the gateway asks to wait 1 h 0 min, longer than --max-wait \(5 min 0 s\)/,
      );
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await always503.close();
      await tooLong.close();
    }
  });

  it('stops on the real gateway’s own RATE_LIMITED when it asks to wait longer than allowed', async () => {
    const demo = DEMO_CLIENTS.find((c) => c.clientId === 'kemenkes-pbi')!;
    const reg = registration(
      { ...demo, clientId: 'bulk-rate' },
      await hashClientSecret('s3cret-rate'),
    );
    await saveClient(db.db, { ...reg, agreement: { ...reg.agreement, rateLimitPerMinute: 3 } });
    const files = { in: file('rate.csv'), out: file('rate-results.csv') };
    await writeFile(files.in, Array.from({ length: 8 }, (_, i) => unregistered(i)).join('\n'));
    const checker = client('bulk-rate', 'PBI_JK', 'PBI_JK_VERIFICATION', {
      secret: 's3cret-rate',
      perOperation: 2,
      retry: { maxWaitSeconds: 0 },
    });
    // Requests: me, then batches of 2; the minute allows 3, so the third request is refused.
    await expect(run(checker, files, { batchSize: 2, concurrency: 1 })).rejects.toThrow(
      // Up to a whole minute: 60 s prints as "1 min 0 s".
      /the gateway asks to wait (\d+ s|1 min 0 s), longer than --max-wait \(0 s\) \(last: RATE_LIMITED/,
    );
    expect((await rowsOf(files.out)).length).toBe(4);
  });

  it('resumes after the process is killed, without checking again the rows already written', async () => {
    // 60 valid rows (duplicates included) and 5 rejects; batches of 10; the proxy answers the
    // first three batches and holds the fourth, and the process is killed there.
    const niks = Array.from({ length: 60 }, (_, i) =>
      i % 13 === 0 ? BUDI : unregistered(2000 + i),
    );
    const lines = niks.flatMap((n, i) => (i % 12 === 5 ? [n, `not-a-nik-${i}`] : [n]));
    const files = { in: file('resume.csv'), out: file('resume-results.csv') };
    await writeFile(files.in, lines.join('\n'));
    const proxy = await startProxy((n) => (n <= 3 ? 'forward' : 'hold'));
    const before = await lastAuditId();
    try {
      const first = args('kemenkes-pbi', 'PBI_JK', 'PBI_JK_VERIFICATION', files, proxy.url, [
        '--batch-size',
        '10',
        '--concurrency',
        '1',
      ]);
      const killed = await cli(first.args, {
        env: first.env,
        onSpawn: (child) => {
          const poll = setInterval(() => {
            readFile(files.out, 'utf8')
              .then((text) => {
                if (text.split('\n').length - 2 >= 30) {
                  clearInterval(poll);
                  child.kill('SIGKILL');
                }
              })
              .catch(() => undefined);
          }, 50);
          child.on('close', () => clearInterval(poll));
        },
      });
      expect(killed.signal).toBe('SIGKILL');
    } finally {
      await proxy.close();
    }
    expect((await rowsOf(files.out)).length).toBe(30);
    expect(await decidedSince('kemenkes-pbi', before)).toBe(30);
    await appendFile(files.out, `${niks[30]},tr`); // a write torn by the crash

    const between = await lastAuditId();
    const second = args('kemenkes-pbi', 'PBI_JK', 'PBI_JK_VERIFICATION', files, gateway.url, [
      '--batch-size',
      '7',
      '--concurrency',
      '3',
    ]);
    const resumed = await cli(second.args, { env: second.env });
    expect(resumed.stderr).toMatch(
      /^checked 30 NIKs \(\d+ eligible\) and rejected 5 rows in .*; resumed after 30 checked and 0 rejected rows of an earlier run; dropped an incomplete last line/,
    );
    expect(resumed.code).toBe(0);
    expect(await decidedSince('kemenkes-pbi', between)).toBe(30); // only the rows not yet written
    const rows = await rowsOf(files.out);
    expect(rows.map((r) => r[0])).toEqual(niks);
    expect(rows.every((r) => r.length === 5 && /^[0-9a-f-]{36}$/.test(r[3]!))).toBe(true);
    expect((await rowsOf(defaultRejectsPath(files.out))).map((r) => r[1])).toEqual(
      lines.filter((l) => l.startsWith('not-a-nik')),
    );
  });

  it('stops at once on refusals, naming the code, before writing anything it need not', async () => {
    const input = file('refused.csv');
    await writeFile(input, [BUDI, DEWI].join('\n'));
    const attempt = async (checker: Checker) => {
      const out = file('refused-results.csv');
      const error = await run(checker, { in: input, out }).then(
        () => null,
        (e: Error) => e,
      );
      const written = await readFile(out, 'utf8').catch(() => null);
      return { message: error?.message, written };
    };
    const wrongSecret = await attempt(
      client('kemenkes-pbi', 'PBI_JK', 'PBI_JK_VERIFICATION', { secret: 'not-the-secret' }),
    );
    expect(wrongSecret).toEqual({
      message: expect.stringMatching(
        /^the gateway refused a token for client kemenkes-pbi \(invalid_client\); check --client-id and the client secret \(request id [0-9a-f-]{36}\)$/,
      ),
      written: null,
    });
    const wrongProgram = await attempt(client('kemenkes-pbi', 'PKH', 'PBI_JK_VERIFICATION'));
    expect(wrongProgram).toEqual({
      message: expect.stringMatching(
        /^the gateway refused the check: FORBIDDEN \(.+\), request id [0-9a-f-]{36}$/,
      ),
      written: `${RESULTS_HEADER}\n`,
    });
    const wrongPurpose = await attempt(client('kemenkes-pbi', 'PBI_JK', 'PIP_TARGETING'));
    expect(wrongPurpose.message).toMatch(/^the gateway refused the check: PURPOSE_NOT_ALLOWED /);
    expect(wrongPurpose.written).toBeNull();
    const missing = path.join(dir, 'missing.csv');
    const folder = file('a-folder');
    await mkdir(folder);
    const checker = client('kemenkes-pbi', 'PBI_JK', 'PBI_JK_VERIFICATION');
    await expect(run(checker, { in: missing, out: file('m.csv') })).rejects.toThrow(
      `cannot read ${missing}: no such file or directory`,
    );
    await expect(run(checker, { in: folder, out: file('m.csv') })).rejects.toThrow(
      `cannot read ${folder}: not a regular file`,
    );
  });

  it('fails with one line on stderr and the documented exit code', async () => {
    const down = await startProxy(() => ({ status: 503 }));
    try {
      const files = (name: string) => ({
        in: file(`${name}.csv`),
        out: file(`${name}-results.csv`),
      });
      const refused = files('purpose');
      const stuck = files('stuck');
      for (const f of [refused, stuck]) await writeFile(f.in, [BUDI, DEWI].join('\n'));
      const wrongPurpose = args('kemenkes-pbi', 'PBI_JK', 'PIP_TARGETING', refused);
      const gaveUp = args('kemenkes-pbi', 'PBI_JK', 'PBI_JK_VERIFICATION', stuck, down.url, [
        '--max-attempts',
        '2',
      ]);
      const results = await Promise.all(
        [wrongPurpose, gaveUp].map((c) => cli(c.args, { env: c.env })),
      );
      expect(results.map((r) => [r.code, r.stdout])).toEqual([
        [1, ''],
        [75, ''],
      ]);
      const [purpose, stopped] = results.map((r) => r.stderr);
      expect(purpose).toMatch(
        /^dtks-gateway check: the gateway refused the check: PURPOSE_NOT_ALLOWED \(.+\), request id [0-9a-f-]{36}\n$/,
      );
      expect(stopped).toMatch(
        /^dtks-gateway check: gave up after 2 attempts \(last: HTTP 503, request id [0-9a-f-]{36}\); the results so far are kept: run the same command again to resume\n$/,
      );
      for (const r of results) expect(r.stderr).not.toMatch(/\d{16}/);
    } finally {
      await down.close();
    }
  });
});
