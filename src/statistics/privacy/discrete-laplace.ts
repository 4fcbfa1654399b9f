import { cryptoRandomSource, type RandomSource } from './random-source.js';

/**
 * Exact samplers of Canonne, Kamath & Steinke, "The Discrete Gaussian for Differential Privacy"
 * (NeurIPS 2020), Algorithms 1 and 2. Everything is integer arithmetic on uniform integers: no
 * floating point touches a sample, so the output distribution is exactly the discrete Laplace
 * distribution (textbook floating-point Laplace leaks through its rounding, Mironov 2012).
 */

/** A positive rational `num / den` with safe-integer parts. */
export interface Rational {
  num: number;
  den: number;
}

/** The largest denominator the samplers accept (keeps products below 2^53). */
const MAX_PART = 2 ** 40;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function reduce(num: number, den: number): Rational {
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

function checkRational(num: number, den: number, what: string): void {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || num < 0 || den < 1) {
    throw new RangeError(`${what} must be a non-negative rational of safe integers`);
  }
  if (num > MAX_PART || den > MAX_PART) throw new RangeError(`${what} is too large`);
}

/** Bernoulli(num / den), exactly: a uniform integer below den falls below num. */
export function bernoulliRational(num: number, den: number, source: RandomSource): boolean {
  if (num >= den) return true;
  if (num <= 0) return false;
  return source.uniformInt(den) < num;
}

/** Bernoulli(exp(−num/den)) for num/den in [0, 1]: the alternating-series step of Algorithm 1. */
function bernoulliExpUnit(num: number, den: number, source: RandomSource): boolean {
  // Draw A_k ~ Bernoulli(γ/k) for k = 1, 2, … until one is 0; the stopping k is odd with
  // probability exactly exp(−γ). γ/k = num / (den·k), split as Bernoulli(γ)·Bernoulli(1/k) once
  // den·k would leave the safe range (an independent product has exactly that probability).
  let k = 1;
  for (;;) {
    const accept =
      den * k <= Number.MAX_SAFE_INTEGER
        ? bernoulliRational(num, den * k, source)
        : bernoulliRational(num, den, source) && bernoulliRational(1, k, source);
    if (!accept) return k % 2 === 1;
    k += 1;
  }
}

/**
 * Bernoulli(exp(−γ)) for a rational γ = num/den ≥ 0 (Algorithm 1): one Bernoulli(exp(−1)) per
 * whole unit of γ, then the fractional part.
 */
export function bernoulliExp(
  num: number,
  den: number,
  source: RandomSource = cryptoRandomSource,
): boolean {
  checkRational(num, den, 'gamma');
  const whole = Math.floor(num / den);
  for (let i = 0; i < whole; i += 1) {
    if (!bernoulliExpUnit(1, 1, source)) return false;
  }
  return bernoulliExpUnit(num - whole * den, den, source);
}

/**
 * One draw of discrete Laplace noise with scale t = num/den: P(x) ∝ exp(−|x|/t) over all integers
 * (Algorithm 2 with the paper's t = num, s = den). Always returns an integer.
 */
export function sampleDiscreteLaplace(
  scale: Rational,
  source: RandomSource = cryptoRandomSource,
): number {
  checkRational(scale.num, scale.den, 'scale');
  if (scale.num === 0) throw new RangeError('scale must be positive');
  const { num: t, den: s } = reduce(scale.num, scale.den);
  for (;;) {
    // X = U + t·V is geometric with ratio exp(−1/t): U uniform below t, kept with
    // probability exp(−U/t); V counts successes of Bernoulli(exp(−1)).
    const u = source.uniformInt(t);
    if (!bernoulliExp(u, t, source)) continue;
    let v = 0;
    while (bernoulliExp(1, 1, source)) v += 1;
    const x = u + t * v;
    const y = Math.floor(x / s);
    const negative = source.uniformInt(2) === 1;
    // Without this rejection, zero would be drawn twice as often as it should.
    if (negative && y === 0) continue;
    return negative ? -y : y;
  }
}

/**
 * The scale of the noise for a query: t = Δ/ε with ε in thousandths, i.e. 1000·Δ / εMilli,
 * reduced. Exact, so the sampler needs no floating point.
 */
export function noiseScale(sensitivity: number, epsilonMilli: number): Rational {
  if (!Number.isSafeInteger(sensitivity) || sensitivity < 1) {
    throw new RangeError('sensitivity must be a positive integer');
  }
  if (!Number.isSafeInteger(epsilonMilli) || epsilonMilli < 1) {
    throw new RangeError('epsilonMilli must be a positive integer');
  }
  return reduce(1000 * sensitivity, epsilonMilli);
}

/** A noisy count: the true count plus discrete Laplace noise of scale Δ/ε. */
export function addDiscreteLaplaceNoise(
  count: number,
  sensitivity: number,
  epsilonMilli: number,
  source: RandomSource = cryptoRandomSource,
): number {
  return count + sampleDiscreteLaplace(noiseScale(sensitivity, epsilonMilli), source);
}
