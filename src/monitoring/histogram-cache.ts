import type { VerificationHistogram } from '../db/scoped/verification-progress-reads.js';

/** Entries kept: one per region scope in use (dashboards and the administrator share `*`). */
const MAX_ENTRIES = 32;

/**
 * The household histograms of verification progress, per served snapshot and region scope, kept
 * by the gateway (one cache per gateway, that is per database, shared by its requests): counting them scans every household of the scope (about 0.5 s at 1 M persons),
 * and they change only when a snapshot is swapped in. The key always holds the scope — one
 * scope's counts are never given to another (docs/PITFALLS: a cache keyed by the question alone
 * leaks across scopes) — and the snapshot id, read before each use, so a new snapshot is never
 * answered from the old one's counts. Concurrent misses share one load.
 */
export class HistogramCache {
  private readonly entries = new Map<string, Promise<VerificationHistogram>>();

  async get(
    snapshotId: number | null,
    scope: readonly string[],
    load: () => Promise<VerificationHistogram>,
  ): Promise<VerificationHistogram> {
    if (snapshotId === null) return load();
    const key = `${snapshotId}|${[...new Set(scope)].sort().join(',')}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = load().then((histogram) => {
        // An import committed between the id read and the load: keep the counts of neither.
        if (histogram.snapshotId !== snapshotId) this.entries.delete(key);
        return histogram;
      });
      entry.catch(() => this.entries.delete(key));
      this.entries.set(key, entry);
      while (this.entries.size > MAX_ENTRIES) {
        this.entries.delete(this.entries.keys().next().value!);
      }
    }
    return entry;
  }
}
