import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-verify.js';
import { publicKeysOf } from '../support/audit-keys.js';

/**
 * Issue #11, item 3: `serve` with the embedded PostgreSQL it owns, under a steady load of
 * disclosing requests, while its database backends are terminated, the server is stopped in
 * "immediate" mode (SIGQUIT, as `pg_ctl stop -m immediate`) and then killed (SIGKILL). The
 * gateway process must live through it, answer only 200 or 503, audit every answer that carried
 * data, restart the server itself and serve again within 10 s.
 */
let dir: string;
let child: ChildProcessWithoutNullStreams;
let base: string;
let stderr = '';
let exits = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-fault-'));
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--demo'], {
    env: {
      ...process.env,
      NODE_ENV: 'production', // as users run it (vitest's "test" changes Apollo's defaults)
      DTKS_DATA_DIR: dir,
      PORT: '0',
      DTKS_DEMO_PERSONS: '1000',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      DATABASE_RUNTIME_URL: '',
    },
  });
  child.on('exit', () => (exits += 1));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let stdout = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 90_000);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const port = /GraphQL: http:\/\/localhost:(\d+)\/graphql/.exec(stdout);
      if (port) {
        clearTimeout(timer);
        base = `http://127.0.0.1:${port[1]}`;
        resolve();
      }
    });
  });
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

/** The owner's URL of the embedded server `serve` started. */
async function ownerUrl(): Promise<string> {
  const { port } = JSON.parse(await readFile(path.join(dir, 'embedded.json'), 'utf8')) as {
    port: number;
  };
  const password = (await readFile(path.join(dir, 'pg-password'), 'utf8')).trim();
  return `postgres://dtks:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

async function ownerClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: await ownerUrl() });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** The running postmaster's pid (waiting while a restarted server has not written it yet). */
async function postmasterPid(): Promise<number> {
  for (let i = 0; ; i++) {
    try {
      return Number(
        (await readFile(path.join(dir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0],
      );
    } catch (error) {
      if (i > 100) throw error;
      await sleep(100);
    }
  }
}

async function token(clientId: string): Promise<string> {
  const secrets = JSON.parse(await readFile(path.join(dir, 'demo-clients.json'), 'utf8')) as Record<
    string,
    string
  >;
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secrets[clientId]!,
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('serve under database faults', () => {
  it('lives through terminated backends, an immediate stop and a SIGKILL of PostgreSQL', async () => {
    const owner = await ownerClient();
    const niks = (
      await owner.query<{ nik: string }>(
        `SELECT m.nik FROM member m JOIN household h USING (household_id)
          WHERE h.region_code LIKE '3201%' ORDER BY m.nik LIMIT 40`,
      )
    ).rows.map((r) => r.nik);
    await owner.end();
    expect(niks.length).toBeGreaterThan(10);
    const bearer = await token('pemda-3201');

    const statuses = new Map<number, number>();
    const disclosed: string[] = []; // request ids of answers that carried a person
    let socketErrors = 0;
    const okWithErrors: string[] = [];
    let lastOk = 0;
    let stop = false;
    let n = 0;
    const worker = async () => {
      while (!stop) {
        const requestId = `fault-${n++}`;
        const started = Date.now();
        try {
          const r = await fetch(`${base}/graphql`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${bearer}`,
              'x-purpose': 'VERIVALI',
              'x-request-id': requestId,
            },
            body: JSON.stringify({
              query: 'query($n: NIK!) { person(nik: $n) { name } }',
              variables: { n: niks[n % niks.length] },
            }),
          });
          const body = (await r.json()) as {
            data?: { person?: { name: string } | null };
            errors?: Array<{ extensions?: { code?: string } }>;
          };
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          // A 200 answers the question; a fault anywhere in the request makes it a 503.
          if (r.status === 200 && body.errors) okWithErrors.push(JSON.stringify(body.errors));
          if (r.status === 200 && body.data?.person) {
            disclosed.push(requestId);
            lastOk = Math.max(lastOk, started); // a request begun after the fault was answered
          }
        } catch {
          socketErrors += 1;
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);

    /**
     * Waits until a request begun after `since` (when the fault was dealt) has disclosed data;
     * returns how long after `since` that request began.
     */
    const backWithin = async (since: number) => {
      while (lastOk <= since) {
        if (Date.now() - since > 15_000) return Infinity;
        await sleep(50);
      }
      return lastOk - since;
    };

    await sleep(1_000); // steady load
    const killer = await ownerClient();
    await killer.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'dtks_gateway'",
    );
    await killer.end();
    expect(await backWithin(Date.now())).toBeLessThan(10_000);

    // pg_ctl stop -m immediate (SIGQUIT), then kill -9; timed from when the postmaster is gone.
    for (const signal of ['SIGQUIT', 'SIGKILL'] as const) {
      const pid = await postmasterPid();
      process.kill(pid, signal);
      while (alive(pid)) await sleep(10);
      expect(await backWithin(Date.now()), signal).toBeLessThan(10_000);
    }
    await sleep(500);
    stop = true;
    await Promise.all(workers);

    expect(exits).toBe(0);
    expect(socketErrors).toBe(0);
    expect(okWithErrors).toEqual([]);
    expect(
      [...statuses.keys()].every((s) => s === 200 || s === 503),
      JSON.stringify([...statuses]),
    ).toBe(true);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0); // the faults were seen
    expect(stderr).toMatch(/the embedded PostgreSQL stopped unexpectedly; restarting it/);
    expect(stderr).toMatch(/the embedded PostgreSQL was restarted/);

    // Every answer that carried data has its committed audit event, and the chain verifies.
    const check = await ownerClient();
    const { rows } = await check.query<{ request_id: string }>(
      "SELECT request_id FROM audit_event WHERE request_id = ANY($1) AND outcome = 'DISCLOSED'",
      [disclosed],
    );
    expect(new Set(rows.map((r) => r.request_id)).size).toBe(disclosed.length);
    await check.end();
    const verifier = new pg.Pool({ connectionString: await ownerUrl(), max: 1 });
    try {
      expect(
        await verifyAuditChain(verifier, { publicKeys: await publicKeysOf(dir) }),
      ).toMatchObject({ ok: true });
    } finally {
      await verifier.end();
    }
  });

  it('stops cleanly on SIGTERM to its pid afterwards, leaving no PostgreSQL behind', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(readFile(path.join(dir, 'embedded.json'))).rejects.toThrow(/ENOENT/);
    await expect(readFile(path.join(dir, 'pg', 'postmaster.pid'))).rejects.toThrow(/ENOENT/);
  });
});
