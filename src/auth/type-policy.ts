import type { ClientKind } from './agreement.js';

/**
 * Which kinds of client may receive each object type — this is the place. Defence in depth
 * behind the root-field rules: even if a path to a Household opened up for a ministry, the gate
 * would refuse it. A test fails when a type of the schema is missing here.
 */
export const TYPE_POLICY: Readonly<Record<string, readonly ClientKind[] | 'any'>> = Object.freeze<
  Record<string, readonly ClientKind[] | 'any'>
>({
  Me: 'any',
  PurposeLegalBasis: 'any',
  // Restrictions of processing: the person's service and the administrator (CONTRACT §13).
  ProcessingRestriction: ['SUBJECT_SERVICE', 'ADMIN'],
  RestrictionExemption: ['SUBJECT_SERVICE', 'ADMIN'],
  // Grievances: their opener and the region that handles them (the SQL decides which ones).
  Grievance: ['LOCAL_GOV', 'SUBJECT_SERVICE', 'MINISTRY'],
  GrievanceConnection: ['LOCAL_GOV', 'SUBJECT_SERVICE', 'MINISTRY'],
  GrievanceEdge: ['LOCAL_GOV', 'SUBJECT_SERVICE', 'MINISTRY'],
  Snapshot: 'any',
  Household: ['LOCAL_GOV'],
  // A data subjects' service sees the other members of the person's household (CONTRACT §13).
  Person: ['LOCAL_GOV', 'SUBJECT_SERVICE'],
  HouseholdConnection: ['LOCAL_GOV'],
  HouseholdEdge: ['LOCAL_GOV'],
  PageInfo: ['LOCAL_GOV', 'ADMIN', 'MINISTRY', 'SUBJECT_SERVICE'],
  AccessLogConnection: ['ADMIN'],
  AccessLogEdge: ['ADMIN'],
  AccessLogEntry: ['ADMIN'],
  EligibilityDecision: ['MINISTRY'],
  ProgramInfo: 'any',
  ScheduledRuleVersion: 'any',
  StatisticsResult: ['RESEARCHER', 'INTERNAL', 'ADMIN'],
  StatisticsCell: ['RESEARCHER', 'INTERNAL', 'ADMIN'],
  CellKey: ['RESEARCHER', 'INTERNAL', 'ADMIN'],
  StatisticsRuleVersion: ['RESEARCHER', 'INTERNAL', 'ADMIN'],
  StatisticsNoise: ['RESEARCHER', 'INTERNAL', 'ADMIN'],
  StatisticsTable: ['RESEARCHER', 'INTERNAL', 'ADMIN'],
  StatisticsTableDimension: ['RESEARCHER', 'INTERNAL', 'ADMIN'],
  VerificationSubmission: ['LOCAL_GOV', 'ADMIN'],
  VerificationSubmissionConnection: ['LOCAL_GOV', 'ADMIN'],
  VerificationSubmissionEdge: ['LOCAL_GOV', 'ADMIN'],
  // The details name persons: local governments of the region only, not the administrator.
  VerificationChanges: ['LOCAL_GOV'],
  MemberChange: ['LOCAL_GOV'],
  VerificationEvent: ['LOCAL_GOV'],
  // Operational figures (src/monitoring/): internal dashboards and the administrator.
  VerificationProgress: ['INTERNAL', 'ADMIN'],
  RegencyVerificationProgress: ['INTERNAL', 'ADMIN'],
  ProtectedCount: ['INTERNAL', 'ADMIN'],
  VerificationStatusCounts: ['INTERNAL', 'ADMIN'],
  SnapshotHistoryEntry: ['INTERNAL', 'ADMIN'],
  DataQualityWarning: ['INTERNAL', 'ADMIN'],
  GatewayUse: ['INTERNAL', 'ADMIN'],
  GatewayRequestCount: ['INTERNAL', 'ADMIN'],
  GatewayOperationCount: ['INTERNAL', 'ADMIN'],
  GatewayRefusalCount: ['INTERNAL', 'ADMIN'],
  PrivacyBudgetUse: ['INTERNAL', 'ADMIN'],
  GlobalPrivacyBudgetUse: ['INTERNAL', 'ADMIN'],
  DailyQuotaUse: ['INTERNAL', 'ADMIN'],
  // Change feeds (CONTRACT §11): a ministry's followed subjects, a local government's region.
  SubjectSubscriptionResult: ['MINISTRY'],
  SubjectUnsubscriptionResult: ['MINISTRY'],
  ChangeEventConnection: ['MINISTRY', 'LOCAL_GOV'],
  ChangeEventEdge: ['MINISTRY', 'LOCAL_GOV'],
  EligibilityChange: ['MINISTRY'],
  HouseholdChange: ['LOCAL_GOV'],
  VerificationStatusChange: ['LOCAL_GOV'],
  // A grievance's status, for the agency that opened it (CONTRACT §13).
  GrievanceStatusChange: ['MINISTRY'],
  DecisionState: ['MINISTRY'],
  // Data subjects (CONTRACT §13): a person's report, through a data subjects' service only.
  SubjectReport: ['SUBJECT_SERVICE'],
  SubjectPerson: ['SUBJECT_SERVICE'],
  SubjectHousehold: ['SUBJECT_SERVICE'],
  SubjectDecision: ['SUBJECT_SERVICE'],
  DecisionExplanation: ['SUBJECT_SERVICE'],
  SubjectAccessConnection: ['SUBJECT_SERVICE'],
  SubjectAccessEdge: ['SUBJECT_SERVICE'],
  SubjectAccessEntry: ['SUBJECT_SERVICE'],
  // The public region reference.
  Region: 'any',
  RegionPopulation: 'any',
});
