import { readFile, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import { saveClient } from '../db/queries/client-queries.js';
import { generateClientSecret, hashClientSecret } from './client-secret.js';
import { DEMO_CLIENTS, type DemoClient } from './demo-agreements.js';

/** Where `serve --demo` writes the demo clients' secrets (mode 0600). */
export function demoSecretsPath(dataDir: string): string {
  return path.join(dataDir, 'demo-clients.json');
}

/**
 * Makes sure every demo client of CONTRACT §7 exists exactly as specified (re-saving resets its
 * agreement and un-revokes it) and writes the secrets to `demo-clients.json`. Secrets already in
 * that file are kept, so restarting the demo does not break scripts that read them once.
 */
export async function ensureDemoClients(
  db: Kysely<Database>,
  dataDir: string,
): Promise<Record<string, string>> {
  const file = demoSecretsPath(dataDir);
  let known: Record<string, string> = {};
  try {
    known = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch {
    // first start, or unreadable: new secrets
  }
  const secrets: Record<string, string> = {};
  for (const demo of DEMO_CLIENTS) {
    const secret =
      typeof known[demo.clientId] === 'string' ? known[demo.clientId]! : generateClientSecret();
    await saveClient(db, registration(demo, await hashClientSecret(secret)));
    secrets[demo.clientId] = secret;
  }
  await writeFile(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return secrets;
}

export function registration(demo: DemoClient, secretHash: string) {
  return {
    clientId: demo.clientId,
    agency: demo.agency,
    secretHash,
    agreement: {
      title: demo.title,
      scopes: demo.scopes,
      programs: demo.programs,
      purposes: demo.purposes,
      regionScope: demo.regionScope,
      fieldPolicy: demo.fieldPolicy,
      detailedReasons: demo.detailedReasons,
      batchLimit: 10_000,
      dailyQuota: 1_000_000,
      rateLimitPerMinute: 6_000,
      privacyBudget: demo.privacyBudget,
      validUntil: null,
    },
  };
}
