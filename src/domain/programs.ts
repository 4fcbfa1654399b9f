/**
 * Social-assistance programs known to the gateway (CONTRACT §5).
 *
 * Their eligibility rules are data (table `eligibility_rule`, defaults in
 * `src/db/migrations/0003-eligibility-rules.ts`); this list only fixes the codes and units.
 */
export const PROGRAMS = Object.freeze({
  PKH: { name: 'Program Keluarga Harapan', unit: 'HOUSEHOLD' },
  BPNT: { name: 'Bantuan Pangan Non-Tunai (Sembako)', unit: 'HOUSEHOLD' },
  PBI_JK: { name: 'Penerima Bantuan Iuran Jaminan Kesehatan', unit: 'PERSON' },
  PIP: { name: 'Program Indonesia Pintar', unit: 'PERSON' },
} as const);

export type ProgramCode = keyof typeof PROGRAMS;
export const PROGRAM_CODES = Object.freeze(Object.keys(PROGRAMS) as ProgramCode[]);

export function isProgramCode(value: string): value is ProgramCode {
  return Object.hasOwn(PROGRAMS, value);
}

/** Age of an elderly member, in completed years (the PKH rule's elderly component, CONTRACT §5). */
export const ELDERLY_AGE = 60;
