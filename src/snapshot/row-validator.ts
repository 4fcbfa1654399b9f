import { isIsoDate } from '../domain/dates.js';
import { isNikFormat, nikMatchesBirthDate } from '../domain/nik.js';
import { isProgramCode, PROGRAM_CODES } from '../domain/programs.js';
import type { CsvRecord } from '../csv/csv-parser.js';
import { codesOf, type ColumnSpec, type SnapshotFileSpec } from '../domain/snapshot-format.js';

/** One reason a snapshot is refused. Reasons never quote personal data. */
export interface ImportProblem {
  file: string;
  line: number;
  column?: string;
  reason: string;
}

/** What validation needs to know beyond the row itself. */
export interface ValidationReferences {
  villageCodes: ReadonlySet<string>;
  provinceCodes: ReadonlySet<string>;
  /** The snapshot's as-of date, `YYYY-MM-DD`: no date in the data may be after it. */
  asOf: string;
}

export interface RowResult {
  /** The reasons the row is refused (empty when it is valid). */
  problems: ImportProblem[];
  /** The member's NIK disagrees with its birth date or sex (a data-quality warning). */
  nikBirthDateMismatch: boolean;
}

type CellCheck = (raw: string) => string | null; // returns a reason, or null when valid

/**
 * Checks the header against the file's spec and returns, for each spec column, the index of the
 * CSV column that holds it (-1 when the optional column is absent), or the problems.
 */
export function mapHeader(
  spec: SnapshotFileSpec,
  header: readonly string[],
): { indexes: number[]; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  header.forEach((raw, i) => {
    const name = raw.trim();
    if (!spec.columns.some((c) => c.name === name)) {
      problems.push({ file: spec.file, line: 1, column: name, reason: 'unknown column' });
    } else if (seen.has(name)) {
      problems.push({ file: spec.file, line: 1, column: name, reason: 'column appears twice' });
    } else {
      seen.set(name, i);
    }
  });
  const indexes = spec.columns.map((c) => {
    const i = seen.get(c.name);
    if (i === undefined && c.required) {
      problems.push({
        file: spec.file,
        line: 1,
        column: c.name,
        reason: 'required column is missing',
      });
    }
    return i ?? -1;
  });
  return { indexes, problems };
}

/**
 * Compiles the per-row validator of one file: every value is checked against its column's rule.
 * Valid rows are not rewritten: the importer forwards their source text to PostgreSQL as is.
 */
export function compileRowValidator(
  spec: SnapshotFileSpec,
  indexes: readonly number[],
  refs: ValidationReferences,
  headerWidth: number,
): (record: CsvRecord) => RowResult {
  const checks = spec.columns.map((c) => cellCheck(c, refs));
  const at = (name: string) => indexes[spec.columns.findIndex((c) => c.name === name)] ?? -1;
  const nikAt = at('nik');
  const birthAt = spec.table === 'member' ? at('birth_date') : -1;
  const sexAt = at('sex');
  const valid: RowResult = Object.freeze({
    problems: [],
    nikBirthDateMismatch: false,
  }) as RowResult;
  const mismatched: RowResult = Object.freeze({
    problems: [],
    nikBirthDateMismatch: true,
  }) as RowResult;

  return (record) => {
    const fields = record.fields;
    if (fields.length !== headerWidth) {
      return {
        problems: [
          {
            file: spec.file,
            line: record.line,
            reason: `has ${fields.length} values, the header has ${headerWidth}`,
          },
        ],
        nikBirthDateMismatch: false,
      };
    }
    let problems: ImportProblem[] | null = null;
    for (let c = 0; c < checks.length; c++) {
      const col = spec.columns[c]!;
      const i = indexes[c]!;
      const raw = i < 0 ? '' : fields[i]!;
      const reason =
        raw === '' ? (col.required ? 'required value is empty' : null) : checks[c]!(raw);
      if (reason !== null) {
        (problems ??= []).push({ file: spec.file, line: record.line, column: col.name, reason });
      }
    }
    if (problems !== null) return { problems, nikBirthDateMismatch: false };
    if (birthAt < 0 || fields[birthAt] === '') return valid;
    const sex = sexAt < 0 ? '' : fields[sexAt];
    const matches = nikMatchesBirthDate(
      fields[nikAt]!,
      fields[birthAt]!,
      sex === 'M' || sex === 'F' ? sex : null,
    );
    return matches ? valid : mismatched;
  };
}

function cellCheck(col: ColumnSpec, refs: ValidationReferences): CellCheck {
  const k = col.kind;
  switch (k.kind) {
    case 'text':
      // PostgreSQL text cannot hold NUL; a lone \. is COPY's end-of-data marker in older servers.
      return (raw) =>
        raw.includes('\0')
          ? 'contains a NUL character'
          : raw === '\\.'
            ? 'the value \\. is not allowed'
            : null;
    case 'digits': {
      const re = new RegExp(`^\\d{${k.length}}$`);
      return (raw) => (re.test(raw) ? null : `must be exactly ${k.length} digits`);
    }
    case 'nik':
      return (raw) => {
        if (!isNikFormat(raw)) return 'NIK must be exactly 16 digits';
        if (!refs.provinceCodes.has(raw.slice(0, 2)))
          return 'NIK starts with a province code that does not exist';
        return null;
      };
    case 'village':
      return (raw) => {
        if (!/^\d{10}$/.test(raw)) return 'region code must be a 10-digit village code';
        return refs.villageCodes.has(raw) ? null : 'village code not in the region reference';
      };
    case 'code': {
      const codes = new Set(codesOf(k.list));
      const message = `unknown code; expected one of ${[...codes].join(', ')}`;
      return (raw) => (codes.has(raw) ? null : message);
    }
    case 'program':
      return (raw) =>
        isProgramCode(raw) ? null : `unknown program; expected one of ${PROGRAM_CODES.join(', ')}`;
    case 'decile':
      return (raw) =>
        /^(?:[1-9]|10)$/.test(raw) ? null : 'decile must be a whole number from 1 to 10';
    case 'area':
      return (raw) =>
        /^\d{1,6}(?:\.\d{1,2})?$/.test(raw)
          ? null
          : 'must be a number of at least 0 with at most 2 decimals';
    case 'date':
      return (raw) => {
        if (!isIsoDate(raw)) return 'not a date (YYYY-MM-DD)';
        return raw > refs.asOf ? `date is after the snapshot's as-of date ${refs.asOf}` : null;
      };
    case 'bool':
      return (raw) => (raw === 'true' || raw === 'false' ? null : 'must be true or false');
  }
}
