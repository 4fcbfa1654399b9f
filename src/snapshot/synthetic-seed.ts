import { PassThrough } from 'node:stream';
import type { DatabaseHandle } from '../db/database.js';
import { readPopulation, readRegions } from '../domain/region-reference.js';
import { importSnapshot, type ImportSummary } from './snapshot-importer.js';
import { generateSnapshot } from '../synthetic/generator.js';

/**
 * Generates a synthetic snapshot and loads it in one streaming step: the generator writes CSV
 * into pipes that the importer reads, so the data passes the same validation as any real export
 * and nothing is written to disk.
 */
export async function seedSyntheticSnapshot(
  database: DatabaseHandle,
  options: {
    persons: number;
    seed: string;
    asOf: string;
    onProgress?: (persons: number) => void;
    /** As the import's option of that name (needed once agencies follow subjects). */
    subjectSealKey?: Buffer | null;
  },
): Promise<ImportSummary> {
  const streams = {
    households: new PassThrough(),
    members: new PassThrough(),
    recipients: new PassThrough(),
  };
  const generating = generateSnapshot(
    {
      persons: options.persons,
      seed: options.seed,
      asOf: options.asOf,
      regions: await readRegions(),
      population: await readPopulation(),
      onProgress: options.onProgress,
    },
    streams,
  );
  const importing = importSnapshot(
    database,
    {
      household: streams.households,
      member: streams.members,
      program_recipient: streams.recipients,
      label: `synthetic, seed ${options.seed}`,
    },
    { asOf: options.asOf, subjectSealKey: options.subjectSealKey ?? null },
  );
  try {
    const [, summary] = await Promise.all([generating, importing]);
    return summary;
  } catch (error) {
    for (const s of Object.values(streams)) s.destroy();
    await Promise.allSettled([generating, importing]);
    throw error;
  }
}
