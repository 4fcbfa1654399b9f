import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { WORK } from '../support/bench-env.js';

/**
 * PostGraphile 4 as the benchmark's peer: installed into a scratch folder under the work folder
 * (never a dependency of the gateway's package.json), with the connection-filter plugin, which
 * the work list's prefix and date filters need (PostGraphile's own `condition` only tests
 * equality).
 */
export const POSTGRAPHILE_DIR = path.join(WORK, 'peers-postgraphile');
const PACKAGES = ['postgraphile@4', 'postgraphile-plugin-connection-filter@2'];

export interface PostGraphileInstall {
  dir: string;
  postgraphile: string;
  connectionFilter: string;
}

function installedVersion(name: string): string | null {
  const file = path.join(POSTGRAPHILE_DIR, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Installs the peer once (`npm install --no-save --prefix <scratch> …`); later runs reuse it. */
export async function ensurePostGraphile(): Promise<PostGraphileInstall> {
  let postgraphile = installedVersion('postgraphile');
  let connectionFilter = installedVersion('postgraphile-plugin-connection-filter');
  if (!postgraphile?.startsWith('4.') || !connectionFilter?.startsWith('2.')) {
    await mkdir(POSTGRAPHILE_DIR, { recursive: true });
    console.log(`installing ${PACKAGES.join(', ')} into ${POSTGRAPHILE_DIR}`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    await promisify(execFile)(
      npm,
      [
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--prefix',
        POSTGRAPHILE_DIR,
        ...PACKAGES,
      ],
      { cwd: POSTGRAPHILE_DIR },
    );
    postgraphile = installedVersion('postgraphile');
    connectionFilter = installedVersion('postgraphile-plugin-connection-filter');
  }
  if (!postgraphile || !connectionFilter) {
    throw new Error(`PostGraphile did not install into ${POSTGRAPHILE_DIR}`);
  }
  return { dir: POSTGRAPHILE_DIR, postgraphile, connectionFilter };
}

interface TypeInfo {
  fields?: Array<{ name: string; type: { name: string | null; ofType: { name: string } | null } }>;
  inputFields?: Array<{ name: string }>;
  enumValues?: Array<{ name: string }>;
}

/** What the benchmark's queries need of the generated schema: type → fields. */
const NEEDED: Record<string, string[]> = {
  Query: ['memberByNik', 'allHouseholds'],
  Household: ['householdId', 'address', 'decile', 'membersByHouseholdId'],
  Member: ['nik', 'name', 'birthDate', 'programRecipientsByNik'],
  ProgramRecipient: ['program'],
  HouseholdFilter: ['regionCode', 'verifiedAt', 'or'],
  HouseholdsOrderBy: ['VERIFIED_AT_ASC', 'HOUSEHOLD_ID_ASC'],
};

/**
 * Introspects the running peer once and checks that the generated names the queries use exist
 * (rather than trusting a guess); returns the relevant part of the schema, printed and kept with
 * the results.
 */
export async function introspectPeer(port: number): Promise<Record<string, string[]>> {
  const aliases = Object.keys(NEEDED)
    .map(
      (name) =>
        `${name}: __type(name: "${name}") { fields { name type { name ofType { name } } } inputFields { name } enumValues { name } }`,
    )
    .join(' ');
  // The schema is built on the first request; allow it a while.
  let body: { data?: Record<string, TypeInfo | null>; errors?: unknown[] } = {};
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ ${aliases} }` }),
      });
      body = (await response.json()) as typeof body;
      if (body.data) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!body.data) throw new Error(`PostGraphile introspection failed: ${JSON.stringify(body)}`);
  const found: Record<string, string[]> = {};
  for (const [name, wanted] of Object.entries(NEEDED)) {
    const type = body.data[name];
    const names = [
      ...(type?.fields ?? []).map((f) => `${f.name}: ${f.type.name ?? f.type.ofType?.name}`),
      ...(type?.inputFields ?? []).map((f) => f.name),
      ...(type?.enumValues ?? []).map((v) => v.name),
    ];
    const missing = wanted.filter((w) => !names.some((n) => n === w || n.startsWith(`${w}:`)));
    if (missing.length > 0) {
      throw new Error(`PostGraphile's schema has no ${name}.${missing.join(', ')}`);
    }
    found[name] = names.filter((n) => wanted.some((w) => n === w || n.startsWith(`${w}:`)));
  }
  return found;
}
