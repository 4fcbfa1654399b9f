import { CODE_LISTS, type CodeListName } from './code-lists.js';

/**
 * The snapshot CSV format (CONTRACT §4) as data: files, columns, types and rules.
 *
 * The importer validates against it and the synthetic generator writes by it. Table columns carry
 * the same names as the CSV columns.
 */
export type ColumnKind =
  | { kind: 'text' }
  | { kind: 'digits'; length: number }
  | { kind: 'nik' }
  | { kind: 'village' }
  | { kind: 'code'; list: CodeListName }
  | { kind: 'program' }
  | { kind: 'decile' }
  | { kind: 'area' }
  | { kind: 'date' }
  | { kind: 'bool' };

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  required: boolean;
}

export type SnapshotTable = 'household' | 'member' | 'program_recipient';

export interface SnapshotFileSpec {
  file: string;
  table: SnapshotTable;
  /** A snapshot without this file is valid (it has no such rows). */
  optional: boolean;
  columns: readonly ColumnSpec[];
}

const text = (name: string, required = false): ColumnSpec => ({
  name,
  kind: { kind: 'text' },
  required,
});
const code = (name: CodeListName, required = false): ColumnSpec => ({
  name,
  kind: { kind: 'code', list: name },
  required,
});

export const HOUSEHOLDS_FILE: SnapshotFileSpec = {
  file: 'households.csv',
  table: 'household',
  optional: false,
  columns: [
    text('household_id', true),
    { name: 'kk_number', kind: { kind: 'digits', length: 16 }, required: true },
    { name: 'region_code', kind: { kind: 'village' }, required: false },
    text('address'),
    { name: 'decile', kind: { kind: 'decile' }, required: false },
    { name: 'floor_area_m2', kind: { kind: 'area' }, required: false },
    code('floor_type'),
    code('wall_type'),
    code('roof_type'),
    code('water_source'),
    code('sanitation'),
    code('lighting'),
    code('cooking_fuel'),
    code('verification_status', true),
    { name: 'verified_at', kind: { kind: 'date' }, required: false },
    code('source', true),
  ],
};

export const MEMBERS_FILE: SnapshotFileSpec = {
  file: 'members.csv',
  table: 'member',
  optional: false,
  columns: [
    { name: 'nik', kind: { kind: 'nik' }, required: true },
    text('household_id', true),
    text('name', true),
    code('sex'),
    { name: 'birth_date', kind: { kind: 'date' }, required: false },
    code('relationship'),
    { name: 'pregnant', kind: { kind: 'bool' }, required: false },
    code('disability'),
    { name: 'in_school', kind: { kind: 'bool' }, required: false },
    code('status', true),
  ],
};

export const RECIPIENTS_FILE: SnapshotFileSpec = {
  file: 'program_recipients.csv',
  table: 'program_recipient',
  optional: true,
  columns: [
    { name: 'nik', kind: { kind: 'nik' }, required: true },
    { name: 'program', kind: { kind: 'program' }, required: true },
    { name: 'since', kind: { kind: 'date' }, required: false },
  ],
};

/** In load order: households before the members that refer to them. */
export const SNAPSHOT_FILES: readonly SnapshotFileSpec[] = [
  HOUSEHOLDS_FILE,
  MEMBERS_FILE,
  RECIPIENTS_FILE,
];

/** The codes a coded column accepts. */
export function codesOf(list: CodeListName): readonly string[] {
  return CODE_LISTS[list];
}
