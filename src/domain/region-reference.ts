import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { CsvParser, parseCsvStream } from '../csv/csv-parser.js';

/** One administrative region: province (level 1) … village (level 4). */
export interface RegionRow {
  code: string;
  name: string;
  level: 1 | 2 | 3 | 4;
  parentCode: string | null;
}

/** Population of Indonesia (code `0`), a province or a regency/city, 2024. */
export interface PopulationRow {
  code: string;
  name: string;
  male: number;
  female: number;
  total: number;
}

/** The shipped region reference (`data/wilayah/`, see its README for the source and licence). */
export const WILAYAH_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../data/wilayah',
);

/** Reads all 91,600 regions from `regions.csv.gz`. */
export async function readRegions(dir: string = WILAYAH_DIR): Promise<RegionRow[]> {
  const rows: RegionRow[] = [];
  const stream = createReadStream(path.join(dir, 'regions.csv.gz')).pipe(createGunzip());
  let header = true;
  for await (const batch of parseCsvStream(stream)) {
    for (const { fields } of batch) {
      if (header) {
        header = false;
        continue;
      }
      const [code, name, level, parent] = fields as [string, string, string, string];
      rows.push({
        code,
        name,
        level: Number(level) as RegionRow['level'],
        parentCode: parent === '' ? null : parent,
      });
    }
  }
  return rows;
}

/** Reads `population.csv` (Indonesia, provinces and regencies). */
export async function readPopulation(dir: string = WILAYAH_DIR): Promise<PopulationRow[]> {
  const parser = new CsvParser();
  const text = await readFile(path.join(dir, 'population.csv'));
  const records = [...parser.push(text), ...parser.end()].slice(1);
  return records.map(({ fields }) => {
    const [code, name, male, female, total] = fields as [string, string, string, string, string];
    return { code, name, male: Number(male), female: Number(female), total: Number(total) };
  });
}
