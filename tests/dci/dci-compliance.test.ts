import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDemoProcess, type DemoProcess } from '../support/demo-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/*
 * The public DCI compliance suite (OpenSPP/spdci-compliance, ../shared/conformance; Apache 2.0),
 * Social Registry profile, with its callback receiver and the signature check on, against a demo
 * gateway started as a user starts it (issue #15). The suite is installed from the shared copy
 * into a scratch folder (npm ci, from the registry) and run as its SOURCE.md says. Every
 * scenario must pass: none is skipped, and a missing suite is a failure, not a skip.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SUITE_CANDIDATES = [
  process.env.DCI_COMPLIANCE_SUITE,
  path.join(REPO, '..', 'shared', 'conformance', 'spdci-compliance'),
  '/work/shared/conformance/spdci-compliance',
].filter((p): p is string => typeof p === 'string' && p !== '');

let db: TestDatabase;
let demo: DemoProcess | undefined;
let scratch: string;

function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

beforeAll(async () => {
  const suite = SUITE_CANDIDATES.find((p) => existsSync(path.join(p, 'package.json')));
  if (!suite) {
    throw new Error(
      `the DCI compliance suite is not found (looked in ${SUITE_CANDIDATES.join(', ')}); ` +
        'set DCI_COMPLIANCE_SUITE to its folder',
    );
  }
  scratch = await mkdtemp(path.join(os.tmpdir(), 'dtks-spdci-'));
  await cp(suite, scratch, {
    recursive: true,
    filter: (source) => !source.includes(`${path.sep}node_modules`),
  });
  db = await createTestDatabase();
  // The install and the demo's start overlap: both take a while.
  const [install, started] = await Promise.all([
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: scratch }),
    startDemoProcess(db),
  ]);
  demo = started;
  if (install.code !== 0) throw new Error(`npm ci of the suite failed:\n${install.output}`);
}, 300_000);

afterAll(async () => {
  await demo?.stop();
  await db?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface CucumberFeature {
  elements?: Array<{
    name: string;
    type: string;
    steps: Array<{
      keyword: string;
      name?: string;
      result: { status: string; error_message?: string };
    }>;
  }>;
}

describe('DCI compliance suite, Social Registry profile', () => {
  it('passes every scenario, with callbacks and the signature check', async () => {
    const callbackPort = await freePort();
    const registered = await demo!.run([
      'clients',
      'dci',
      'pemda-3201',
      '--callback-url',
      `http://127.0.0.1:${callbackPort}/`,
    ]);
    expect(registered.code, registered.stderr).toBe(0);
    const token = await demo!.run(['token', '--client', 'pemda-3201']);
    expect(token.code, token.stderr).toBe(0);
    const bearer = token.stdout.trim().split('\n').at(-1)!;

    const report = path.join(scratch, 'results', 'report.json');
    const suite = await run(
      'npx',
      [
        'cucumber-js',
        '--tags',
        '@profile=sr-registry',
        '--format',
        `json:${report}`,
        '--format',
        'summary',
      ],
      {
        cwd: scratch,
        env: {
          ...process.env,
          API_BASE_URL: `http://127.0.0.1:${demo!.port}/dci/`,
          DOMAIN: 'social',
          DCI_AUTH_TOKEN: bearer,
          CALLBACK_SERVER_ENABLED: 'true',
          CALLBACK_SERVER_PORT: String(callbackPort),
          DCI_SIGNATURE_VALIDATION_ENABLED: 'true',
          CALLBACK_WAIT_MS: '30000',
          QUIET_LOGS: 'true',
        },
      },
    );
    const features = JSON.parse(await readFile(report, 'utf8')) as CucumberFeature[];
    const scenarios = features
      .flatMap((f) => f.elements ?? [])
      .filter((e) => e.type === 'scenario');
    const notPassed = scenarios.flatMap((s) =>
      s.steps
        .filter((step) => step.result.status !== 'passed')
        .map(
          (step) =>
            `${s.name}: ${step.keyword}${step.name ?? ''} — ${step.result.status} ${step.result.error_message?.slice(0, 400) ?? ''}`,
        ),
    );
    expect(notPassed, suite.output.slice(-3000)).toEqual([]);
    // The profile at the shared commit has 28 scenarios (none may silently drop out).
    expect(scenarios.length).toBeGreaterThanOrEqual(28);
    expect(suite.code, suite.output.slice(-3000)).toBe(0);
  }, 240_000);
});
