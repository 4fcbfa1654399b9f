import type { DateTable } from './date-table.js';
import type { HousingModel } from './housing.js';
import type { Rng } from './random.js';
import type { RegionSampler } from './region-sampler.js';

/** Indexes into the code lists `relationship`, `status` and `disability`. */
export const REL_HEAD = 0;
export const REL_SPOUSE = 1;
export const REL_CHILD = 2;
export const REL_PARENT = 3;
export const REL_OTHER = 4;
export const STATUS_ACTIVE = 0;
export const STATUS_DECEASED = 1;
export const STATUS_MOVED = 2;
export const DISABILITY_MILD = 1;
export const DISABILITY_SEVERE = 2;

export interface MemberDraft {
  rel: number;
  female: boolean;
  /** Completed years at the as-of date. */
  age: number;
  /** Birth date as days before the as-of date (see DateTable). */
  birthOffset: number;
  status: number;
  pregnant: boolean;
  disability: number;
  inSchool: boolean;
}

export interface HouseholdDraft {
  village: number;
  regency: number;
  city: boolean;
  /** Latent welfare (standard-normal-ish; unobserved, drives everything observed). */
  welfare: number;
  members: MemberDraft[];
  /** Housing codes as indexes into their code lists, in HOUSING_COLUMNS order. */
  housing: number[];
  areaCenti: number;
}

/** Share of households drawn as one person (more arise from a head with no spouse or children). */
const SINGLE_SHARE = 0.08;

/** Disability rates by age band (<18, 18–59, 60–74, 75+), before the poverty uplift. */
const MILD_BY_AGE = [0.018, 0.035, 0.1, 0.18];
const SEVERE_BY_AGE = [0.008, 0.012, 0.035, 0.08];

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Children living at home by the head's life stage (relative to the peak at 35–49). */
function lifeStage(headAge: number): number {
  if (headAge < 25) return 0.45;
  if (headAge < 35) return 0.9;
  if (headAge < 50) return 1;
  if (headAge < 60) return 0.65;
  if (headAge < 70) return 0.35;
  return 0.2;
}

/**
 * Draws one household: its village, latent welfare, members (relationship, sex, age and status,
 * schooling, pregnancy, disability) and housing. Poorer households have more children, so
 * household size falls with welfare; schooling falls and disability rises with poverty.
 */
export class HouseholdModel {
  constructor(
    private readonly regions: RegionSampler,
    private readonly dates: DateTable,
    private readonly housing: HousingModel,
  ) {}

  /** One household of at most `maxMembers` members (the head is always kept). */
  draw(rng: Rng, maxMembers: number): HouseholdDraft {
    const village = this.regions.sampleVillage(rng);
    const regency = this.regions.regencyOfVillage(village);
    const city = this.regions.regencyIsCity[regency] === 1;
    const welfare = this.regions.regencyEffect[regency]! + rng.normal();
    const members = this.composition(rng, welfare);
    if (members.length > maxMembers) members.length = Math.max(1, maxMembers);
    for (const m of members) this.attributes(rng, m, welfare, members);
    const housing = [0, 0, 0, 0, 0, 0, 0];
    this.housing.draw(rng, welfare, city, housing);
    const areaCenti = this.housing.drawAreaCenti(rng, welfare, members.length, city);
    return { village, regency, city, welfare, members, housing, areaCenti };
  }

  private member(rng: Rng, rel: number, female: boolean, age: number): MemberDraft {
    const a = clamp(Math.round(age), 0, 100);
    return {
      rel,
      female,
      age: a,
      birthOffset: this.dates.offsetForAge(a, rng.float()),
      status: STATUS_ACTIVE,
      pregnant: false,
      disability: 0,
      inSchool: false,
    };
  }

  private composition(rng: Rng, welfare: number): MemberDraft[] {
    if (rng.chance(SINGLE_SHARE)) {
      // One-person households: mostly elderly widows and widowers, some young adults.
      const elderly = rng.chance(0.55);
      const age = elderly ? rng.between(60, 88) : clamp(33 + 10 * rng.normal(), 20, 59);
      return [this.member(rng, REL_HEAD, rng.chance(elderly ? 0.65 : 0.45), age)];
    }
    const headAge = clamp(Math.round(44 + 13 * rng.normal()), 20, 85);
    const hasSpouse = rng.chance(headAge >= 70 ? 0.55 : 0.88);
    const headFemale = hasSpouse ? rng.chance(0.06) : rng.chance(0.6);
    const members = [this.member(rng, REL_HEAD, headFemale, headAge)];
    let motherAge = headFemale ? headAge : headAge - 3;
    if (hasSpouse) {
      const spouseAge = clamp(headAge + (headFemale ? 3 : -3) + 3.5 * rng.normal(), 18, 95);
      const spouse = this.member(rng, REL_SPOUSE, !headFemale, spouseAge);
      members.push(spouse);
      if (!headFemale) motherAge = spouse.age;
    }
    // Poorer households have more children at home.
    const mean = clamp(2.2 - 0.4 * welfare, 0.6, 3.6) * lifeStage(headAge);
    const children = Math.min(rng.poisson(mean), 9);
    const lo = Math.max(0, motherAge - 44);
    const hi = Math.min(motherAge - 17, 30);
    if (hi >= lo && children > 0) {
      const ages: number[] = [];
      for (let i = 0; i < children; i++) ages.push(rng.between(lo, hi));
      ages.sort((x, y) => y - x);
      for (const age of ages) members.push(this.member(rng, REL_CHILD, rng.chance(0.49), age));
    }
    if (headAge <= 62 && rng.chance(welfare < -0.5 ? 0.14 : 0.09)) {
      const age = Math.min(98, headAge + rng.between(22, 36));
      members.push(this.member(rng, REL_PARENT, rng.chance(0.68), age));
    }
    if (rng.chance(0.07)) {
      // Grandchildren in older households, siblings or in-laws in younger ones.
      const age =
        headAge >= 50 ? rng.between(0, Math.min(17, headAge - 38)) : rng.between(15, headAge + 5);
      members.push(this.member(rng, REL_OTHER, rng.chance(0.5), age));
    }
    return members;
  }

  private attributes(rng: Rng, m: MemberDraft, welfare: number, members: MemberDraft[]): void {
    const age = m.age;
    if (m.rel !== REL_HEAD) {
      // The registry keeps members who died or left until the next update; heads are replaced.
      const dead = age < 5 ? 0.015 : age < 40 ? 0.012 : age < 60 ? 0.05 : age < 75 ? 0.18 : 0.35;
      const moved =
        (m.rel === REL_CHILD || m.rel === REL_OTHER) && age >= 18 && age <= 35 ? 0.09 : 0.006;
      const u = rng.float();
      if (u < dead) m.status = STATUS_DECEASED;
      else if (u < dead + moved) m.status = STATUS_MOVED;
    }
    const poverty = Math.max(0, -welfare);
    const band = age < 18 ? 0 : age < 60 ? 1 : age < 75 ? 2 : 3;
    const scale = 1 + 0.15 * poverty;
    const severe = SEVERE_BY_AGE[band]! * scale;
    const mild = MILD_BY_AGE[band]! * scale;
    const u = rng.float();
    m.disability = u < severe ? DISABILITY_SEVERE : u < severe + mild ? DISABILITY_MILD : 0;
    if (m.status !== STATUS_ACTIVE) return;
    if (age >= 6 && age <= 24) {
      const base = age <= 12 ? 0.98 : age <= 15 ? 0.9 : age <= 18 ? 0.75 : age <= 21 ? 0.25 : 0.06;
      // Poorer households drop out earlier; richer ones stay longer (exponent < 1 raises p).
      const exponent = 1 + 0.5 * poverty - 0.3 * Math.min(1, Math.max(0, welfare));
      const p = Math.pow(base, exponent) * (m.disability === DISABILITY_SEVERE ? 0.5 : 1);
      m.inSchool = rng.chance(p);
    }
    if (m.female && age >= 15 && age <= 49) {
      const inUnion =
        m.rel === REL_SPOUSE ||
        (m.rel === REL_HEAD && members.length > 1 && members[1]!.rel === REL_SPOUSE);
      const p = age < 18 || age > 45 ? 0.005 : inUnion ? 0.055 : 0.01;
      m.pregnant = rng.chance(p);
    }
  }
}
