import { CsvParser, type CsvRecord } from '../csv/csv-parser.js';
import { isNikFormat, nikProvince } from '../domain/nik.js';
import { PROVINCE_CODES } from '../domain/provinces.js';

/** A row of the input to check: a NIK that passed local validation. */
export interface NikRow {
  line: number;
  nik: string;
}

/** A row refused locally, never sent to the gateway. */
export interface RejectedRow {
  line: number;
  /** The cell as read (trimmed, on one line, at most {@link MAX_VALUE_LENGTH} characters). */
  value: string;
  reason: string;
}

export type InputRow = NikRow | RejectedRow;

export const isNikRow = (row: InputRow): row is NikRow => 'nik' in row;

/** Rejected values are the user's own data, but a stray megabyte cell need not be copied whole. */
export const MAX_VALUE_LENGTH = 100;

/** The input cannot be read as a list of NIKs at all (not one bad row: the whole file). */
export class InputFormatError extends Error {
  override name = 'InputFormatError';
}

/**
 * Why a value is not a NIK the gateway would accept, or null when it is one. Accepts exactly what
 * the `NIK` scalar accepts (16 ASCII digits, the first two an existing province code), built from
 * the same domain checks; the reasons only say more precisely what is wrong.
 */
export function nikProblem(value: string): string | null {
  if (isNikFormat(value)) {
    return PROVINCE_CODES.has(nikProvince(value))
      ? null
      : 'NIK starts with a province code that does not exist';
  }
  if (value === '') return 'NIK is empty';
  if (!/^[0-9]*$/.test(value)) return 'NIK must contain only the digits 0-9';
  return `NIK must be exactly 16 digits (this one has ${value.length})`;
}

/**
 * Reads the NIKs to check from CSV text, in file order, each valid or rejected with its line
 * (1-based, as an editor shows it). Two shapes are accepted:
 *
 * - a header row with a `nik` column (any letter case; other columns are ignored), or
 * - no header: one NIK per line (a single column).
 *
 * The first non-blank row decides: it is a header when one of its cells is `nik`. Cells are
 * trimmed; blank lines (and rows whose cells are all blank) are skipped. CSV quoting follows
 * RFC 4180; a row the CSV syntax breaks is rejected with the reason.
 */
export async function* readNikInput(
  chunks: AsyncIterable<Buffer | string>,
): AsyncGenerator<InputRow> {
  const parser = new CsvParser();
  let shape: Shape | null = null; // known from the first row
  const rows = function* (records: CsvRecord[]): Generator<InputRow> {
    // Syntax errors are reported by the parser apart from records; merge them in line order.
    const errors = parser.errors.splice(0);
    let e = 0;
    for (const record of records) {
      while (e < errors.length && errors[e]!.line < record.line) yield syntaxReject(errors[e++]!);
      if (isBlank(record)) continue;
      if (shape === null) {
        shape = shapeOf(record);
        if (shape.header) continue;
      }
      yield rowOf(record, shape);
    }
    while (e < errors.length) yield syntaxReject(errors[e++]!);
  };
  for await (const chunk of chunks) yield* rows(parser.push(chunk));
  yield* rows(parser.end());
}

interface Shape {
  /** The first row is a header (and is not data). */
  header: boolean;
  /** Index of the NIK column. */
  column: number;
}

function shapeOf(first: CsvRecord): Shape {
  const at = first.fields.findIndex((f) => f.trim().toLowerCase() === 'nik');
  if (at >= 0) return { header: true, column: at };
  if (first.fields.length > 1) {
    throw new InputFormatError(
      `the first row has ${first.fields.length} columns and none is named nik: ` +
        'give a header row with a nik column, or one NIK per line without a header',
    );
  }
  return { header: false, column: 0 };
}

const isBlank = (record: CsvRecord) => record.fields.every((f) => f.trim() === '');

function rowOf(record: CsvRecord, shape: Shape): InputRow {
  const { fields, line } = record;
  if (!shape.header && fields.length > 1) {
    return {
      line,
      value: shown(fields.join(',')),
      reason: `expected one NIK per line, found ${fields.length} columns`,
    };
  }
  const value = (fields[shape.column] ?? '').trim();
  const problem = nikProblem(value);
  return problem === null ? { line, nik: value } : { line, value: shown(value), reason: problem };
}

function syntaxReject(error: { line: number; reason: string }): RejectedRow {
  return { line: error.line, value: '', reason: `CSV syntax: ${error.reason}` };
}

/** One line, bounded: a rejects file keeps one record per line, which resuming relies on. */
function shown(value: string): string {
  const oneLine = value.trim().replace(/[\r\n]+/g, ' ');
  return oneLine.length > MAX_VALUE_LENGTH ? `${oneLine.slice(0, MAX_VALUE_LENGTH)}…` : oneLine;
}
