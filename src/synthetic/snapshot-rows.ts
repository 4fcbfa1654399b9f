import { CODE_LISTS } from '../domain/code-lists.js';
import { csvField } from '../csv/csv-writer.js';
import { DateTable } from './date-table.js';
import type { HouseholdDraft } from './household-model.js';
import type { HousingModel } from './housing.js';
import { familyName, nameStyleOf, personName, address } from './names.js';
import { KK_SALT, NIK_SALT, type IdIssuer } from './nik-issuer.js';
import { decileOf, pmtScore } from './pmt.js';
import type { Rng } from './random.js';
import { centiText, pad9 } from './number-text.js';
import { drawRecipients, type RecipientRows } from './recipients.js';
import type { RegionSampler } from './region-sampler.js';

/** Column order the row builder writes; the generator checks it against the format spec. */
// prettier-ignore
export const HOUSEHOLD_COLUMNS = [
  'household_id', 'kk_number', 'region_code', 'address', 'decile', 'floor_area_m2', 'floor_type',
  'wall_type', 'roof_type', 'water_source', 'sanitation', 'lighting', 'cooking_fuel',
  'verification_status', 'verified_at', 'source',
];
// prettier-ignore
export const MEMBER_COLUMNS = [
  'nik', 'household_id', 'name', 'sex', 'birth_date', 'relationship', 'pregnant', 'disability',
  'in_school', 'status',
];
export const RECIPIENT_COLUMNS = ['nik', 'program', 'since'];

/** Shares of verification status and of unranked households. */
export const PENDING_SHARE = 0.05;
export const REJECTED_SHARE = 0.02;
export const UNRANKED_SHARE = 0.02;
/** Shares of NIKs issued outside the district of residence, for adults and for children. */
export const OUTSIDE_ADULT = 0.15;
export const OUTSIDE_CHILD = 0.05;
/** Share of NIKs whose embedded date or sex disagrees with the member's record. */
export const NIK_MISMATCH_SHARE = 0.003;
const SOURCE_CUMULATIVE = [0.55, 0.8, 0.92, 1]; // SIKS_NG, SIKS_DROID, MUSDES, BPS

const REL = CODE_LISTS.relationship;
const STATUS = CODE_LISTS.status;
const DISABILITY = CODE_LISTS.disability;

/** The CSV text of one household: its row, its member rows and its recipient rows. */
export interface HouseholdRows {
  household: string;
  members: string;
  recipients: string;
  recipientCount: number;
}

/**
 * Turns household drafts into CSV rows: registry status, PMT decile, KK number, address, names,
 * NIKs (with the injected data-quality share) and program recipients.
 */
export class RowBuilder {
  /** NIKs written whose embedded date or sex disagrees with the record. */
  mismatches = 0;

  constructor(
    private readonly regions: RegionSampler,
    private readonly dates: DateTable,
    private readonly housing: HousingModel,
    private readonly cuts: Float64Array,
    private readonly issuer: IdIssuer,
  ) {}

  /** The rows of household number `seq` (1-based). */
  build(rng: Rng, seq: number, h: HouseholdDraft): HouseholdRows {
    const { regions, dates } = this;
    const id = 'H' + pad9(seq);
    const u = rng.float();
    const status =
      u < PENDING_SHARE ? 'PENDING' : u < PENDING_SHARE + REJECTED_SHARE ? 'REJECTED' : 'VERIFIED';
    // Unranked households are the ones whose survey is incomplete: some housing answers are missing.
    const unranked = rng.chance(UNRANKED_SHARE);
    const score = pmtScore(h, this.housing, regions.regencyEffect[h.regency]!, rng.normal());
    const decile = unranked ? null : decileOf(score, this.cuts);
    let verifiedAt = '';
    if (status === 'VERIFIED') {
      if (rng.chance(0.98)) verifiedAt = dates.text[rng.int(731)]!;
    } else if (rng.chance(0.3)) {
      verifiedAt = dates.text[rng.between(180, 1460)]!; // an earlier verification round
    }
    const source = CODE_LISTS.source[rng.categorical(SOURCE_CUMULATIVE)]!;
    const home = regions.villageDistrict[h.village]!;
    const homeCode = regions.districtCodes[home]!;
    const head = h.members[0]!;
    // The KK is issued in the district of residence, after the head came of age.
    const kkOffset = rng.int(DateTable.yearsToDays(Math.min(30, Math.max(0, head.age - 17))) + 1);
    const kkDate = dates.nikMale[kkOffset]!;
    const kkDateNumber = dates.nikMaleNumber[kkOffset]!;
    const homeNumber = regions.districtNumbers[home]!;
    const kk = this.issuer.issue(rng, KK_SALT, homeCode, homeNumber, kkDate, kkDateNumber);
    let housingCells = '';
    for (let v = 0; v < 7; v++) {
      const blank = unranked && rng.chance(0.3);
      housingCells += ',' + (blank ? '' : this.housing.codes[v]![h.housing[v]!]!);
    }
    const area = unranked && rng.chance(0.3) ? '' : centiText(h.areaCenti);
    const household =
      `${id},${kk},${regions.villageCodes[h.village]},${csvField(address(rng, h.city))},` +
      `${decile ?? ''},${area}${housingCells},${status},${verifiedAt},${source}\n`;

    const style = nameStyleOf(homeCode.slice(0, 2));
    const family = familyName(rng, style);
    const niks: string[] = [];
    let members = '';
    for (const m of h.members) {
      const nik = this.nik(rng, home, m.birthOffset, m.female, m.age);
      niks.push(nik);
      const own = m.rel === 0 || m.rel === 2 ? family : familyName(rng, style);
      const name = csvField(personName(rng, style, m.female, m.age, own));
      members +=
        `${nik},${id},${name},${m.female ? 'F' : 'M'},${dates.text[m.birthOffset]},${REL[m.rel]},` +
        `${m.pregnant},${DISABILITY[m.disability]},${m.inSchool},${STATUS[m.status]}\n`;
    }

    const recipients: RecipientRows = { text: '', count: 0 };
    drawRecipients(rng, h.members, niks, decile, status === 'REJECTED', dates.text, recipients);
    return { household, members, recipients: recipients.text, recipientCount: recipients.count };
  }

  /**
   * A unique NIK: district of issue (usually the home district), the date part of the birth
   * date and sex, and a 9000–9999 serial. A small share gets a wrong date or sex flag on purpose.
   */
  private nik(rng: Rng, home: number, birthOffset: number, female: boolean, age: number): string {
    const { regions, dates } = this;
    const outside = rng.chance(age >= 17 ? OUTSIDE_ADULT : OUTSIDE_CHILD);
    const d = outside ? regions.otherDistrict(rng, home) : home;
    let offset = birthOffset;
    let nikFemale = female;
    if (rng.chance(NIK_MISMATCH_SHARE)) {
      this.mismatches++;
      if (rng.chance(0.35)) {
        nikFemale = !female; // the +40 forgotten, or added for a man
      } else {
        const shift = rng.between(1, 3650); // a mistyped date, never a whole century off
        offset = offset + shift <= dates.maxOffset ? offset + shift : offset - shift;
      }
    }
    const part = nikFemale ? dates.nikFemale[offset]! : dates.nikMale[offset]!;
    const partNumber = nikFemale ? dates.nikFemaleNumber[offset]! : dates.nikMaleNumber[offset]!;
    return this.issuer.issue(
      rng,
      NIK_SALT,
      regions.districtCodes[d]!,
      regions.districtNumbers[d]!,
      part,
      partNumber,
    );
  }
}
