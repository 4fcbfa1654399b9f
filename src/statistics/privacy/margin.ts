import type { Rational } from './discrete-laplace.js';

/**
 * The 95% margin of discrete Laplace noise with scale t: the smallest integer m with
 * P(|X| ≤ m) ≥ 0.95, where P(|X| > m) = 2·e^{−(m+1)/t} / (1 + e^{−1/t}).
 *
 * Floating point is fine here: the margin is a display figure derived from public parameters
 * (Δ and ε), never from data, and it draws nothing. Sampling stays exact (discrete-laplace.ts).
 */
export function margin95(scale: Rational | number): number {
  const t = typeof scale === 'number' ? scale : scale.num / scale.den;
  if (!(t > 0) || !Number.isFinite(t)) throw new RangeError('scale must be positive');
  const q = Math.exp(-1 / t);
  const tail = (m: number) => (2 * Math.pow(q, m + 1)) / (1 + q);
  // Closed form, then nudged by one either way against rounding in log/exp.
  let m = Math.max(0, Math.ceil(-t * Math.log((0.05 * (1 + q)) / 2)) - 1);
  while (m > 0 && tail(m - 1) <= 0.05) m -= 1;
  while (tail(m) > 0.05) m += 1;
  return m;
}
