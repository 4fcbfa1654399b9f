import type { VerificationProgressReads } from '../db/scoped/verification-progress-reads.js';
import type { Logger } from '../logger.js';
import type { HistogramCache } from './histogram-cache.js';

/** How often the gateway looks for a newly served snapshot (one indexed read). */
const CHECK_EVERY_MS = 30_000;

/**
 * Loads the household histogram of verification progress for one region scope (the national
 * one, which internal dashboards and the administrator share) into the gateway's cache when the
 * gateway starts and whenever another snapshot is served, so that a dashboard's first visit
 * after a restart or an import does not wait for the scan of every household (about 3 s
 * nationally at 10 M persons: bench/results/dashboard.md). Nothing is disclosed: the counts only
 * sit in the cache, where a request's own scope and snapshot pick them as before. A failure (the
 * database away) is tried again at the next check; a request meanwhile loads the counts itself.
 */
export function startHistogramWarmer(options: {
  /** The reads, on the database reads go to at the time of each check. */
  reads: () => VerificationProgressReads;
  scope: readonly string[];
  histograms: HistogramCache;
  logger: Logger;
  checkEveryMs?: number;
}): { stop(): Promise<void> } {
  const { scope, histograms, logger } = options;
  let warmed: number | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const warm = async () => {
    const reads = options.reads();
    const snapshotId = await reads.servedSnapshotId();
    if (snapshotId === null || snapshotId === warmed) return;
    await histograms.get(snapshotId, scope, () => reads.householdsByLastVerification(null));
    warmed = snapshotId;
  };
  const check = () => {
    if (stopped) return;
    running = running.then(warm).catch((error: unknown) => {
      logger.debug({ err: error }, 'verification progress warm-up failed; tried again later');
    });
  };
  check();
  const timer = setInterval(check, options.checkEveryMs ?? CHECK_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
