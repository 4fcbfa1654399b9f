import { StringDecoder } from 'node:string_decoder';

/** One CSV record and the line of the file where it starts (the header is line 1). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A malformed spot in the file itself (not a bad value): unterminated or stray quote. */
export interface CsvSyntaxError {
  line: number;
  reason: string;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Incremental RFC 4180 parser: `push` chunks as they arrive, get back the complete records.
 *
 * Written by hand rather than taken from a CSV library because it sits on the import's hot path
 * (hundreds of millions of rows at national scale) and must report the starting line of every
 * record, including records whose quoted fields span lines. Blank lines are skipped. A stray
 * quote inside an unquoted field, or text after a closing quote, is a syntax error for that
 * record (reported, and the record is dropped).
 */
export class CsvParser {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  /** Line number of the next unread character. */
  private line = 1;
  private first = true;
  private consumed = '';
  /** Next `"` and CR at or after the current record in the buffer being drained (-1: none). */
  private nextQuote = -2;
  private nextCr = -2;
  readonly errors: CsvSyntaxError[] = [];

  /**
   * The source text of the records returned by the last `push` or `end`, without the blank lines
   * it skipped: what the importer forwards to PostgreSQL's COPY after validating those records.
   */
  get consumedText(): string {
    return this.consumed;
  }

  push(chunk: Buffer | string): CsvRecord[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (this.first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.first = false;
    }
    this.buffer += text;
    return this.drain(false);
  }

  end(): CsvRecord[] {
    this.buffer += this.decoder.end();
    return this.drain(true);
  }

  private drain(final: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    const s = this.buffer;
    const n = s.length;
    let pos = 0;
    let blanks: number[] | null = null; // start, end pairs of skipped blank lines
    this.nextQuote = -2; // -2: not searched yet in this buffer
    this.nextCr = -2;
    for (;;) {
      const parsed = this.parseRecord(s, pos, final);
      if (parsed === null) break;
      if (parsed.blank) (blanks ??= []).push(pos, parsed.next);
      pos = parsed.next;
      if (parsed.record) out.push(parsed.record);
      if (pos >= n) break;
    }
    this.consumed = blanks === null ? s.slice(0, pos) : withoutSpans(s, pos, blanks);
    this.buffer = s.slice(pos);
    return out;
  }

  /**
   * Parses one record starting at `start`. Returns null when the record is not complete in the
   * buffer yet (and `final` is false).
   */
  private parseRecord(
    s: string,
    start: number,
    final: boolean,
  ): { record: CsvRecord | null; next: number; blank?: boolean } | null {
    const n = s.length;
    if (start >= n) return null;
    // Fast path: most records are one line without quotes; the native split is far cheaper than
    // walking characters.
    const lf = s.indexOf('\n', start);
    if (lf !== -1) {
      const end = lf > start && s.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
      // Positions only move forward within one buffer, so the next quote and CR are searched
      // again only once passed (a fresh search per record would scan the buffer quadratically).
      if (this.nextQuote !== -1 && this.nextQuote < start) this.nextQuote = s.indexOf('"', start);
      if (this.nextCr !== -1 && this.nextCr < start) this.nextCr = s.indexOf('\r', start);
      if (
        (this.nextQuote === -1 || this.nextQuote > lf) &&
        (this.nextCr === -1 || this.nextCr >= end)
      ) {
        const line = this.line++;
        if (end === start) return { record: null, next: lf + 1, blank: true };
        return { record: { line, fields: s.slice(start, end).split(',') }, next: lf + 1 };
      }
    }
    const fields: string[] = [];
    let pos = start;
    let lines = 0;
    let error: string | null = null;
    for (;;) {
      // One field.
      if (pos < n && s.charCodeAt(pos) === QUOTE) {
        let value = '';
        let from = pos + 1;
        let closed = false;
        while (from <= n) {
          const q = s.indexOf('"', from);
          if (q === -1) break;
          if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
            value += s.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          if (q + 1 >= n && !final) break; // cannot tell "" from " yet
          value += s.slice(from, q);
          pos = q + 1;
          closed = true;
          break;
        }
        if (!closed) {
          if (!final) return null;
          this.errors.push({ line: this.line, reason: 'unterminated quoted field' });
          this.line += countLines(s, start, n);
          return { record: null, next: n };
        }
        lines += countLines(value, 0, value.length);
        fields.push(value);
        if (pos < n) {
          const c = s.charCodeAt(pos);
          if (c !== COMMA && c !== LF && c !== CR && error === null) {
            error = 'text after a closing quote';
          }
        }
      } else {
        let end = pos;
        while (end < n) {
          const c = s.charCodeAt(end);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE && error === null) error = 'quote inside an unquoted field';
          end++;
        }
        if (end >= n && !final) return null;
        fields.push(s.slice(pos, end));
        pos = end;
      }
      // Skip to the separator after a bad quoted field.
      while (pos < n) {
        const c = s.charCodeAt(pos);
        if (c === COMMA || c === LF || c === CR) break;
        pos++;
      }
      if (pos >= n) {
        if (!final) return null;
        break;
      }
      const c = s.charCodeAt(pos);
      if (c === COMMA) {
        pos++;
        continue;
      }
      // End of line: LF, CR or CRLF.
      if (c === CR) {
        if (pos + 1 >= n && !final) return null;
        pos += pos + 1 < n && s.charCodeAt(pos + 1) === LF ? 2 : 1;
      } else {
        pos++;
      }
      lines++;
      break;
    }
    const line = this.line;
    this.line += lines;
    if (error !== null) {
      this.errors.push({ line, reason: error });
      return { record: null, next: pos };
    }
    const blank = fields.length === 1 && fields[0] === '' && s.charCodeAt(start) !== QUOTE;
    return blank ? { record: null, next: pos, blank } : { record: { line, fields }, next: pos };
  }
}

function withoutSpans(s: string, end: number, spans: number[]): string {
  let text = '';
  let from = 0;
  for (let i = 0; i < spans.length; i += 2) {
    text += s.slice(from, spans[i]);
    from = spans[i + 1]!;
  }
  return text + s.slice(from, end);
}

function countLines(s: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === LF) count++;
    else if (c === CR && s.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}

/** Parses a whole stream, yielding records in batches (one batch per input chunk). */
export async function* parseCsvStream(
  input: AsyncIterable<Buffer | string>,
  parser: CsvParser = new CsvParser(),
): AsyncGenerator<CsvRecord[]> {
  for await (const chunk of input) {
    const records = parser.push(chunk);
    if (records.length > 0) yield records;
  }
  const rest = parser.end();
  if (rest.length > 0) yield rest;
}
