import { isIsoDate } from '../../domain/dates.js';
import { isNikFormat, nikMatchesBirthDate } from '../../domain/nik.js';
import { isProgramCode, PROGRAM_CODES } from '../../domain/programs.js';
import type { CsvRecord } from './csv-parser.js';
import { codesOf, type ColumnSpec, type SnapshotFileSpec } from './snapshot-format.js';

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
  /** The row in COPY text format (tab-separated, `\N` for null), or null when it is refused. */
  copyLine: string | null;
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
 * Compiles the per-row validator of one file: every value is checked against its column's rule
 * and the row is rendered as a COPY line carrying its source line number as the last column.
 */
export function compileRowValidator(
  spec: SnapshotFileSpec,
  indexes: readonly number[],
  refs: ValidationReferences,
  headerWidth: number,
): (record: CsvRecord) => RowResult {
  const checks = spec.columns.map((c) => cellCheck(c, refs));
  const nikAt = spec.columns.findIndex((c) => c.name === 'nik');
  const isMembers = spec.table === 'member';
  const birthAt = spec.columns.findIndex((c) => c.name === 'birth_date');
  const sexAt = spec.columns.findIndex((c) => c.name === 'sex');

  return (record) => {
    const problems: ImportProblem[] = [];
    if (record.fields.length !== headerWidth) {
      problems.push({
        file: spec.file,
        line: record.line,
        reason: `has ${record.fields.length} values, the header has ${headerWidth}`,
      });
      return { copyLine: null, problems, nikBirthDateMismatch: false };
    }
    const values: string[] = new Array<string>(spec.columns.length);
    for (let c = 0; c < spec.columns.length; c++) {
      const col = spec.columns[c]!;
      const at = indexes[c]!;
      const raw = at < 0 ? '' : record.fields[at]!;
      if (raw === '') {
        if (col.required) {
          problems.push({
            file: spec.file,
            line: record.line,
            column: col.name,
            reason: 'required value is empty',
          });
        }
        values[c] = '\\N';
        continue;
      }
      const reason = checks[c]!(raw);
      if (reason !== null) {
        problems.push({ file: spec.file, line: record.line, column: col.name, reason });
        continue;
      }
      values[c] = col.kind.kind === 'text' ? escapeCopyText(raw) : raw;
    }
    if (problems.length > 0) return { copyLine: null, problems, nikBirthDateMismatch: false };
    let mismatch = false;
    if (isMembers && values[birthAt] !== '\\N') {
      const sex = values[sexAt];
      mismatch = !nikMatchesBirthDate(
        values[nikAt]!,
        values[birthAt]!,
        sex === 'M' || sex === 'F' ? sex : null,
      );
    }
    return {
      copyLine: values.join('\t') + '\t' + record.line + '\n',
      problems,
      nikBirthDateMismatch: mismatch,
    };
  };
}

function cellCheck(col: ColumnSpec, refs: ValidationReferences): CellCheck {
  const k = col.kind;
  switch (k.kind) {
    case 'text':
      return (raw) => (raw.includes('\0') ? 'contains a NUL character' : null);
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

/** Escapes a value for PostgreSQL's COPY text format. */
function escapeCopyText(raw: string): string {
  return /[\\\t\n\r]/.test(raw)
    ? raw.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : raw;
}
