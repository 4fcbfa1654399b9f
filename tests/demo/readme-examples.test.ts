import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSamples } from '../../src/commands/demo.command.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import {
  conventionProblems,
  fencedBlocks,
  readmeExamples,
  type GraphQLExample,
  type ShellExample,
} from '../support/readme-examples.js';
import { startDemoProcess, type DemoProcess } from '../support/demo-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * README.md's examples, run as written against a real demo: `serve --demo` started as a user
 * starts it (the CLI, the default demo size, DATABASE_URL and a data folder that does not exist
 * yet), every GraphQL example sent as the demo client its marker names, with the variables
 * `demo samples` gives that client, and the shell examples run by bash with `./bin/dtks-gateway`
 * the command. The conventions are in tests/support/readme-examples.ts.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const README = await readFile(path.join(REPO, 'README.md'), 'utf8');
const BLOCKS = fencedBlocks(README);

let db: TestDatabase;
let demo: DemoProcess;
let cwd: string;
let port: number;
let banner = '';
let secrets: Record<string, string> = {};
let variables: Record<string, Record<string, unknown>> = {};
/** The shell examples, started once the gateway is up, in parallel with the GraphQL ones. */
let shellRuns: Promise<Array<{ example: ShellExample; result: ShellResult }>>;

interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

beforeAll(async () => {
  db = await createTestDatabase();
  demo = await startDemoProcess(db);
  ({ cwd, port } = demo);
  banner = demo.banner();
  secrets = JSON.parse(await readFile(path.join(cwd, '.dtks', 'demo-clients.json'), 'utf8'));
  const samples = await collectSamples(db);
  variables = Object.fromEntries(samples.map((s) => [s.client.clientId, s.variables]));
  const shells = readmeExamples(BLOCKS).filter((e): e is ShellExample => e.kind === 'shell');
  shellRuns = Promise.all(shells.map(async (example) => ({ example, result: await sh(example) })));
  shellRuns.catch(() => undefined); // awaited by its test
}, 120_000);

afterAll(async () => {
  await shellRuns?.catch(() => undefined);
  await demo?.stop();
  await db?.close();
});

/** Runs a shell example as written, in the demo's folder, against the test gateway's port. */
function sh(example: ShellExample): Promise<ShellResult> {
  const script = example.script.replaceAll('localhost:4000', `localhost:${port}`);
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env: demo.env() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const tokens = new Map<string, string>();
/** A token from /oauth/token with the secret of demo-clients.json, as a partner gets one. */
async function tokenOf(clientId: string): Promise<string> {
  if (!tokens.has(clientId)) {
    const r = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secrets[clientId]!,
      }).toString(),
    });
    expect(r.status, `token for ${clientId}`).toBe(200);
    tokens.set(clientId, ((await r.json()) as { access_token: string }).access_token);
  }
  return tokens.get(clientId)!;
}

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: unknown[] };
}

async function send(
  clientId: string,
  query: string,
  vars: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const r = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await tokenOf(clientId)}`,
      ...headers,
    },
    body: JSON.stringify({ query, variables: vars }),
  });
  return { status: r.status, body: (await r.json()) as Answer['body'] };
}

/** A DCI answer (an `on-search` envelope): accepted, and every search found something. */
function expectDciAnswered(answer: Record<string, unknown>, label: string): void {
  const { header, message } = answer as {
    header: { status: string };
    message: { search_response: Array<{ status: string; data?: { reg_records: unknown[] } }> };
  };
  expect(header.status, `${label}: ${JSON.stringify(header)}`).toBe('succ');
  expect(message.search_response.length, label).toBeGreaterThan(0);
  for (const search of message.search_response) {
    expect(search.status, `${label}: ${JSON.stringify(search)}`).toBe('succ');
    expect(search.data?.reg_records.length, `${label}: no record`).toBeGreaterThan(0);
  }
}

/** Data, no error, and something in every root field (no null lookup, no empty list). */
function expectAnswered(answer: Answer, label: string, emptyAllowed = false): void {
  expect(answer.body.errors, `${label}: ${JSON.stringify(answer.body.errors)}`).toBeUndefined();
  expect(answer.status, label).toBe(200);
  expect(answer.body.data, label).toBeTruthy();
  for (const [field, value] of Object.entries(answer.body.data!)) {
    expect(value, `${label}: ${field}`).not.toBeNull();
    const list = Array.isArray(value)
      ? value
      : ((value as { edges?: unknown[]; cells?: unknown[] }).edges ??
        (value as { cells?: unknown[] }).cells);
    if (list && !emptyAllowed)
      expect(list.length, `${label}: ${field} is empty`).toBeGreaterThan(0);
  }
}

describe('README examples', () => {
  it('marks every GraphQL block and every request as an example, one operation per block', () => {
    expect(conventionProblems(BLOCKS)).toEqual([]);
    const examples = readmeExamples(BLOCKS);
    expect(examples.filter((e) => e.kind === 'graphql').length).toBeGreaterThanOrEqual(14);
    expect(examples.filter((e) => e.kind === 'shell').length).toBeGreaterThanOrEqual(4);
  });

  it('serve --demo creates the missing data folder and writes the secrets before serving', async () => {
    expect((await stat(path.join(cwd, '.dtks'))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(cwd, '.dtks', 'demo-clients.json'))).mode & 0o777).toBe(0o600);
    expect(Object.keys(secrets)).toHaveLength(DEMO_CLIENTS.length);
  });

  it('prints a start banner with the address it listens on', () => {
    expect(banner).toContain(`listening on 0.0.0.0:${port} (every network interface`);
    expect(banner).toContain(`GraphQL: http://localhost:${port}/graphql`);
    expect(banner).not.toContain('127.0.0.1');
    // The banner's example is the README's quick start.
    const quickStart = BLOCKS.find((b) => b.marker?.shell)!.text;
    const tried = banner.slice(banner.indexOf('Try (in another terminal')).split('\n').slice(1);
    const example = tried.map((l) => l.trim()).filter(Boolean);
    expect(example.join('\n')).toBe(
      quickStart
        .split('\n')
        .map((l) => l.trim())
        .join('\n')
        .replaceAll('localhost:4000', `http://localhost:${port}`),
    );
  });

  it('answers every GraphQL example with data and no error', async () => {
    const answers = new Map<string, Answer>();
    for (const example of readmeExamples(BLOCKS)) {
      if (example.kind !== 'graphql') continue;
      const e: GraphQLExample = example;
      const label = `README.md:${e.line} (${e.name ?? 'anonymous'} as ${e.client})`;
      const vars: Record<string, unknown> = { ...variables[e.client], ...e.variables };
      if (e.idFrom) {
        const earlier = answers.get(e.idFrom);
        expect(earlier, `${label}: ${e.idFrom} ran before`).toBeDefined();
        const root = Object.values(earlier!.body.data!)[0] as {
          id?: string;
          edges?: Array<{ node: { id: string } }>;
        };
        vars.id = root.id ?? root.edges![0]!.node.id;
      }
      const headers: Record<string, string> = {};
      if (e.purpose) headers['x-purpose'] = e.purpose;
      if (e.officer) headers['x-officer-id'] = e.officer;
      const answer = await send(e.client, e.query, vars, headers);
      expectAnswered(answer, label, e.empty !== null);
      if (e.name) answers.set(e.name, answer);
    }
  });

  it('runs the shell examples as written', async () => {
    for (const { example, result } of await shellRuns) {
      const label = `README.md:${example.line}`;
      expect(result.code, `${label} exited ${result.code}: ${result.stderr}`).toBe(0);
      const answers = result.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(answers.length, `${label} printed no answer: ${result.stdout}`).toBeGreaterThan(0);
      for (const a of answers) {
        if ('access_token' in a) expect(a.token_type).toBe('Bearer');
        else if ('report' in a) {
          // A person's report downloaded by a data subjects' service (POST /subject/report).
          expect(a.report, label).toMatchObject({ registered: true });
          expect((a.report as { decisions: unknown[] }).decisions.length, label).toBeGreaterThan(0);
        } else if ('header' in a && 'message' in a) expectDciAnswered(a, label);
        else if ((a.message as { ack_status?: string } | undefined)?.ack_status !== undefined) {
          // An asynchronous DCI request: ACK, then the example prints the callback it got.
          expect(a.message, label).toMatchObject({ ack_status: 'ACK' });
          expect(result.stdout, `${label}: no callback`).toMatch(/^on-[a-z-]+ (succ|[1-9]\d*)$/m);
        } else expectAnswered({ status: 200, body: a as Answer['body'] }, label);
      }
    }
    // The examples run side by side from the start; each spawns the CLI a few times (about 30 s
    // in all on an idle 2-core machine, more when other test files share it).
  }, 150_000);

  it('demo samples names ids that the demo answers as it says', async () => {
    const pbi = variables['kemenkes-pbi'] as { nik: string; notEligibleNik: string };
    const check = (program: string) =>
      `query($a: NIK!, $b: NIK!) { a: eligibility(nik: $a, program: ${program}) { eligible reason }
                                   b: eligibility(nik: $b, program: ${program}) { eligible reason } }`;
    const decided = async (client: string, purpose: string, program: string) => {
      const v = variables[client] as { nik: string; notEligibleNik: string };
      const r = await send(
        client,
        check(program),
        { a: v.nik, b: v.notEligibleNik },
        {
          'x-purpose': purpose,
        },
      );
      expectAnswered(r, client);
      type Decision = { eligible: boolean; reason: string };
      return r.body.data as { a: Decision; b: Decision };
    };
    expect(await decided('kemenkes-pbi', 'PBI_JK_VERIFICATION', 'PBI_JK')).toEqual({
      a: { eligible: true, reason: 'ELIGIBLE' },
      b: { eligible: false, reason: 'ABOVE_DECILE_THRESHOLD' },
    });
    expect(await decided('kemendikdasmen-pip', 'PIP_TARGETING', 'PIP')).toEqual({
      a: { eligible: true, reason: 'ELIGIBLE' },
      b: { eligible: false, reason: 'NOT_ELIGIBLE' },
    });
    for (const program of ['PKH', 'BPNT']) {
      expect(await decided('kemensos-bansos', 'BANSOS_DISTRIBUTION', program)).toEqual({
        a: { eligible: true, reason: 'ELIGIBLE' },
        b: { eligible: false, reason: 'ABOVE_DECILE_THRESHOLD' },
      });
    }
    expect(variables['kemenkes-pbi']!.niks).toEqual([
      pbi.nik,
      pbi.notEligibleNik,
      expect.stringMatching(/^\d{16}$/),
    ]);

    for (const [client, region] of [
      ['pemda-3201', '3201'],
      ['pemda-3171', '3171'],
    ] as const) {
      const v = variables[client] as Record<string, string>;
      const r = await send(
        client,
        `query($nik: NIK!, $householdId: ID!, $regionCode: RegionCode!) {
           person(nik: $nik) { relationship status household { id } }
           household(id: $householdId) { regionCode members { nik status } }
           households(filter: { regionCode: $regionCode }, first: 1) { totalCount } }`,
        v,
        { 'x-purpose': 'VERIVALI' },
      );
      expectAnswered(r, client);
      const data = r.body.data as {
        person: { relationship: string; status: string; household: { id: string } };
        household: { regionCode: string; members: Array<{ nik: string; status: string }> };
        households: { totalCount: number };
      };
      expect(data.person).toEqual({
        relationship: 'HEAD',
        status: 'ACTIVE',
        household: { id: v.householdId },
      });
      expect(data.household.regionCode.startsWith(region)).toBe(true);
      const masked = `${v.memberNik!.slice(0, 6)}******${v.memberNik!.slice(-4)}`;
      expect(data.household.members).toContainEqual({ nik: masked, status: 'ACTIVE' });
      expect(v.regionCode).toMatch(new RegExp(`^${region}\\d{2}$`));
      expect(data.households.totalCount).toBeGreaterThan(0);
      expect(v.visitedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(variables['gateway-admin']).toEqual({ nik: variables['pemda-3201']!.nik });
    expect(variables['bps-researcher']).toEqual({});
  });
});
