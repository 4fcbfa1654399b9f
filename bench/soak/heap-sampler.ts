/**
 * Where the gateway's memory went during the load, from the samples its process writes every
 * second (bench/support/serve-variant.ts, BENCH_MEMORY_FILE): RSS split into V8's heap and the
 * rest, and the live heap. The live heap is each minute's least `heapUsed`, taken just after a
 * major collection: a leak of objects raises it; a heap that V8 lets grow between collections,
 * or an allocator that keeps freed pages, raises RSS without it.
 */
import { readFile } from 'node:fs/promises';
import { slope } from './process-sampler.js';

interface Sample {
  at: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

export interface HeapMinute {
  minute: number;
  /** Least heapUsed of the minute (MB): the live heap after a major collection. */
  live: number;
  /** Most heapTotal of the minute (MB): what V8 had reserved for its heap. */
  heapTotal: number;
  /** Most RSS − heapTotal of the minute (MB): code, stacks, buffers, the allocator's pages. */
  outside: number;
}

export interface HeapSummary {
  perMinute: HeapMinute[];
  /** Least-squares slopes after minute 1, MB a minute. */
  liveSlope: number;
  heapTotalSlope: number;
  outsideSlope: number;
  nodeOptions: string | null;
}

export async function summarizeHeap(
  file: string,
  from: number,
  to: number,
  nodeOptions: string | null,
): Promise<HeapSummary | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const samples = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Sample)
    .filter((s) => s.at >= from && s.at <= to);
  const perMinute: HeapMinute[] = [];
  for (let m = 1; (m - 1) * 60_000 < to - from; m++) {
    const inMinute = samples.filter(
      (s) => s.at - from >= (m - 1) * 60_000 && s.at - from < m * 60_000,
    );
    if (inMinute.length < 10) continue; // the last seconds of the run: no collection to see
    perMinute.push({
      minute: m,
      live: Math.min(...inMinute.map((s) => s.heapUsed)),
      heapTotal: Math.max(...inMinute.map((s) => s.heapTotal)),
      outside: Math.round(Math.max(...inMinute.map((s) => s.rss - s.heapTotal)) * 10) / 10,
    });
  }
  const after = perMinute.filter((p) => p.minute > 1);
  const fit = (y: (p: HeapMinute) => number) =>
    Math.round(slope(after.map((p) => ({ t: p.minute, y: y(p) }))) * 100) / 100;
  return {
    perMinute,
    liveSlope: fit((p) => p.live),
    heapTotalSlope: fit((p) => p.heapTotal),
    outsideSlope: fit((p) => p.outside),
    nodeOptions,
  };
}
