/**
 * Agreements (PKS) as the gateway reads them — this is where the vocabulary of policy lives.
 *
 * An agreement is data (table `agreement`): which operations (scopes) a client may use, for which
 * programs and purposes, over which regions, which fields it sees plainly, masked or not at all,
 * and its limits. Nothing in a resolver decides any of this.
 */

/** Kinds of client (CONTRACT §7). */
export const CLIENT_KINDS = [
  'MINISTRY',
  'LOCAL_GOV',
  'RESEARCHER',
  'INTERNAL',
  'ADMIN',
  // A channel that answers a person about their own data after verifying who they are (§13).
  'SUBJECT_SERVICE',
] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/**
 * Every permission, named `resource:verb`. New capabilities add theirs here; an agreement grants a
 * subset. Deny always wins: a scope not granted is not there.
 */
export const SCOPES = [
  'eligibility:check',
  'eligibility:batch',
  'records:read',
  'verification:submit',
  'verification:review',
  'statistics:read',
  'statistics:exact',
  'audit:read',
  'clients:manage',
  // Operational figures for internal dashboards and the administrator (verification progress,
  // snapshot history, gateway use): aggregates about agencies' work, never about a person.
  'operations:read',
  // Change feeds (CONTRACT §11): following subjects, and reading the events about them.
  'changes:subscribe',
  'changes:read',
  // Data subjects (CONTRACT §13): a person's own record, decisions and access history.
  'subject:read',
  // Restrictions of processing: a data subjects' service on a person's request, and the
  // administrator (who may lift any).
  'subject:restrict',
  'restrictions:manage',
  // Grievances (sanggah): opened by a subjects' service or a ministry, handled by local
  // governments.
  'grievances:open',
  'grievances:handle',
] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Legal bases of processing (UU PDP No. 27/2022 Art. 20(2)). A restriction of processing a person
 * asks for stops every purpose except those resting on a public task or a legal obligation, where
 * it is recorded and shown but the processing goes on (docs/subjects.md).
 */
export const LEGAL_BASES = [
  'CONSENT',
  'CONTRACT',
  'LEGAL_OBLIGATION',
  'VITAL_INTEREST',
  'PUBLIC_TASK',
  'LEGITIMATE_INTEREST',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** The basis assumed for a purpose whose agreement records none: consent (a restriction applies). */
export const DEFAULT_LEGAL_BASIS: LegalBasis = 'CONSENT';

/** A stored basis as a LegalBasis: the default for none, or for one this version does not know. */
export function basisOrDefault(stored: string | undefined): LegalBasis {
  return (LEGAL_BASES as readonly string[]).includes(stored ?? '')
    ? (stored as LegalBasis)
    : DEFAULT_LEGAL_BASIS;
}

/** The legal basis of one of an agreement's purposes. */
export function legalBasisOf(agreement: Agreement, purpose: string): LegalBasis {
  return basisOrDefault(agreement.purposeLegalBasis[purpose]);
}

/** What a client sees of a field: the value, a masked form of it, or nothing (`null`). */
export type FieldRule = 'show' | 'mask' | 'withhold';

/**
 * Field rules per GraphQL type and field. A field missing from the policy is withheld: fail
 * closed. Only fields listed in `MASKABLE` may be masked.
 */
export type FieldPolicy = Record<string, Record<string, FieldRule>>;

/** The region scope that means the whole country. */
export const ALL_REGIONS = '*';

export interface Agreement {
  id: string;
  agencyId: string;
  title: string;
  scopes: readonly Scope[];
  programs: readonly string[];
  purposes: readonly string[];
  /** The legal basis of each purpose; a purpose missing here rests on DEFAULT_LEGAL_BASIS. */
  purposeLegalBasis: Readonly<Record<string, LegalBasis>>;
  /** Region-code prefixes (`3201` = Kabupaten Bogor); `['*']` = the whole country; `[]` = none. */
  regionScope: readonly string[];
  fieldPolicy: FieldPolicy;
  /** Eligibility answers carry reason codes; otherwise only ELIGIBLE / NOT_ELIGIBLE. */
  detailedReasons: boolean;
  batchLimit: number;
  dailyQuota: number;
  rateLimitPerMinute: number;
  /** Privacy budget ε per snapshot for researchers; null for others. */
  privacyBudget: number | null;
  /**
   * Trusted documents (CONTRACT §10): the client may run only documents published with
   * `dtks-gateway documents publish`, never query text.
   */
  trustedDocumentsOnly: boolean;
  /** The applications whose published documents the client may run; `[]` = any application. */
  documentApps: readonly string[];
  /**
   * Change feeds (CONTRACT §11): follow every subject checked in the last this many days, as if
   * subscribed at each check; null: only what `subscribeSubjects` names.
   */
  followCheckedDays: number | null;
  /**
   * A data subjects' service (CONTRACT §13) states in its agreement that it verifies the identity
   * of every person it asks about; `myRecord` is answered only under such an agreement.
   */
  verifiesSubjectIdentity: boolean;
  validFrom: Date;
  validUntil: Date | null;
  revokedAt: Date | null;
}
