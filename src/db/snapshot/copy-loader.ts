import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CsvParser, parseCsvStream } from './csv-parser.js';
import type { ProblemCollector } from './problem-collector.js';
import { compileRowValidator, mapHeader, type ValidationReferences } from './row-validator.js';
import type { SnapshotFileSpec } from './snapshot-format.js';

export interface FileLoadResult {
  rows: number;
  nikBirthDateMismatches: number;
}

/**
 * Streams one CSV file into its `<table>_next` staging table: parse, validate each row, and COPY
 * the valid rows in text format. Memory stays flat whatever the file size (one chunk at a time,
 * with backpressure from PostgreSQL). After the first problem anywhere in the snapshot the rows
 * are no longer sent, but parsing goes on so that every problem of the file is reported.
 */
export async function loadFile(
  client: pg.PoolClient,
  spec: SnapshotFileSpec,
  input: Readable,
  refs: ValidationReferences,
  problems: ProblemCollector,
  onRows: (count: number) => void,
): Promise<FileLoadResult> {
  const columns = spec.columns.map((c) => c.name).join(', ');
  const copy = client.query(copyFrom(`COPY ${spec.table}_next (${columns}, line) FROM STDIN`));
  const copyDone = finished(copy);
  copyDone.catch(() => {}); // observed below; avoids an unhandled rejection while parsing
  const parser = new CsvParser();
  let validate: ReturnType<typeof compileRowValidator> | null = null;
  let headerRefused = false;
  let rows = 0;
  let mismatches = 0;
  try {
    for await (const batch of parseCsvStream(input, parser)) {
      let out = '';
      for (const record of batch) {
        if (validate === null && !headerRefused) {
          const header = mapHeader(spec, record.fields);
          if (header.problems.length > 0) {
            problems.addAll(header.problems);
            headerRefused = true; // the rows cannot be read without a valid header
          } else {
            validate = compileRowValidator(spec, header.indexes, refs, record.fields.length);
          }
          continue;
        }
        if (validate === null) continue;
        const result = validate(record);
        rows++;
        if (result.copyLine === null) {
          problems.addAll(result.problems);
        } else {
          if (result.nikBirthDateMismatch) mismatches++;
          if (!problems.any) out += result.copyLine;
        }
      }
      for (const e of parser.errors.splice(0)) problems.add({ file: spec.file, ...e });
      onRows(batch.length);
      if (out.length > 0 && !copy.write(out)) {
        await new Promise<void>((resolve, reject) => {
          copy.once('drain', resolve);
          copy.once('error', reject);
        });
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
    copy.end();
    await copyDone;
  }
  return { rows, nikBirthDateMismatches: mismatches };
}
