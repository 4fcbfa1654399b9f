import { pad4 } from './number-text.js';
import type { Rng } from './random.js';

const SERIAL_BASE = 9000;
const SERIALS = 1000;

/** Filter bits per expected identifier: a false-hit rate of at most ~6% when full. */
const BITS_PER_ID = 16;

/**
 * A one-sided uniqueness filter for generated identifiers: one bit per hash slot.
 *
 * An ordinary Set of 10 million 16-digit strings would take about a gigabyte; this takes
 * 16 bits per expected identifier (26 MB for the 13 million NIKs and KK numbers of 10 million
 * persons). `claim` answers "certainly new" (and marks it) or "perhaps seen": a false "perhaps
 * seen" only costs another serial, and a real duplicate can never pass, which is all the
 * generator needs.
 */
export class IdFilter {
  private readonly bits: Uint32Array;
  private readonly slots: number;

  /** Sized for about `expectedIds` identifiers; more only raise the false-hit rate. */
  constructor(expectedIds: number) {
    const words = Math.min(2 ** 27, Math.max(2048, Math.ceil((expectedIds * BITS_PER_ID) / 32)));
    this.bits = new Uint32Array(words);
    this.slots = words * 32;
  }

  /** Marks the identifier (a, b, c) in namespace `salt`; false when it may have been seen. */
  claim(salt: number, a: number, b: number, c: number): boolean {
    let h = Math.imul(a ^ salt, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15) ^ b, 0x85ebca77);
    h = Math.imul(h ^ (h >>> 13) ^ c, 0xc2b2ae3d);
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x846ca68b);
    h ^= h >>> 16;
    // Multiply-shift maps the 32-bit hash onto any table size without a power-of-two mask.
    const slot = Math.floor(((h >>> 0) / 4294967296) * this.slots);
    const word = slot >>> 5;
    const bit = 1 << (slot & 31);
    if ((this.bits[word]! & bit) !== 0) return false;
    this.bits[word] = this.bits[word]! | bit;
    return true;
  }
}

/** Namespaces in the shared filter. */
export const NIK_SALT = 0x4e494b; // 'NIK'
export const KK_SALT = 0x4b4b; // 'KK'

/**
 * Issues 16-digit numbers of the NIK/KK shape: 6-digit district + 6-digit date part + a serial
 * in 9000–9999. Real serials are assigned from 0001 upwards, so the high range keeps the
 * synthetic numbers clear of any real person's NIK. The first serial tried is random; on a
 * (possibly false) hit the next one is tried, so the output stays deterministic.
 */
export class IdIssuer {
  constructor(private readonly filter: IdFilter) {}

  /**
   * A new number for `districtCode` (6 digits; `districtNumber` is the same as a number) and date
   * part `datePart` (`datePartNumber` as a number), unique within `salt`.
   */
  issue(
    rng: Rng,
    salt: number,
    districtCode: string,
    districtNumber: number,
    datePart: string,
    datePartNumber: number,
  ): string {
    const start = rng.int(SERIALS);
    for (let k = 0; k < SERIALS; k++) {
      const serial = SERIAL_BASE + ((start + k) % SERIALS);
      if (this.filter.claim(salt, districtNumber, datePartNumber, serial)) {
        return districtCode + datePart + pad4(serial);
      }
    }
    throw new Error(`no free serial left for ${districtCode}/${datePart}`);
  }
}
