import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import { DEFAULT_LEGAL_BASIS } from '../auth/agreement.js';
import type { Database } from '../db/database-types.js';
import {
  findClientPolicy,
  saveClient,
  type ClientPolicy,
  type ClientRegistration,
} from '../db/queries/client-queries.js';
import {
  generateClientSecret,
  hashClientSecret,
  verifyClientSecret,
} from '../auth/client-secret.js';
import { DEMO_CLIENTS, DEMO_LEGAL_BASIS, type DemoClient } from './demo-agreements.js';

/** Where `serve --demo` writes the demo clients' secrets (mode 0600). */
export function demoSecretsPath(dataDir: string): string {
  return path.join(dataDir, 'demo-clients.json');
}

/**
 * Makes sure every demo client of CONTRACT §7 exists exactly as specified and writes the secrets
 * to `demo-clients.json`. Secrets already in that file are kept, so restarting the demo does not
 * break scripts that read them once.
 *
 * The secrets file is written first (created with its folder when missing, atomically, mode
 * 0600): a secret whose hash is in the database can always be read back. Then only what differs
 * is saved: a demo client whose stored hash verifies against the secret of the file and whose
 * agency and agreement are the demo definition is left alone, so its tokens stay valid (saving
 * changes the credentials and voids every token issued before). A revoked, changed or missing
 * demo client is saved again (un-revoked).
 */
export async function ensureDemoClients(
  db: Kysely<Database>,
  dataDir: string,
): Promise<Record<string, string>> {
  const file = demoSecretsPath(dataDir);
  let known: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null) known = parsed as Record<string, unknown>;
  } catch {
    // first start, or unreadable: new secrets
  }
  const secrets: Record<string, string> = {};
  for (const demo of DEMO_CLIENTS) {
    const kept = known[demo.clientId];
    secrets[demo.clientId] =
      typeof kept === 'string' && kept !== '' ? kept : generateClientSecret();
  }
  await writeSecretsFile(dataDir, file, secrets);
  // One slow hash per client either way (verify, and hash when stale); the thread pool runs
  // them together. The saves, each its own transaction and notification, follow one by one.
  const stale = await Promise.all(
    DEMO_CLIENTS.map(async (demo) => {
      const secret = secrets[demo.clientId]!;
      if (await isCurrent(db, demo, secret)) return null;
      return registration(demo, await hashClientSecret(secret));
    }),
  );
  for (const client of stale) if (client !== null) await saveClient(db, client);
  return secrets;
}

/**
 * Writes the secrets to a temporary file in the same folder (created 0700 when missing, as the
 * key folder is) and renames it over `file`: a reader sees the old file or the new one, never a
 * partial one, and the file is 0600 from its first byte.
 */
async function writeSecretsFile(
  dataDir: string,
  file: string,
  secrets: Record<string, string>,
): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Whether the stored client is active, has `secret` and exactly the demo agency and agreement. */
async function isCurrent(db: Kysely<Database>, demo: DemoClient, secret: string): Promise<boolean> {
  const [policy, stored] = await Promise.all([
    findClientPolicy(db, demo.clientId),
    db
      .selectFrom('client')
      .select('secret_hash')
      .where('id', '=', demo.clientId)
      .executeTakeFirst(),
  ]);
  if (!policy || !stored || !matchesDefinition(policy, registration(demo, ''))) return false;
  return verifyClientSecret(secret, stored.secret_hash);
}

function matchesDefinition(policy: ClientPolicy, wanted: ClientRegistration): boolean {
  const a = policy.agreement;
  const w = wanted.agreement;
  const sameSet = (x: readonly string[], y: readonly string[]) =>
    isDeepStrictEqual([...x].sort(), [...y].sort());
  return (
    policy.revokedAt === null &&
    a.revokedAt === null &&
    a.id === `${wanted.clientId}-pks` &&
    a.validFrom <= new Date() &&
    a.validUntil === w.validUntil &&
    isDeepStrictEqual(policy.agency, wanted.agency) &&
    a.title === w.title &&
    sameSet(a.scopes, w.scopes) &&
    sameSet(a.programs, w.programs) &&
    sameSet(a.purposes, w.purposes) &&
    sameSet(a.regionScope, w.regionScope) &&
    // jsonb keeps its own key order: compare as values, not as text.
    isDeepStrictEqual(a.fieldPolicy, JSON.parse(JSON.stringify(w.fieldPolicy))) &&
    a.detailedReasons === w.detailedReasons &&
    a.batchLimit === w.batchLimit &&
    a.dailyQuota === w.dailyQuota &&
    a.rateLimitPerMinute === w.rateLimitPerMinute &&
    a.privacyBudget === w.privacyBudget &&
    a.trustedDocumentsOnly === w.trustedDocumentsOnly &&
    a.followCheckedDays === w.followCheckedDays &&
    a.verifiesSubjectIdentity === w.verifiesSubjectIdentity &&
    isDeepStrictEqual(a.purposeLegalBasis, w.purposeLegalBasis) &&
    sameSet(a.documentApps, w.documentApps)
  );
}

export function registration(demo: DemoClient, secretHash: string): ClientRegistration {
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
      trustedDocumentsOnly: demo.trustedDocumentsOnly ?? false,
      documentApps: demo.documentApps ?? [],
      followCheckedDays: null,
      verifiesSubjectIdentity: demo.verifiesSubjectIdentity ?? false,
      purposeLegalBasis: Object.fromEntries(
        demo.purposes.map((purpose) => [purpose, DEMO_LEGAL_BASIS[purpose] ?? DEFAULT_LEGAL_BASIS]),
      ),
    },
  };
}
