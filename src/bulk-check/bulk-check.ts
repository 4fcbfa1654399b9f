import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createProgress } from '../cli/progress.js';
import { fileProblem, FileProblem } from './file-problems.js';
import { isNikRow, readNikInput } from './nik-input.js';
import {
  openResumable,
  rejectLine,
  REJECTS_HEADER,
  resultLine,
  RESULTS_HEADER,
  type DecisionRow,
  type ResumableFile,
} from './result-files.js';

/** What the run needs of the gateway (an {@link EligibilityClient}, or a stand-in in tests). */
export interface Checker {
  /** Settles how to check (and fails fast on bad credentials or purpose) before any file is touched. */
  checkMode(signal?: AbortSignal): Promise<unknown>;
  /** One decision per NIK, in the order given. */
  check(niks: readonly string[], signal?: AbortSignal): Promise<DecisionRow[]>;
}

export interface BulkCheckOptions {
  input: string;
  output: string;
  rejects: string;
  /** Valid rows per batch: one batch is checked, then appended to the output in one write. */
  batchSize: number;
  /** Batches in flight at once; results are still written in input order. */
  concurrency: number;
  /** Start the output and rejects files over instead of resuming. */
  restart: boolean;
  checker: Checker;
  /** Show progress on stderr (default true). */
  progress?: boolean;
}

export interface BulkCheckSummary {
  /** NIKs checked by this run. */
  checked: number;
  eligible: number;
  /** Rows rejected by this run. */
  rejected: number;
  /** Rows an earlier run had already checked or rejected, skipped by this one. */
  resumedChecked: number;
  resumedRejected: number;
  /** An incomplete last line (a write cut short) was dropped from the output or rejects file. */
  droppedPartialLine: boolean;
  seconds: number;
}

/** Rejects are written in groups of this many (or at the end). */
const REJECTS_PER_WRITE = 500;

/**
 * Checks every NIK of the input file and writes one result row per valid input row, in input
 * order, to the output file, and every row refused locally to the rejects file.
 *
 * Resuming: both files only ever grow by whole rows, and the input is read the same way every
 * time, so a rerun skips the first R valid input rows when the output already holds R results
 * (and the first J invalid rows when the rejects file holds J), checking on the way that they are
 * the same rows, and carries on from there.
 */
export async function runBulkCheck(options: BulkCheckOptions): Promise<BulkCheckSummary> {
  const started = Date.now();
  const sameFile = [options.output, options.rejects].find(
    (p) => path.resolve(p) === path.resolve(options.input),
  );
  if (sameFile !== undefined) {
    throw new FileProblem(`${sameFile} is the input file; choose another --out or --rejects`);
  }
  if (path.resolve(options.output) === path.resolve(options.rejects)) {
    throw new FileProblem('--out and --rejects name the same file');
  }
  const input = await openInput(options.input);
  let results: ResumableFile | undefined;
  let rejects: ResumableFile | undefined;
  try {
    await options.checker.checkMode();
    results = await openResumable(options.output, RESULTS_HEADER, {
      restart: options.restart,
      option: '--out',
    });
    rejects = await openResumable(options.rejects, REJECTS_HEADER, {
      restart: options.restart || results.fresh,
      option: '--rejects',
    });
    const summary = await checkAll(options, input, results, rejects);
    return { ...summary, seconds: (Date.now() - started) / 1000 };
  } finally {
    await results?.close();
    await rejects?.close();
    await input.handle.close();
  }
}

async function openInput(file: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fileProblem('read', file, error);
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new FileProblem(`cannot read ${file}: not a regular file`);
  }
  return { handle, size: stat.size };
}

async function checkAll(
  options: BulkCheckOptions,
  input: { handle: FileHandle; size: number },
  results: ResumableFile,
  rejects: ResumableFile,
): Promise<Omit<BulkCheckSummary, 'seconds'>> {
  const summary = {
    checked: 0,
    eligible: 0,
    rejected: 0,
    resumedChecked: 0,
    resumedRejected: 0,
    droppedPartialLine: results.droppedPartialLine || rejects.droppedPartialLine,
  };
  let bytesRead = 0;
  let rowsRead = 0;
  // Share done: rows settled (written, rejected or skipped) of the rows the file holds, estimated
  // from the rows per byte read so far. Bytes read alone run ahead of the batches in flight.
  const fraction = () => {
    const settled =
      summary.checked + summary.rejected + summary.resumedChecked + summary.resumedRejected;
    return rowsRead === 0 || input.size === 0 ? 0 : (settled / rowsRead) * (bytesRead / input.size);
  };
  const progress =
    options.progress === false ? null : createProgress('check', { unit: 'NIKs', fraction });
  // Batches in flight, oldest first. When one fails, the batches after it are abandoned at once,
  // the ones before it may still finish and are written: the output keeps every result it can.
  type Settled = { niks: string[]; decisions: DecisionRow[] } | { error: unknown };
  const inFlight: Array<{ index: number; abort: AbortController; settled: Promise<Settled> }> = [];
  let submitted = 0;
  let failure: { index: number; error: unknown } | null = null;

  const writeOldest = async () => {
    const settled = await inFlight.shift()!.settled;
    if ('error' in settled) throw failure?.error ?? settled.error;
    const lines = settled.niks.map((nik, i) => `${resultLine(nik, settled.decisions[i]!)}\n`);
    await results.append(lines.join(''));
    summary.checked += settled.niks.length;
    summary.eligible += settled.decisions.filter((d) => d.eligible).length;
    progress?.update(summary.checked);
  };
  const submit = async (niks: string[]) => {
    if (failure !== null) {
      // Write what finished before the failed batch, then stop with its error.
      while (inFlight.length > 0) await writeOldest();
    }
    const index = submitted++;
    const abort = new AbortController();
    const settled = options.checker.check(niks, abort.signal).then(
      (decisions): Settled => ({ niks, decisions }),
      (error: unknown): Settled => {
        if (failure === null || index < failure.index) {
          failure = { index, error };
          for (const b of inFlight) if (b.index > index) b.abort.abort(error);
        }
        return { error };
      },
    );
    inFlight.push({ index, abort, settled });
    while (inFlight.length >= options.concurrency) await writeOldest();
  };
  let pendingRejects: string[] = [];
  const flushRejects = async () => {
    if (pendingRejects.length === 0) return;
    const text = pendingRejects.join('');
    pendingRejects = [];
    await rejects.append(text);
  };

  let replayResults = true; // still skipping rows an earlier run wrote
  let replayRejects = true;
  let batch: string[] = [];
  try {
    const chunks = (async function* () {
      for await (const chunk of input.handle.createReadStream({ autoClose: false })) {
        bytesRead += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    })();
    for await (const row of readNikInput(chunks)) {
      rowsRead++;
      if (isNikRow(row)) {
        if (replayResults) {
          const earlier = await results.nextEarlier();
          if (earlier !== null) {
            if (earlier !== row.nik) throw mismatch(results, row.line, '--out');
            summary.resumedChecked++;
            continue;
          }
          replayResults = false;
        }
        batch.push(row.nik);
        if (batch.length >= options.batchSize) {
          await submit(batch);
          batch = [];
        }
      } else {
        if (replayRejects) {
          const earlier = await rejects.nextEarlier();
          if (earlier !== null) {
            if (earlier !== String(row.line)) throw mismatch(rejects, row.line, '--rejects');
            summary.resumedRejected++;
            continue;
          }
          replayRejects = false;
        }
        pendingRejects.push(`${rejectLine(row)}\n`);
        summary.rejected++;
        if (pendingRejects.length >= REJECTS_PER_WRITE) await flushRejects();
      }
    }
    if (batch.length > 0) await submit(batch);
    while (inFlight.length > 0) await writeOldest();
    await flushRejects();
    if (replayResults && (await results.nextEarlier()) !== null) throw longer(results, '--out');
    if (replayRejects && (await rejects.nextEarlier()) !== null) throw longer(rejects, '--rejects');
  } catch (error) {
    for (const b of inFlight) b.abort.abort(error);
    // Let requests still running end before the files close.
    await Promise.allSettled(inFlight.map((b) => b.settled));
    // Rejects found so far are kept, unless the files turned out to belong to another input.
    if (!(error instanceof FileProblem)) await flushRejects().catch(() => undefined);
    throw error;
  } finally {
    progress?.finish();
  }
  return summary;
}

function mismatch(file: ResumableFile, line: number, option: string): FileProblem {
  return new FileProblem(
    `${file.path} does not match the input at line ${line}: it was written for another input; ` +
      `use --restart to start over, or choose another ${option}`,
  );
}

function longer(file: ResumableFile, option: string): FileProblem {
  return new FileProblem(
    `${file.path} has more rows than the input: it was written for another input; ` +
      `use --restart to start over, or choose another ${option}`,
  );
}
