import type { ClientKind, Scope } from './agreement.js';

/**
 * Which kinds of client, holding which scope, may call each root field (CONTRACT §6) — this is
 * the place. The graphql-shield rule tree is generated from this table (`gate.ts`), and a test
 * fails when a root field of the schema is missing here. `purpose: false` marks the fields that
 * need no `X-Purpose` (they disclose nothing about any person).
 */
export interface RootFieldPolicy {
  kinds: readonly ClientKind[] | 'any';
  /** The scope needed; a list means any one of them (each kind of client holds its own). */
  scope: Scope | readonly Scope[] | null;
  purpose: boolean;
  /** Discloses personal data: audited even when it succeeds. */
  personal: boolean;
}

export const ROOT_FIELD_POLICY: Readonly<Record<string, RootFieldPolicy>> = Object.freeze({
  me: { kinds: 'any', scope: null, purpose: false, personal: false },
  snapshot: { kinds: 'any', scope: null, purpose: false, personal: false },
  person: { kinds: ['LOCAL_GOV'], scope: 'records:read', purpose: true, personal: true },
  household: { kinds: ['LOCAL_GOV'], scope: 'records:read', purpose: true, personal: true },
  households: { kinds: ['LOCAL_GOV'], scope: 'records:read', purpose: true, personal: true },
  accessLog: { kinds: ['ADMIN'], scope: 'audit:read', purpose: true, personal: true },
  // Data subjects (CONTRACT §13): the service also needs an agreement that verifies identity.
  myRecord: { kinds: ['SUBJECT_SERVICE'], scope: 'subject:read', purpose: true, personal: true },
  // Restrictions of processing: the service on the person's request, or the administrator.
  restrictProcessing: {
    kinds: ['SUBJECT_SERVICE', 'ADMIN'],
    scope: ['subject:restrict', 'restrictions:manage'],
    purpose: true,
    personal: true,
  },
  liftProcessingRestriction: {
    kinds: ['SUBJECT_SERVICE', 'ADMIN'],
    scope: ['subject:restrict', 'restrictions:manage'],
    purpose: true,
    personal: true,
  },
  // Grievances (sanggah): opened by a subjects' service or a ministry, handled by the region's
  // local government; who sees which is in the SQL (src/db/scoped/grievance-store.ts).
  openGrievance: {
    kinds: ['SUBJECT_SERVICE', 'MINISTRY'],
    scope: 'grievances:open',
    purpose: true,
    personal: true,
  },
  grievances: {
    kinds: ['LOCAL_GOV', 'SUBJECT_SERVICE', 'MINISTRY'],
    scope: ['grievances:handle', 'grievances:open'],
    purpose: true,
    personal: true,
  },
  grievance: {
    kinds: ['LOCAL_GOV', 'SUBJECT_SERVICE', 'MINISTRY'],
    scope: ['grievances:handle', 'grievances:open'],
    purpose: true,
    personal: true,
  },
  reviewGrievance: {
    kinds: ['LOCAL_GOV'],
    scope: 'grievances:handle',
    purpose: true,
    personal: true,
  },
  resolveGrievance: {
    kinds: ['LOCAL_GOV'],
    scope: 'grievances:handle',
    purpose: true,
    personal: true,
  },
  dismissGrievance: {
    kinds: ['LOCAL_GOV'],
    scope: 'grievances:handle',
    purpose: true,
    personal: true,
  },
  processingRestrictions: {
    kinds: ['SUBJECT_SERVICE', 'ADMIN'],
    scope: ['subject:restrict', 'restrictions:manage'],
    purpose: true,
    personal: true,
  },
  programs: { kinds: 'any', scope: null, purpose: false, personal: false },
  // The public region reference (names, levels, reference population): any client, no purpose.
  regions: { kinds: 'any', scope: null, purpose: false, personal: false },
  eligibility: { kinds: ['MINISTRY'], scope: 'eligibility:check', purpose: true, personal: true },
  eligibilityBatch: {
    kinds: ['MINISTRY'],
    scope: 'eligibility:batch',
    purpose: true,
    personal: true,
  },
  // Statistics (CONTRACT §8): the service picks the method by kind (EXACT needs statistics:exact).
  // `personal`: every call is audited; an answer is DISCLOSED with no subjects.
  statistics: {
    kinds: ['RESEARCHER', 'INTERNAL', 'ADMIN'],
    scope: 'statistics:read',
    purpose: true,
    personal: true,
  },
  // Verification (CONTRACT §9); the two-person rule and the region scope are checked in SQL.
  submitVerification: {
    kinds: ['LOCAL_GOV'],
    scope: 'verification:submit',
    purpose: true,
    personal: true,
  },
  proposeHousehold: {
    kinds: ['LOCAL_GOV'],
    scope: 'verification:submit',
    purpose: true,
    personal: true,
  },
  reviewVerification: {
    kinds: ['LOCAL_GOV'],
    scope: 'verification:review',
    purpose: true,
    personal: true,
  },
  verificationSubmissions: {
    kinds: ['LOCAL_GOV', 'ADMIN'],
    scope: ['verification:submit', 'verification:review', 'audit:read'],
    purpose: true,
    personal: true,
  },
  // Change feeds (CONTRACT §11). Subscribing decides the NIKs like eligibilityBatch (quota,
  // batch limit, audit); reading events discloses each event's subject.
  subscribeSubjects: {
    kinds: ['MINISTRY'],
    scope: 'changes:subscribe',
    purpose: true,
    personal: true,
  },
  unsubscribeSubjects: {
    kinds: ['MINISTRY'],
    scope: 'changes:subscribe',
    purpose: true,
    personal: true,
  },
  changes: {
    kinds: ['MINISTRY', 'LOCAL_GOV'],
    scope: 'changes:read',
    purpose: true,
    personal: true,
  },
  // Operational figures for dashboards (src/monitoring/): aggregates, never a data subject.
  // `personal`: every call is audited as DISCLOSED with no subjects and what was asked.
  verificationProgress: {
    kinds: ['INTERNAL', 'ADMIN'],
    scope: 'operations:read',
    purpose: true,
    personal: true,
  },
  snapshotHistory: {
    kinds: ['INTERNAL', 'ADMIN'],
    scope: 'operations:read',
    purpose: true,
    personal: true,
  },
  gatewayUse: {
    kinds: ['INTERNAL', 'ADMIN'],
    scope: 'operations:read',
    purpose: true,
    personal: true,
  },
});
