import { CODE_LISTS } from '../domain/code-lists.js';
import { normalPdf, normalQuantile, type Rng } from './random.js';

/** The housing columns, in CSV order. */
export const HOUSING_COLUMNS = [
  'floor_type',
  'wall_type',
  'roof_type',
  'water_source',
  'sanitation',
  'lighting',
  'cooking_fuel',
] as const;

interface HousingVariable {
  /** Rough national shares of each code, in code-list order (best → poorest). */
  shares: readonly number[];
  /** Correlation of the variable's latent deprivation with household welfare. */
  rho: number;
  /** Latent shift for cities (negative = better: piped water, LPG rather than firewood). */
  cityShift: number;
}

// Shares are rounded Susenas-like national figures; they only need to look plausible.
const VARIABLES: Readonly<Record<(typeof HOUSING_COLUMNS)[number], HousingVariable>> = {
  floor_type: { shares: [3, 55, 2, 6, 4, 20, 1.5, 5, 3, 0.5], rho: 0.6, cityShift: -0.2 },
  wall_type: { shares: [85, 2, 9, 2.5, 0.5, 0.7, 0.3], rho: 0.55, cityShift: -0.3 },
  roof_type: { shares: [4, 30, 2, 45, 14, 0.5, 1, 2.5, 1], rho: 0.4, cityShift: -0.1 },
  water_source: { shares: [40, 17, 17, 12, 6, 3, 2, 1.5, 1.3, 0.2], rho: 0.45, cityShift: -0.5 },
  sanitation: { shares: [83, 8, 2, 7], rho: 0.5, cityShift: -0.2 },
  lighting: { shares: [90, 6, 3, 1], rho: 0.45, cityShift: -0.4 },
  cooking_fuel: { shares: [1, 8, 75, 1, 1, 0.5, 13, 0.5], rho: 0.55, cityShift: -0.6 },
};

/**
 * Housing conditions as ordered-probit draws: each variable has a latent deprivation that is
 * correlated with the household's welfare, cut at thresholds that reproduce the national shares.
 * Poorer households therefore get earth floors, firewood and unprotected wells more often, but
 * not always, as in real data.
 */
export class HousingModel {
  private readonly cuts: Float64Array[];
  private readonly rho: Float64Array;
  private readonly noiseScale: Float64Array;
  private readonly cityShift: Float64Array;
  /** Welfare signal of each code: minus the mean latent deprivation of its bin (higher = better). */
  readonly quality: Float64Array[];
  readonly codes: (readonly string[])[];

  constructor() {
    const vars = HOUSING_COLUMNS.map((c) => VARIABLES[c]);
    this.codes = HOUSING_COLUMNS.map((c) => CODE_LISTS[c]);
    vars.forEach((v, i) => {
      if (v.shares.length !== this.codes[i]!.length) {
        throw new Error(`housing shares of ${HOUSING_COLUMNS[i]} do not match its code list`);
      }
    });
    this.rho = Float64Array.from(vars.map((v) => v.rho));
    this.noiseScale = Float64Array.from(vars.map((v) => Math.sqrt(1 - v.rho * v.rho)));
    this.cityShift = Float64Array.from(vars.map((v) => v.cityShift));
    this.cuts = [];
    this.quality = [];
    for (const v of vars) {
      const total = v.shares.reduce((s, x) => s + x, 0);
      const bounds = [-Infinity];
      let acc = 0;
      for (const s of v.shares) {
        acc += s / total;
        bounds.push(bounds.length === v.shares.length ? Infinity : normalQuantile(acc));
      }
      this.cuts.push(Float64Array.from(bounds.slice(1, -1)));
      // Mean of a standard normal truncated to [lo, hi] = (φ(lo) − φ(hi)) / share.
      this.quality.push(
        Float64Array.from(
          v.shares.map(
            (s, k) => -(normalPdf(bounds[k]!) - normalPdf(bounds[k + 1]!)) / (s / total),
          ),
        ),
      );
    }
  }

  /** Draws the seven housing codes (as indexes into their code lists) into `out`. */
  draw(rng: Rng, welfare: number, city: boolean, out: number[]): void {
    for (let v = 0; v < 7; v++) {
      let latent = -this.rho[v]! * welfare + this.noiseScale[v]! * rng.normal();
      if (city) latent += this.cityShift[v]!;
      const cuts = this.cuts[v]!;
      let k = 0;
      while (k < cuts.length && latent >= cuts[k]!) k++;
      out[v] = k;
    }
  }

  /** Floor area in hundredths of m²: log-normal, larger for richer and bigger households. */
  drawAreaCenti(rng: Rng, welfare: number, size: number, city: boolean): number {
    const log =
      Math.log(42) +
      0.3 * welfare +
      0.25 * Math.log(size / 3.6) +
      0.35 * rng.normal() -
      (city ? 0.1 : 0);
    const area = Math.min(1500, Math.max(6, Math.exp(log)));
    // Most surveys record whole square metres; a quarter carry decimals.
    return rng.chance(0.75) ? Math.round(area) * 100 : Math.round(area * 100);
  }
}
