import { Writable } from 'node:stream';
import { CsvParser } from '../../src/csv/csv-parser.js';
import { generateSnapshot, type GenerateOptions } from '../../src/synthetic/generator.js';

/** The three CSV files of a snapshot as text. */
export interface SnapshotTexts {
  households: string;
  members: string;
  recipients: string;
}

/** Generates a synthetic snapshot in memory (the same bytes `generate` would write). */
export async function generateSnapshotText(options: GenerateOptions): Promise<SnapshotTexts> {
  const out = { households: collect(), members: collect(), recipients: collect() };
  await generateSnapshot(options, {
    households: out.households.sink,
    members: out.members.sink,
    recipients: out.recipients.sink,
  });
  return {
    households: out.households.text(),
    members: out.members.text(),
    recipients: out.recipients.text(),
  };
}

/** The rows of a CSV text with a header, as column → value (test code's independent reading). */
export function parseCsvRows(text: string): Array<Record<string, string>> {
  const p = new CsvParser();
  const records = [...p.push(text), ...p.end()];
  const header = records[0]!.fields;
  return records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r.fields[i]!])));
}

function collect(): { sink: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    sink: new Writable({
      write(chunk: Buffer, _e, cb) {
        chunks.push(chunk);
        cb();
      },
    }),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
