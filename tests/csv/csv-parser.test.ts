import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser, type CsvRecord } from '../../src/csv/csv-parser.js';

function parseChunks(chunks: string[]): { records: CsvRecord[]; errors: CsvParser['errors'] } {
  const parser = new CsvParser();
  const records = chunks.flatMap((c) => parser.push(c));
  records.push(...parser.end());
  return { records, errors: parser.errors };
}

/** Splits text at the given cut points (any positions, also inside quotes and CRLFs). */
function cut(text: string, points: number[]): string[] {
  const sorted = [...new Set(points.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of sorted) {
    out.push(text.slice(from, p));
    from = p;
  }
  out.push(text.slice(from));
  return out;
}

const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '1') });

describe('CsvParser', () => {
  it('reads back any table written with RFC 4180 quoting, however the text is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 6 }),
        (rows, eol, cuts) => {
          const quote = (v: string) =>
            /[",\r\n]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v;
          const text = rows.map((r) => r.map(quote).join(',')).join(eol) + eol;
          const { records, errors } = parseChunks(cut(text, cuts));
          expect(errors).toEqual([]);
          expect(records.map((r) => r.fields)).toEqual(rows);
          // Each record starts on the line after the previous record's last line.
          let line = 1;
          records.forEach((record, i) => {
            expect(record.line).toBe(line);
            line += 1 + (rows[i]!.join('').match(/\r\n|\n/g)?.length ?? 0);
          });
        },
      ),
    );
  });

  it('hands on exactly the text of the records it returned, without blank lines or the BOM', () => {
    const parser = new CsvParser();
    const seen: string[] = [];
    for (const chunk of ['\ufeffa,b\n\n1,"x', '\n\ny"\n', '\n\n3,4\n5,']) {
      parser.push(chunk);
      seen.push(parser.consumedText);
    }
    parser.end();
    seen.push(parser.consumedText);
    expect(seen.join('')).toBe('a,b\n1,"x\n\ny"\n3,4\n5,');
  });

  it('skips a byte-order mark and blank lines, and keeps line numbers', () => {
    const { records } = parseChunks(['\ufeffa,b\n', '\n1,2\n\n3,4']);
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['1', '2'] },
      { line: 5, fields: ['3', '4'] },
    ]);
  });

  it('reports quotes in the wrong places and an unterminated quote, with their lines', () => {
    const { records, errors } = parseChunks(['a,b\n1,x"y\n"2"z,3\n4,"open']);
    expect(records).toEqual([{ line: 1, fields: ['a', 'b'] }]);
    expect(errors).toEqual([
      { line: 2, reason: 'quote inside an unquoted field' },
      { line: 3, reason: 'text after a closing quote' },
      { line: 4, reason: 'unterminated quoted field' },
    ]);
  });
});
