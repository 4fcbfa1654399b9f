import type { Rng } from './random.js';

/**
 * Walker/Vose alias table: draws an index with probability proportional to its weight in O(1).
 *
 * The village sampler draws once per household from ~84,000 weighted villages, so a binary search
 * per draw would already be acceptable; the alias table makes it a constant two random numbers.
 */
export class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  /** Builds the table; weights must be ≥ 0 with a positive sum. */
  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i]!;
    if (!(total > 0)) throw new Error('alias table needs a positive total weight');
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i]! * n) / total;
      (scaled[i]! < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    // Leftovers are 1 up to rounding error.
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  get size(): number {
    return this.prob.length;
  }

  /** One index, drawn with probability proportional to its weight. */
  sample(rng: Rng): number {
    const i = rng.int(this.prob.length);
    return rng.float() < this.prob[i]! ? i : this.alias[i]!;
  }
}
