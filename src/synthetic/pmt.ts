import {
  DISABILITY_SEVERE,
  STATUS_ACTIVE,
  type HouseholdDraft,
  type HouseholdModel,
} from './household-model.js';
import type { HousingModel } from './housing.js';
import type { Rng } from './random.js';

/** Weight of each housing variable in the score, in HOUSING_COLUMNS order. */
const HOUSING_WEIGHTS = [0.35, 0.2, 0.15, 0.2, 0.25, 0.15, 0.3];
/** Households in the calibration sample that fixes the national decile cut-points. */
export const CALIBRATION_HOUSEHOLDS = 20_000;

/**
 * Proxy-means-test score (higher = better off), computed only from what the registry observes:
 * housing codes, floor area per person, household size, dependants, a female or disabled head
 * and the region. The latent welfare is never used, and a noise term stands for everything a PMT
 * misses, so deciles rank households imperfectly, like the real ones.
 */
export function pmtScore(
  h: HouseholdDraft,
  housing: HousingModel,
  regencyEffect: number,
  noise: number,
): number {
  let n = 0;
  let dependants = 0;
  let severe = 0;
  for (const m of h.members) {
    if (m.status !== STATUS_ACTIVE) continue;
    n++;
    if (m.age < 15 || m.age >= 65) dependants++;
    if (m.disability === DISABILITY_SEVERE) severe++;
  }
  n = Math.max(1, n);
  let s = 0;
  for (let v = 0; v < 7; v++) s += HOUSING_WEIGHTS[v]! * housing.quality[v]![h.housing[v]!]!;
  const head = h.members[0]!;
  s += 0.4 * Math.log(h.areaCenti / 100 / n);
  s -= 0.1 * Math.log(n);
  s -= 0.4 * (dependants / n);
  s -= 0.15 * (severe / n);
  if (head.female) s -= 0.1;
  if (h.city) s += 0.15;
  s += 0.4 * regencyEffect;
  return s + 0.3 * noise;
}

/**
 * National decile cut-points (9 ascending scores): the deciles of a calibration sample of
 * households drawn from their own random stream, so they do not depend on the snapshot size.
 */
export function calibrateDeciles(
  model: HouseholdModel,
  housing: HousingModel,
  regencyEffect: ArrayLike<number>,
  rng: Rng,
  sample = CALIBRATION_HOUSEHOLDS,
): Float64Array {
  const scores = new Float64Array(sample);
  for (let i = 0; i < sample; i++) {
    const h = model.draw(rng, Infinity);
    scores[i] = pmtScore(h, housing, regencyEffect[h.regency]!, rng.normal());
  }
  scores.sort();
  const cuts = new Float64Array(9);
  for (let d = 1; d <= 9; d++) cuts[d - 1] = scores[Math.floor((d * sample) / 10)]!;
  return cuts;
}

/** Decile 1 (poorest) … 10 of a score. */
export function decileOf(score: number, cuts: Float64Array): number {
  let d = 1;
  while (d <= 9 && score >= cuts[d - 1]!) d++;
  return d;
}
