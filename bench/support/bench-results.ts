import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadOrCreateSigningKeys } from '../../src/auth/tokens/signing-keys.js';
import { issueAccessToken } from '../../src/auth/tokens/token-issuer.js';
import { ROOT } from './bench-env.js';

const RESULTS = path.join(ROOT, 'bench/results');

/** Snapshot sizes from `--persons 1000000,10000000`, or the defaults. */
export function personsArgument(defaults: number[]): number[] {
  const sizes = (process.argv[process.argv.indexOf('--persons') + 1] ?? '')
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  return sizes.length > 0 ? sizes : defaults;
}

/** `1m`, `10m`, `200k`: the size in a result file's name. */
export function sizeLabel(persons: number): string {
  return persons >= 1e6 ? `${persons / 1e6}m` : `${persons / 1e3}k`;
}

export interface Latencies {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** Percentiles (nearest rank) and mean of latencies in ms, to 0.1 ms. */
export function latencies(ms: number[]): Latencies {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

/** A bearer token for a demo client, signed with the bench gateway's key, valid four hours. */
export async function benchToken(dataDir: string, clientId: string): Promise<string> {
  const keys = await loadOrCreateSigningKeys(dataDir);
  return (
    await issueAccessToken(keys, {
      clientId,
      issuer: 'dtks-gateway',
      audience: 'dtks-gateway',
      ttlSeconds: 4 * 3600,
    })
  ).accessToken;
}

/**
 * Measures each size, keeps each result as bench/results/<name>-<size>.json, and renders
 * bench/results/<name>.md from every size measured so far (so growth between sizes measured in
 * separate runs still shows).
 */
export async function measureSizes<R extends { persons: number }>(
  name: string,
  sizes: number[],
  measure: (persons: number) => Promise<R>,
  render: (results: R[]) => string,
): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  // BENCH_RENDER_ONLY: write the Markdown page again from the results on file, measuring nothing.
  for (const persons of process.env.BENCH_RENDER_ONLY ? [] : sizes) {
    const result = await measure(persons);
    // BENCH_ONLY: a partial run (for a profile) is printed, never written over the results.
    if (process.env.BENCH_ONLY) {
      console.log(JSON.stringify(result, null, 2));
      continue;
    }
    await writeFile(
      path.join(RESULTS, `${name}-${sizeLabel(persons)}.json`),
      JSON.stringify(result, null, 2) + '\n',
    );
  }
  const measured: R[] = [];
  const own = new RegExp(`^${name}-.*\\.json$`);
  for (const file of (await readdir(RESULTS)).filter((f) => own.test(f))) {
    measured.push(JSON.parse(await readFile(path.join(RESULTS, file), 'utf8')) as R);
  }
  measured.sort((a, b) => a.persons - b.persons);
  const page = render(measured);
  await writeFile(path.join(RESULTS, `${name}.md`), page);
  console.log(page);
}
