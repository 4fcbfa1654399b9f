/**
 * NIK (Nomor Induk Kependudukan), the 16-digit national identity number.
 *
 * Structure: 6 digits of the district (kecamatan) where it was issued, then the birth date as
 * DDMMYY with 40 added to the day for women, then a 4-digit serial. The first two digits are
 * therefore a province code. Validation here is structural only; whether a NIK is registered is
 * the registry's business.
 */
const NIK_RE = /^\d{16}$/;

/** Exactly 16 ASCII digits. */
export function isNikFormat(value: string): boolean {
  return NIK_RE.test(value);
}

/** The province code (first two digits) of a NIK in valid format. */
export function nikProvince(nik: string): string {
  return nik.slice(0, 2);
}

/** The district of issue (first six digits) of a NIK in valid format. */
export function nikDistrict(nik: string): string {
  return nik.slice(0, 6);
}

export interface NikBirthDate {
  /** Day of month, with the +40 for women removed. */
  day: number;
  month: number;
  /** Two-digit year: the century is not encoded. */
  yy: number;
  /** True when 40 was added to the day. */
  female: boolean;
}

/** Reads the embedded birth date, or `null` when digits 7–12 cannot be a date. */
export function nikBirthDate(nik: string): NikBirthDate | null {
  const rawDay = Number(nik.slice(6, 8));
  const month = Number(nik.slice(8, 10));
  const yy = Number(nik.slice(10, 12));
  const female = rawDay > 40;
  const day = female ? rawDay - 40 : rawDay;
  if (day < 1 || day > 31 || month < 1 || month > 12) return null;
  return { day, month, yy, female };
}

/**
 * True when the NIK's embedded birth date (and sex, when known) agrees with the recorded ones.
 * Disagreement is a data-quality warning, never a reason to refuse a record: real registry data
 * has such NIKs.
 */
export function nikMatchesBirthDate(
  nik: string,
  birthDate: string,
  sex: 'M' | 'F' | null,
): boolean {
  const embedded = nikBirthDate(nik);
  if (!embedded) return false;
  if (sex !== null && embedded.female !== (sex === 'F')) return false;
  return (
    embedded.day === Number(birthDate.slice(8, 10)) &&
    embedded.month === Number(birthDate.slice(5, 7)) &&
    embedded.yy === Number(birthDate.slice(2, 4))
  );
}

/** Encodes the middle six digits for a birth date and sex: DDMMYY, day + 40 for women. */
export function nikDatePart(birthDate: string, sex: 'M' | 'F'): string {
  const day = Number(birthDate.slice(8, 10)) + (sex === 'F' ? 40 : 0);
  return String(day).padStart(2, '0') + birthDate.slice(5, 7) + birthDate.slice(2, 4);
}
