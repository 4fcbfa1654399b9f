/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> =
  T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string };
  String: { input: string; output: string };
  Boolean: { input: boolean; output: boolean };
  Int: { input: number; output: number };
  Float: { input: number; output: number };
  Date: { input: string; output: string };
  DateTimeISO: { input: string; output: string };
  NIK: { input: unknown; output: unknown };
  RegionCode: { input: unknown; output: unknown };
};

/** Accesses to one person’s data, newest first. */
export type AccessLogConnection = {
  __typename?: 'AccessLogConnection';
  edges: Array<AccessLogEdge>;
  pageInfo: PageInfo;
};

export type AccessLogEdge = {
  __typename?: 'AccessLogEdge';
  cursor: Scalars['String']['output'];
  node: AccessLogEntry;
};

/** One access to a person’s data, from the tamper-evident audit log. */
export type AccessLogEntry = {
  __typename?: 'AccessLogEntry';
  agencyId?: Maybe<Scalars['String']['output']>;
  at: Scalars['DateTimeISO']['output'];
  /** The client that asked (null: not authenticated). */
  clientId?: Maybe<Scalars['String']['output']>;
  /** Fields disclosed, as Type.field. */
  fields: Array<Scalars['String']['output']>;
  /** The officer at the agency (X-Officer-Id). */
  officerId?: Maybe<Scalars['String']['output']>;
  /** Operation type and root fields, e.g. query:person. */
  operation: Scalars['String']['output'];
  /** DISCLOSED, NOT_FOUND, REFUSED or FAILED. */
  outcome: Scalars['String']['output'];
  /** The declared purpose (X-Purpose). */
  purpose?: Maybe<Scalars['String']['output']>;
};

/** How an audited request ended (docs/audit.md): DISCLOSED (answered), NOT_FOUND (nothing to disclose), REFUSED (by policy: an error code says why), FAILED (another error). */
export enum AuditOutcome {
  Disclosed = 'DISCLOSED',
  Failed = 'FAILED',
  NotFound = 'NOT_FOUND',
  Refused = 'REFUSED',
}

/** One coordinate of a cell: a dimension and its code there. */
export type CellKey = {
  __typename?: 'CellKey';
  /** The code: region code, decile 1–10, program code, M/F or age-band code. */
  code: Scalars['String']['output'];
  /** The dimension. */
  dimension: StatisticsDimension;
  /** A human-readable label of the code (e.g. the region name). */
  label: Scalars['String']['output'];
};

/** One change event of your feed, in commit order. The same event (eventId) is delivered by webhook and read by `changes`; every read or delivery is an audited disclosure. */
export type ChangeEvent = {
  /** Unique id of the event (the webhook-id of its delivery). */
  eventId: Scalars['String']['output'];
  kind: ChangeKind;
  /** When the change was committed. */
  occurredAt: Scalars['DateTimeISO']['output'];
};

/** Your change events after a cursor, oldest first. Reading on with each endCursor sees every event exactly once, in commit order; the cursor works only for the client that got it. */
export type ChangeEventConnection = {
  __typename?: 'ChangeEventConnection';
  edges: Array<ChangeEventEdge>;
  /** hasNextPage: more events wait now; endCursor: where to continue (keep it). */
  pageInfo: PageInfo;
};

/** One event and its cursor. */
export type ChangeEventEdge = {
  __typename?: 'ChangeEventEdge';
  /** Pass as `after` to continue after this event. */
  cursor: Scalars['String']['output'];
  node: ChangeEvent;
};

/** What an event reports. ELIGIBILITY_CHANGED (ministries): the decision on a subject you follow changed (a new snapshot, or a new rule version taking effect with it). HOUSEHOLD_CHANGED (local governments): a new snapshot added, removed or changed a household of your region. VERIFICATION_STATUS_CHANGED (local governments): a submission you sent was approved, rejected or applied. GRIEVANCE_STATUS_CHANGED (whoever opened grievances): a grievance your agency opened was taken into review, resolved or dismissed. */
export enum ChangeKind {
  EligibilityChanged = 'ELIGIBILITY_CHANGED',
  GrievanceStatusChanged = 'GRIEVANCE_STATUS_CHANGED',
  HouseholdChanged = 'HOUSEHOLD_CHANGED',
  VerificationStatusChanged = 'VERIFICATION_STATUS_CHANGED',
}

/** Distinct NIKs one agreement checked on one Jakarta day, against its quota. */
export type DailyQuotaUse = {
  __typename?: 'DailyQuotaUse';
  /** Its agency. */
  agencyId: Scalars['String']['output'];
  /** The agency’s name. */
  agencyName: Scalars['String']['output'];
  /** The agreement. */
  agreementId: Scalars['String']['output'];
  /** The agreement’s daily quota of distinct NIKs. */
  dailyQuota: Scalars['Int']['output'];
  /** The day in Asia/Jakarta time (WIB). */
  day: Scalars['Date']['output'];
  /** Distinct NIKs checked that day. */
  distinctSubjects: Scalars['Int']['output'];
  /** Room reserved for large batches not yet counted one by one. */
  reserved: Scalars['Int']['output'];
  /** (distinctSubjects + reserved) / dailyQuota. */
  share: Scalars['Float']['output'];
};

/** Data-quality warnings of one kind found at import. */
export type DataQualityWarning = {
  __typename?: 'DataQualityWarning';
  /** The kind, e.g. NIK_BIRTH_DATE_MISMATCH (a NIK whose embedded birth date disagrees with birth_date). */
  code: Scalars['String']['output'];
  /** How many rows had it. */
  count: Scalars['Int']['output'];
};

/** A decision explained in plain language. */
export type DecisionExplanation = {
  __typename?: 'DecisionExplanation';
  /** In English. */
  en: Scalars['String']['output'];
  /** In Bahasa Indonesia. */
  id: Scalars['String']['output'];
};

/** A decision as it was sent to you, or as it is now. */
export type DecisionState = {
  __typename?: 'DecisionState';
  /** The as-of date of the snapshot it was decided on. */
  dataAsOf: Scalars['Date']['output'];
  eligible: Scalars['Boolean']['output'];
  /** The reason code (ELIGIBLE or NOT_ELIGIBLE only without detailed reasons). */
  reason: EligibilityReason;
  /** The version of the program rule that decided it. */
  ruleVersion: Scalars['Int']['output'];
};

/** The eligibility decision on a subject you follow changed: what was last sent to you (when you subscribed, or in the previous event) and what it is now. */
export type EligibilityChange = ChangeEvent & {
  __typename?: 'EligibilityChange';
  current: DecisionState;
  /** Id of the current decision; also in the audit log. Quote it in a dispute. */
  decisionId: Scalars['String']['output'];
  /** Unique id of the event (the webhook-id of its delivery). */
  eventId: Scalars['String']['output'];
  kind: ChangeKind;
  /** The NIK, only where your agreement shows it in change events; otherwise null. */
  nik?: Maybe<Scalars['NIK']['output']>;
  /** When the change was committed. */
  occurredAt: Scalars['DateTimeISO']['output'];
  previous: DecisionState;
  program: Program;
  /** Your pseudonym of the NIK, as in your decisions. */
  subjectRef: Scalars['String']['output'];
};

/** A decision, never a record: whether a NIK is eligible for a program under the current rule, as of the served snapshot. */
export type EligibilityDecision = {
  __typename?: 'EligibilityDecision';
  /** The as-of date of the snapshot the decision is based on. */
  dataAsOf: Scalars['Date']['output'];
  /** Welfare decile, only where your agreement discloses it; otherwise null. */
  decile?: Maybe<Scalars['Int']['output']>;
  /** Unique id of this decision; also in the audit log. Quote it in a dispute. */
  decisionId: Scalars['String']['output'];
  eligible: Scalars['Boolean']['output'];
  program: Program;
  reason: EligibilityReason;
  /** Version of the program rule applied (see `programs`). */
  ruleVersion: Scalars['Int']['output'];
  /** A pseudonym of the NIK for your agency: stable for your agency, unlinkable across agencies, present whether or not the NIK is registered. */
  subjectRef: Scalars['String']['output'];
};

/** Why a NIK is or is not eligible, the first that applies: NOT_REGISTERED, INACTIVE, HOUSEHOLD_REJECTED, NOT_RANKED, ABOVE_DECILE_THRESHOLD, NO_QUALIFYING_MEMBER (PKH), NOT_IN_TARGET_GROUP (PIP), ELIGIBLE. Agreements without detailed reasons see only ELIGIBLE or NOT_ELIGIBLE. */
export enum EligibilityReason {
  AboveDecileThreshold = 'ABOVE_DECILE_THRESHOLD',
  Eligible = 'ELIGIBLE',
  HouseholdRejected = 'HOUSEHOLD_REJECTED',
  Inactive = 'INACTIVE',
  NotEligible = 'NOT_ELIGIBLE',
  NotInTargetGroup = 'NOT_IN_TARGET_GROUP',
  NotRanked = 'NOT_RANKED',
  NotRegistered = 'NOT_REGISTERED',
  NoQualifyingMember = 'NO_QUALIFYING_MEMBER',
}

/** Audited requests of one operation and outcome over the range. */
export type GatewayOperationCount = {
  __typename?: 'GatewayOperationCount';
  /** How many. */
  count: Scalars['Int']['output'];
  /** The operation as audited: its type and root fields, e.g. query:statistics; http:graphql for a request refused before GraphQL. */
  operation: Scalars['String']['output'];
  /** How the requests ended. */
  outcome: AuditOutcome;
};

/** Refused requests of one error code and agency over the range. */
export type GatewayRefusalCount = {
  __typename?: 'GatewayRefusalCount';
  /** The agency; null for callers that could not be authenticated. */
  agencyId?: Maybe<Scalars['String']['output']>;
  /** The agency’s name. */
  agencyName?: Maybe<Scalars['String']['output']>;
  /** How many. */
  count: Scalars['Int']['output'];
  /** The error code, e.g. FORBIDDEN or RATE_LIMITED. */
  errorCode: Scalars['String']['output'];
};

/** Audited requests of one Jakarta day, agency, purpose and outcome. */
export type GatewayRequestCount = {
  __typename?: 'GatewayRequestCount';
  /** The agency; null for callers that could not be authenticated. */
  agencyId?: Maybe<Scalars['String']['output']>;
  /** The agency’s name. */
  agencyName?: Maybe<Scalars['String']['output']>;
  /** How many. */
  count: Scalars['Int']['output'];
  /** The day in Asia/Jakarta time (WIB). */
  day: Scalars['Date']['output'];
  /** How the requests ended. */
  outcome: AuditOutcome;
  /** The declared purpose (X-Purpose); null when none; UNRECOGNIZED for a purpose no agreement has. */
  purpose?: Maybe<Scalars['String']['output']>;
};

/** What the gateway was used for over a range of Jakarta days: counts of what agencies did, never naming a person, an officer or a request. */
export type GatewayUse = {
  __typename?: 'GatewayUse';
  /** The first day of the range (Asia/Jakarta). */
  from: Scalars['Date']['output'];
  /** ε spent by all researchers on each snapshot served during the range. */
  globalPrivacyBudget: Array<GlobalPrivacyBudgetUse>;
  /** Audited requests per operation and outcome, most frequent first. */
  operations: Array<GatewayOperationCount>;
  /** ε spent per client on each snapshot served during the range. */
  privacyBudget: Array<PrivacyBudgetUse>;
  /** Daily quota use per agreement and day (counters kept in an unlogged table: a crash of PostgreSQL clears them). */
  quotaUse: Array<DailyQuotaUse>;
  /** Refused requests per error code and agency, most frequent first. */
  refusals: Array<GatewayRefusalCount>;
  /** Audited requests per day, agency, purpose and outcome: every operation that discloses data and every refused attempt (successful me, snapshot, programs and regions calls are not audited). */
  requests: Array<GatewayRequestCount>;
  /** The last day of the range, included. */
  to: Scalars['Date']['output'];
};

/** Privacy budget (ε) all researchers together spent on one snapshot. */
export type GlobalPrivacyBudgetUse = {
  __typename?: 'GlobalPrivacyBudgetUse';
  /** The global budget per accounting period (DTKS_GLOBAL_PRIVACY_BUDGET). */
  epsilonBudget: Scalars['Float']['output'];
  /** ε left in the current accounting period. */
  epsilonRemaining: Scalars['Float']['output'];
  /** ε spent on this snapshot. */
  epsilonSpent: Scalars['Float']['output'];
  /** Its as-of date. */
  snapshotAsOf: Scalars['Date']['output'];
  /** The snapshot number. */
  snapshotId: Scalars['Int']['output'];
};

/** A grievance (sanggah) against an eligibility decision. Its opener (the agency that opened it) and the local government of the region it is routed to see it; the province once it is escalated; for anyone else it does not exist. */
export type Grievance = {
  __typename?: 'Grievance';
  /** When resolved or dismissed. */
  closedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  /** The contested decision (EligibilityDecision.decisionId). */
  decisionId: Scalars['String']['output'];
  /** DISMISSED: why, as the region wrote it. */
  dismissalReason?: Maybe<Scalars['String']['output']>;
  /** When it must be handled by; past it, still open, it is escalated to the province. */
  dueAt: Scalars['DateTimeISO']['output'];
  /** The due date passed while it was not closed. */
  escalated: Scalars['Boolean']['output'];
  /** Local governments: the person’s household, as your agreement lets you see it (null for a person not in the registry). */
  household?: Maybe<Household>;
  id: Scalars['ID']['output'];
  openedAt: Scalars['DateTimeISO']['output'];
  /** The agency that opened it. */
  openedBy?: Maybe<Scalars['String']['output']>;
  /** The program of the contested decision. */
  program: Program;
  /** Local governments: the region it is routed to. Null for the opener. */
  regionCode?: Maybe<Scalars['String']['output']>;
  reviewedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  status: GrievanceStatus;
  /** RESOLVED: the verification submission (or proposal) that answers it. */
  submissionId?: Maybe<Scalars['ID']['output']>;
  /** The complaint, as the opener wrote it. */
  text: Scalars['String']['output'];
};

/** A page of grievances, in the order they were opened. */
export type GrievanceConnection = {
  __typename?: 'GrievanceConnection';
  edges: Array<GrievanceEdge>;
  pageInfo: PageInfo;
};

export type GrievanceEdge = {
  __typename?: 'GrievanceEdge';
  cursor: Scalars['String']['output'];
  node: Grievance;
};

/** Narrows a grievance list; every condition given must hold. */
export type GrievanceFilterInput = {
  /** true: escalated only; false: not. */
  escalated?: InputMaybe<Scalars['Boolean']['input']>;
  /** About this person only. */
  nik?: InputMaybe<Scalars['NIK']['input']>;
  program?: InputMaybe<Program>;
  /** Local governments: routed within this region-code prefix. */
  regionCode?: InputMaybe<Scalars['String']['input']>;
  /** Any of these statuses. */
  statuses?: InputMaybe<Array<GrievanceStatus>>;
};

/** OPEN → IN_REVIEW → RESOLVED (with a verification) or DISMISSED (with a reason). */
export enum GrievanceStatus {
  Dismissed = 'DISMISSED',
  InReview = 'IN_REVIEW',
  Open = 'OPEN',
  Resolved = 'RESOLVED',
}

/** A grievance (sanggah) your agency opened changed status: IN_REVIEW when the region took it up, RESOLVED (with a verification) or DISMISSED (with a reason; read it with grievance(id)). */
export type GrievanceStatusChange = ChangeEvent & {
  __typename?: 'GrievanceStatusChange';
  /** The decision it contests. */
  decisionId: Scalars['String']['output'];
  /** Unique id of the event (the webhook-id of its delivery). */
  eventId: Scalars['String']['output'];
  /** The grievance (as Grievance.id). */
  grievanceId: Scalars['ID']['output'];
  kind: ChangeKind;
  /** When the change was committed. */
  occurredAt: Scalars['DateTimeISO']['output'];
  /** OPEN, IN_REVIEW, RESOLVED or DISMISSED. */
  previousStatus: Scalars['String']['output'];
  program: Program;
  /** OPEN, IN_REVIEW, RESOLVED or DISMISSED. */
  status: Scalars['String']['output'];
};

/** A household (keluarga) of the registry, as your agreement lets you see it. Fields your agreement masks or withholds are masked or null and listed in extensions.disclosure. */
export type Household = {
  __typename?: 'Household';
  /** Address as recorded. */
  address?: Maybe<Scalars['String']['output']>;
  /** The as-of date of the registry snapshot this record was read from (the date the snapshot describes, CONTRACT §4), read in the same statement as the record. */
  dataAsOf: Scalars['Date']['output'];
  /** Welfare decile (desil) 1–10 from the national ranking; null when not ranked or withheld. */
  decile?: Maybe<Scalars['Int']['output']>;
  /** Verification events of this household, oldest first: submissions, reviews, and their application by a snapshot. */
  history: Array<VerificationEvent>;
  /** The registry household id (ID DTKS). Always shown to record clients. */
  id: Scalars['ID']['output'];
  /** Family card number (No. KK); often masked: 320101******0001. */
  kkNumber?: Maybe<Scalars['String']['output']>;
  /** Members of the household, ordered by NIK. */
  members?: Maybe<Array<Person>>;
  /** Village (desa/kelurahan) code. */
  regionCode?: Maybe<Scalars['RegionCode']['output']>;
  /** Verification status. */
  verificationStatus?: Maybe<VerificationStatus>;
  /** Date of the last verification. */
  verifiedAt?: Maybe<Scalars['Date']['output']>;
};

/** A new snapshot added, removed or changed a household of your region. It names the fields that changed, never their values: read the household for those. */
export type HouseholdChange = ChangeEvent & {
  __typename?: 'HouseholdChange';
  change: HouseholdChangeType;
  /** Unique id of the event (the webhook-id of its delivery). */
  eventId: Scalars['String']['output'];
  /** For CHANGED: the fields that changed, as Household names them (kkNumber, regionCode, address, decile, verificationStatus, verifiedAt), "housing" for the housing characteristics and "members" when a member was added, removed or changed. Empty for ADDED and REMOVED. */
  fields: Array<Scalars['String']['output']>;
  /** The household (as Household.id). */
  householdId: Scalars['ID']['output'];
  kind: ChangeKind;
  /** When the change was committed. */
  occurredAt: Scalars['DateTimeISO']['output'];
  /** Its region code now (for REMOVED: where it was in your region). */
  regionCode: Scalars['String']['output'];
};

/** ADDED: the household is in your region now and was not (new, or moved in). REMOVED: it was in your region and is not any more (gone from the registry, or moved out). CHANGED: it stays in your region and some of its fields changed. */
export enum HouseholdChangeType {
  Added = 'ADDED',
  Changed = 'CHANGED',
  Removed = 'REMOVED',
}

/** A page of a work list (Relay connection), in the order asked for (orderBy). */
export type HouseholdConnection = {
  __typename?: 'HouseholdConnection';
  /** The as-of date of the registry snapshot the page was read from: the dataAsOf of its households, read in the same statement (an empty page reads it alone); null only while no snapshot has been loaded. */
  dataAsOf?: Maybe<Scalars['Date']['output']>;
  /** The households of this page, in order. */
  edges: Array<HouseholdEdge>;
  /** Whether more pages follow, and where to continue. */
  pageInfo: PageInfo;
  /** How many households of your region scope match the filter, all pages together. Counted only when asked for, in the same statement as the page. */
  totalCount: Scalars['Int']['output'];
};

/** Household details found on the visit. Give only what changed (or, in a proposal, what is known); codes are from docs/code-lists.md. */
export type HouseholdDetailsInput = {
  /** Address (one line, up to 500 characters). */
  address?: InputMaybe<Scalars['String']['input']>;
  /** A cooking_fuel code. */
  cookingFuel?: InputMaybe<Scalars['String']['input']>;
  /** Floor area in square metres, 0–999999.99, at most 2 decimals. */
  floorAreaM2?: InputMaybe<Scalars['Float']['input']>;
  /** A floor_type code. */
  floorType?: InputMaybe<Scalars['String']['input']>;
  /** A lighting code. */
  lighting?: InputMaybe<Scalars['String']['input']>;
  /** A roof_type code. */
  roofType?: InputMaybe<Scalars['String']['input']>;
  /** A sanitation code. */
  sanitation?: InputMaybe<Scalars['String']['input']>;
  /** A wall_type code. */
  wallType?: InputMaybe<Scalars['String']['input']>;
  /** A water_source code. */
  waterSource?: InputMaybe<Scalars['String']['input']>;
};

export type HouseholdEdge = {
  __typename?: 'HouseholdEdge';
  /** The position of this household, for `after`. */
  cursor: Scalars['String']['output'];
  /** The household. */
  node: Household;
};

/** Narrows a work list. Every condition given must hold (AND), always inside your region scope; a filter on a field your agreement withholds is refused (FORBIDDEN). */
export type HouseholdFilterInput = {
  /** Highest decile, 1–10. */
  decileMax?: InputMaybe<Scalars['Int']['input']>;
  /** Lowest decile, 1–10 (unranked households never match a decile bound). */
  decileMin?: InputMaybe<Scalars['Int']['input']>;
  /** Households with a child under 6 (aged 0–5). Age in completed years at the served snapshot's as-of date, as in the PKH rule. Only ACTIVE members count. true: at least one such member; false: none; absent: either. */
  hasChildUnder6?: InputMaybe<Scalars['Boolean']['input']>;
  /** Households with an elderly member, aged 60 or older. Age in completed years at the served snapshot's as-of date, as in the PKH rule. Only ACTIVE members count. true: at least one such member; false: none; absent: either. */
  hasElderlyMember?: InputMaybe<Scalars['Boolean']['input']>;
  /** Households with a pregnant member. Only ACTIVE members count. true: at least one such member; false: none; absent: either. */
  hasPregnantMember?: InputMaybe<Scalars['Boolean']['input']>;
  /** Households with a member with a SEVERE disability. Only ACTIVE members count. true: at least one such member; false: none; absent: either. */
  hasSevereDisability?: InputMaybe<Scalars['Boolean']['input']>;
  /** Not verified since this date: households never verified, or last verified before it (a verification on the date itself counts as verified since). */
  notVerifiedSince?: InputMaybe<Scalars['Date']['input']>;
  /** Current recipients: households with at least one ACTIVE member who currently receives this program (program recipients of the served snapshot). */
  program?: InputMaybe<Program>;
  /** Only households whose village code starts with this: a regency (4 digits), a district (6, e.g. 320101) or a village (10); a region outside your scope matches nothing. */
  regionCode?: InputMaybe<Scalars['RegionCode']['input']>;
  /** Only households with this verification status. */
  verificationStatus?: InputMaybe<VerificationStatus>;
};

/** The order of a work list. */
export enum HouseholdOrder {
  /** By household id (the default). */
  Id = 'ID',
  /** Longest unverified first: never-verified households, then by the date of the last verification, oldest first; ties by household id. */
  LastVerified = 'LAST_VERIFIED',
}

/** A household not yet in the registry (usulan baru), found in your region. Reviewed like a submission. */
export type HouseholdProposalInput = {
  /** Address (required) and housing details. */
  details: HouseholdDetailsInput;
  /** Your unique key for this proposal; same rules as VerificationInput.idempotencyKey. */
  idempotencyKey: Scalars['String']['input'];
  /** Family card number (No. KK), 16 digits; not already registered in your region. */
  kkNumber: Scalars['String']['input'];
  /** The members, 1–50, exactly one of them the HEAD; none already registered in your region. */
  members: Array<NewMemberInput>;
  /** Free text for the reviewer, up to 2000 characters. */
  note?: InputMaybe<Scalars['String']['input']>;
  /** Village code (10 digits) in your region scope. */
  regionCode: Scalars['String']['input'];
  /** Date of the visit (Jakarta time): not in the future, within the last year. */
  visitedAt: Scalars['Date']['input'];
};

/** Your client, its agency and what its agreement (PKS) allows. */
export type Me = {
  __typename?: 'Me';
  agencyId: Scalars['String']['output'];
  agencyName: Scalars['String']['output'];
  /** The agreement this client operates under. */
  agreementId: Scalars['String']['output'];
  agreementTitle: Scalars['String']['output'];
  clientId: Scalars['String']['output'];
  /** MINISTRY, LOCAL_GOV, RESEARCHER, INTERNAL, ADMIN or SUBJECT_SERVICE. */
  kind: Scalars['String']['output'];
  /** The legal basis of each of your purposes, in the order of `purposes`. */
  legalBases: Array<PurposeLegalBasis>;
  /** Your agency’s privacy budget (ε) left in the current accounting period (all its clients draw from it; DTKS_PRIVACY_PERIOD_MONTHS); null when your agreement has none. */
  privacyBudgetRemaining?: Maybe<Scalars['Float']['output']>;
  /** Programs whose eligibility you may check. */
  programs: Array<Scalars['String']['output']>;
  /** Purposes you may declare in X-Purpose. */
  purposes: Array<Scalars['String']['output']>;
  /** Region-code prefixes you may see; "*" is the whole country. */
  regionScope: Array<Scalars['String']['output']>;
  /** Operations allowed, as resource:verb. */
  scopes: Array<Scalars['String']['output']>;
  validFrom: Scalars['DateTimeISO']['output'];
  /** Null: no end date. */
  validUntil?: Maybe<Scalars['DateTimeISO']['output']>;
};

/** A member change as sent. NIK, name, sex, birth date and relationship follow your agreement’s rules for Person (NIK usually masked) and are listed in extensions.disclosure when masked or withheld. */
export type MemberChange = {
  __typename?: 'MemberChange';
  /** What changed for this person. */
  action: MemberChangeAction;
  /** Birth date given (ADD, CORRECT). */
  birthDate?: Maybe<Scalars['Date']['output']>;
  /** Name given (ADD, CORRECT). */
  name?: Maybe<Scalars['String']['output']>;
  /** NIK, usually masked: 320101******0001. */
  nik?: Maybe<Scalars['String']['output']>;
  /** Relationship given (ADD). */
  relationship?: Maybe<Scalars['String']['output']>;
  /** Sex given (ADD). */
  sex?: Maybe<Scalars['String']['output']>;
};

/** ADD a person not yet in the registry (a newborn, someone who joined); mark a member DECEASED or MOVED (left the household); CORRECT a member’s name or birth date. */
export enum MemberChangeAction {
  Add = 'ADD',
  Correct = 'CORRECT',
  Deceased = 'DECEASED',
  Moved = 'MOVED',
}

/** A change to one member. ADD takes nik, name and birthDate (required) and optionally sex, relationship, pregnant, disability, inSchool; DECEASED and MOVED take only nik; CORRECT takes nik and a new name and/or birthDate. nik is always the full NIK; for DECEASED, MOVED and CORRECT it must be a member of the household. */
export type MemberChangeInput = {
  /** What changed for this person. */
  action: MemberChangeAction;
  /** Birth date, not after the visit (ADD: required; CORRECT: the correct date). */
  birthDate?: InputMaybe<Scalars['Date']['input']>;
  /** NONE, MILD or SEVERE (ADD only). */
  disability?: InputMaybe<Scalars['String']['input']>;
  /** Attends school (ADD only). */
  inSchool?: InputMaybe<Scalars['Boolean']['input']>;
  /** Name (ADD: required; CORRECT: the correct name). */
  name?: InputMaybe<Scalars['String']['input']>;
  /** The full NIK (16 digits, known province code). */
  nik: Scalars['String']['input'];
  /** Pregnant (ADD only; sex F). */
  pregnant?: InputMaybe<Scalars['Boolean']['input']>;
  /** HEAD, SPOUSE, CHILD, PARENT or OTHER (ADD only). */
  relationship?: InputMaybe<Scalars['String']['input']>;
  /** M or F (ADD only). */
  sex?: InputMaybe<Scalars['String']['input']>;
};

/** ACTIVE, DECEASED or MOVED; only active members count for eligibility. */
export enum MemberStatus {
  Active = 'ACTIVE',
  Deceased = 'DECEASED',
  Moved = 'MOVED',
}

export type Mutation = {
  __typename?: 'Mutation';
  /** Dismisses a grievance of your region, saying why. */
  dismissGrievance: Grievance;
  /** Lifts restriction `id` of `nik`, keeping who lifted it, when and why. A data subjects’ service lifts what a person asked for; only the administrator lifts its own. */
  liftProcessingRestriction: ProcessingRestriction;
  /** Contests a decision about a person (sanggah). For a data subjects’ service that verified the person, or a ministry. Goes to the local government of the person’s household’s region (of the stated region when they are not in the registry), due in 30 days. */
  openGrievance: Grievance;
  /** Proposes a household not yet in the registry (usulan baru), with its members; reviewed like a submission (needs X-Officer-Id). */
  proposeHousehold: VerificationSubmission;
  /** Resolves a grievance of your region with the verification submission that answers it (of the household; for a person not in the registry, a proposal of a new household). */
  resolveGrievance: Grievance;
  /** Restricts the processing of a NIK for purposes and/or agencies (none named: all). For a data subjects’ service that verified the person’s identity, on their request, or for the administrator. Takes effect at once for records and eligibility decisions, and for statistics from the next snapshot import. Audited with the NIK as subject. */
  restrictProcessing: ProcessingRestriction;
  /** Takes an OPEN grievance of your region into review. */
  reviewGrievance: Grievance;
  /** Approves or rejects a SUBMITTED submission or proposal of your region (needs X-Officer-Id). Two-person rule: never one sent by your own client or agency. A note is required to reject. */
  reviewVerification: VerificationSubmission;
  /** Sends what an officer found at a household of your region (needs X-Officer-Id). Stored as SUBMITTED for review; the served snapshot does not change. A household outside your region gets exactly the error of an id that does not exist. Retrying with the same idempotencyKey and input returns the first submission. */
  submitVerification: VerificationSubmission;
  /** Follows these NIKs for a program of your agreement: when a new snapshot (or rule version) changes the decision on one of them, an EligibilityChange event is written for you. Each NIK is checked as by eligibilityBatch (same limit per operation, counted in your daily quota, audited); that decision is the "previous" of its first event. Following a NIK already followed changes nothing; a NIK not registered yet is followed too. */
  subscribeSubjects: SubjectSubscriptionResult;
  /** Stops following these NIKs for the program: no event about them is written from now on (events already written stay in your feed). Same limit per operation as subscribeSubjects. */
  unsubscribeSubjects: SubjectUnsubscriptionResult;
};

export type MutationDismissGrievanceArgs = {
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};

export type MutationLiftProcessingRestrictionArgs = {
  id: Scalars['ID']['input'];
  nik: Scalars['NIK']['input'];
  reason: Scalars['String']['input'];
};

export type MutationOpenGrievanceArgs = {
  input: OpenGrievanceInput;
};

export type MutationProposeHouseholdArgs = {
  input: HouseholdProposalInput;
};

export type MutationResolveGrievanceArgs = {
  id: Scalars['ID']['input'];
  submissionId: Scalars['ID']['input'];
};

export type MutationRestrictProcessingArgs = {
  input: RestrictProcessingInput;
};

export type MutationReviewGrievanceArgs = {
  id: Scalars['ID']['input'];
};

export type MutationReviewVerificationArgs = {
  decision: ReviewDecision;
  id: Scalars['ID']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
};

export type MutationSubmitVerificationArgs = {
  input: VerificationInput;
};

export type MutationSubscribeSubjectsArgs = {
  niks: Array<Scalars['NIK']['input']>;
  program: Program;
};

export type MutationUnsubscribeSubjectsArgs = {
  niks: Array<Scalars['NIK']['input']>;
  program: Program;
};

/** A member of a proposed household: a person not yet in the registry. */
export type NewMemberInput = {
  /** Birth date, not after the visit. */
  birthDate: Scalars['Date']['input'];
  /** NONE, MILD or SEVERE. */
  disability?: InputMaybe<Scalars['String']['input']>;
  /** Attends school. */
  inSchool?: InputMaybe<Scalars['Boolean']['input']>;
  /** Name (one line, up to 100 characters). */
  name: Scalars['String']['input'];
  /** The full NIK (16 digits, known province code). */
  nik: Scalars['String']['input'];
  /** Pregnant (sex F). */
  pregnant?: InputMaybe<Scalars['Boolean']['input']>;
  /** HEAD, SPOUSE, CHILD, PARENT or OTHER; exactly one member is the HEAD. */
  relationship?: InputMaybe<Scalars['String']['input']>;
  /** M or F. */
  sex?: InputMaybe<Scalars['String']['input']>;
};

/** A grievance against a decision about a person. */
export type OpenGrievanceInput = {
  /** The contested decision’s decisionId: for a ministry, one it was given; for a data subjects’ service, any decision about the person. */
  decisionId: Scalars['String']['input'];
  /** The person the decision is about. */
  nik: Scalars['NIK']['input'];
  program: Program;
  /** The region where the person lives, as they state it (regency, district or village code): the grievance goes there when the person is not in the registry; otherwise to their household’s region. */
  regionCode: Scalars['String']['input'];
  /** The complaint (1–2000 characters). Never in an error or a log. */
  text: Scalars['String']['input'];
};

/** Relay page information. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` for the next page. Bound to your client, this filter and this order; it cannot be used by anyone else or for another query. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** Whether another page follows this one. */
  hasNextPage: Scalars['Boolean']['output'];
};

/** A person (anggota keluarga) of the registry, as your agreement lets you see them. The NIK is usually masked (first 6 and last 4 digits kept). */
export type Person = {
  __typename?: 'Person';
  /** Date of birth. */
  birthDate?: Maybe<Scalars['Date']['output']>;
  /** The as-of date of the registry snapshot this record was read from (the date the snapshot describes, CONTRACT §4), read in the same statement as the record. */
  dataAsOf: Scalars['Date']['output'];
  /** The household the person belongs to. */
  household?: Maybe<Household>;
  /** Name as recorded. */
  name?: Maybe<Scalars['String']['output']>;
  /** NIK, usually masked: 320101******0001. */
  nik?: Maybe<Scalars['String']['output']>;
  /** Programs the person currently receives (program recipients of the served snapshot), in alphabetical order; empty when none. */
  programs?: Maybe<Array<Program>>;
  /** Relationship to the head of the household. */
  relationship?: Maybe<Relationship>;
  sex?: Maybe<Sex>;
  status?: Maybe<MemberStatus>;
};

/** Privacy budget (ε) one client spent on one snapshot. */
export type PrivacyBudgetUse = {
  __typename?: 'PrivacyBudgetUse';
  /** Its agency. */
  agencyId?: Maybe<Scalars['String']['output']>;
  /** The agency’s name. */
  agencyName?: Maybe<Scalars['String']['output']>;
  /** The client. */
  clientId: Scalars['String']['output'];
  /** ε its current agreement allows its agency per accounting period; null without a budget. */
  epsilonBudget?: Maybe<Scalars['Float']['output']>;
  /** ε its agency has left in the current accounting period (all its clients together); null without a budget. */
  epsilonRemaining?: Maybe<Scalars['Float']['output']>;
  /** ε spent on this snapshot. */
  epsilonSpent: Scalars['Float']['output'];
  /** Its as-of date. */
  snapshotAsOf: Scalars['Date']['output'];
  /** The snapshot number. */
  snapshotId: Scalars['Int']['output'];
};

/** A restriction of processing a NIK. While active, the person is left out — as if not in the registry — of records and eligibility decisions for the purposes and agencies it covers, unless the purpose’s legal basis is one a restriction does not stop (`notStoppedFor`); and of statistics from the next snapshot import on. */
export type ProcessingRestriction = {
  __typename?: 'ProcessingRestriction';
  /** False once lifted. */
  active: Scalars['Boolean']['output'];
  /** The agencies it covers; empty: every agency. */
  agencyIds: Array<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** Why it was lifted, as given. */
  liftReason?: Maybe<Scalars['String']['output']>;
  liftedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  /** The agreements’ purposes it covers where it does not stop processing (empty once lifted). */
  notStoppedFor: Array<RestrictionExemption>;
  /** The purposes it covers; empty: every purpose. */
  purposes: Array<Scalars['String']['output']>;
  /** Why it was asked for, as given. */
  reason: Scalars['String']['output'];
  /** SUBJECT (the person, through a data subjects’ service) or ADMINISTRATOR. */
  requestedBy: Scalars['String']['output'];
  restrictedAt: Scalars['DateTimeISO']['output'];
};

/** PKH (Program Keluarga Harapan), BPNT (Sembako), PBI_JK (health insurance contribution), PIP (school assistance). */
export enum Program {
  Bpnt = 'BPNT',
  PbiJk = 'PBI_JK',
  Pip = 'PIP',
  Pkh = 'PKH',
}

/** A program and the version of its eligibility rule in force for the served snapshot, in plain words, with the versions scheduled after it. */
export type ProgramInfo = {
  __typename?: 'ProgramInfo';
  code: Program;
  /** When this version was recorded; for a published version, the start (Jakarta time) of the day it is in force from. */
  effectiveFrom: Scalars['DateTimeISO']['output'];
  /** Decisions on snapshots as of this date or later apply this version (until a later one); null: in force from the start. */
  effectiveOn?: Maybe<Scalars['Date']['output']>;
  name: Scalars['String']['output'];
  /** The rule in plain language, as applied to every decision of this version. */
  rule: Scalars['String']['output'];
  ruleVersion: Scalars['Int']['output'];
  /** Versions published for a date after the served snapshot’s as-of date: they apply from the first snapshot as of that date or later. Oldest first. */
  scheduled: Array<ScheduledRuleVersion>;
  /** HOUSEHOLD or PERSON: whom the program is given to. */
  unit: Scalars['String']['output'];
};

/** A household count under the dashboard rule: null and suppressed when it is 1–9 households, or when showing it would let a hidden one be computed (so a suppressed count is not necessarily small). Never 0 for a hidden value. */
export type ProtectedCount = {
  __typename?: 'ProtectedCount';
  /** Whether the count is hidden. */
  suppressed: Scalars['Boolean']['output'];
  /** The count; null when suppressed. */
  value?: Maybe<Scalars['Int']['output']>;
};

/** The legal basis (UU PDP Art. 20(2)) your agreement records for one of its purposes. A restriction a person asks for stops processing for a purpose unless its basis is PUBLIC_TASK or LEGAL_OBLIGATION, where it is recorded and shown but does not stop it. */
export type PurposeLegalBasis = {
  __typename?: 'PurposeLegalBasis';
  /** CONSENT, CONTRACT, LEGAL_OBLIGATION, VITAL_INTEREST, PUBLIC_TASK or LEGITIMATE_INTEREST. */
  basis: Scalars['String']['output'];
  purpose: Scalars['String']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** Who accessed this person’s data: when, which agency and client, officer, purpose, operation and fields. Newest first; first ≤ 1000. */
  accessLog: AccessLogConnection;
  /** Your change events after `after`, oldest first (commit order); first ≤ 100. Keep the endCursor and pass it next time: you see every event exactly once, across restarts of the gateway. Without `after`, from your first event. */
  changes: ChangeEventConnection;
  /** Is this NIK eligible for this program? A decision, never a record. Programs of your agreement only. */
  eligibility: EligibilityDecision;
  /** One decision per NIK, in input order (duplicates included). Up to 10,000 NIKs per operation unless your agreement sets less, counted across all fields and aliases. */
  eligibilityBatch: Array<EligibilityDecision>;
  /** What the gateway was used for over a range of days (Asia/Jakarta, at most 366): requests per agency, purpose and outcome, refusals by code, privacy budget spent, daily quota use. Internal dashboards and the administrator (operations:read). */
  gatewayUse: GatewayUse;
  /** One grievance; null when it does not exist or is not yours to see. */
  grievance?: Maybe<Grievance>;
  /** Grievances, oldest first; first ≤ 100. A local government: those routed to its region (and, for a province, those escalated to it). An opener: those its agency opened. */
  grievances: GrievanceConnection;
  /** A household by id, masked per your agreement; null outside your region scope, exactly as for an id that does not exist. */
  household?: Maybe<Household>;
  /** Work list: the households of your region scope matching the filter, a page at a time (first ≤ 500), in the order asked for. The members of a page, with their programs, come in one statement for the whole page. */
  households: HouseholdConnection;
  /** Your client, agency, agreement and what it allows. Needs no X-Purpose. */
  me: Me;
  /** For a data subjects’ service whose agreement states that it verified the person’s identity: the person’s own record in clear, the rest of their household as the agreement allows, each program’s current decision explained in Bahasa Indonesia and English, and who accessed their data. Audited as the person’s own access. Also at POST /subject/report (JSON or a printable page). */
  myRecord: SubjectReport;
  /** A person by NIK, masked per your agreement; null outside your region scope, exactly as for a NIK that does not exist. */
  person?: Maybe<Person>;
  /** Every restriction of a NIK, active and lifted, newest first. */
  processingRestrictions: Array<ProcessingRestriction>;
  /** Every program with the plain-language rule and version decisions apply now, and the versions scheduled for later snapshots. */
  programs: Array<ProgramInfo>;
  /** The public region reference with the reference population of provinces and regencies: the regions of a level under a region, by code. Any client; needs no X-Purpose. */
  regions: Array<Region>;
  /** The registry snapshot being served, or null before the first snapshot is loaded. */
  snapshot?: Maybe<Snapshot>;
  /** The registry snapshots loaded, newest (the one served) first: as-of date, counts, data-quality warnings, import time. Internal dashboards and the administrator (operations:read). */
  snapshotHistory: Array<SnapshotHistoryEntry>;
  /** A table of counts with disclosure control: differential privacy for researchers, the cell-key method with cell suppression for internal dashboards, exact counts for administrators (docs/privacy.md). */
  statistics: StatisticsResult;
  /** Verification (verivali) progress per regency of your region scope: households, never verified and not verified since a month, under the dashboard rule (docs/privacy.md); submissions and proposals by status and the median days to review. Internal dashboards and the administrator (operations:read). */
  verificationProgress: VerificationProgress;
  /** Submissions and proposals of your region scope (the administrator: all), oldest first; first ≤ 500. */
  verificationSubmissions: VerificationSubmissionConnection;
};

export type QueryAccessLogArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: Scalars['Int']['input'];
  nik: Scalars['NIK']['input'];
};

export type QueryChangesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: Scalars['Int']['input'];
};

export type QueryEligibilityArgs = {
  nik: Scalars['NIK']['input'];
  program: Program;
};

export type QueryEligibilityBatchArgs = {
  niks: Array<Scalars['NIK']['input']>;
  program: Program;
};

export type QueryGatewayUseArgs = {
  from: Scalars['Date']['input'];
  to: Scalars['Date']['input'];
};

export type QueryGrievanceArgs = {
  id: Scalars['ID']['input'];
};

export type QueryGrievancesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<GrievanceFilterInput>;
  first?: Scalars['Int']['input'];
};

export type QueryHouseholdArgs = {
  id: Scalars['ID']['input'];
};

export type QueryHouseholdsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<HouseholdFilterInput>;
  first?: Scalars['Int']['input'];
  orderBy?: HouseholdOrder;
};

export type QueryMyRecordArgs = {
  nik: Scalars['NIK']['input'];
};

export type QueryPersonArgs = {
  nik: Scalars['NIK']['input'];
};

export type QueryProcessingRestrictionsArgs = {
  nik: Scalars['NIK']['input'];
};

export type QueryRegionsArgs = {
  level?: InputMaybe<RegionLevel>;
  parentCode?: InputMaybe<Scalars['RegionCode']['input']>;
};

export type QuerySnapshotHistoryArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type QueryStatisticsArgs = {
  query: StatisticsQuery;
};

export type QueryVerificationProgressArgs = {
  filter?: InputMaybe<VerificationProgressFilter>;
};

export type QueryVerificationSubmissionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<VerificationSubmissionFilter>;
  first?: Scalars['Int']['input'];
};

/** Verification progress of one regency (within your region scope). */
export type RegencyVerificationProgress = {
  __typename?: 'RegencyVerificationProgress';
  /** Households of the served snapshot. */
  households: ProtectedCount;
  /** Median days from submission to review over those reviewed, one decimal; null when none was reviewed or the regency is suppressed. */
  medianDaysToReview?: Maybe<Scalars['Float']['output']>;
  /** Households never verified (no verification date). */
  neverVerified: ProtectedCount;
  /** Households never verified or last verified before filter.notVerifiedSince; null when no date was given. */
  notVerifiedSince?: Maybe<ProtectedCount>;
  /** Proposals of new households (usulan baru) by status; null when the regency is suppressed. */
  proposals?: Maybe<VerificationStatusCounts>;
  /** Its province code (2 digits). */
  provinceCode: Scalars['String']['output'];
  /** The regency or city code (4 digits). */
  regencyCode: Scalars['String']['output'];
  /** Its name in the region reference. */
  regencyName: Scalars['String']['output'];
  /** Submissions and proposals reviewed (approved or rejected); null when the regency is suppressed. */
  reviewed?: Maybe<Scalars['Int']['output']>;
  /** Verification submissions (visits to registered households) by status; null when the regency is suppressed. */
  submissions?: Maybe<VerificationStatusCounts>;
  /** True when the regency has 1–9 households in your scope: every figure of it, submissions included, is hidden. */
  suppressed: Scalars['Boolean']['output'];
};

/** A region of the public reference (kode wilayah, Kepmendagri 300.2.2-2138/2025): public data, not the registry. */
export type Region = {
  __typename?: 'Region';
  /** The region code without dots (2, 4, 6 or 10 digits). */
  code: Scalars['String']['output'];
  /** Its level. */
  level: RegionLevel;
  /** Its name, e.g. Kabupaten Bogor. */
  name: Scalars['String']['output'];
  /** The region it lies in; null for a province. */
  parentCode?: Maybe<Scalars['String']['output']>;
  /** Reference population; provinces and regencies only, null below. */
  population?: Maybe<RegionPopulation>;
};

/** A level of the region reference: PROVINCE (2-digit code), REGENCY (regency or city, 4), DISTRICT (kecamatan, 6), VILLAGE (desa or kelurahan, 10). */
export enum RegionLevel {
  District = 'DISTRICT',
  Province = 'PROVINCE',
  Regency = 'REGENCY',
  Village = 'VILLAGE',
}

/** Reference population of a province or regency (2024, data/wilayah/). */
export type RegionPopulation = {
  __typename?: 'RegionPopulation';
  /** Women. */
  female: Scalars['Int']['output'];
  /** Men. */
  male: Scalars['Int']['output'];
  /** Everyone. */
  total: Scalars['Int']['output'];
};

/** Relationship to the head of the household. */
export enum Relationship {
  Child = 'CHILD',
  Head = 'HEAD',
  Other = 'OTHER',
  Parent = 'PARENT',
  Spouse = 'SPOUSE',
}

/** What to restrict: a NIK, for purposes and/or agencies, and why. */
export type RestrictProcessingInput = {
  /** Agency ids, at most 50; empty or absent: every agency. */
  agencyIds?: InputMaybe<Array<Scalars['String']['input']>>;
  nik: Scalars['NIK']['input'];
  /** Purpose codes (e.g. RESEARCH), at most 50; empty or absent: every purpose. */
  purposes?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Why (1–1000 characters). Kept with the restriction; never in an error or a log. */
  reason: Scalars['String']['input'];
};

/** A purpose of an agency that a restriction covers but does not stop: its legal basis (a public task, a legal obligation or a vital interest) lets processing go on. The restriction is recorded and shown there. */
export type RestrictionExemption = {
  __typename?: 'RestrictionExemption';
  agencyId: Scalars['String']['output'];
  agencyName: Scalars['String']['output'];
  /** PUBLIC_TASK, LEGAL_OBLIGATION or VITAL_INTEREST. */
  basis: Scalars['String']['output'];
  purpose: Scalars['String']['output'];
};

/** APPROVED (send to the central ranking cycle) or REJECTED (a note says why). */
export enum ReviewDecision {
  Approved = 'APPROVED',
  Rejected = 'REJECTED',
}

/** A version of a program’s eligibility rule published for a later date (`dtks-gateway rules publish`). */
export type ScheduledRuleVersion = {
  __typename?: 'ScheduledRuleVersion';
  /** It applies to decisions on snapshots as of this date or later. */
  effectiveOn: Scalars['Date']['output'];
  /** The rule in plain language. */
  rule: Scalars['String']['output'];
  ruleVersion: Scalars['Int']['output'];
};

/** M or F, as recorded. */
export enum Sex {
  F = 'F',
  M = 'M',
}

/** The registry snapshot the gateway serves (one DTKS/DTSEN export). */
export type Snapshot = {
  __typename?: 'Snapshot';
  /** The date the data describes; every decision and statistic is "as of" this date. */
  asOf: Scalars['Date']['output'];
  /** Households in the whole registry (not only those you may see). */
  households: Scalars['Float']['output'];
  /** When this snapshot was loaded into the gateway. */
  loadedAt: Scalars['DateTimeISO']['output'];
  /** Persons in the whole registry (not only those you may see). */
  persons: Scalars['Float']['output'];
};

/** One loaded registry snapshot (whole-registry totals). */
export type SnapshotHistoryEntry = {
  __typename?: 'SnapshotHistoryEntry';
  /** The date the data describes. */
  asOf: Scalars['Date']['output'];
  /** All data-quality warnings together. */
  dataQualityWarningTotal: Scalars['Int']['output'];
  /** Data-quality warnings by kind. */
  dataQualityWarnings: Array<DataQualityWarning>;
  /** Households loaded. */
  households: Scalars['Int']['output'];
  /** The snapshot number, as the import printed it. */
  id: Scalars['Int']['output'];
  /** Seconds the import took, one decimal. */
  importSeconds: Scalars['Float']['output'];
  /** When it was loaded. */
  loadedAt: Scalars['DateTimeISO']['output'];
  /** Persons (members) loaded. */
  persons: Scalars['Int']['output'];
  /** Program recipient rows loaded. */
  programRecipients: Scalars['Int']['output'];
  /** Of which building the statistics rollups; null for snapshots loaded before rollups existed. */
  rollupSeconds?: Maybe<Scalars['Float']['output']>;
  /** Whether it is the snapshot served now (the newest). */
  served: Scalars['Boolean']['output'];
};

/** One cell of a statistics table. */
export type StatisticsCell = {
  __typename?: 'StatisticsCell';
  /** The cell’s code in each grouped dimension, in the order of groupBy. */
  key: Array<CellKey>;
  /** DIFFERENTIAL_PRIVACY only: the noise is within ± this in 95% of cells (the true count is value ± margin95 with 95% probability). Null for exact counts and suppressed cells. */
  margin95?: Maybe<Scalars['Int']['output']>;
  /** True when the value is withheld: a small cell (1–9) or its complement (dashboards). Researchers’ cells are never withheld. */
  suppressed: Scalars['Boolean']['output'];
  /** The count: exact (EXACT), with noise and fitted into a consistent non-negative table (DIFFERENTIAL_PRIVACY), or moved by at most 4 by its cell key and never under 10 unless 0 (SUPPRESSION, the cell-key method); null when the cell is suppressed. */
  value?: Maybe<Scalars['Int']['output']>;
};

/** A dimension to group by. Codes: PROVINCE (2-digit region code), REGENCY (4 digits), DISTRICT (6 digits; not available to researchers), DECILE (1–10), PROGRAM (PKH, BPNT, PBI_JK, PIP; a household or person is counted once in each program it receives), SEX (M or F), AGE_BAND (0-5, 6-17, 18-59, 60+: completed years at the snapshot’s as-of date). For HOUSEHOLDS, SEX and AGE_BAND are those of the head of household. */
export enum StatisticsDimension {
  AgeBand = 'AGE_BAND',
  Decile = 'DECILE',
  District = 'DISTRICT',
  Program = 'PROGRAM',
  Province = 'PROVINCE',
  Regency = 'REGENCY',
  Sex = 'SEX',
}

/** Which units to count (all conditions given must hold). */
export type StatisticsFilter = {
  /** Only households (and their members) in these welfare deciles (1–10). Internal dashboards: the poorest k only, [1, …, k]. */
  deciles?: InputMaybe<Array<Scalars['Int']['input']>>;
  /** PERSONS and HOUSEHOLDS: only units receiving at least one of these programs: a person who is a recipient, a household with at least one ACTIVE recipient member. With PROGRAM grouped, also limits the PROGRAM cells to these. Targeting measures (RECIPIENTS, ELIGIBLE, …): the programs counted — with PROGRAM grouped, the PROGRAM cells; without, exactly one program. Internal dashboards: one program unless PROGRAM is grouped. */
  programs?: InputMaybe<Array<Program>>;
  /** Region-code prefix of 2, 4, 6 or 10 digits (province … village). Researchers: at most 4 digits (regency). */
  regionCode?: InputMaybe<Scalars['String']['input']>;
};

/** What is counted. PERSONS and HOUSEHOLDS count the registry; RECIPIENTS, ELIGIBLE, ELIGIBLE_NON_RECIPIENTS and RECIPIENTS_NOT_ELIGIBLE say whether programs reach their targets (docs/privacy.md). RECIPIENTS = recipients eligible + RECIPIENTS_NOT_ELIGIBLE and ELIGIBLE = recipients eligible + ELIGIBLE_NON_RECIPIENTS, cell by cell. */
export enum StatisticsMeasure {
  /** Units eligible for the program under its rule. Per program, in its own unit: households for PKH and BPNT, persons for PBI_JK and PIP; group by PROGRAM or filter on exactly one program (BAD_USER_INPUT otherwise). A household receives a program when at least one of its members, whatever the status, is listed as a recipient, and is eligible when its ACTIVE members are decided ELIGIBLE by the program’s rule (at least one; under the PKH and BPNT rules all of them are decided alike); SEX and AGE_BAND are its head’s. Person programs count at most 10 persons per household (the first 10 by NIK among its members who are ACTIVE or receive PBI_JK or PIP); a person receives a program when listed as a recipient, whatever the status, and is eligible when the rule decides ELIGIBLE (never when not ACTIVE). Eligibility uses the rules recorded when the snapshot was imported (see ruleVersions). */
  Eligible = 'ELIGIBLE',
  /** Units eligible for the program that do not receive it (exclusion error). Per program, in its own unit: households for PKH and BPNT, persons for PBI_JK and PIP; group by PROGRAM or filter on exactly one program (BAD_USER_INPUT otherwise). A household receives a program when at least one of its members, whatever the status, is listed as a recipient, and is eligible when its ACTIVE members are decided ELIGIBLE by the program’s rule (at least one; under the PKH and BPNT rules all of them are decided alike); SEX and AGE_BAND are its head’s. Person programs count at most 10 persons per household (the first 10 by NIK among its members who are ACTIVE or receive PBI_JK or PIP); a person receives a program when listed as a recipient, whatever the status, and is eligible when the rule decides ELIGIBLE (never when not ACTIVE). Eligibility uses the rules recorded when the snapshot was imported (see ruleVersions). */
  EligibleNonRecipients = 'ELIGIBLE_NON_RECIPIENTS',
  /** Households. */
  Households = 'HOUSEHOLDS',
  /** ACTIVE members, at most 10 per household (the first 10 by NIK; larger households count as 10). */
  Persons = 'PERSONS',
  /** Units receiving the program. Per program, in its own unit: households for PKH and BPNT, persons for PBI_JK and PIP; group by PROGRAM or filter on exactly one program (BAD_USER_INPUT otherwise). A household receives a program when at least one of its members, whatever the status, is listed as a recipient, and is eligible when its ACTIVE members are decided ELIGIBLE by the program’s rule (at least one; under the PKH and BPNT rules all of them are decided alike); SEX and AGE_BAND are its head’s. Person programs count at most 10 persons per household (the first 10 by NIK among its members who are ACTIVE or receive PBI_JK or PIP); a person receives a program when listed as a recipient, whatever the status, and is eligible when the rule decides ELIGIBLE (never when not ACTIVE). Eligibility uses the rules recorded when the snapshot was imported (see ruleVersions). */
  Recipients = 'RECIPIENTS',
  /** Units receiving the program that are not eligible for it (inclusion error), e.g. a recipient who died or moved, or a household above the decile threshold. Per program, in its own unit: households for PKH and BPNT, persons for PBI_JK and PIP; group by PROGRAM or filter on exactly one program (BAD_USER_INPUT otherwise). A household receives a program when at least one of its members, whatever the status, is listed as a recipient, and is eligible when its ACTIVE members are decided ELIGIBLE by the program’s rule (at least one; under the PKH and BPNT rules all of them are decided alike); SEX and AGE_BAND are its head’s. Person programs count at most 10 persons per household (the first 10 by NIK among its members who are ACTIVE or receive PBI_JK or PIP); a person receives a program when listed as a recipient, whatever the status, and is eligible when the rule decides ELIGIBLE (never when not ACTIVE). Eligibility uses the rules recorded when the snapshot was imported (see ruleVersions). */
  RecipientsNotEligible = 'RECIPIENTS_NOT_ELIGIBLE',
}

/** How the numbers were protected. DIFFERENTIAL_PRIVACY (researchers): integer noise added to every cell, see margin95, then fitted into a consistent non-negative table (margins add up). SUPPRESSION (internal dashboards): the cell-key method — each count moved by at most 4, the same units always by the same amount — with cells of 1–9 and the cells needed to protect them hidden. EXACT (administrators with statistics:exact): exact counts. */
export enum StatisticsMethod {
  DifferentialPrivacy = 'DIFFERENTIAL_PRIVACY',
  Exact = 'EXACT',
  Suppression = 'SUPPRESSION',
}

/** How the noise of a differentially private table was made: what a reader needs to judge it (docs/privacy.md). */
export type StatisticsNoise = {
  __typename?: 'StatisticsNoise';
  /** The ε this table was made with (its whole cost). */
  epsilon: Scalars['Float']['output'];
  /** DISCRETE_LAPLACE: integer noise P(k) ∝ exp(−|k| / scale), from a cryptographic random source, added to every cell independently. */
  mechanism: Scalars['String']['output'];
  /** The noise scale: sensitivity ÷ ε. */
  scale: Scalars['Float']['output'];
  /** The L1 sensitivity: how much all the cells of the table can change together when one household is added or removed (1 for HOUSEHOLDS by any one grouping; more for PERSONS and PROGRAM groupings). */
  sensitivity: Scalars['Int']['output'];
};

/** A statistics question: what to count, grouped how, within what. */
export type StatisticsQuery = {
  /** Researchers only: privacy loss ε this query may spend, greater than 0 and at most 1.0, up to three decimals (default 0.1). Larger ε: less noise, more budget spent. */
  epsilon?: InputMaybe<Scalars['Float']['input']>;
  /** Which units to count. */
  filter?: InputMaybe<StatisticsFilter>;
  /** Up to 3 dimensions, at most one of them a region level; one cell per combination of their codes (the full grid, empty cells included). None: one cell, the total. */
  groupBy?: InputMaybe<Array<StatisticsDimension>>;
  /** Count persons or households. */
  measure: StatisticsMeasure;
};

/** A statistics table with disclosure control (CONTRACT §8). */
export type StatisticsResult = {
  __typename?: 'StatisticsResult';
  /** Your agency’s privacy budget (ε) left in the current accounting period after this call (all its clients draw from it); null for methods without a budget. */
  budgetRemaining?: Maybe<Scalars['Float']['output']>;
  /** True when this is the stored answer to the same question asked before on this snapshot (by anyone): identical cells, nothing spent. */
  cached: Scalars['Boolean']['output'];
  /** Every cell of the grid, row-major in the order of groupBy, each with its key. For tables of thousands of cells, `table` gives the same numbers faster. */
  cells: Array<StatisticsCell>;
  /** The as-of date of the snapshot counted. */
  dataAsOf: Scalars['Date']['output'];
  /** ε spent by this call: 0 for a cached answer and for non-private methods. */
  epsilonSpent: Scalars['Float']['output'];
  /** DIFFERENTIAL_PRIVACY: the figures published exactly beside the noisy tables, outside the guarantee — `snapshot.households` and `snapshot.persons`, the registry totals anyone may read. The guarantee holds given them (docs/privacy.md). No count of this table is exact. Empty for other methods. */
  invariants: Array<Scalars['String']['output']>;
  /** How the numbers were protected. */
  method: StatisticsMethod;
  /** DIFFERENTIAL_PRIVACY: the mechanism, ε, sensitivity and scale of the table (the same for a cached answer, which is the table made then). Null for exact and suppressed counts. */
  noise?: Maybe<StatisticsNoise>;
  /** Targeting measures (RECIPIENTS, ELIGIBLE, ELIGIBLE_NON_RECIPIENTS, RECIPIENTS_NOT_ELIGIBLE): for each program of the table, the version of its eligibility rule that decided who is eligible. A rule changed after the snapshot was imported applies from the next import. Empty for PERSONS and HOUSEHOLDS. */
  ruleVersions: Array<StatisticsRuleVersion>;
  /** The same table in compact form: dimensions and parallel lists. */
  table: StatisticsTable;
};

/** The version of a program’s eligibility rule that decided a targeting table. */
export type StatisticsRuleVersion = {
  __typename?: 'StatisticsRuleVersion';
  /** The program. */
  program: Program;
  /** The rule’s version (as listed with the program’s eligibility rules): the one current when the snapshot was imported, or, for a snapshot imported before rule versions were recorded, the one current when asked. */
  version: Scalars['Int']['output'];
};

/** A table in compact form, for large grids: the dimensions and parallel lists over the cells in row-major order (the last dimension varies fastest), so cell i of dimensions with n1, n2, n3 codes has codes (⌊i / (n2·n3)⌋, ⌊i / n3⌋ mod n2, i mod n3). The same numbers as `cells`. */
export type StatisticsTable = {
  __typename?: 'StatisticsTable';
  /** The grouped dimensions, in the order of groupBy (none: one cell, the total). */
  dimensions: Array<StatisticsTableDimension>;
  /** The 95% margin of each cell (as StatisticsCell.margin95). */
  margin95: Array<Maybe<Scalars['Int']['output']>>;
  /** Whether each cell is suppressed. */
  suppressed: Array<Scalars['Boolean']['output']>;
  /** The value of each cell (as StatisticsCell.value); null when suppressed. */
  values: Array<Maybe<Scalars['Int']['output']>>;
};

/** One dimension of a compact table: its codes in order, with labels. */
export type StatisticsTableDimension = {
  __typename?: 'StatisticsTableDimension';
  /** Its codes, in the order the table runs through them (as CellKey.code). */
  codes: Array<Scalars['String']['output']>;
  /** The dimension. */
  dimension: StatisticsDimension;
  /** A label per code, in the same order. */
  labels: Array<Scalars['String']['output']>;
};

/** Accesses to the person’s data, newest first. */
export type SubjectAccessConnection = {
  __typename?: 'SubjectAccessConnection';
  edges: Array<SubjectAccessEdge>;
  pageInfo: PageInfo;
};

export type SubjectAccessEdge = {
  __typename?: 'SubjectAccessEdge';
  cursor: Scalars['String']['output'];
  node: SubjectAccessEntry;
};

/** One access to the person’s data, from the tamper-evident audit log: which agency, when, for which purpose and which fields. */
export type SubjectAccessEntry = {
  __typename?: 'SubjectAccessEntry';
  agencyId?: Maybe<Scalars['String']['output']>;
  /** The agency’s name. */
  agencyName?: Maybe<Scalars['String']['output']>;
  at: Scalars['DateTimeISO']['output'];
  /** Fields disclosed by the request, as Type.field. */
  fields: Array<Scalars['String']['output']>;
  /** The officer at the agency: null unless the service’s agreement shows officers (field policy SubjectAccess.officerId). */
  officerId?: Maybe<Scalars['String']['output']>;
  /** Operation type and root fields, e.g. query:eligibility. */
  operation: Scalars['String']['output'];
  /** DISCLOSED, NOT_FOUND, REFUSED or FAILED. */
  outcome: Scalars['String']['output'];
  /** The declared purpose. */
  purpose?: Maybe<Scalars['String']['output']>;
  /** The person’s own request, through a data subjects’ service. */
  subjectRequest: Scalars['Boolean']['output'];
};

/** A program’s current decision about the person, with its reason and the rule version that made it, explained. */
export type SubjectDecision = {
  __typename?: 'SubjectDecision';
  /** The as-of date of the snapshot decided on. */
  dataAsOf: Scalars['Date']['output'];
  /** Unique id of this decision, also in the audit log: quote it in a grievance. */
  decisionId: Scalars['String']['output'];
  eligible: Scalars['Boolean']['output'];
  explanation: DecisionExplanation;
  program: Program;
  /** The program’s name. */
  programName: Scalars['String']['output'];
  /** The first reason that applies (CONTRACT §5). */
  reason: EligibilityReason;
  /** What that rule version asks, as published. */
  ruleDescription: Scalars['String']['output'];
  /** The version of the program’s rule that decided. */
  ruleVersion: Scalars['Int']['output'];
};

/** The person’s household, in clear; its other members as the service’s agreement lets it show them. */
export type SubjectHousehold = {
  __typename?: 'SubjectHousehold';
  /** Address as recorded. */
  address?: Maybe<Scalars['String']['output']>;
  /** Welfare decile (desil) 1–10 from the national ranking; null when not ranked. */
  decile?: Maybe<Scalars['Int']['output']>;
  /** The registry household id (ID DTKS). */
  id: Scalars['ID']['output'];
  /** Family card number (No. KK). */
  kkNumber?: Maybe<Scalars['String']['output']>;
  /** The other members of the household, ordered by NIK, masked or withheld per the service’s agreement (null when it withholds members). */
  members?: Maybe<Array<Person>>;
  /** Village (desa/kelurahan) code. */
  regionCode?: Maybe<Scalars['RegionCode']['output']>;
  /** Verification status. */
  verificationStatus?: Maybe<VerificationStatus>;
  /** Date of the last verification. */
  verifiedAt?: Maybe<Scalars['Date']['output']>;
};

/** The person’s own record, in clear (it is theirs). */
export type SubjectPerson = {
  __typename?: 'SubjectPerson';
  /** Date of birth as recorded. */
  birthDate?: Maybe<Scalars['Date']['output']>;
  /** The as-of date of the snapshot read. */
  dataAsOf: Scalars['Date']['output'];
  /** Name as recorded. */
  name?: Maybe<Scalars['String']['output']>;
  /** The person’s NIK. */
  nik: Scalars['String']['output'];
  /** Programs the person currently receives. */
  programs: Array<Program>;
  /** Relationship to the head of the household. */
  relationship?: Maybe<Relationship>;
  sex?: Maybe<Sex>;
  /** Status in the registry. */
  status?: Maybe<MemberStatus>;
};

/** What the registry holds about a person and what it decided, and who accessed it (UU PDP Art. 7), for the person through a data subjects’ service. */
export type SubjectReport = {
  __typename?: 'SubjectReport';
  /** Who accessed the person’s data, newest first (first ≤ 1000). */
  accessHistory: SubjectAccessConnection;
  /** Each program of the service’s agreement: the current decision, explained. */
  decisions: Array<SubjectDecision>;
  /** When this report was made. */
  generatedAt: Scalars['DateTimeISO']['output'];
  /** Null when not registered. */
  household?: Maybe<SubjectHousehold>;
  /** The person’s NIK, as asked. */
  nik: Scalars['String']['output'];
  /** Null when not registered. */
  person?: Maybe<SubjectPerson>;
  /** Whether the NIK is in the served snapshot. */
  registered: Scalars['Boolean']['output'];
  /** The person’s restrictions of processing, active and lifted, newest first, each with the purposes it does not stop. */
  restrictions: Array<ProcessingRestriction>;
};

/** What the registry holds about a person and what it decided, and who accessed it (UU PDP Art. 7), for the person through a data subjects’ service. */
export type SubjectReportAccessHistoryArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: Scalars['Int']['input'];
};

/** The result of subscribeSubjects: how many of the NIKs sent are now followed for the program. */
export type SubjectSubscriptionResult = {
  __typename?: 'SubjectSubscriptionResult';
  /** NIKs that were followed already (left as they were). */
  alreadySubscribed: Scalars['Int']['output'];
  program: Program;
  /** Distinct NIKs in the request. */
  requested: Scalars['Int']['output'];
  /** NIKs followed from now on. */
  subscribed: Scalars['Int']['output'];
};

/** The result of unsubscribeSubjects: how many of the NIKs sent are no longer followed. */
export type SubjectUnsubscriptionResult = {
  __typename?: 'SubjectUnsubscriptionResult';
  /** NIKs that were not followed. */
  notSubscribed: Scalars['Int']['output'];
  program: Program;
  /** Distinct NIKs in the request. */
  requested: Scalars['Int']['output'];
  /** NIKs no longer followed: no events about them from now on. */
  unsubscribed: Scalars['Int']['output'];
};

/** The changes of a submission (or the details of a proposal) as validated and stored. Address and KK number follow your agreement’s rules for Household; housing codes are shown as sent. */
export type VerificationChanges = {
  __typename?: 'VerificationChanges';
  /** New address (null: unchanged or withheld). */
  address?: Maybe<Scalars['String']['output']>;
  /** A cooking_fuel code. */
  cookingFuel?: Maybe<Scalars['String']['output']>;
  /** Floor area in square metres. */
  floorAreaM2?: Maybe<Scalars['Float']['output']>;
  /** A floor_type code. */
  floorType?: Maybe<Scalars['String']['output']>;
  /** Proposals: the family card number, usually masked. */
  kkNumber?: Maybe<Scalars['String']['output']>;
  /** A lighting code. */
  lighting?: Maybe<Scalars['String']['output']>;
  /** Member changes; a proposal’s members as ADD. */
  members: Array<MemberChange>;
  /** A roof_type code. */
  roofType?: Maybe<Scalars['String']['output']>;
  /** A sanitation code. */
  sanitation?: Maybe<Scalars['String']['output']>;
  /** A wall_type code. */
  wallType?: Maybe<Scalars['String']['output']>;
  /** A water_source code. */
  waterSource?: Maybe<Scalars['String']['output']>;
};

/** One step in the verification history of a household. */
export type VerificationEvent = {
  __typename?: 'VerificationEvent';
  /** Agency of that client. */
  agencyId?: Maybe<Scalars['String']['output']>;
  /** When the step was taken. */
  at: Scalars['DateTimeISO']['output'];
  /** Client that took the step (null for APPLIED). */
  clientId?: Maybe<Scalars['String']['output']>;
  /** A submission or a proposal. */
  kind: VerificationKind;
  /** The officer’s or the reviewer’s note. */
  note?: Maybe<Scalars['String']['output']>;
  /** Officer that took the step. */
  officerId?: Maybe<Scalars['String']['output']>;
  /** The outcome reported. */
  outcome?: Maybe<VerificationOutcome>;
  /** APPLIED: the snapshot that included it. */
  snapshotId?: Maybe<Scalars['Int']['output']>;
  /** The submission or proposal this step belongs to. */
  submissionId: Scalars['ID']['output'];
  /** Which step. */
  type: VerificationEventType;
};

/** A step of a submission: sent, approved, rejected, or applied by a snapshot. */
export enum VerificationEventType {
  Applied = 'APPLIED',
  Approved = 'APPROVED',
  Rejected = 'REJECTED',
  Submitted = 'SUBMITTED',
}

/** What an officer found at a registered household of your region. Stored for review; the served snapshot never changes (the central ranking cycle applies approved submissions). */
export type VerificationInput = {
  /** Household details that changed (outcome UPDATED). */
  changes?: InputMaybe<HouseholdDetailsInput>;
  /** The registry household id (ID DTKS), in your region. */
  householdId: Scalars['ID']['input'];
  /** Your unique key for this submission (1–128 letters, digits, . _ : -; a UUID is good). Sending it again with the same input returns the first submission; with different input fails with IDEMPOTENCY_CONFLICT. */
  idempotencyKey: Scalars['String']['input'];
  /** Member changes (outcome UPDATED), at most 50; each NIK at most once. */
  memberChanges?: InputMaybe<Array<MemberChangeInput>>;
  /** Free text for the reviewer, up to 2000 characters (required for DUPLICATE). */
  note?: InputMaybe<Scalars['String']['input']>;
  /** What the officer found. */
  outcome: VerificationOutcome;
  /** Date of the visit (Jakarta time): not in the future, within the last year, and after the household’s verifiedAt. */
  visitedAt: Scalars['Date']['input'];
};

/** SUBMISSION: a visit to a registered household; PROPOSAL: a household not yet registered (usulan baru). */
export enum VerificationKind {
  Proposal = 'PROPOSAL',
  Submission = 'SUBMISSION',
}

/** What the officer found: CONFIRMED (as registered, nothing changed), UPDATED (changes or member changes attached), MOVED (the household left this address), DECEASED (the household no longer exists: all its members died), NOT_FOUND (nobody could be found), DUPLICATE (the same family as another registered household; say which in the note). */
export enum VerificationOutcome {
  Confirmed = 'CONFIRMED',
  Deceased = 'DECEASED',
  Duplicate = 'DUPLICATE',
  Moved = 'MOVED',
  NotFound = 'NOT_FOUND',
  Updated = 'UPDATED',
}

/** Verification and validation (verivali) progress per regency. */
export type VerificationProgress = {
  __typename?: 'VerificationProgress';
  /** As-of date of the snapshot the household counts come from; null before the first. */
  dataAsOf?: Maybe<Scalars['Date']['output']>;
  /** The month start the notVerifiedSince counts use, as asked. */
  notVerifiedSince?: Maybe<Scalars['Date']['output']>;
  /** Every regency of the region reference within your scope and the filter, by code (empty ones included, as 0). */
  regencies: Array<RegencyVerificationProgress>;
  /** Household counts below this (1 to threshold − 1) are never shown: 10. */
  threshold: Scalars['Int']['output'];
};

/** Which regencies, and from which month verification is counted as recent. */
export type VerificationProgressFilter = {
  /** The first day of a month (YYYY-MM-01): adds the households never verified or last verified before it. Other days are refused (households are counted by month of last verification). */
  notVerifiedSince?: InputMaybe<Scalars['Date']['input']>;
  /** A province (2 digits) or a regency (4 digits) within your region scope; without it every regency of your scope. */
  regionCode?: InputMaybe<Scalars['String']['input']>;
};

/** Where a household stands in verification and validation (verivali). */
export enum VerificationStatus {
  Pending = 'PENDING',
  Rejected = 'REJECTED',
  Verified = 'VERIFIED',
}

/** A verification submission or household proposal you sent changed status: APPROVED or REJECTED by the reviewer, APPLIED when a published snapshot reflects it. */
export type VerificationStatusChange = ChangeEvent & {
  __typename?: 'VerificationStatusChange';
  /** Unique id of the event (the webhook-id of its delivery). */
  eventId: Scalars['String']['output'];
  /** The household; for a proposal, only once a snapshot holds it (APPLIED). */
  householdId?: Maybe<Scalars['ID']['output']>;
  kind: ChangeKind;
  /** When the change was committed. */
  occurredAt: Scalars['DateTimeISO']['output'];
  previousStatus: VerificationSubmissionStatus;
  status: VerificationSubmissionStatus;
  /** The submission (as VerificationSubmission.id). */
  submissionId: Scalars['ID']['output'];
  /** SUBMISSION (a verification) or PROPOSAL (usulan baru). */
  submissionKind: Scalars['String']['output'];
};

/** Verification submissions or proposals by status (CONTRACT §9). Counts of what agencies did, exact. */
export type VerificationStatusCounts = {
  __typename?: 'VerificationStatusCounts';
  /** Approved and reflected in a published snapshot. */
  applied: Scalars['Int']['output'];
  /** Approved, not yet in a published snapshot. */
  approved: Scalars['Int']['output'];
  /** Rejected by the reviewer. */
  rejected: Scalars['Int']['output'];
  /** Waiting for review. */
  submitted: Scalars['Int']['output'];
  /** All of them. */
  total: Scalars['Int']['output'];
};

/** A verification submission or household proposal, with where it stands. Local governments see those of their region; the administrator sees all, without changes and household. */
export type VerificationSubmission = {
  __typename?: 'VerificationSubmission';
  /** When an imported snapshot was found to include it (status APPLIED). */
  appliedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  /** The snapshot that includes it. */
  appliedSnapshotId?: Maybe<Scalars['Int']['output']>;
  /** What changed, in words and without personal data, e.g. "address, floorType; members: 1 ADD". */
  changeSummary: Scalars['String']['output'];
  /** The changes in detail (local governments only). */
  changes?: Maybe<VerificationChanges>;
  /** The as-of date of the registry snapshot served when this answer was read (in the same statement as the submission): the snapshot `household` comes from. The submission was checked against the snapshot served when it was sent, an older one if a snapshot was loaded since (compare submittedAt with snapshot.loadedAt). Null only while no snapshot has been loaded. */
  dataAsOf?: Maybe<Scalars['Date']['output']>;
  /** The household as your agreement lets you see it; null for proposals, outside your region scope, or when no longer registered. */
  household?: Maybe<Household>;
  /** The registry household id; for a proposal, null until a snapshot includes it. */
  householdId?: Maybe<Scalars['ID']['output']>;
  /** Opaque id; pass it to reviewVerification. */
  id: Scalars['ID']['output'];
  /** A submission or a proposal. */
  kind: VerificationKind;
  /** The officer’s note. */
  note?: Maybe<Scalars['String']['output']>;
  /** The officer who visited (X-Officer-Id). */
  officerId?: Maybe<Scalars['String']['output']>;
  /** Null for proposals. */
  outcome?: Maybe<VerificationOutcome>;
  /** Village code of the household (at submission) or of the proposal. */
  regionCode?: Maybe<Scalars['RegionCode']['output']>;
  /** The reviewer’s note (always given with a rejection). */
  reviewNote?: Maybe<Scalars['String']['output']>;
  /** When it was reviewed. */
  reviewedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  /** The client that reviewed. */
  reviewedBy?: Maybe<Scalars['String']['output']>;
  /** The agency of the reviewing client. */
  reviewedByAgency?: Maybe<Scalars['String']['output']>;
  /** The officer who reviewed (X-Officer-Id). */
  reviewerOfficerId?: Maybe<Scalars['String']['output']>;
  /** Where it stands. */
  status: VerificationSubmissionStatus;
  /** When the gateway stored it. */
  submittedAt: Scalars['DateTimeISO']['output'];
  /** The client that submitted. */
  submittedBy: Scalars['String']['output'];
  /** The agency of the client that submitted. */
  submittedByAgency: Scalars['String']['output'];
  /** Date of the visit. */
  visitedAt: Scalars['Date']['output'];
};

/** A page of submissions and proposals (Relay connection), oldest first. */
export type VerificationSubmissionConnection = {
  __typename?: 'VerificationSubmissionConnection';
  /** The submissions of this page. */
  edges: Array<VerificationSubmissionEdge>;
  /** Whether more pages follow, and where to continue. */
  pageInfo: PageInfo;
};

/** One submission of a page, with its position. */
export type VerificationSubmissionEdge = {
  __typename?: 'VerificationSubmissionEdge';
  /** The position of this submission, for `after`. */
  cursor: Scalars['String']['output'];
  /** The submission. */
  node: VerificationSubmission;
};

/** Narrows the list of submissions; always inside your region scope. */
export type VerificationSubmissionFilter = {
  /** Only those about this household. */
  householdId?: InputMaybe<Scalars['ID']['input']>;
  /** Only submissions or only proposals. */
  kind?: InputMaybe<VerificationKind>;
  /** Only those whose village code starts with this. */
  regionCode?: InputMaybe<Scalars['RegionCode']['input']>;
  /** Only this status. */
  status?: InputMaybe<VerificationSubmissionStatus>;
};

/** SUBMITTED (waiting for review), APPROVED (goes to the central ranking cycle), REJECTED (see reviewNote), APPLIED (a published snapshot includes it). */
export enum VerificationSubmissionStatus {
  Applied = 'APPLIED',
  Approved = 'APPROVED',
  Rejected = 'REJECTED',
  Submitted = 'SUBMITTED',
}

export type SnapshotQueryVariables = Exact<{ [key: string]: never }>;

export type SnapshotQuery = {
  snapshot: { asOf: string; loadedAt: string; households: number; persons: number } | null;
};

export const SnapshotDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'Snapshot' },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'snapshot' },
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'asOf' } },
                { kind: 'Field', name: { kind: 'Name', value: 'loadedAt' } },
                { kind: 'Field', name: { kind: 'Name', value: 'households' } },
                { kind: 'Field', name: { kind: 'Name', value: 'persons' } },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<SnapshotQuery, SnapshotQueryVariables>;
