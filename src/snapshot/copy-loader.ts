import { finished } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CsvParser, parseCsvStream } from '../csv/csv-parser.js';
import { LineMap } from './line-map.js';
import type { ProblemCollector } from './problem-collector.js';
import { compileRowValidator, mapHeader, type ValidationReferences } from './row-validator.js';
import type { SnapshotFileSpec } from '../domain/snapshot-format.js';

export interface FileLoadResult {
  rows: number;
  nikBirthDateMismatches: number;
  /** Row position in the staged table → line in the file, for reports of cross-row problems. */
  lines: LineMap;
  /**
   * The provinces of the file's region codes (their first two digits, '' for none), which the
   * registry's partitions follow; empty for a file without region codes.
   */
  provinces: Set<string>;
}

/**
 * Streams one CSV file into its staging table (`target`: src/snapshot/staging-tables.ts). Node parses and validates every
 * record; the text of validated records is forwarded unchanged to `COPY … (FORMAT csv)`, so
 * PostgreSQL does the typed parsing once and Node never re-serialises a row. Memory stays flat
 * whatever the file size (one chunk at a time, with backpressure from PostgreSQL).
 *
 * After the first problem anywhere in the snapshot nothing more is forwarded, but parsing goes on
 * so that every problem of the file is reported. PostgreSQL's row count is checked against
 * Node's, so a disagreement between the two parsers can never lose a row silently.
 */
export async function loadFile(
  client: pg.PoolClient,
  spec: SnapshotFileSpec,
  target: string,
  input: Readable,
  refs: ValidationReferences,
  problems: ProblemCollector,
  onRows: (count: number) => void,
): Promise<FileLoadResult> {
  const parser = new CsvParser();
  const lines = new LineMap();
  let copy: (Writable & { rowCount?: number }) | null = null;
  let copyDone: Promise<void> | null = null;
  let validate: ReturnType<typeof compileRowValidator> | null = null;
  const provinces = new Set<string>();
  let regionField: number | undefined;
  let headerRefused = false;
  let rows = 0;
  let forwarded = 0;
  let mismatches = 0;
  try {
    for await (const batch of parseCsvStream(input, parser)) {
      for (const record of batch) {
        if (validate === null) {
          if (headerRefused) break;
          const header = mapHeader(spec, record.fields);
          if (header.problems.length > 0) {
            problems.addAll(header.problems);
            headerRefused = true; // the rows cannot be read without a valid header
            break;
          }
          validate = compileRowValidator(spec, header.indexes, refs, record.fields.length);
          const region = spec.columns.findIndex((c) => c.name === 'region_code');
          regionField = region < 0 ? undefined : (header.indexes[region] ?? -1);
          const columns = record.fields.map((f) => f.trim()).join(', ');
          copy = client.query(
            copyFrom(
              `COPY ${target} (${columns}) FROM STDIN ` +
                `(FORMAT csv, HEADER true, FORCE_NULL (${columns}))`,
            ),
          );
          copyDone = finished(copy);
          copyDone.catch(() => {}); // observed below
          continue;
        }
        const result = validate(record);
        if (result.problems.length > 0) {
          problems.addAll(result.problems);
        } else if (result.nikBirthDateMismatch) {
          mismatches++;
        }
        if (regionField !== undefined) {
          provinces.add((record.fields[regionField] ?? '').trim().slice(0, 2));
        }
        lines.note(rows, record.line);
        rows++;
      }
      for (const e of parser.errors.splice(0)) problems.add({ file: spec.file, ...e });
      onRows(batch.length);
      if (copy !== null && !problems.any) {
        forwarded = rows;
        if (!copy.write(parser.consumedText)) await drained(copy);
      }
    }
    if (validate === null && !headerRefused) {
      problems.add({
        file: spec.file,
        line: 1,
        reason: 'file is empty (a header row is required)',
      });
    }
  } finally {
    if (copy !== null) {
      (copy as Writable).end();
      await copyDone;
    }
  }
  if (copy !== null && !problems.any && copy.rowCount !== forwarded) {
    throw new Error(
      `${spec.file}: PostgreSQL read ${copy.rowCount} rows where ${forwarded} were validated; refusing the snapshot`,
    );
  }
  return { rows, nikBirthDateMismatches: mismatches, lines, provinces };
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      stream.off('error', fail);
      resolve();
    };
    const fail = (error: Error) => {
      stream.off('drain', done);
      reject(error);
    };
    stream.once('drain', done);
    stream.once('error', fail);
  });
}
