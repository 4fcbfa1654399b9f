import type { PopulationRow, RegionRow } from '../domain/region-reference.js';
import { AliasTable } from './alias-table.js';
import { normalQuantile, type Rng } from './random.js';

/**
 * Approximate 2024 BPS poverty rates (%) by province, rounded. Used only to shift the synthetic
 * welfare of each province so that, e.g., Papua and NTT get more low deciles than DKI or Bali.
 */
// prettier-ignore
const PROVINCE_POVERTY_PCT: Readonly<Record<string, number>> = {
  '11': 14.2, '12': 8.2, '13': 5.9, '14': 6.4, '15': 7.3, '16': 11.0, '17': 14.0, '18': 10.7,
  '19': 4.5, '21': 5.4, '31': 4.3, '32': 7.5, '33': 10.5, '34': 10.8, '35': 9.8, '36': 5.8,
  '51': 4.0, '52': 12.9, '53': 19.0, '61': 6.3, '62': 5.2, '63': 4.0, '64': 5.8, '65': 6.0,
  '71': 7.0, '72': 11.8, '73': 8.1, '74': 11.0, '75': 14.6, '76': 11.2, '81': 15.9, '82': 6.3,
  '91': 19.0, '92': 20.5, '93': 17.4, '94': 28.9, '95': 32.1, '96': 18.1,
};
const NATIONAL_POVERTY_PCT = 9.0;
/** Spread of regency welfare around its province (latent welfare units). */
const REGENCY_SD = 0.25;
/** Cities (kota, regency digits 3–4 ≥ 71) are richer than the rural regencies around them. */
const CITY_BONUS = 0.35;
/** Spread of village sizes: log-normal weights give many mid-sized villages, a few large ones and a tail of tiny ones. */
const VILLAGE_LOG_SD = 1.1;

/**
 * The region reference as flat arrays, and the draws that need it: a household's village
 * (population-weighted regency, log-normal village size within it) and a NIK's district of issue.
 */
export class RegionSampler {
  readonly villageCodes: string[] = [];
  /** Index into `districtCodes` of each village. */
  readonly villageDistrict: Int32Array;
  readonly districtCodes: string[] = [];
  /** The 6-digit district code as a number (for hashing NIKs without building strings). */
  readonly districtNumbers: Int32Array;
  readonly districtRegency: Int32Array;
  readonly regencyCodes: string[] = [];
  /** Latent welfare shift of each regency (province poverty, city bonus, regency noise). */
  readonly regencyEffect: Float64Array;
  readonly regencyIsCity: Uint8Array;
  /** Districts are sorted by code, so a regency's and a province's districts are contiguous. */
  private readonly regencyDistricts: Int32Array; // [start0, end0, start1, end1, …]
  private readonly provinceDistricts = new Map<string, [number, number]>();
  private readonly villages: AliasTable;

  /** Builds the arrays; `rng` draws regency effects and village sizes (a stream of its own). */
  constructor(regions: readonly RegionRow[], population: readonly PopulationRow[], rng: Rng) {
    const byCode = (x: RegionRow, y: RegionRow) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0);
    const regencies = regions.filter((r) => r.level === 2).sort(byCode);
    const districts = regions.filter((r) => r.level === 3).sort(byCode);
    const villages = regions.filter((r) => r.level === 4).sort(byCode);
    const popByCode = new Map(population.map((p) => [p.code, p.total]));

    const regencyIndex = new Map<string, number>();
    this.regencyEffect = new Float64Array(regencies.length);
    this.regencyIsCity = new Uint8Array(regencies.length);
    regencies.forEach((r, i) => {
      regencyIndex.set(r.code, i);
      this.regencyCodes.push(r.code);
      const city = Number(r.code.slice(2, 4)) >= 71;
      this.regencyIsCity[i] = city ? 1 : 0;
      this.regencyEffect[i] =
        provinceShift(r.code.slice(0, 2)) + REGENCY_SD * rng.normal() + (city ? CITY_BONUS : 0);
    });

    const districtIndex = new Map<string, number>();
    this.districtNumbers = new Int32Array(districts.length);
    this.districtRegency = new Int32Array(districts.length);
    this.regencyDistricts = new Int32Array(regencies.length * 2).fill(-1);
    districts.forEach((d, i) => {
      const reg = regencyIndex.get(d.parentCode ?? '') ?? -1;
      districtIndex.set(d.code, i);
      this.districtCodes.push(d.code);
      this.districtNumbers[i] = Number(d.code);
      this.districtRegency[i] = reg;
      if (reg >= 0) {
        if (this.regencyDistricts[2 * reg]! < 0) this.regencyDistricts[2 * reg] = i;
        this.regencyDistricts[2 * reg + 1] = i + 1;
      }
      const prov = d.code.slice(0, 2);
      const range = this.provinceDistricts.get(prov);
      if (range) range[1] = i + 1;
      else this.provinceDistricts.set(prov, [i, i + 1]);
    });

    // Village weight = regency population × the village's share of its regency.
    const raw: number[] = [];
    const villageRegency: number[] = [];
    const regencyRawTotal = new Float64Array(regencies.length);
    const keptDistrict: number[] = [];
    for (const v of villages) {
      const d = districtIndex.get(v.parentCode ?? '');
      if (d === undefined || this.districtRegency[d]! < 0) continue; // orphan: cannot be placed
      const reg = this.districtRegency[d]!;
      const w = Math.exp(VILLAGE_LOG_SD * rng.normal());
      this.villageCodes.push(v.code);
      keptDistrict.push(d);
      villageRegency.push(reg);
      raw.push(w);
      regencyRawTotal[reg] = regencyRawTotal[reg]! + w;
    }
    this.villageDistrict = Int32Array.from(keptDistrict);
    const weights = new Float64Array(raw.length);
    raw.forEach((w, i) => {
      const reg = villageRegency[i]!;
      const pop = popByCode.get(this.regencyCodes[reg]!) ?? 0; // no population figure: no households
      weights[i] = (pop * w) / regencyRawTotal[reg]!;
    });
    this.villages = new AliasTable(weights);
  }

  /** A village index for a new household. */
  sampleVillage(rng: Rng): number {
    return this.villages.sample(rng);
  }

  regencyOfVillage(village: number): number {
    return this.districtRegency[this.villageDistrict[village]!]!;
  }

  /**
   * A district of issue for someone who lives in district `home` and whose card was issued
   * elsewhere: half in another district of the same regency, a quarter elsewhere in the province,
   * a quarter anywhere in Indonesia (population-weighted). May return `home` by chance.
   */
  otherDistrict(rng: Rng, home: number): number {
    const u = rng.float();
    if (u < 0.5) {
      const reg = this.districtRegency[home]!;
      const start = this.regencyDistricts[2 * reg]!;
      const end = this.regencyDistricts[2 * reg + 1]!;
      if (end - start > 1) {
        const k = start + rng.int(end - start - 1);
        return k >= home ? k + 1 : k; // skip home
      }
    }
    if (u < 0.75) {
      const range = this.provinceDistricts.get(this.districtCodes[home]!.slice(0, 2));
      if (range && range[1] - range[0] > 1) return range[0] + rng.int(range[1] - range[0]);
    }
    return this.villageDistrict[this.sampleVillage(rng)]!;
  }
}

/** Mean latent welfare of a province such that its share below the national poverty line matches its rate. */
function provinceShift(province: string): number {
  const pct = PROVINCE_POVERTY_PCT[province] ?? NATIONAL_POVERTY_PCT;
  return normalQuantile(NATIONAL_POVERTY_PCT / 100) - normalQuantile(pct / 100);
}
