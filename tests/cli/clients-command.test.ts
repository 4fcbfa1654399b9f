import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyClientSecret } from '../../src/auth/client-secret.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { demoSecretsPath, ensureDemoClients } from '../../src/demo/demo-clients.js';
import { registerClients } from '../../src/commands/clients.command.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { runInProcess, type CliResult } from '../support/cli-in-process.js';

/**
 * `dtks-gateway clients list / create / revoke` as an operator runs it (spawned from source, against
 * the test database), the demo clients of `serve --demo`, and revocation reaching a running
 * gateway at once, also for tokens issued before.
 */

let db: TestDatabase;
let gateway: TestGateway;
let dir: string;

/** Runs the real command (through tsx) and captures its output and exit code. */
function cli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, DATABASE_URL: db.url, DTKS_DATA_DIR: dir, LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs `clients …` in this process (tests/support/cli-in-process.ts). */
const inProcess = (args: string[]) => runInProcess(registerClients, args, { helpAfterError: true });

const savedEnv = { ...process.env };
beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-clients-'));
  gateway = await startTestGateway(db);
  Object.assign(process.env, { DATABASE_URL: db.url, DTKS_DATA_DIR: dir, LOG_LEVEL: 'silent' });
});
afterAll(async () => {
  process.env = savedEnv;
  await gateway?.close();
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

const ID = 'dinsos-bogor-uji';
const CREATE = [
  'clients',
  'create',
  ID,
  '--agency-id',
  'dinsos-bogor-uji',
  '--agency-name',
  'Dinas Sosial Kabupaten Bogor (uji)',
  '--kind',
  'LOCAL_GOV',
  '--title',
  'PKS verivali uji',
  '--scopes',
  'records:read',
  '--purposes',
  'VERIVALI',
  '--legal-basis',
  'VERIVALI=PUBLIC_TASK',
  '--regions',
  '3201',
  '--field-policy',
  '{"Person":{"nik":"mask","name":"show"}}',
];

/** `args` with the value of `option` replaced. */
function withOption(args: string[], option: string, value: string): string[] {
  const copy = [...args];
  copy[copy.indexOf(option) + 1] = value;
  return copy;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

async function clientRow(id: string) {
  const { rows } = await db.pool.query<{
    secret_hash: string;
    revoked_at: Date | null;
    kind: string;
    agency_name: string;
    scopes: string[];
    purposes: string[];
    region_scope: string[];
    field_policy: unknown;
    purpose_legal_basis: unknown;
  }>(
    `SELECT c.secret_hash, c.revoked_at, g.kind, g.name AS agency_name, a.scopes, a.purposes,
            a.region_scope, a.field_policy, a.purpose_legal_basis
       FROM client c JOIN agency g ON g.id = c.agency_id JOIN agreement a ON a.id = c.agreement_id
      WHERE c.id = $1`,
    [id],
  );
  return rows[0];
}

async function tokenFor(clientId: string, secret: string) {
  const response = await fetch(`${gateway.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
    }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const me = (token: string) =>
  graphql(gateway, '{ me { clientId kind regionScope } }', {
    headers: { authorization: `Bearer ${token}` },
  });

/** Polls until the token is refused; returns the first refusal and how long it took. */
async function refusedWithin(token: string, ms: number) {
  const started = Date.now();
  for (;;) {
    const r = await me(token);
    if (r.status === 401 || Date.now() - started > ms) return { r, ms: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('clients create / list / revoke', () => {
  let secret = '';
  let token = '';

  it('create prints the secret once, on the line after the message, and stores only a slow hash', async () => {
    const r = await cli(CREATE);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`client ${ID} created; its secret (shown once, store it safely):`);
    secret = lines[1]!;
    expect(lines[2]).toBe('');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43,}$/); // ≥ 256 bits, base64url
    expect(occurrences(r.stdout + r.stderr, secret)).toBe(1);

    const row = await clientRow(ID);
    expect(row).toMatchObject({
      revoked_at: null,
      kind: 'LOCAL_GOV',
      agency_name: 'Dinas Sosial Kabupaten Bogor (uji)',
      scopes: ['records:read'],
      purposes: ['VERIVALI'],
      purpose_legal_basis: { VERIVALI: 'PUBLIC_TASK' },
      region_scope: ['3201'],
      field_policy: { Person: { nik: 'mask', name: 'show' } },
    });
    expect(row!.secret_hash).not.toBe(secret);
    expect(row!.secret_hash).not.toContain(secret);
    expect(row!.secret_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(await verifyClientSecret(secret, row!.secret_hash)).toBe(true);
    expect(await verifyClientSecret(`${secret}x`, row!.secret_hash)).toBe(false);

    // The secret is nowhere in the database, in any table.
    const { rows: tables } = await db.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    for (const { table_name } of tables) {
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${table_name}" t WHERE strpos(row_to_json(t)::text, $1) > 0`,
        [secret],
      );
      expect(rows[0]!.n, table_name).toBe(0);
    }
  });

  it('list shows the client as active, with its agreement and without any secret', async () => {
    const r = await cli(['clients', 'list']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const line = r.stdout.split('\n').find((l) => l.startsWith(`${ID}\t`));
    expect(line?.split('\t')).toEqual([
      ID,
      'LOCAL_GOV',
      'Dinas Sosial Kabupaten Bogor (uji)',
      'records:read',
      'VERIVALI',
      '3201',
      'text',
      '*',
      'active',
    ]);
    expect(r.stdout).not.toContain(secret);
    expect(r.stdout).not.toContain('scrypt$');
  });

  it('the printed secret is the one the token endpoint accepts', async () => {
    const issued = await tokenFor(ID, secret);
    expect(issued.status).toBe(200);
    token = String(issued.body.access_token);
    const r = await me(token);
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({
      me: { clientId: ID, kind: 'LOCAL_GOV', regionScope: ['3201'] },
    });
    expect((await tokenFor(ID, `${secret}x`)).status).toBe(401);
  });

  it('revoke takes effect at once on a running gateway, also for a token issued before', async () => {
    expect((await me(token)).status).toBe(200); // the gateway has the client's policy cached
    const r = await cli(['clients', 'revoke', ID]);
    expect(r).toEqual({ code: 0, stdout: `client ${ID} revoked\n`, stderr: '' });
    const refused = await refusedWithin(token, 500);
    expect(refused.r.status, `still accepted ${refused.ms} ms after revoke`).toBe(401);
    expect(refused.r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(refused.r.body.data ?? null).toBeNull();
    expect((await tokenFor(ID, secret)).status).toBe(401);
    expect((await clientRow(ID))!.revoked_at).toBeInstanceOf(Date);
  });

  it('list then shows it revoked; revoking again, or an unknown client, exits 1 with one line', async () => {
    const list = await inProcess(['clients', 'list']);
    const again = await inProcess(['clients', 'revoke', ID]);
    const unknown = await inProcess(['clients', 'revoke', 'no-such-client']);
    expect(list.code).toBe(0);
    const line = list.stdout.split('\n').find((l) => l.startsWith(`${ID}\t`));
    expect(line?.split('\t').at(-1)).toMatch(
      /^revoked \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    );
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: `dtks-gateway clients revoke: no active client ${ID}\n`,
    });
    expect(unknown).toEqual({
      code: 1,
      stdout: '',
      stderr: 'dtks-gateway clients revoke: no active client no-such-client\n',
    });
  });

  it('refuses invalid input with exit 1 and a one-line reason, registering nothing', async () => {
    const { rows: before } = await db.pool.query('SELECT id FROM client ORDER BY id');
    const cases: Array<{ args: string[]; reason: RegExp; oneLine?: boolean }> = [
      {
        args: withOption(CREATE, '--scopes', 'records:read,records:write'),
        reason: /--scopes.*unknown scope records:write/,
      },
      {
        args: withOption(CREATE, '--kind', 'PROVINCE'),
        reason: /--kind.*expected one of MINISTRY/,
      },
      {
        args: withOption(CREATE, '--regions', '3201,32011'),
        reason: /--regions.*region codes of 2, 4, 6 or 10 digits/,
      },
      {
        args: withOption(CREATE, '--field-policy', '{"Person":{"nik":"mask"'),
        reason: /--field-policy.*expected JSON like/,
      },
      {
        args: withOption(CREATE, '--field-policy', '{"Person":{"nik":"hide"}}'),
        reason: /--field-policy.*show, mask or withhold/,
      },
      {
        // A data subjects' service must state that it verifies identity, and only it may.
        args: withOption(CREATE, '--kind', 'SUBJECT_SERVICE'),
        reason: /--verifies-subject-identity goes with --kind SUBJECT_SERVICE/,
      },
      {
        args: [...CREATE, '--verifies-subject-identity'],
        reason: /--verifies-subject-identity goes with --kind SUBJECT_SERVICE/,
      },
      {
        // A legal basis names one of the agreement's purposes and one of the bases of UU PDP.
        args: withOption(CREATE, '--legal-basis', 'RESEARCH=CONSENT'),
        reason: /--legal-basis: RESEARCH is not one of --purposes/,
      },
      {
        args: withOption(CREATE, '--legal-basis', 'VERIVALI=GOOD_REASON'),
        reason: /--legal-basis: GOOD_REASON is not one of CONSENT, CONTRACT/,
      },
      {
        args: withOption(CREATE, '--legal-basis', 'VERIVALI'),
        reason: /--legal-basis: expected PURPOSE=BASIS/,
      },
      {
        args: ['clients', 'create', 'Bad_ID', ...CREATE.slice(3)],
        reason: /^dtks-gateway clients create: client id: lower-case letters, digits and dashes/,
        oneLine: true,
      },
    ];
    for (const c of cases) {
      const r = await inProcess(c.args);
      const label = c.args.join(' ');
      expect(r.code, label).toBe(1);
      expect(r.stdout, label).toBe(''); // no secret printed
      expect(r.stderr.split('\n')[0], label).toMatch(c.reason);
      // Option errors come from commander, which follows its one-line reason with the usage.
      if (c.oneLine) expect(r.stderr.trimEnd().split('\n'), label).toHaveLength(1);
    }
    const { rows: after } = await db.pool.query('SELECT id FROM client ORDER BY id');
    expect(after).toEqual(before);
  });

  // Regression: re-creating a revoked client used to bring back tokens issued before the
  // revocation (tokens were bound only to the client id). Now every change of credentials
  // (create, re-create, revoke) sets credentials_changed_at and older tokens are refused; and
  // `create` refuses to replace an active client without --replace.
  it('keeps a token issued before revoke refused after the id is created again', async () => {
    const recreated = await cli(CREATE);
    expect(recreated.code).toBe(0);
    const newSecret = recreated.stdout.split('\n')[1]!;
    expect(newSecret).not.toBe(secret);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the gateway see the NOTIFY
    const old = await me(token);
    expect(old.status, 'the pre-revocation token works again').toBe(401);
    const again = await cli(CREATE);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; revoke it first or use --replace/);
  });
});

describe('demo clients (serve --demo)', () => {
  it('writes every demo secret to demo-clients.json with mode 0600, storing only hashes', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dtks-demo-'));
    try {
      const secrets = await ensureDemoClients(db.db, dataDir);
      const file = demoSecretsPath(dataDir);
      expect(file).toBe(path.join(dataDir, 'demo-clients.json'));
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const written = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
      expect(written).toEqual(secrets);
      const ids = DEMO_CLIENTS.map((c) => c.clientId).sort();
      expect(ids).toHaveLength(DEMO_CLIENTS.length);
      expect(Object.keys(written).sort()).toEqual(ids);
      expect(new Set(Object.values(written)).size).toBe(DEMO_CLIENTS.length);
      for (const id of ids) {
        const row = await clientRow(id);
        expect(row, id).toBeDefined();
        expect(row!.revoked_at, id).toBeNull();
        expect(row!.secret_hash, id).not.toContain(written[id]!);
        expect(await verifyClientSecret(written[id]!, row!.secret_hash), id).toBe(true);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps the same secrets on a second start, tightens a loose file mode and un-revokes', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dtks-demo-'));
    try {
      const first = await ensureDemoClients(db.db, dataDir);
      const file = demoSecretsPath(dataDir);
      await chmod(file, 0o644);
      await db.pool.query("UPDATE client SET revoked_at = now() WHERE id = 'pemda-3171'");
      const second = await ensureDemoClients(db.db, dataDir);
      expect(second).toEqual(first);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(first);
      const row = await clientRow('pemda-3171');
      expect(row!.revoked_at).toBeNull();
      expect(await verifyClientSecret(first['pemda-3171']!, row!.secret_hash)).toBe(true);
      // The secrets work at the token endpoint of a gateway on the same database.
      expect((await tokenFor('kemenkes-pbi', first['kemenkes-pbi']!)).status).toBe(200);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('makes new secrets when the file is unreadable', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dtks-demo-'));
    try {
      await writeFile(demoSecretsPath(dataDir), 'not json', { mode: 0o600 });
      const secrets = await ensureDemoClients(db.db, dataDir);
      expect(Object.keys(secrets)).toHaveLength(DEMO_CLIENTS.length);
      expect(JSON.parse(await readFile(demoSecretsPath(dataDir), 'utf8'))).toEqual(secrets);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
