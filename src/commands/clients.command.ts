import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import {
  CLIENT_KINDS,
  DEFAULT_LEGAL_BASIS,
  LEGAL_BASES,
  SCOPES,
  type ClientKind,
  type FieldPolicy,
  type LegalBasis,
  type Scope,
} from '../auth/agreement.js';
import { generateClientSecret, hashClientSecret } from '../auth/client-secret.js';
import { CommandError, runCommand, withDatabase } from '../cli/command-runner.js';
import { parseDate, parsePositiveInt } from '../cli/options.js';
import { APP_NAME_PATTERN } from '../db/queries/document-queries.js';
import { loadOrCreateKeyFile } from '../auth/secret-key-file.js';
import { newWebhookSecret } from '../changes/webhook-signature.js';
import { dciClientSettings, saveDciClientSettings } from '../db/queries/dci-queries.js';
import { readDciPublicKey } from '../dci/dci-signature.js';
import { sealSubject, SUBJECT_SEAL_KEY } from '../db/subject-seal.js';
import {
  isActiveClient,
  listClients,
  revokeClient,
  saveClient,
  setAgreementWebhook,
} from '../db/queries/client-queries.js';

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

function parseScopes(value: string): Scope[] {
  const scopes = list(value);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown scope ${unknown.join(', ')}; known: ${SCOPES.join(', ')}`,
    );
  return scopes as Scope[];
}

function parseKind(value: string): ClientKind {
  if (!(CLIENT_KINDS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${CLIENT_KINDS.join(', ')}`);
  }
  return value as ClientKind;
}

function parseRegions(value: string): string[] {
  const regions = list(value);
  if (regions.some((r) => r !== '*' && !/^(\d{2}|\d{4}|\d{6}|\d{10})$/.test(r))) {
    throw new InvalidArgumentError(
      'expected * or region codes of 2, 4, 6 or 10 digits, comma-separated',
    );
  }
  return regions;
}

function parseDocumentApps(value: string): string[] {
  const apps = list(value);
  if (apps.length === 0 || apps.some((a) => !APP_NAME_PATTERN.test(a))) {
    throw new InvalidArgumentError(
      'expected application names (lower-case letters, digits, . _ -), comma-separated',
    );
  }
  return apps;
}

function parseFieldPolicy(value: string): FieldPolicy {
  try {
    const policy = JSON.parse(value) as FieldPolicy;
    for (const fields of Object.values(policy)) {
      for (const rule of Object.values(fields)) {
        if (rule !== 'show' && rule !== 'mask' && rule !== 'withhold') throw new Error();
      }
    }
    return policy;
  } catch {
    throw new InvalidArgumentError(
      'expected JSON like {"Person":{"nik":"mask","name":"show"}} with show, mask or withhold',
    );
  }
}

interface CreateOptions {
  agencyId: string;
  agencyName: string;
  kind: ClientKind;
  title: string;
  scopes: Scope[];
  purposes: string;
  programs?: string;
  regions?: string[];
  fieldPolicy?: FieldPolicy;
  detailedReasons?: boolean;
  batchLimit?: number;
  dailyQuota?: number;
  rateLimit?: number;
  privacyBudget?: string;
  validUntil?: string;
  trustedDocumentsOnly?: boolean;
  documentApps?: string[];
  replace?: boolean;
  webhookUrl?: string;
  followCheckedDays?: number;
  verifiesSubjectIdentity?: boolean;
  legalBasis?: string;
  dciKey?: string;
  dciCallbackUrl?: string;
}

/** The header row of `clients list` (tab-separated, like its rows). */
export const LIST_HEADER = [
  'CLIENT',
  'KIND',
  'AGENCY',
  'SCOPES',
  'PURPOSES',
  'REGIONS',
  'DOCUMENTS',
  'DOCUMENT_APPS',
  'STATUS',
] as const;

export function registerClients(program: Command): void {
  const clients = program
    .command('clients')
    .description("manage agencies' clients and their agreements");

  clients
    .command('list')
    .description(
      'list clients with their agency, kind, scopes, purposes, regions, documents and status',
    )
    .action(() =>
      runCommand('clients list', (env) =>
        withDatabase(env, 'clients list', async (database) => {
          console.log(LIST_HEADER.join('\t'));
          for (const c of await listClients(database.db)) {
            const status = c.revokedAt ? `revoked ${c.revokedAt.toISOString()}` : 'active';
            console.log(
              [
                c.clientId,
                c.kind,
                c.agencyName,
                c.scopes.join(','),
                c.purposes.join(','),
                c.regionScope.join(','),
                // `only`: published documents only (trusted documents); `text`: query text too.
                c.trustedDocumentsOnly ? 'only' : 'text',
                c.documentApps.length === 0 ? '*' : c.documentApps.join(','),
                status,
              ].join('\t'),
            );
          }
        }),
      ),
    );

  clients
    .command('create')
    .description(
      'register a client and its agreement; prints the secret once (only a slow hash is stored)',
    )
    .argument('<id>', 'client id: lower-case letters, digits and dashes')
    .requiredOption('--agency-id <id>', 'agency id')
    .requiredOption('--agency-name <name>', 'agency name')
    .requiredOption('--kind <kind>', CLIENT_KINDS.join(' | '), parseKind)
    .requiredOption('--title <title>', 'the agreement (PKS) title')
    .requiredOption('--scopes <list>', `comma-separated: ${SCOPES.join(', ')}`, parseScopes)
    .requiredOption('--purposes <list>', 'comma-separated purpose codes')
    .option(
      '--legal-basis <list>',
      `the legal basis of each purpose, PURPOSE=BASIS,… with BASIS one of ${LEGAL_BASES.join(', ')} (a purpose not named rests on ${DEFAULT_LEGAL_BASIS})`,
    )
    .option('--programs <list>', 'comma-separated programs (eligibility clients)')
    .option('--regions <list>', 'region-code prefixes, or * for the whole country', parseRegions)
    .option(
      '--field-policy <json>',
      'field rules per type, e.g. {"Person":{"nik":"mask"}}',
      parseFieldPolicy,
    )
    .option('--detailed-reasons', 'eligibility answers carry reason codes')
    .option('--batch-limit <n>', 'largest eligibility batch (≤ 10000)', parsePositiveInt)
    .option('--daily-quota <n>', 'distinct NIKs per day', parsePositiveInt)
    .option('--rate-limit <n>', 'requests per minute', parsePositiveInt)
    .option('--privacy-budget <epsilon>', 'ε per snapshot (researchers)')
    .option('--valid-until <date>', 'last day of validity (YYYY-MM-DD)', parseDate)
    .option(
      '--trusted-documents-only',
      'the client may run published documents only, never query text (dashboards)',
    )
    .option(
      '--document-apps <list>',
      'applications whose published documents it may run (default: any)',
      parseDocumentApps,
    )
    .option(
      '--webhook-url <url>',
      'push change events to this URL (Standard Webhooks); prints the webhook secret once',
      parseWebhookUrl,
    )
    .option(
      '--follow-checked-days <n>',
      'follow (change feeds) every subject it checked in the last N days, 1–3660',
      parseFollowDays,
    )
    .option(
      '--dci-key <file>',
      "the sender's Ed25519 public key (PEM, or 32 bytes in base64): its DCI messages must be signed",
    )
    .option(
      '--dci-callback-url <url>',
      'where DCI callbacks may go: the sender_uri of asynchronous DCI requests must lie under it',
      parseWebhookUrl,
    )
    .option(
      '--verifies-subject-identity',
      'SUBJECT_SERVICE: the agreement states that the service verifies the identity of every person it asks about (required for that kind)',
    )
    .option('--replace', 'replace an active client of this id (new secret, new agreement)')
    .action((id: string, o: CreateOptions) =>
      runCommand('clients create', (env) =>
        withDatabase(env, 'clients create', async (database) => {
          if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(id))
            throw new CommandError('client id: lower-case letters, digits and dashes, 2–63 long');
          if (!o.replace && (await isActiveClient(database.db, id))) {
            throw new CommandError(`client ${id} exists; revoke it first or use --replace`);
          }
          const budget = o.privacyBudget === undefined ? null : Number(o.privacyBudget);
          if (budget !== null && !(budget >= 0))
            throw new CommandError('--privacy-budget must be a number ≥ 0');
          if ((o.batchLimit ?? 0) > 10_000)
            throw new CommandError('--batch-limit is at most 10000');
          if ((o.kind === 'SUBJECT_SERVICE') !== (o.verifiesSubjectIdentity === true)) {
            throw new CommandError(
              '--verifies-subject-identity goes with --kind SUBJECT_SERVICE, and that kind needs it: ' +
                'the gateway answers a person about their own data only through a service that verified who they are',
            );
          }
          const purposes = list(o.purposes);
          const purposeLegalBasis = parseLegalBasis(o.legalBasis, purposes);
          const dciKey = o.dciKey === undefined ? undefined : await readKeyFile(o.dciKey);
          const secret = generateClientSecret();
          await saveClient(database.db, {
            clientId: id,
            agency: { id: o.agencyId, name: o.agencyName, kind: o.kind },
            secretHash: await hashClientSecret(secret),
            agreement: {
              title: o.title,
              scopes: o.scopes,
              programs: o.programs ? list(o.programs) : [],
              purposes,
              purposeLegalBasis,
              regionScope: o.regions ?? [],
              fieldPolicy: o.fieldPolicy ?? {},
              detailedReasons: o.detailedReasons === true,
              batchLimit: o.batchLimit ?? 10_000,
              dailyQuota: o.dailyQuota ?? 1_000_000,
              rateLimitPerMinute: o.rateLimit ?? 6_000,
              privacyBudget: budget,
              validUntil: o.validUntil ? new Date(`${o.validUntil}T23:59:59.999+07:00`) : null,
              trustedDocumentsOnly: o.trustedDocumentsOnly === true,
              documentApps: o.documentApps ?? [],
              followCheckedDays: o.followCheckedDays ?? null,
              verifiesSubjectIdentity: o.verifiesSubjectIdentity === true,
            },
          });
          console.log(`client ${id} created; its secret (shown once, store it safely):`);
          console.log(secret);
          if (o.webhookUrl) await saveWebhook(env.config.dataDir, database.db, id, o.webhookUrl);
          if (dciKey !== undefined || o.dciCallbackUrl !== undefined) {
            await saveDciClientSettings(database.db, id, {
              ...(dciKey !== undefined ? { publicKey: dciKey } : {}),
              ...(o.dciCallbackUrl !== undefined ? { callbackUrl: o.dciCallbackUrl } : {}),
            });
            describeDci(id, dciKey ?? null, o.dciCallbackUrl ?? null);
          }
        }),
      ),
    );

  clients
    .command('dci')
    .description(
      "set a client's DCI sender key (its messages must then be signed) and its agreement's callback address, or remove them",
    )
    .argument('<id>', 'client id')
    .option('--key <file>', 'Ed25519 public key (PEM, or 32 bytes in base64)')
    .option('--remove-key', 'the client may send unsigned DCI messages again')
    .option('--callback-url <url>', 'where DCI callbacks may go (http or https)', parseWebhookUrl)
    .option('--remove-callback', 'no asynchronous DCI requests any more')
    .action(
      (
        id: string,
        o: { key?: string; removeKey?: boolean; callbackUrl?: string; removeCallback?: boolean },
      ) =>
        runCommand('clients dci', (env) =>
          withDatabase(env, 'clients dci', async (database) => {
            if (o.key !== undefined && o.removeKey) {
              throw new CommandError('give --key FILE or --remove-key, not both');
            }
            if (o.callbackUrl !== undefined && o.removeCallback) {
              throw new CommandError('give --callback-url URL or --remove-callback, not both');
            }
            const settings: { publicKey?: Buffer | null; callbackUrl?: string | null } = {};
            if (o.key !== undefined) settings.publicKey = await readKeyFile(o.key);
            if (o.removeKey) settings.publicKey = null;
            if (o.callbackUrl !== undefined) settings.callbackUrl = o.callbackUrl;
            if (o.removeCallback) settings.callbackUrl = null;
            if (Object.keys(settings).length === 0) {
              throw new CommandError(
                'give --key FILE, --remove-key, --callback-url URL or --remove-callback',
              );
            }
            if (!(await saveDciClientSettings(database.db, id, settings))) {
              throw new CommandError(`no active client ${id}`);
            }
            const now = await dciClientSettings(database.db, id);
            describeDci(id, now.publicKey, now.callbackUrl);
          }),
        ),
    );

  clients
    .command('webhook')
    .description(
      "set where a client's agreement pushes its change events (prints a new webhook secret once), or remove it",
    )
    .argument('<id>', 'client id')
    .option('--url <url>', 'the receiver (http or https)', parseWebhookUrl)
    .option('--remove', 'stop pushing: events stay readable with `changes`')
    .action((id: string, o: { url?: string; remove?: boolean }) =>
      runCommand('clients webhook', (env) =>
        withDatabase(env, 'clients webhook', async (database) => {
          if ((o.url === undefined) === (o.remove !== true))
            throw new CommandError('give either --url URL or --remove');
          if (o.url) {
            if (!(await saveWebhook(env.config.dataDir, database.db, id, o.url)))
              throw new CommandError(`no client ${id}`);
          } else {
            if (!(await setAgreementWebhook(database.db, id, null)))
              throw new CommandError(`no client ${id}`);
            console.log(`client ${id}: webhook removed`);
          }
        }),
      ),
    );

  clients
    .command('revoke')
    .description('revoke a client now; its tokens stop working at once')
    .argument('<id>', 'client id')
    .action((id: string) =>
      runCommand('clients revoke', (env) =>
        withDatabase(env, 'clients revoke', async (database) => {
          if (!(await revokeClient(database.db, id)))
            throw new CommandError(`no active client ${id}`);
          console.log(`client ${id} revoked`);
        }),
      ),
    );
}

/** Reads a DCI sender key file; a clear error for a missing file or a key of another kind. */
async function readKeyFile(file: string): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CommandError(`cannot read the key file ${file}`);
  }
  try {
    return readDciPublicKey(text);
  } catch (error) {
    throw new CommandError(`${file}: ${(error as Error).message}`);
  }
}

function describeDci(clientId: string, key: Buffer | null, callbackUrl: string | null): void {
  console.log(
    `client ${clientId}: DCI messages ${key ? `must be signed (Ed25519 key ${key.toString('base64')})` : 'may be unsigned'}; ` +
      (callbackUrl
        ? `callbacks under ${callbackUrl}`
        : 'no asynchronous requests (no callback address)'),
  );
}

/** Sets a client's webhook with a new secret and prints the secret; false without such a client. */
async function saveWebhook(
  dataDir: string,
  db: Parameters<typeof setAgreementWebhook>[0],
  clientId: string,
  url: string,
): Promise<boolean> {
  const secret = newWebhookSecret();
  const key = await loadOrCreateKeyFile(dataDir, SUBJECT_SEAL_KEY);
  const saved = await setAgreementWebhook(db, clientId, {
    url,
    secretSealed: sealSubject(key, secret),
  });
  if (saved) {
    console.log(`client ${clientId}: change events go to ${url}; webhook secret (shown once):`);
    console.log(secret);
  }
  return saved;
}

function parseFollowDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 3660) {
    throw new InvalidArgumentError('a whole number of days, 1–3660');
  }
  return days;
}

function parseWebhookUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('a URL such as https://receiver.example.go.id/dtks');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InvalidArgumentError('http or https only');
  if (url.username || url.password)
    throw new InvalidArgumentError('no credentials in the URL: the deliveries are signed');
  return url.toString();
}

/** `--legal-basis VERIVALI=PUBLIC_TASK,RESEARCH=CONSENT`: a basis for purposes of the agreement. */
function parseLegalBasis(
  value: string | undefined,
  purposes: readonly string[],
): Record<string, LegalBasis> {
  const bases: Record<string, LegalBasis> = {};
  for (const item of value === undefined ? [] : list(value)) {
    const [purpose, basis, ...rest] = item.split('=');
    if (!purpose || !basis || rest.length > 0) {
      throw new CommandError(`--legal-basis: expected PURPOSE=BASIS, got "${item}"`);
    }
    if (!purposes.includes(purpose)) {
      throw new CommandError(`--legal-basis: ${purpose} is not one of --purposes`);
    }
    if (!(LEGAL_BASES as readonly string[]).includes(basis)) {
      throw new CommandError(`--legal-basis: ${basis} is not one of ${LEGAL_BASES.join(', ')}`);
    }
    bases[purpose] = basis as LegalBasis;
  }
  return bases;
}
