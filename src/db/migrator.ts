import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Database } from './database-types.js';
import { grantRuntimeRights } from './runtime-role.js';
import { installJobQueue } from './job-queue.js';
import * as regionReference from './migrations/0001-region-reference.js';
import * as registry from './migrations/0002-registry.js';
import * as eligibilityRules from './migrations/0003-eligibility-rules.js';
import * as agreements from './migrations/0004-agreements.js';
import * as audit from './migrations/0005-audit.js';
import * as usageLimits from './migrations/0006-usage-limits.js';
import * as credentialsChanged from './migrations/0007-client-credentials-changed.js';
import * as unloggedCounters from './migrations/0008-unlogged-usage-counters.js';
import * as workListIndexes from './migrations/0009-work-list-indexes.js';
import * as verification from './migrations/0010-verification.js';
import * as privacyLedger from './migrations/0011-privacy-ledger.js';
import * as statisticsRollups from './migrations/0012-statistics-rollups.js';
import * as runtimeRole from './migrations/0013-runtime-role-and-audit-checkpoints.js';
import * as trustedDocuments from './migrations/0014-trusted-documents.js';
import * as targetingStatistics from './migrations/0015-targeting-statistics.js';
import * as auditEventTimeIndex from './migrations/0016-audit-event-time-index.js';
import * as changeFeeds from './migrations/0017-change-feeds.js';
import * as webhookDeliveries from './migrations/0018-webhook-deliveries.js';
import * as regionChangeFeeds from './migrations/0019-region-change-feeds.js';
import * as dciTransactions from './migrations/0020-dci-transactions.js';
import * as dciAsync from './migrations/0021-dci-async.js';
import * as statisticsCellKeys from './migrations/0022-statistics-cell-keys.js';
import * as privacyPeriods from './migrations/0023-privacy-accounting-periods.js';
import * as subjectServices from './migrations/0024-subject-services.js';
import * as purposeLegalBasis from './migrations/0025-purpose-legal-basis.js';
import * as processingRestriction from './migrations/0026-processing-restriction.js';
import * as grievances from './migrations/0027-grievances.js';
import * as dailyQuotaConstraint from './migrations/0028-daily-quota-constraint.js';
import * as districtWorkListIndex from './migrations/0029-district-work-list-index.js';
import * as auditUsage from './migrations/0030-audit-usage.js';
import * as ruleEffectiveDates from './migrations/0031-rule-effective-dates.js';
import * as partitionRegistry from './migrations/0032-partition-registry-by-province.js';
import * as publishedStatisticsTables from './migrations/0033-published-statistics-tables.js';
import * as dciTransactionRetention from './migrations/0034-dci-transaction-retention.js';

/**
 * All migrations, in order. Forward-only: a released migration is never edited; a change is a
 * new file here. Listed statically so that the compiled package needs no folder scan.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-region-reference': regionReference,
  '0002-registry': registry,
  '0003-eligibility-rules': eligibilityRules,
  '0004-agreements': agreements,
  '0005-audit': audit,
  '0006-usage-limits': usageLimits,
  '0007-client-credentials-changed': credentialsChanged,
  '0008-unlogged-usage-counters': unloggedCounters,
  '0009-work-list-indexes': workListIndexes,
  '0010-verification': verification,
  '0011-privacy-ledger': privacyLedger,
  '0012-statistics-rollups': statisticsRollups,
  '0013-runtime-role-and-audit-checkpoints': runtimeRole,
  '0014-trusted-documents': trustedDocuments,
  '0015-targeting-statistics': targetingStatistics,
  '0016-audit-event-time-index': auditEventTimeIndex,
  '0017-change-feeds': changeFeeds,
  '0018-webhook-deliveries': webhookDeliveries,
  '0019-region-change-feeds': regionChangeFeeds,
  '0020-dci-transactions': dciTransactions,
  '0021-dci-async': dciAsync,
  '0022-statistics-cell-keys': statisticsCellKeys,
  '0023-privacy-accounting-periods': privacyPeriods,
  '0024-subject-services': subjectServices,
  '0025-purpose-legal-basis': purposeLegalBasis,
  '0026-processing-restriction': processingRestriction,
  '0027-grievances': grievances,
  '0028-daily-quota-constraint': dailyQuotaConstraint,
  '0029-district-work-list-index': districtWorkListIndex,
  '0030-audit-usage': auditUsage,
  '0031-rule-effective-dates': ruleEffectiveDates,
  '0032-partition-registry-by-province': partitionRegistry,
  '0033-published-statistics-tables': publishedStatisticsTables,
  '0034-dci-transaction-retention': dciTransactionRetention,
};

/** Every migration's name, in the order they are applied. */
export const MIGRATION_NAMES: readonly string[] = Object.freeze(Object.keys(MIGRATIONS));

/**
 * Applies every pending migration (each in its own transaction), installs the job queue
 * (src/db/job-queue.ts), then gives the serving role its rights (src/db/runtime-role.ts); returns
 * the names applied.
 */
export async function migrateToLatest(database: {
  db: Kysely<Database>;
  url: string;
}): Promise<string[]> {
  const { db } = database;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
  await installJobQueue(database.url);
  await grantRuntimeRights(db);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
