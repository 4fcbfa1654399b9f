import type { ColumnType, Generated } from 'kysely';

/**
 * Table types for kysely. Dates are `YYYY-MM-DD` strings (the pool parses DATE as text) and
 * bigint counts are numbers (safe below 2^53).
 */
/** A timestamptz; optional on insert where the column has a default. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface RegionTable {
  code: string;
  name: string;
  level: number;
  parent_code: string | null;
}

export interface RegionPopulationTable {
  code: string;
  name: string;
  male: number;
  female: number;
  total: number;
}

export interface HouseholdTable {
  household_id: string;
  kk_number: string;
  region_code: string | null;
  address: string | null;
  decile: number | null;
  floor_area_m2: number | null;
  floor_type: string | null;
  wall_type: string | null;
  roof_type: string | null;
  water_source: string | null;
  sanitation: string | null;
  lighting: string | null;
  cooking_fuel: string | null;
  verification_status: string;
  verified_at: string | null;
  source: string;
  /** The partition key (migration 0032): the first two digits of `region_code`, '' without one. */
  province: string;
}

export interface MemberTable {
  nik: string;
  household_id: string;
  name: string;
  sex: string | null;
  birth_date: string | null;
  relationship: string | null;
  pregnant: boolean | null;
  disability: string | null;
  in_school: boolean | null;
  status: string;
  /** The partition key (migration 0032): the household's province. */
  province: string;
}

export interface ProgramRecipientTable {
  nik: string;
  program: string;
  since: string | null;
}

export interface SnapshotTable {
  id: Generated<number>;
  as_of: string;
  loaded_at: Timestamp;
  households: number;
  persons: number;
  recipients: number;
  /** Data-quality warnings by kind, e.g. `{ "nikBirthDateMismatch": 12 }`. */
  warnings: ColumnType<Record<string, number>, string, string>;
  source: string;
  load_seconds: number;
  /** Seconds the statistics rollups took to build; null: this snapshot has none (fallback). */
  rollup_seconds: number | null;
  /**
   * The version of each program's eligibility rule its targeting rollups were decided with,
   * `{ "PKH": 1, … }` (migration 0015); null: imported before, no targeting rollups.
   */
  rule_versions: ColumnType<
    Record<string, number> | null,
    string | null | undefined,
    string | null
  >;
  /** Its rollups carry cell keys (`statistics_rollup.ck`, migration 0022). */
  cell_keys: Generated<boolean>;
  /**
   * When the import read the restrictions of processing its statistics leave out (migration
   * 0026); null: imported before, nobody left out.
   */
  restrictions_as_of: ColumnType<Date | null, Date | string | null | undefined, never>;
  /** Seconds writing its published statistics tables took (migration 0033); null: not written. */
  published_seconds: number | null;
}

/** A grievance (sanggah) against a decision (migration 0027). */
export interface GrievanceTable {
  id: Generated<string>;
  public_id: string;
  nik: string;
  decision_id: string;
  program: string;
  household_id: string | null;
  region_code: string;
  text: string;
  status: Generated<'OPEN' | 'IN_REVIEW' | 'RESOLVED' | 'DISMISSED'>;
  opened_by_client: string;
  opened_by_agency: string;
  opened_by_officer: string | null;
  opened_at: Generated<Date>;
  due_at: Date;
  reviewed_at: Date | null;
  closed_at: Date | null;
  handled_by_client: string | null;
  handled_by_officer: string | null;
  submission_id: string | null;
  dismissal_reason: string | null;
}

/** A restriction of processing a NIK (migration 0026); never deleted, lifted with who and why. */
export interface ProcessingRestrictionTable {
  id: Generated<string>;
  nik: string;
  /** Purposes it covers; empty: every purpose. */
  purposes: string[];
  /** Agencies it covers; empty: every agency. */
  agency_ids: string[];
  reason: string;
  requested_by_kind: 'SUBJECT_SERVICE' | 'ADMIN';
  requested_by_client: string;
  requested_by_officer: string | null;
  restricted_at: Generated<Date>;
  lifted_at: Date | null;
  lifted_by_client: string | null;
  lifted_by_officer: string | null;
  lift_reason: string | null;
}

export interface ProgramTable {
  code: string;
  name: string;
  unit: 'HOUSEHOLD' | 'PERSON';
}

export interface EligibilityRuleTable {
  program: string;
  version: number;
  /** The rule as data (see `src/db/migrations/0003-eligibility-rules.ts`). */
  rule: ColumnType<EligibilityRuleDefinition, string, string>;
  description: string;
  effective_from: Timestamp;
  /** In force for snapshots as of this date or later; null: from the start (migration 0031). */
  effective_on: ColumnType<string | null, string | null | undefined, string | null>;
}

/** An eligibility rule: a decile ceiling and, optionally, who must be in the household / who the person must be. */
export interface EligibilityRuleDefinition {
  unit: 'HOUSEHOLD' | 'PERSON';
  maxDecile: number;
  /** HOUSEHOLD rules: at least one ACTIVE member must match one of these. */
  qualifyingMember?: MemberCondition[];
  /** PERSON rules: the person must match one of these. */
  targetGroup?: MemberCondition[];
}

/** All present fields must hold (ages in completed years at the snapshot's as-of date). */
export interface MemberCondition {
  pregnant?: boolean;
  minAge?: number;
  maxAge?: number;
  inSchool?: boolean;
  disability?: 'MILD' | 'SEVERE';
}

export interface AgencyTable {
  id: string;
  name: string;
  kind: string;
  created_at: Timestamp;
}

export interface AgreementTable {
  id: string;
  agency_id: string;
  title: string;
  scopes: string[];
  programs: string[];
  purposes: string[];
  region_scope: string[];
  field_policy: ColumnType<Record<string, unknown>, string, string>;
  detailed_reasons: boolean;
  batch_limit: number;
  daily_quota: number;
  rate_limit_per_minute: number;
  privacy_budget: number | null;
  valid_from: Timestamp;
  valid_until: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
  /** Only published documents, never query text (migration 0014). */
  trusted_documents_only: ColumnType<boolean, boolean | undefined, boolean>;
  /** Applications whose published documents the client may run; empty: any. */
  document_apps: ColumnType<string[], string[] | undefined, string[]>;
  /** Where change events are pushed (Standard Webhooks); null: pull only. */
  webhook_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** The per-agreement webhook secret, sealed (src/db/subject-seal.ts). */
  webhook_secret_sealed: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  /** Follow every subject checked in the last this many days (null: off; migration 0019). */
  follow_checked_days: ColumnType<number | null, number | null | undefined, number | null>;
  /** Where DCI callbacks may go: a request's `sender_uri` lies under it (migration 0021). */
  dci_callback_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** A data subjects' service that verifies who it asks about (migration 0024). */
  verifies_subject_identity: ColumnType<boolean, boolean | undefined, boolean>;
  /** The legal basis of each purpose, `{purpose: basis}` (migration 0025). */
  purpose_legal_basis: ColumnType<Record<string, string>, string | undefined, string>;
}

/** A document a client application published, per version (migration 0014; CONTRACT §10). */
export interface PersistedDocumentTable {
  app: string;
  version: string;
  /** `sha256:<64 hex>`: the SHA-256 of `body`. */
  id: string;
  body: string;
  published_at: Timestamp;
}

/** A subject a ministry follows per program (issue #14; migration 0017). */
export interface ChangeSubscriptionTable {
  id: Generated<string>;
  agreement_id: string;
  program: string;
  /** The agency's pseudonym of the NIK (the `subjectRef` of its decisions). */
  subject_ref: string;
  /** The NIK, sealed (src/db/subject-seal.ts). */
  nik_sealed: Buffer;
  /** The decision last sent to the agency. */
  eligible: boolean;
  reason: string;
  rule_version: number;
  data_as_of: ColumnType<string, string, string>;
  created_at: Timestamp;
  /** SUBSCRIBED (subscribeSubjects) or CHECKED (followed because checked; migration 0019). */
  origin: ColumnType<'SUBSCRIBED' | 'CHECKED', 'SUBSCRIBED' | 'CHECKED' | undefined, never>;
  /** The last check of a CHECKED subscription. */
  checked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** What a change event reports (CONTRACT §11). */
export type ChangeEventKind =
  | 'ELIGIBILITY_CHANGED'
  | 'HOUSEHOLD_CHANGED'
  | 'VERIFICATION_STATUS_CHANGED'
  | 'GRIEVANCE_STATUS_CHANGED';

/** One change event of the outbox (issue #14; migrations 0017, 0019). */
export interface ChangeEventTable {
  id: Generated<string>;
  event_id: Generated<string>;
  agreement_id: string;
  kind: ChangeEventKind;
  snapshot_id: number | null;
  program: string | null;
  subject_ref: string | null;
  nik_sealed: Buffer | null;
  /** The members' NIKs of a household event, sealed (for the audit of its readers). */
  subjects_sealed: ColumnType<Buffer | null, Buffer | null | undefined, never>;
  payload: ColumnType<unknown, string, string>;
  created_at: Timestamp;
}

/** One POST's worth of an agreement's change events (migration 0018). */
export interface WebhookDeliveryTable {
  id: Generated<string>;
  agreement_id: string;
  message_id: string;
  first_event_id: string;
  last_event_id: string;
  events: number;
  replay: Generated<boolean>;
  state: ColumnType<
    'PENDING' | 'DELIVERED' | 'DEAD',
    'PENDING' | undefined,
    'PENDING' | 'DELIVERED' | 'DEAD'
  >;
  attempts: Generated<number>;
  last_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  created_at: Timestamp;
  retrying_since: Timestamp;
  delivered_at: Date | null;
  /** The lease of an attempt under way (migration 0019). */
  attempting_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface WebhookCursorTable {
  agreement_id: string;
  dispatched_through: string;
}

export interface ClientTable {
  id: string;
  agency_id: string;
  agreement_id: string;
  secret_hash: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  /** Tokens issued before this are refused (set on create, re-create and revoke). */
  credentials_changed_at: Timestamp;
  /** The sender's Ed25519 public key (raw 32 bytes): its DCI messages must be signed. */
  dci_public_key: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
}

export interface AuditEventTable {
  id: number;
  at: Date;
  request_id: string;
  client_id: string | null;
  agency_id: string | null;
  officer_id: string | null;
  purpose: string | null;
  operation: string;
  outcome: string;
  error_code: string | null;
  fields: string[];
  subjects: string[];
  decision_ids: string[];
  /** The persisted document run, and `name@version` of the application that published it. */
  document_id: string | null;
  app: string | null;
  prev_hash: Buffer;
  hash: Buffer;
}

/** One signed checkpoint of the audit chain per committed batch (migration 0013). */
export interface AuditCheckpointTable {
  seq: ColumnType<number, never, never>;
  last_id: number;
  last_hash: Buffer;
  at: Date;
  /** Null only for the genesis (seq 1): the head before signing began. */
  key_id: string | null;
  signature: Buffer | null;
}

export interface RateWindowTable {
  client_id: string;
  window_start: Date;
  requests: number;
}

export interface DailySubjectTable {
  agreement_id: string;
  day: string;
  subject: string;
}

export interface DailyUsageTable {
  agreement_id: string;
  day: string;
  distinct_subjects: number;
  /** Room reserved for subjects admitted but not yet recorded (migration 0008). */
  reserved: Generated<number>;
  /** The quota the day's row is held to: distinct_subjects + reserved <= quota (migration 0028). */
  quota: Generated<number>;
}

/** A verification submission or household proposal (migration 0010; CONTRACT §9). */
export interface VerificationSubmissionTable {
  id: Generated<number>;
  public_id: string;
  kind: 'SUBMISSION' | 'PROPOSAL';
  client_id: string;
  agency_id: string;
  officer_id: string | null;
  region_code: string | null;
  household_id: string | null;
  kk_number: string | null;
  outcome: string | null;
  visited_at: string;
  /** The validated changes (`src/domain/verification-input.ts`, VerificationPayload). */
  payload: ColumnType<unknown, string, string>;
  added_niks: ColumnType<string[], string[] | undefined, string[]>;
  note: string | null;
  idempotency_key: string;
  fingerprint: string;
  status: ColumnType<string, string | undefined, string>;
  submitted_at: Timestamp;
  reviewer_client_id: string | null;
  reviewer_agency_id: string | null;
  reviewer_officer_id: string | null;
  review_decision: string | null;
  reviewed_at: Timestamp | null;
  review_note: string | null;
  applied_at: Timestamp | null;
  applied_snapshot_id: number | null;
}

/** One ε spent: a researcher's answer published (migration 0023). */
export interface PrivacySpendTable {
  id: Generated<string>;
  spent_at: Generated<Timestamp>;
  agency_id: string;
  client_id: string;
  snapshot_id: number;
  query_key: string;
  /** Milli-ε (ε 0.1 = 100). */
  epsilon_milli: number;
}

export interface StatisticsAnswerCacheTable {
  snapshot_id: number;
  query_key: string;
  /** The published noisy answer, as the statistics module stores it. */
  answer: ColumnType<unknown, string, string>;
  epsilon_milli: number;
  client_id: string;
  created_at: Timestamp;
}

/** The secret seed of the units' record keys (migration 0022); one row, never rotated. */
export interface StatisticsCellKeyTable {
  only_row: Generated<boolean>;
  seed: ColumnType<string, string, never>;
}

/** A statistics table published whole for one snapshot (migration 0033). */
export interface StatisticsPublishedTable {
  snapshot_id: number;
  measure: string;
  grouping: string;
  /** JSON arrays (migration 0033): written as JSON text, read as arrays. */
  region_codes: ColumnType<string[], string, never>;
  counts: ColumnType<number[], string, never>;
  cell_keys: ColumnType<number[], string, never>;
}

export interface Database {
  grievance: GrievanceTable;
  processing_restriction: ProcessingRestrictionTable;
  region: RegionTable;
  region_population: RegionPopulationTable;
  household: HouseholdTable;
  member: MemberTable;
  program_recipient: ProgramRecipientTable;
  snapshot: SnapshotTable;
  program: ProgramTable;
  eligibility_rule: EligibilityRuleTable;
  agency: AgencyTable;
  agreement: AgreementTable;
  client: ClientTable;
  audit_event: AuditEventTable;
  audit_checkpoint: AuditCheckpointTable;
  rate_window: RateWindowTable;
  daily_subject: DailySubjectTable;
  daily_usage: DailyUsageTable;
  verification_submission: VerificationSubmissionTable;
  privacy_spend: PrivacySpendTable;
  statistics_answer_cache: StatisticsAnswerCacheTable;
  statistics_cell_key: StatisticsCellKeyTable;
  statistics_table: StatisticsPublishedTable;
  persisted_document: PersistedDocumentTable;
  change_subscription: ChangeSubscriptionTable;
  change_event: ChangeEventTable;
  webhook_delivery: WebhookDeliveryTable;
  webhook_cursor: WebhookCursorTable;
}
