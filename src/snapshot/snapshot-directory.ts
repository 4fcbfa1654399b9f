import { createReadStream, type ReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SnapshotRejectedError } from './problem-collector.js';
import { SNAPSHOT_FILES } from '../domain/snapshot-format.js';
import type { SnapshotSources } from './snapshot-importer.js';

export interface SnapshotDirectory {
  sources: SnapshotSources;
  /** Total size of the files, for progress. */
  totalBytes: number;
  /** Bytes read so far. */
  bytesRead(): number;
}

/**
 * Opens a snapshot folder: `households.csv` and `members.csv` are required and
 * `program_recipients.csv` is optional. Any other CSV file is refused rather than ignored, so a
 * misnamed file is never silently left out of a snapshot.
 */
export async function openSnapshotDirectory(dir: string): Promise<SnapshotDirectory> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new Error(`cannot read the snapshot folder ${dir}`);
  }
  const expected = SNAPSHOT_FILES.map((f) => f.file);
  const problems = [
    ...SNAPSHOT_FILES.filter((f) => !f.optional && !names.includes(f.file)).map((f) => ({
      file: f.file,
      line: 0,
      reason: 'file is missing',
    })),
    ...names
      .filter((n) => n.toLowerCase().endsWith('.csv') && !expected.includes(n))
      .map((n) => ({
        file: n,
        line: 0,
        reason: `unknown file; a snapshot has ${expected.join(', ')}`,
      })),
  ];
  if (problems.length > 0) throw new SnapshotRejectedError(problems, problems.length);

  const streams: ReadStream[] = [];
  let totalBytes = 0;
  const open = async (file: string): Promise<ReadStream | null> => {
    if (!names.includes(file)) return null;
    const full = path.join(dir, file);
    totalBytes += (await stat(full)).size;
    const stream = createReadStream(full, { highWaterMark: 256 * 1024 });
    streams.push(stream);
    return stream;
  };
  const household = (await open('households.csv'))!;
  const member = (await open('members.csv'))!;
  const program_recipient = await open('program_recipients.csv');
  return {
    sources: { household, member, program_recipient, label: path.resolve(dir) },
    totalBytes,
    bytesRead: () => streams.reduce((n, s) => n + s.bytesRead, 0),
  };
}
