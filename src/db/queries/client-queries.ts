import { sql, type Kysely } from 'kysely';
import type {
  Agreement,
  ClientKind,
  FieldPolicy,
  LegalBasis,
  Scope,
} from '../../auth/agreement.js';
import type { DciClientSettings } from '../../auth/principal.js';
import type { Database } from '../database-types.js';

/** The channel on which every policy change is announced, so gateways drop cached principals. */
export const POLICY_CHANNEL = 'dtks_policy';

/** A client with its agency and agreement, as the principal builder needs them. */
export interface ClientPolicy {
  clientId: string;
  revokedAt: Date | null;
  /** Tokens issued before this moment are no longer accepted. */
  credentialsChangedAt: Date;
  agency: { id: string; name: string; kind: ClientKind };
  agreement: Agreement;
  dci: DciClientSettings;
}

/** Loads one client's whole policy in one query, or null when the client does not exist. */
export async function findClientPolicy(
  db: Kysely<Database>,
  clientId: string,
): Promise<ClientPolicy | null> {
  const row = await db
    .selectFrom('client as c')
    .innerJoin('agency as g', 'g.id', 'c.agency_id')
    .innerJoin('agreement as a', 'a.id', 'c.agreement_id')
    .select([
      'c.id as client_id',
      'c.revoked_at as client_revoked_at',
      'c.credentials_changed_at',
      'g.id as agency_id',
      'g.name as agency_name',
      'g.kind as agency_kind',
      'a.id',
      'a.title',
      'a.scopes',
      'a.programs',
      'a.purposes',
      'a.region_scope',
      'a.field_policy',
      'a.detailed_reasons',
      'a.batch_limit',
      'a.daily_quota',
      'a.rate_limit_per_minute',
      'a.privacy_budget',
      'a.valid_from',
      'a.valid_until',
      'a.revoked_at',
      'a.trusted_documents_only',
      'a.document_apps',
      'a.follow_checked_days',
      'a.verifies_subject_identity',
      'a.purpose_legal_basis',
      'c.dci_public_key',
      'a.dci_callback_url',
    ])
    .where('c.id', '=', clientId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    clientId: row.client_id,
    revokedAt: row.client_revoked_at,
    credentialsChangedAt: row.credentials_changed_at,
    agency: { id: row.agency_id, name: row.agency_name, kind: row.agency_kind as ClientKind },
    dci: { publicKey: row.dci_public_key, callbackUrl: row.dci_callback_url },
    agreement: {
      id: row.id,
      agencyId: row.agency_id,
      title: row.title,
      scopes: row.scopes as Scope[],
      programs: row.programs,
      purposes: row.purposes,
      regionScope: row.region_scope,
      fieldPolicy: row.field_policy as FieldPolicy,
      detailedReasons: row.detailed_reasons,
      batchLimit: row.batch_limit,
      dailyQuota: row.daily_quota,
      rateLimitPerMinute: row.rate_limit_per_minute,
      privacyBudget: row.privacy_budget,
      validFrom: row.valid_from,
      validUntil: row.valid_until,
      revokedAt: row.revoked_at,
      trustedDocumentsOnly: row.trusted_documents_only,
      documentApps: row.document_apps,
      followCheckedDays: row.follow_checked_days,
      verifiesSubjectIdentity: row.verifies_subject_identity,
      purposeLegalBasis: row.purpose_legal_basis as Record<string, LegalBasis>,
    },
  };
}

/** What it takes to register a client: its agency, its agreement and its secret's hash. */
export interface ClientRegistration {
  clientId: string;
  agency: { id: string; name: string; kind: ClientKind };
  agreement: Omit<Agreement, 'id' | 'agencyId' | 'revokedAt' | 'validFrom'> & { validFrom?: Date };
  secretHash: string;
}

/**
 * Creates or replaces a client, its agency and its agreement (agreement id `<client>-pks`), in one
 * transaction, and announces the change. Replacing un-revokes: it is how `serve --demo` resets
 * the demo clients.
 */
export async function saveClient(db: Kysely<Database>, r: ClientRegistration): Promise<void> {
  const a = r.agreement;
  const agreementId = `${r.clientId}-pks`;
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('agency')
      .values({ id: r.agency.id, name: r.agency.name, kind: r.agency.kind })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: r.agency.name, kind: r.agency.kind }))
      .execute();
    const agreement = {
      agency_id: r.agency.id,
      title: a.title,
      scopes: [...a.scopes],
      programs: [...a.programs],
      purposes: [...a.purposes],
      region_scope: [...a.regionScope],
      field_policy: JSON.stringify(a.fieldPolicy),
      detailed_reasons: a.detailedReasons,
      batch_limit: a.batchLimit,
      daily_quota: a.dailyQuota,
      rate_limit_per_minute: a.rateLimitPerMinute,
      privacy_budget: a.privacyBudget,
      valid_from: a.validFrom ?? new Date(),
      valid_until: a.validUntil,
      revoked_at: null,
      trusted_documents_only: a.trustedDocumentsOnly,
      document_apps: [...a.documentApps],
      follow_checked_days: a.followCheckedDays,
      verifies_subject_identity: a.verifiesSubjectIdentity,
      purpose_legal_basis: JSON.stringify(a.purposeLegalBasis),
    };
    await tx
      .insertInto('agreement')
      .values({ id: agreementId, ...agreement })
      .onConflict((oc) => oc.column('id').doUpdateSet(agreement))
      .execute();
    await tx
      .insertInto('client')
      .values({
        id: r.clientId,
        agency_id: r.agency.id,
        agreement_id: agreementId,
        secret_hash: r.secretHash,
        revoked_at: null,
        credentials_changed_at: new Date(),
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          agency_id: r.agency.id,
          agreement_id: agreementId,
          secret_hash: r.secretHash,
          revoked_at: null,
          credentials_changed_at: new Date(),
        }),
      )
      .execute();
    await notifyPolicyChange(tx, r.clientId);
  });
}

/** True when a client with this id exists and is not revoked. */
export async function isActiveClient(db: Kysely<Database>, clientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('client')
    .select('id')
    .where('id', '=', clientId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Revokes a client now; gateways drop its cached principal on the notification. */
export async function revokeClient(db: Kysely<Database>, clientId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const result = await tx
      .updateTable('client')
      .set({ revoked_at: new Date(), credentials_changed_at: new Date() })
      .where('id', '=', clientId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await notifyPolicyChange(tx, clientId);
    return Number(result.numUpdatedRows) > 0;
  });
}

export interface ClientListing {
  clientId: string;
  agencyName: string;
  kind: string;
  scopes: string[];
  purposes: string[];
  regionScope: string[];
  trustedDocumentsOnly: boolean;
  documentApps: string[];
  validUntil: Date | null;
  revokedAt: Date | null;
}

export async function listClients(db: Kysely<Database>): Promise<ClientListing[]> {
  const rows = await db
    .selectFrom('client as c')
    .innerJoin('agency as g', 'g.id', 'c.agency_id')
    .innerJoin('agreement as a', 'a.id', 'c.agreement_id')
    .select([
      'c.id',
      'g.name',
      'g.kind',
      'a.scopes',
      'a.purposes',
      'a.region_scope',
      'a.trusted_documents_only',
      'a.document_apps',
      'a.valid_until',
      'c.revoked_at',
    ])
    .orderBy('c.id')
    .execute();
  return rows.map((r) => ({
    clientId: r.id,
    agencyName: r.name,
    kind: r.kind,
    scopes: r.scopes,
    purposes: r.purposes,
    regionScope: r.region_scope,
    trustedDocumentsOnly: r.trusted_documents_only,
    documentApps: r.document_apps,
    validUntil: r.valid_until,
    revokedAt: r.revoked_at,
  }));
}

export async function notifyPolicyChange(db: Kysely<Database>, clientId: string): Promise<void> {
  await sql`SELECT pg_notify(${POLICY_CHANNEL}, ${clientId})`.execute(db);
}

/**
 * Sets (or with `url` null removes) where a client's agreement pushes its change events, with
 * the agreement's sealed webhook secret; false when there is no such client.
 */
export async function setAgreementWebhook(
  db: Kysely<Database>,
  clientId: string,
  webhook: { url: string; secretSealed: Buffer } | null,
): Promise<boolean> {
  const result = await db
    .updateTable('agreement')
    .set({
      webhook_url: webhook?.url ?? null,
      webhook_secret_sealed: webhook?.secretSealed ?? null,
    })
    .where('id', '=', (eb) =>
      eb.selectFrom('client').select('agreement_id').where('id', '=', clientId),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
