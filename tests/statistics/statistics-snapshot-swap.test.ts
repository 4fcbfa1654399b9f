import {
  Kysely,
  PostgresDialect,
  sql,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import type { Database } from '../../src/db/database-types.js';
import { StatisticsService } from '../../src/statistics/statistics-service.js';
import type { DisclosureRecord } from '../../src/audit/disclosure-record.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A researcher's query is charged to the snapshot it started on. If a new snapshot is swapped in
 * between that and the counting (an import committing mid-query), the counts belong to another
 * snapshot than the ledger would charge: the query is refused with SERVICE_UNAVAILABLE, spends
 * nothing and stores no answer. The swap is made to happen at exactly that moment by a Kysely
 * plugin that, once the service has read the served snapshot, records a newer one.
 */

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, validSnapshot());
}, 60_000);
afterAll(async () => {
  await db?.close();
});

const researcher: Principal = {
  clientId: 'swap-researcher',
  agencyId: 'bps',
  agencyName: 'Badan Pusat Statistik',
  kind: 'RESEARCHER',
  officerId: null,
  purpose: 'RESEARCH',
  agreement: {
    id: 'swap-pks',
    agencyId: 'bps',
    title: 'test',
    scopes: ['statistics'] as never,
    programs: [],
    purposes: ['RESEARCH'],
    regionScope: ['*'],
    fieldPolicy: {},
    detailedReasons: false,
    batchLimit: 1,
    dailyQuota: 1000,
    rateLimitPerMinute: 1000,
    privacyBudget: 3,
    validFrom: new Date('2020-01-01'),
    validUntil: null,
    revokedAt: null,
    trustedDocumentsOnly: false,
    documentApps: [],
    followCheckedDays: null,
    verifiesSubjectIdentity: false,
    purposeLegalBasis: {},
  },
};

const disclosure = (): DisclosureRecord =>
  ({
    subjects: new Set(),
    subjectHashes: new Map(),
    fields: new Set(),
    notes: [],
    decisionIds: [],
    aggregates: [],
  }) as unknown as DisclosureRecord;

/** Records a newer snapshot (same tables) once the first statement of the service has answered. */
function swapAfterFirstStatement(): KyselyPlugin & { swapped: boolean } {
  const plugin = {
    swapped: false,
    transformQuery: (args: PluginTransformQueryArgs) => args.node,
    async transformResult(args: PluginTransformResultArgs) {
      if (!plugin.swapped) {
        plugin.swapped = true;
        await sql`INSERT INTO snapshot (as_of, households, persons, recipients, source, load_seconds, rollup_seconds)
                  SELECT as_of + 1, households, persons, recipients, 'swapped mid-query', 1, rollup_seconds
                    FROM snapshot ORDER BY id DESC LIMIT 1`.execute(db.db);
      }
      return args.result;
    },
  };
  return plugin;
}

describe('a snapshot swapped in during a differentially private query', () => {
  it('refuses the query with SERVICE_UNAVAILABLE, spends nothing and stores no answer', async () => {
    const plugin = swapAfterFirstStatement();
    const swapping = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: db.pool }),
      plugins: [plugin],
    });
    const service = new StatisticsService({
      principal: researcher,
      db: swapping,
      readDb: db.readDb,
      disclosure: disclosure(),
    });
    await expect(
      service.query({ measure: 'HOUSEHOLDS', groupBy: ['DECILE'] }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/new registry snapshot/),
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(plugin.swapped).toBe(true);
    const { rows } = await sql<{ spent: number; answers: number }>`
      SELECT (SELECT count(*) FROM privacy_spend)::int AS spent,
             (SELECT count(*) FROM statistics_answer_cache)::int AS answers`.execute(db.db);
    expect(rows[0]).toEqual({ spent: 0, answers: 0 });

    // Asked again, on the now served snapshot, it is answered and charged to it.
    const again = new StatisticsService({
      principal: researcher,
      db: db.db,
      readDb: db.readDb,
      disclosure: disclosure(),
    });
    const answer = await again.query({ measure: 'HOUSEHOLDS', groupBy: ['DECILE'] });
    expect(answer.epsilonSpent).toBe(0.1);
    expect(answer.cached).toBe(false);
  });
});
