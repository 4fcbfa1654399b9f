import { mkdir } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { isIsoDate } from '../domain/dates.js';
import type { PopulationRow, RegionRow } from '../domain/region-reference.js';
import {
  HOUSEHOLDS_FILE,
  MEMBERS_FILE,
  RECIPIENTS_FILE,
  type SnapshotFileSpec,
} from '../domain/snapshot-format.js';
import { ChunkedCsvWriter, type CsvSink } from '../csv/csv-writer.js';
import { DateTable } from './date-table.js';
import { HouseholdModel } from './household-model.js';
import { HousingModel } from './housing.js';
import { IdFilter, IdIssuer } from './nik-issuer.js';
import { calibrateDeciles } from './pmt.js';
import { Rng } from './random.js';
import { RegionSampler } from './region-sampler.js';
import {
  HOUSEHOLD_COLUMNS,
  MEMBER_COLUMNS,
  RECIPIENT_COLUMNS,
  RowBuilder,
} from './snapshot-rows.js';

export interface GenerateOptions {
  /** Number of member rows to write; the last household is cut short to hit it exactly. */
  persons: number;
  /** Same seed and options ⇒ byte-identical files. A number and its decimal text are the same seed. */
  seed: number | string;
  /** The snapshot's as-of date, `YYYY-MM-DD`: no generated date is after it. */
  asOf: string;
  /** The region reference, from `readRegions()`. */
  regions: RegionRow[];
  /** Population by regency, from `readPopulation()`: households are spread by it. */
  population: PopulationRow[];
  /** Called about every 10,000 persons, and once at the end. */
  onProgress?: (personsWritten: number) => void;
}

/** The three files of a snapshot. Each is ended by `generateSnapshot`. */
export interface SnapshotWriters {
  households: CsvSink;
  members: CsvSink;
  recipients: CsvSink;
}

export interface GenerateSummary {
  households: number;
  persons: number;
  recipients: number;
  /** Members whose NIK's embedded date or sex disagrees with the record (injected on purpose). */
  nikBirthDateMismatches: number;
}

const PROGRESS_EVERY = 10_000;

/**
 * Writes a synthetic registry snapshot (households, members, program recipients) to three
 * streams. Deterministic for a seed; memory stays bounded whatever the size (rows are streamed,
 * NIK uniqueness uses a bit filter). See docs/synthetic-data.md for the model.
 */
export async function generateSnapshot(
  options: GenerateOptions,
  out: SnapshotWriters,
): Promise<GenerateSummary> {
  const streams = [out.households, out.members, out.recipients];
  try {
    return await generate(options, streams);
  } catch (err) {
    // The consumer reads all three streams: close them all rather than leave it waiting. No
    // error is passed to destroy(): an 'error' event nobody listens to would crash the process.
    for (const s of streams) {
      if ('destroy' in s && typeof s.destroy === 'function') s.destroy();
    }
    throw err;
  }
}

async function generate(options: GenerateOptions, streams: CsvSink[]): Promise<GenerateSummary> {
  checkOptions(options);
  const target = options.persons;
  const dates = new DateTable(options.asOf);
  const regions = new RegionSampler(
    options.regions,
    options.population,
    new Rng(options.seed, 'regions'),
  );
  const housing = new HousingModel();
  const model = new HouseholdModel(regions, dates, housing);
  const cuts = calibrateDeciles(
    model,
    housing,
    regions.regencyEffect,
    new Rng(options.seed, 'calibration'),
  );
  // One NIK per person and one KK per household (about 0.29 per person).
  const issuer = new IdIssuer(new IdFilter(Math.ceil(target * 1.3)));
  const rows = new RowBuilder(regions, dates, housing, cuts, issuer);
  const rng = new Rng(options.seed, 'households');

  const writers = streams.map((s) => new ChunkedCsvWriter(s));
  const [hhOut, memberOut, recipientOut] = writers as [
    ChunkedCsvWriter,
    ChunkedCsvWriter,
    ChunkedCsvWriter,
  ];
  hhOut.write(HOUSEHOLD_COLUMNS.join(',') + '\n');
  memberOut.write(MEMBER_COLUMNS.join(',') + '\n');
  recipientOut.write(RECIPIENT_COLUMNS.join(',') + '\n');

  let persons = 0;
  let households = 0;
  let recipients = 0;
  let nextProgress = PROGRESS_EVERY;
  let reported = 0;
  while (persons < target) {
    const draft = model.draw(rng, target - persons);
    households++;
    persons += draft.members.length;
    const r = rows.build(rng, households, draft);
    hhOut.write(r.household);
    memberOut.write(r.members);
    if (r.recipientCount > 0) recipientOut.write(r.recipients);
    recipients += r.recipientCount;
    if (hhOut.blocked || memberOut.blocked || recipientOut.blocked) {
      await Promise.all(writers.map((w) => w.ready()));
    }
    if (persons >= nextProgress) {
      options.onProgress?.(persons);
      reported = persons;
      while (nextProgress <= persons) nextProgress += PROGRESS_EVERY;
    }
  }
  await Promise.all(writers.map((w) => w.ready()));
  for (const w of writers) w.end();
  if (reported !== persons) options.onProgress?.(persons);
  return { households, persons, recipients, nikBirthDateMismatches: rows.mismatches };
}

/** Creates `dir` and writes the three snapshot files into it, waiting until they are closed. */
export async function writeSnapshotToDir(
  options: GenerateOptions,
  dir: string,
): Promise<GenerateSummary> {
  checkOptions(options); // before creating any file
  await mkdir(dir, { recursive: true });
  const open = (spec: SnapshotFileSpec) => createWriteStream(path.join(dir, spec.file));
  const streams = [open(HOUSEHOLDS_FILE), open(MEMBERS_FILE), open(RECIPIENTS_FILE)] as const;
  const closed = Promise.all(streams.map((s) => finished(s)));
  closed.catch(() => undefined); // surfaced below, or by generateSnapshot
  try {
    const summary = await generateSnapshot(options, {
      households: streams[0],
      members: streams[1],
      recipients: streams[2],
    });
    await closed;
    return summary;
  } catch (err) {
    for (const s of streams) s.destroy();
    throw err;
  }
}

function checkOptions(options: GenerateOptions): void {
  const { persons, asOf } = options;
  if (!Number.isSafeInteger(persons) || persons < 0) {
    throw new Error(`persons must be a whole number ≥ 0, got ${persons}`);
  }
  if (!isIsoDate(asOf)) throw new Error(`asOf must be a date written YYYY-MM-DD, got ${asOf}`);
  checkColumns(HOUSEHOLDS_FILE, HOUSEHOLD_COLUMNS);
  checkColumns(MEMBERS_FILE, MEMBER_COLUMNS);
  checkColumns(RECIPIENTS_FILE, RECIPIENT_COLUMNS);
}

function checkColumns(spec: SnapshotFileSpec, written: readonly string[]): void {
  const expected = spec.columns.map((c) => c.name).join(',');
  if (expected !== written.join(',')) {
    throw new Error(
      `synthetic generator is out of date with ${spec.file}: expected columns ${expected}`,
    );
  }
}
