import type { DatabaseHandle } from '../db/database.js';
import { currentSnapshot } from '../db/queries/snapshot-query.js';
import { todayInJakarta } from '../domain/dates.js';
import type { Logger } from '../logger.js';
import { seedSyntheticSnapshot } from '../snapshot/synthetic-seed.js';

/** The generator seed of the demo snapshot (docs/demo.md: what is the same in every demo). */
export const DEMO_SEED = 'demo';

/**
 * Loads the demo snapshot, `persons` synthetic persons as of today in Jakarta, when no snapshot
 * was ever loaded (a snapshot already there, the demo's or an import, is left as it is). Returns
 * whether it loaded one.
 */
export async function ensureDemoSnapshot(
  database: DatabaseHandle,
  options: { persons: number; logger: Logger; onProgress?: (persons: number) => void },
): Promise<boolean> {
  if (await currentSnapshot(database.db)) return false;
  const { persons, logger } = options;
  logger.info({ persons }, 'no snapshot loaded yet: generating the demo snapshot');
  const summary = await seedSyntheticSnapshot(database, {
    persons,
    seed: DEMO_SEED,
    asOf: todayInJakarta(),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  logger.info(
    { households: summary.households, persons: summary.persons, seconds: summary.seconds },
    'demo snapshot loaded',
  );
  return true;
}
