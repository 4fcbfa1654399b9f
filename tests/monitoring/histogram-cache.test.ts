import { describe, expect, it } from 'vitest';
import type { VerificationHistogram } from '../../src/db/scoped/verification-progress-reads.js';
import { HistogramCache } from '../../src/monitoring/histogram-cache.js';

/** The household histograms are kept per snapshot and region scope, never shared across either. */
function loader(snapshotId: number, n: number) {
  const calls: number[] = [];
  const load = (): Promise<VerificationHistogram> => {
    calls.push(n);
    return Promise.resolve({
      snapshotId,
      asOf: '2026-06-30',
      cells: [{ regency: '3201', month: null, n }],
    });
  };
  return { load, calls };
}

describe('HistogramCache', () => {
  it('loads once per snapshot and scope, and again for another of either', async () => {
    const cache = new HistogramCache();
    const national = loader(1, 100);
    const bogor = loader(1, 7);
    expect((await cache.get(1, ['*'], national.load)).cells[0]!.n).toBe(100);
    expect((await cache.get(1, ['*'], national.load)).cells[0]!.n).toBe(100);
    expect(national.calls).toHaveLength(1);
    // Another scope never gets the national counts.
    expect((await cache.get(1, ['3201'], bogor.load)).cells[0]!.n).toBe(7);
    // The same scope written otherwise is the same scope.
    expect((await cache.get(1, ['3201', '3201'], bogor.load)).cells[0]!.n).toBe(7);
    expect(bogor.calls).toHaveLength(1);
    const next = loader(2, 120);
    expect((await cache.get(2, ['*'], next.load)).cells[0]!.n).toBe(120);
  });

  it('keeps nothing loaded from another snapshot than the one it was asked for', async () => {
    const cache = new HistogramCache();
    const swapped = loader(3, 50); // an import committed between the id read and the load
    await cache.get(2, ['*'], swapped.load);
    await cache.get(2, ['*'], swapped.load);
    expect(swapped.calls).toHaveLength(2);
  });

  it('shares one load between concurrent misses', async () => {
    const cache = new HistogramCache();
    const l = loader(1, 5);
    await Promise.all([cache.get(1, ['*'], l.load), cache.get(1, ['*'], l.load)]);
    expect(l.calls).toHaveLength(1);
  });
});
