import type { Kysely } from 'kysely';
import type { AccessLogEntry } from '../audit/access-log.js';
import type { DisclosureRecord } from '../audit/disclosure-record.js';
import type { Principal } from '../auth/principal.js';
import type { CursorCodec } from '../auth/cursor-codec.js';
import type { ChangeFeedService } from '../changes/change-feed-service.js';
import type { EligibilityService } from '../eligibility/eligibility-service.js';
import type { RuleCache } from '../eligibility/rule-cache.js';
import type { Database } from '../db/database-types.js';
import type { ScopedRegistry } from '../db/scoped/scoped-registry.js';
import type { MonitoringService } from '../monitoring/monitoring-service.js';
import type { StatisticsService } from '../statistics/statistics-service.js';
import type { GrievanceService } from '../subjects/grievance-service.js';
import type { RestrictionService } from '../subjects/restriction-service.js';
import type { SubjectReportService } from '../subjects/subject-report-service.js';
import type { VerificationService } from '../verification/verification-service.js';
import type { Logger } from '../logger.js';

/** What every resolver gets: built once per request after authentication. */
export interface RequestContext {
  requestId: string;
  logger: Logger;
  principal: Principal;
  /** Read-only queries (replica when DATABASE_READ_URL is set). */
  readDb: Kysely<Database>;
  /** The scoped data layer for this principal (the only way to read households and members). */
  registry: ScopedRegistry;
  cursors: CursorCodec;
  disclosure: DisclosureRecord;
  /** Eligibility decisions for this principal (batched per request). */
  eligibility: EligibilityService;
  /** Current program rules. */
  rules: RuleCache;
  /** Verification submissions, proposals and reviews for this principal (CONTRACT §9). */
  verification: VerificationService;
  /** Statistics for this principal (CONTRACT §8). */
  statistics: StatisticsService;
  /** Operational figures for dashboards and the administrator (issue #13). */
  monitoring: MonitoringService;
  /** Change feeds: following subjects and reading events (CONTRACT §11). */
  changes: ChangeFeedService;
  /** A person's own report, for data subjects' services (CONTRACT §13). */
  subjects: SubjectReportService;
  /** Restrictions of processing a NIK (CONTRACT §13). */
  restrictions: RestrictionService;
  /** Grievances (sanggah) against decisions (CONTRACT §13). */
  grievances: GrievanceService;
  /** Reading the audit log by subject (for `accessLog`). */
  auditLog: {
    subjectOf(nik: string): string;
    entries(subject: string, first: number, beforeId?: number): Promise<AccessLogEntry[]>;
  };
}
