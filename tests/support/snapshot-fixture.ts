import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DatabaseHandle } from '../../src/db/database.js';
import { importSnapshot, type ImportSummary } from '../../src/snapshot/snapshot-importer.js';

/** A small valid snapshot as CSV text; tests mutate one line to provoke one refusal. */
export interface SnapshotText {
  households: string;
  members: string;
  recipients: string | null;
}

export const AS_OF = '2026-06-30';

export const HOUSEHOLDS_HEADER =
  'household_id,kk_number,region_code,address,decile,floor_area_m2,floor_type,wall_type,roof_type,' +
  'water_source,sanitation,lighting,cooking_fuel,verification_status,verified_at,source';
export const MEMBERS_HEADER =
  'nik,household_id,name,sex,birth_date,relationship,pregnant,disability,in_school,status';
export const RECIPIENTS_HEADER = 'nik,program,since';

/** The indexes of the served households and members (migrations 0002, 0009, 0029, 0032). */
export const REGISTRY_INDEXES = [
  'household_last_verified_idx',
  'household_pkey',
  'household_regency_idx',
  'household_regency_verified_idx',
  'household_region_idx',
  'household_region_verified_idx',
  'member_household_idx',
  'member_pkey',
];

export function validSnapshot(): SnapshotText {
  return {
    households: [
      HOUSEHOLDS_HEADER,
      'H1,3201010101109001,3201011001,"Jl. Melati No. 1, RT 001/RW 002",2,36.5,CERAMIC,MASONRY,CLAY_TILE,PIPED,PRIVATE_TOILET,PLN_METERED,LPG_3KG,VERIFIED,2026-01-15,SIKS_NG',
      'H2,3171010202159002,3171011001,"Gang ""Mawar"" 7\nblok C",,,,,,,,,,PENDING,,SIKS_DROID',
      'H3,3201010303189003,3201011002,,9,120,MARBLE_GRANITE,MASONRY,CONCRETE,BOTTLED,PRIVATE_TOILET,PLN_METERED,ELECTRICITY,REJECTED,2025-12-01,MUSDES',
    ].join('\n'),
    members: [
      MEMBERS_HEADER,
      '3201011505809001,H1,Budi Santoso,M,1980-05-15,HEAD,false,NONE,false,ACTIVE',
      '3201015508829002,H1,Siti Aminah,F,1982-08-15,SPOUSE,true,NONE,false,ACTIVE',
      '3201010101159003,H1,Ahmad,M,2015-01-01,CHILD,false,NONE,true,ACTIVE',
      // Issued in another district (Jawa Tengah) and its embedded date disagrees: a warning, not an error.
      '3374010202709004,H2,Dewi Lestari,F,1970-02-02,HEAD,,SEVERE,,ACTIVE',
      "3201010707509005,H3,Yohanes O'Neil,M,1950-07-07,HEAD,false,MILD,false,DECEASED",
    ].join('\n'),
    recipients: [
      RECIPIENTS_HEADER,
      '3201011505809001,PKH,2020-03-01',
      '3201015508829002,PBI_JK,',
    ].join('\n'),
  };
}

/** Replaces line `line` (1 = header) of one file's text. */
export function withLine(text: string, line: number, replacement: string): string {
  const lines = text.split('\n');
  lines[line - 1] = replacement;
  return lines.join('\n');
}

const UNREADABLE_SEAL_KEY = randomBytes(32);

export function importText(
  handle: DatabaseHandle,
  text: SnapshotText,
  asOf = AS_OF,
  /**
   * The subject seal key of the gateway whose agencies follow subjects or regions (change
   * feeds). Without it, a key of this test process: the events are written (an import must not
   * fail for want of a key the test does not care about) but only a test that passes its
   * gateway's key can read them.
   */
  subjectSealKey: Buffer | null = UNREADABLE_SEAL_KEY,
): Promise<ImportSummary> {
  return importSnapshot(
    handle,
    {
      household: Readable.from([text.households]),
      member: Readable.from([text.members]),
      program_recipient: text.recipients === null ? null : Readable.from([text.recipients]),
      label: 'test fixture',
    },
    { asOf, subjectSealKey },
  );
}
