import { ageInYears, isIsoDate } from '../domain/dates.js';
import { nikDatePart } from '../domain/nik.js';

/** Oldest date the table covers, in years before the as-of date (ages up to 100 plus slack). */
const YEARS_BACK = 112;
const DAY_MS = 86_400_000;

/**
 * Every calendar day from the as-of date back ~112 years, precomputed once: the date text, the
 * NIK date part for men and women, and the completed age at the as-of date.
 *
 * Dates are handled as "days before as-of" offsets: drawing a date is drawing an integer, and
 * formatting is an array lookup, which keeps millions of birth dates cheap and free of time-zone
 * surprises.
 */
export class DateTable {
  /** `YYYY-MM-DD` of each offset (0 = the as-of date). */
  readonly text: string[];
  /** NIK date part (DDMMYY) by offset, men. */
  readonly nikMale: string[];
  /** NIK date part (DDMMYY, day + 40) by offset, women. */
  readonly nikFemale: string[];
  /** Same as `nikMale`/`nikFemale`, as numbers (for hashing). */
  readonly nikMaleNumber: Int32Array;
  readonly nikFemaleNumber: Int32Array;
  /** Completed years at the as-of date. */
  readonly age: Uint8Array;
  /** Smallest and largest offset at which the age is `a` (index a). */
  private readonly ageFirst: Int32Array;
  private readonly ageLast: Int32Array;
  readonly maxOffset: number;

  /** Builds the table for `asOf` (`YYYY-MM-DD`). */
  constructor(readonly asOf: string) {
    if (!isIsoDate(asOf)) throw new Error(`as-of date must be YYYY-MM-DD, got ${asOf}`);
    const base = Date.UTC(
      Number(asOf.slice(0, 4)),
      Number(asOf.slice(5, 7)) - 1,
      Number(asOf.slice(8, 10)),
    );
    const n = Math.floor(YEARS_BACK * 365.25);
    this.maxOffset = n - 1;
    this.text = new Array<string>(n);
    this.nikMale = new Array<string>(n);
    this.nikFemale = new Array<string>(n);
    this.nikMaleNumber = new Int32Array(n);
    this.nikFemaleNumber = new Int32Array(n);
    this.age = new Uint8Array(n);
    this.ageFirst = new Int32Array(YEARS_BACK + 1).fill(-1);
    this.ageLast = new Int32Array(YEARS_BACK + 1).fill(-1);
    for (let i = 0; i < n; i++) {
      const date = new Date(base - i * DAY_MS).toISOString().slice(0, 10);
      this.text[i] = date;
      this.nikMale[i] = nikDatePart(date, 'M');
      this.nikFemale[i] = nikDatePart(date, 'F');
      this.nikMaleNumber[i] = Number(this.nikMale[i]);
      this.nikFemaleNumber[i] = Number(this.nikFemale[i]);
      const a = ageInYears(date, asOf);
      this.age[i] = a;
      if (this.ageFirst[a]! < 0) this.ageFirst[a] = i;
      this.ageLast[a] = i;
    }
  }

  /** A uniformly drawn offset at which the completed age is `age` (0–110). */
  offsetForAge(age: number, u: number): number {
    const first = this.ageFirst[age]!;
    const last = this.ageLast[age]!;
    return first + Math.floor(u * (last - first + 1));
  }

  /** The offset `years` whole years before as-of (approximately: 365.25 days a year). */
  static yearsToDays(years: number): number {
    return Math.floor(years * 365.25);
  }
}
