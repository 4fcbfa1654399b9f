import { randomBytes, randomInt } from 'node:crypto';

/** Largest bound `crypto.randomInt` accepts (its range must stay below 2^48). */
const RANDOM_INT_LIMIT = 2 ** 48;

/**
 * Uniform integers, the only randomness the sampler uses. The default draws from the operating
 * system's CSPRNG; tests may inject a seeded source to run the sampler deterministically.
 */
export interface RandomSource {
  /** A uniform integer in [0, bound); `bound` is a positive safe integer. */
  uniformInt(bound: number): number;
}

/** Uniform bigint in [0, bound) by rejection over whole bytes (for bounds beyond 2^48). */
function uniformBigInt(bound: bigint): bigint {
  const bits = bound.toString(2).length;
  const bytes = Math.ceil(bits / 8);
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    const candidate = BigInt(`0x${randomBytes(bytes).toString('hex')}`) & mask;
    if (candidate < bound) return candidate;
  }
}

/** The production source: `crypto.randomInt`, or `crypto.randomBytes` for very large bounds. */
export const cryptoRandomSource: RandomSource = {
  uniformInt(bound: number): number {
    if (!Number.isSafeInteger(bound) || bound < 1) throw new RangeError(`bad bound ${bound}`);
    if (bound <= RANDOM_INT_LIMIT) return randomInt(bound);
    return Number(uniformBigInt(BigInt(bound)));
  },
};
