import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerificationProgressReads } from '../../src/db/scoped/verification-progress-reads.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { demoPrincipal } from '../../src/demo/demo-principal.js';
import { createLogger } from '../../src/logger.js';
import { HistogramCache } from '../../src/monitoring/histogram-cache.js';
import { startHistogramWarmer } from '../../src/monitoring/histogram-warmer.js';
import { seedSyntheticSnapshot } from '../../src/snapshot/synthetic-seed.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The gateway loads the national verification histogram itself, at start and after each import,
 * so that no dashboard's first visit pays for the scan of every household.
 */
let db: TestDatabase;
let reads: VerificationProgressReads;

beforeAll(async () => {
  db = await createTestDatabase();
  const dashboard = DEMO_CLIENTS.find((c) => c.clientId === 'pusdatin-dashboard')!;
  reads = new VerificationProgressReads(demoPrincipal(dashboard), db.readDb);
});

afterAll(async () => {
  await db?.close();
});

/** Whether the cache answers `snapshotId`'s national histogram without loading it. */
async function cached(histograms: HistogramCache, snapshotId: number): Promise<boolean> {
  let loaded = false;
  await histograms.get(snapshotId, ['*'], () => {
    loaded = true;
    return reads.householdsByLastVerification(null);
  });
  return !loaded;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('not warmed in time');
}

describe('startHistogramWarmer', () => {
  it('does nothing before the first snapshot, then loads each newly served one', async () => {
    const histograms = new HistogramCache();
    const warmer = startHistogramWarmer({
      reads: () => reads,
      scope: ['*'],
      histograms,
      logger: createLogger('silent'),
      checkEveryMs: 50,
    });
    try {
      expect(await reads.servedSnapshotId()).toBeNull();
      await seedSyntheticSnapshot(db, { persons: 500, seed: 'warm-1', asOf: '2026-03-31' });
      const first = (await reads.servedSnapshotId())!;
      const direct = await reads.householdsByLastVerification(null);
      await until(() => cached(histograms, first));
      // What the cache holds is the histogram a request would have loaded.
      expect(await histograms.get(first, ['*'], () => Promise.reject(new Error('no')))).toEqual(
        direct,
      );

      await seedSyntheticSnapshot(db, { persons: 600, seed: 'warm-2', asOf: '2026-06-30' });
      const second = (await reads.servedSnapshotId())!;
      expect(second).not.toBe(first);
      await until(() => cached(histograms, second));
      // Another scope is never filled from the national counts.
      let loaded = false;
      await histograms.get(second, ['32'], () => {
        loaded = true;
        return reads.householdsByLastVerification(null);
      });
      expect(loaded).toBe(true);
    } finally {
      await warmer.stop();
    }
  });
});
