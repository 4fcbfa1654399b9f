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

/** A household (keluarga) of the registry, as your agreement lets you see it. Fields your agreement masks or withholds are masked or null and listed in extensions.disclosure. */
export type Household = {
  __typename?: 'Household';
  /** Address as recorded. */
  address?: Maybe<Scalars['String']['output']>;
  /** Welfare decile (desil) 1–10 from the national ranking; null when not ranked or withheld. */
  decile?: Maybe<Scalars['Int']['output']>;
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

/** A page of households (Relay connection), in household id order. */
export type HouseholdConnection = {
  __typename?: 'HouseholdConnection';
  edges: Array<HouseholdEdge>;
  pageInfo: PageInfo;
};

export type HouseholdEdge = {
  __typename?: 'HouseholdEdge';
  cursor: Scalars['String']['output'];
  node: Household;
};

/** Narrows a work list; always inside your region scope. */
export type HouseholdFilterInput = {
  /** Highest decile, 1–10. */
  decileMax?: InputMaybe<Scalars['Int']['input']>;
  /** Lowest decile, 1–10. */
  decileMin?: InputMaybe<Scalars['Int']['input']>;
  /** Only households whose village code starts with this (province, regency, district or village). */
  regionCode?: InputMaybe<Scalars['RegionCode']['input']>;
  verificationStatus?: InputMaybe<VerificationStatus>;
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
  /** MINISTRY, LOCAL_GOV, RESEARCHER, INTERNAL or ADMIN. */
  kind: Scalars['String']['output'];
  /** Privacy budget (ε) left for the served snapshot; null when your agreement has none. */
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

/** ACTIVE, DECEASED or MOVED; only active members count for eligibility. */
export enum MemberStatus {
  Active = 'ACTIVE',
  Deceased = 'DECEASED',
  Moved = 'MOVED',
}

/** Relay page information. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` for the next page. Bound to your client and this filter; it cannot be used by anyone else. */
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/** A person (anggota keluarga) of the registry, as your agreement lets you see them. The NIK is usually masked (first 6 and last 4 digits kept). */
export type Person = {
  __typename?: 'Person';
  /** Date of birth. */
  birthDate?: Maybe<Scalars['Date']['output']>;
  /** The household the person belongs to. */
  household?: Maybe<Household>;
  /** Name as recorded. */
  name?: Maybe<Scalars['String']['output']>;
  /** NIK, usually masked: 320101******0001. */
  nik?: Maybe<Scalars['String']['output']>;
  /** Relationship to the head of the household. */
  relationship?: Maybe<Relationship>;
  sex?: Maybe<Sex>;
  status?: Maybe<MemberStatus>;
};

/** PKH (Program Keluarga Harapan), BPNT (Sembako), PBI_JK (health insurance contribution), PIP (school assistance). */
export enum Program {
  Bpnt = 'BPNT',
  PbiJk = 'PBI_JK',
  Pip = 'PIP',
  Pkh = 'PKH',
}

/** A program and the current version of its eligibility rule, in plain words. */
export type ProgramInfo = {
  __typename?: 'ProgramInfo';
  code: Program;
  effectiveFrom: Scalars['DateTimeISO']['output'];
  name: Scalars['String']['output'];
  /** The rule in plain language, as applied to every decision of this version. */
  rule: Scalars['String']['output'];
  ruleVersion: Scalars['Int']['output'];
  /** HOUSEHOLD or PERSON: whom the program is given to. */
  unit: Scalars['String']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** Who accessed this person’s data: when, which agency and client, officer, purpose, operation and fields. Newest first; first ≤ 1000. */
  accessLog: AccessLogConnection;
  /** Is this NIK eligible for this program? A decision, never a record. Programs of your agreement only. */
  eligibility: EligibilityDecision;
  /** One decision per NIK, in input order (duplicates included). Up to 10,000 NIKs per operation unless your agreement sets less, counted across all fields and aliases. */
  eligibilityBatch: Array<EligibilityDecision>;
  /** A household by id, masked per your agreement; null outside your region scope, exactly as for an id that does not exist. */
  household?: Maybe<Household>;
  /** Households of your region scope, a page at a time (first ≤ 500). */
  households: HouseholdConnection;
  /** Your client, agency, agreement and what it allows. Needs no X-Purpose. */
  me: Me;
  /** A person by NIK, masked per your agreement; null outside your region scope, exactly as for a NIK that does not exist. */
  person?: Maybe<Person>;
  /** Every program with the plain-language rule and version decisions apply now. */
  programs: Array<ProgramInfo>;
  /** The registry snapshot being served, or null before the first snapshot is loaded. */
  snapshot?: Maybe<Snapshot>;
};

export type QueryAccessLogArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: Scalars['Int']['input'];
  nik: Scalars['NIK']['input'];
};

export type QueryEligibilityArgs = {
  nik: Scalars['NIK']['input'];
  program: Program;
};

export type QueryEligibilityBatchArgs = {
  niks: Array<Scalars['NIK']['input']>;
  program: Program;
};

export type QueryHouseholdArgs = {
  id: Scalars['ID']['input'];
};

export type QueryHouseholdsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<HouseholdFilterInput>;
  first?: Scalars['Int']['input'];
};

export type QueryPersonArgs = {
  nik: Scalars['NIK']['input'];
};

/** Relationship to the head of the household. */
export enum Relationship {
  Child = 'CHILD',
  Head = 'HEAD',
  Other = 'OTHER',
  Parent = 'PARENT',
  Spouse = 'SPOUSE',
}

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

/** Where a household stands in verification and validation (verivali). */
export enum VerificationStatus {
  Pending = 'PENDING',
  Rejected = 'REJECTED',
  Verified = 'VERIFIED',
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
