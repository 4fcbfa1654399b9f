import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerClients } from '../../src/commands/clients.command.js';
import { DOCUMENTS_LIST_HEADER, registerDocuments } from '../../src/commands/documents.command.js';
import { DASHBOARD_MANIFEST } from '../../src/demo/demo-documents.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { runInProcess, type CliResult } from '../support/cli-in-process.js';

/**
 * `dtks-gateway documents publish / list` (CONTRACT §10) as an operator runs them, and the
 * trusted-documents options of `clients create` / `clients list`.
 */

let db: TestDatabase;
let dir: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-documents-'));
  Object.assign(process.env, { DATABASE_URL: db.url, DTKS_DATA_DIR: dir, LOG_LEVEL: 'silent' });
});
afterAll(async () => {
  process.env = savedEnv;
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `documents …` and `clients …` in this process (tests/support/cli-in-process.ts). */
const inProcess = (args: string[]) =>
  runInProcess(
    (program) => {
      registerDocuments(program);
      registerClients(program);
    },
    args,
    { positionalOptions: true },
  );

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const A = 'query A { snapshot { asOf } }';
const B = 'query B($q: StatisticsQuery!) { statistics(query: $q) { method } }';

async function manifestFile(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

async function published(app: string): Promise<Array<{ version: string; id: string }>> {
  const { rows } = await db.pool.query<{ version: string; id: string }>(
    'SELECT version, id FROM persisted_document WHERE app = $1 ORDER BY version, id',
    [app],
  );
  return rows;
}

describe('documents publish', () => {
  it('publishes a manifest in the client preset form, once; the same again changes nothing', async () => {
    const file = await manifestFile('m1.json', {
      [`sha256:${sha256(A)}`]: A,
      [`sha256:${sha256(B)}`]: B,
    });
    const args = ['documents', 'publish', '--app', 'uji-app', '--version', '1.0.0', file];
    expect(await inProcess(args)).toEqual({
      code: 0,
      stdout: 'published 2 documents as uji-app@1.0.0\n',
      stderr: '',
    });
    expect(await published('uji-app')).toEqual(
      [sha256(A), sha256(B)].sort().map((h) => ({ version: '1.0.0', id: `sha256:${h}` })),
    );
    expect(await inProcess(args)).toEqual({
      code: 0,
      stdout: 'uji-app@1.0.0 is already published with these 2 documents; nothing changed\n',
      stderr: '',
    });
  });

  it('accepts ids without the sha256: prefix, as older presets wrote them', async () => {
    const file = await manifestFile('m2.json', { [sha256(A)]: A });
    const r = await inProcess([
      'documents',
      'publish',
      '--app',
      'uji-app',
      '--version',
      '1.1.0',
      file,
    ]);
    expect(r.code).toBe(0);
    expect((await published('uji-app')).filter((p) => p.version === '1.1.0')).toEqual([
      { version: '1.1.0', id: `sha256:${sha256(A)}` },
    ]);
  });

  it('refuses other documents under a published version, with one line and exit 1', async () => {
    const file = await manifestFile('m3.json', { [`sha256:${sha256(A)}`]: A });
    const r = await inProcess([
      'documents',
      'publish',
      '--app',
      'uji-app',
      '--version',
      '1.0.0',
      file,
    ]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'dtks-gateway documents publish: uji-app@1.0.0 is already published with other documents; publish a new version\n',
    });
    expect((await published('uji-app')).filter((p) => p.version === '1.0.0')).toHaveLength(2);
  });

  it('refuses a whole manifest with a wrong hash, naming the bad id, and publishes nothing of it', async () => {
    const wrong = `sha256:${sha256('something else')}`;
    const file = await manifestFile('m4.json', { [`sha256:${sha256(A)}`]: A, [wrong]: B });
    const r = await inProcess([
      'documents',
      'publish',
      '--app',
      'uji-bad',
      '--version',
      '1.0.0',
      file,
    ]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `dtks-gateway documents publish: document ${wrong} is not the SHA-256 of its text; nothing was published\n`,
    });
    expect(await published('uji-bad')).toEqual([]);
  });

  it('refuses what is not a manifest of GraphQL documents, and bad names, with one line', async () => {
    const notGraphQL = 'not graphql at all';
    const cases: Array<[unknown, RegExp]> = [
      ['{ not json', /the manifest is not JSON$/],
      [[A], /the manifest is not a JSON object of id → document$/],
      [{}, /the manifest holds no document$/],
      [{ 'sha256:abc': A }, /"sha256:abc" is not a SHA-256 document id$/],
      [{ [`sha256:${sha256(notGraphQL)}`]: notGraphQL }, /is not a GraphQL operation document$/],
      [{ [`sha256:${sha256('1')}`]: 1 }, /is not a string$/],
    ];
    for (const [i, [content, reason]] of cases.entries()) {
      const file = await manifestFile(`bad-${i}.json`, content);
      const r = await inProcess([
        'documents',
        'publish',
        '--app',
        'uji-bad',
        '--version',
        '2',
        file,
      ]);
      expect(r.code, String(reason)).toBe(1);
      expect(r.stdout, String(reason)).toBe('');
      expect(r.stderr.trimEnd().split('\n'), String(reason)).toHaveLength(1);
      expect(r.stderr.trimEnd(), String(reason)).toMatch(reason);
      // Never the text of a document.
      expect(r.stderr).not.toContain('snapshot');
    }
    const missing = await inProcess([
      'documents',
      'publish',
      '--app',
      'uji-bad',
      '--version',
      '2',
      path.join(dir, 'none.json'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^dtks-gateway documents publish: cannot read .*none\.json: ENOENT\n$/,
    );
    for (const [app, version] of [
      ['Upper', '1'],
      ['ok-app', 'has space'],
    ]) {
      const r = await inProcess([
        'documents',
        'publish',
        '--app',
        app!,
        '--version',
        version!,
        'x',
      ]);
      expect(r.code, `${app} ${version}`).toBe(1);
      expect(r.stderr, `${app} ${version}`).toMatch(/argument .* is invalid/);
    }
    expect(await published('uji-bad')).toEqual([]);
  });
});

describe('documents list', () => {
  it('prints a header, then one tab-separated row per application version', async () => {
    const r = await inProcess(['documents', 'list']);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header!.split('\t')).toEqual([...DOCUMENTS_LIST_HEADER]);
    const cells = rows.map((row) => row.split('\t'));
    expect(cells.map((c) => c.slice(0, 3))).toEqual([
      ['uji-app', '1.0.0', '2'],
      ['uji-app', '1.1.0', '1'],
    ]);
    for (const c of cells) expect(new Date(c[3]!).toISOString()).toBe(c[3]);
    const only = await inProcess(['documents', 'list', '--app', 'none']);
    expect(only.stdout).toBe(`${DOCUMENTS_LIST_HEADER.join('\t')}\n`);
  });
});

describe('the dtks-gateway command', () => {
  it('publishes the dashboard manifest codegen wrote (documents publish --version is the command’s)', async () => {
    const r = await new Promise<CliResult>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli.ts',
          'documents',
          'publish',
          '--app',
          'dtks-dashboard',
          '--version',
          '0.0.1-test',
          DASHBOARD_MANIFEST,
        ],
        { env: { ...process.env, DATABASE_URL: db.url, DTKS_DATA_DIR: dir, LOG_LEVEL: 'warn' } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^published \d+ documents? as dtks-dashboard@0\.0\.1-test\n$/);
    expect((await published('dtks-dashboard')).length).toBeGreaterThan(0);
  });
});

describe('clients create / list: trusted documents', () => {
  const create = (id: string, ...more: string[]) => [
    'clients',
    'create',
    id,
    '--agency-id',
    'dasbor-uji',
    '--agency-name',
    'Dasbor uji',
    '--kind',
    'INTERNAL',
    '--title',
    'PKS dasbor uji',
    '--scopes',
    'statistics:read',
    '--purposes',
    'MONITORING',
    ...more,
  ];

  it('registers a trusted-documents-only client for some applications, and lists it so', async () => {
    const r = await inProcess(
      create('dasbor-uji', '--trusted-documents-only', '--document-apps', 'dtks-dashboard,uji-app'),
    );
    expect(r.code).toBe(0);
    expect(await inProcess(create('dasbor-teks'))).toMatchObject({ code: 0 });
    const { rows } = await db.pool.query(
      `SELECT id, trusted_documents_only, document_apps FROM agreement
        WHERE id IN ('dasbor-uji-pks', 'dasbor-teks-pks') ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'dasbor-teks-pks', trusted_documents_only: false, document_apps: [] },
      {
        id: 'dasbor-uji-pks',
        trusted_documents_only: true,
        document_apps: ['dtks-dashboard', 'uji-app'],
      },
    ]);
    const list = await inProcess(['clients', 'list']);
    const [header, ...lines] = list.stdout.trimEnd().split('\n');
    const columns = header!.split('\t');
    const row = (id: string) => {
      const cells = lines.find((l) => l.startsWith(`${id}\t`))!.split('\t');
      return [cells[columns.indexOf('DOCUMENTS')], cells[columns.indexOf('DOCUMENT_APPS')]];
    };
    expect(row('dasbor-uji')).toEqual(['only', 'dtks-dashboard,uji-app']);
    expect(row('dasbor-teks')).toEqual(['text', '*']);
  });

  it('refuses an application list that is not names', async () => {
    const r = await inProcess(create('dasbor-salah', '--document-apps', 'Not An App'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--document-apps <list>' argument 'Not An App' is invalid/);
  });
});
