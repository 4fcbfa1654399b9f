import { sql, type Kysely } from 'kysely';
import { readPopulation, readRegions } from '../../domain/region-reference.js';

/**
 * The region reference (kode wilayah, Kepmendagri 300.2.2-2138/2025): 38 provinces, 514
 * regencies/cities, 7,285 districts and 83,762 villages, and population per regency.
 * Codes use the "C" collation so that a region-prefix range scan uses the index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE region (
      code text COLLATE "C" PRIMARY KEY CHECK (code ~ '^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{10})$'),
      name text NOT NULL,
      level smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
      parent_code text COLLATE "C" REFERENCES region (code)
    )`.execute(db);
  await sql`CREATE INDEX region_parent_idx ON region (parent_code)`.execute(db);
  await sql`
    CREATE TABLE region_population (
      code text COLLATE "C" PRIMARY KEY,
      name text NOT NULL,
      male integer NOT NULL,
      female integer NOT NULL,
      total integer NOT NULL
    )`.execute(db);

  // Parents come before children in the file; one INSERT … SELECT unnest keeps it to a few statements.
  const regions = await readRegions();
  for (let i = 0; i < regions.length; i += 20_000) {
    const part = regions.slice(i, i + 20_000);
    await sql`
      INSERT INTO region (code, name, level, parent_code)
      SELECT * FROM unnest(${part.map((r) => r.code)}::text[], ${part.map((r) => r.name)}::text[],
                           ${part.map((r) => r.level)}::smallint[], ${part.map((r) => r.parentCode)}::text[])`.execute(
      db,
    );
  }
  const population = await readPopulation();
  await sql`
    INSERT INTO region_population (code, name, male, female, total)
    SELECT * FROM unnest(${population.map((p) => p.code)}::text[], ${population.map((p) => p.name)}::text[],
                         ${population.map((p) => p.male)}::int[], ${population.map((p) => p.female)}::int[],
                         ${population.map((p) => p.total)}::int[])`.execute(db);
}
