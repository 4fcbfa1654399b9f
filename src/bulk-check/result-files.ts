import { createReadStream } from 'node:fs';
import { open, writeFile, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileProblem, FileProblem } from './file-problems.js';
import type { RejectedRow } from './nik-input.js';

/** The results file: one row per valid input row, in input order (duplicates kept). */
export const RESULTS_HEADER = 'nik,eligible,reason,decision_id,data_as_of';
/** The rejects file: one row per input row refused locally. */
export const REJECTS_HEADER = 'line,value,reason';

/** What the results file records of one decision. */
export interface DecisionRow {
  eligible: boolean;
  reason: string;
  decisionId: string;
  dataAsOf: string;
}

/** One CSV cell (RFC 4180): quoted when it holds a comma, quote, line break or edge spaces. */
export function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function resultLine(nik: string, d: DecisionRow): string {
  return [nik, String(d.eligible), d.reason, d.decisionId, d.dataAsOf].map(csvCell).join(',');
}

export function rejectLine(row: RejectedRow): string {
  return [String(row.line), row.value, row.reason].map(csvCell).join(',');
}

/**
 * A results or rejects file opened to continue an earlier run. Rows are appended whole (one
 * write per batch), so after an interruption the file holds complete rows and at most one
 * incomplete last line, which opening drops. `earlier` then replays the first cell of each row
 * already there (the NIK, or the input line), so that the caller can skip those input rows and
 * check that they are the same ones.
 */
export interface ResumableFile {
  readonly path: string;
  /** True when the file was (re)started with only its header. */
  readonly fresh: boolean;
  /** True when an incomplete last line (a write cut short) was dropped. */
  readonly droppedPartialLine: boolean;
  /** The first cell of the next row written by an earlier run, or null after the last. */
  nextEarlier(): Promise<string | null>;
  /** Appends complete lines (each ending with a newline). */
  append(lines: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens `path` to append rows under `header`. A missing file, or `restart`, starts it afresh
 * (created readable by its owner only: it holds personal data). An existing file must start with
 * exactly `header`; `option` names the command-line option that chose it, for the refusal.
 */
export async function openResumable(
  path: string,
  header: string,
  options: { restart: boolean; option: string },
): Promise<ResumableFile> {
  const scan = options.restart ? null : await scanExisting(path, header, options.option);
  if (scan === null) {
    try {
      await writeFile(path, `${header}\n`, { mode: 0o600 });
    } catch (error) {
      throw fileProblem('write', path, error);
    }
  }
  let handle: FileHandle;
  try {
    handle = await open(path, 'a');
  } catch (error) {
    throw fileProblem('write', path, error);
  }
  const earlier =
    scan && scan.end > scan.rowsFrom ? firstCells(path, scan.rowsFrom, scan.end) : null;
  return {
    path,
    fresh: scan === null,
    droppedPartialLine: scan?.droppedPartialLine ?? false,
    async nextEarlier() {
      if (!earlier) return null;
      const next = await earlier.next();
      return next.done ? null : next.value;
    },
    async append(lines) {
      try {
        await handle.write(lines);
      } catch (error) {
        throw fileProblem('write', path, error);
      }
    },
    async close() {
      await earlier?.return(undefined);
      await handle.close();
    },
  };
}

interface Scan {
  /** Byte offset of the first row (after the header line). */
  rowsFrom: number;
  /** Byte offset after the last complete row. */
  end: number;
  droppedPartialLine: boolean;
}

/** null when the file does not exist or holds no complete line (then it is started afresh). */
async function scanExisting(path: string, header: string, option: string): Promise<Scan | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fileProblem('open', path, error);
  }
  try {
    const size = (await handle.stat()).size;
    const expected = Buffer.from(`${header}\n`);
    const start = Buffer.alloc(Math.min(size, expected.length));
    await handle.read(start, 0, start.length, 0);
    const end = await endOfLastLine(handle, size);
    if (end === 0 && expected.subarray(0, start.length).equals(start)) return null; // a torn header
    if (!start.equals(expected)) {
      throw new FileProblem(
        `${path} exists and does not start with the header ${header}; ` +
          `use --restart to overwrite it, or choose another ${option}`,
      );
    }
    if (end < size) await handle.truncate(end);
    return { rowsFrom: expected.length, end, droppedPartialLine: end < size };
  } finally {
    await handle.close();
  }
}

/** The byte offset just after the last newline of the file (0 when it has none). */
async function endOfLastLine(handle: FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024);
  let to = size;
  while (to > 0) {
    const from = Math.max(0, to - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, to - from, from);
    const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at >= 0) return from + at + 1;
    to = from;
  }
  return 0;
}

/** The first cell of every line in bytes [from, to) of the file. */
async function* firstCells(path: string, from: number, to: number): AsyncGenerator<string> {
  // Only up to `to`: rows this run appends must not be read back as earlier ones.
  const stream = createReadStream(path, { start: from, end: to - 1 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const comma = line.indexOf(',');
      yield comma < 0 ? line : line.slice(0, comma);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
