import { sql, type Kysely } from 'kysely';

/**
 * The served registry snapshot: households, members, program recipients, and the log of loaded
 * snapshots. An import builds `*_next` copies of the three data tables and swaps them in with one
 * transaction (see `src/snapshot/snapshot-importer.ts`), so these tables always hold exactly
 * one complete snapshot. Index names are fixed here and re-created by every import.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE snapshot (
      id bigserial PRIMARY KEY,
      as_of date NOT NULL,
      loaded_at timestamptz NOT NULL DEFAULT now(),
      households bigint NOT NULL,
      persons bigint NOT NULL,
      recipients bigint NOT NULL,
      warnings jsonb NOT NULL DEFAULT '{}',
      source text NOT NULL,
      load_seconds real NOT NULL
    )`.execute(db);
  for (const statement of registryTableDdl('')) await sql.raw(statement).execute(db);
  for (const statement of registryIndexDdl('')) await sql.raw(statement).execute(db);
}

/**
 * CREATE TABLE statements of the three snapshot tables, with a name suffix (`''` for the served
 * tables, `'_next'` for an import in progress, which also gets a `line` column for error reports).
 */
export function registryTableDdl(suffix: string): string[] {
  const line = suffix === '' ? '' : ',\n      line integer NOT NULL';
  return [
    `CREATE TABLE household${suffix} (
      household_id text COLLATE "C" NOT NULL,
      kk_number char(16) NOT NULL,
      region_code char(10) COLLATE "C",
      address text,
      decile smallint CHECK (decile BETWEEN 1 AND 10),
      floor_area_m2 numeric(8, 2) CHECK (floor_area_m2 >= 0),
      floor_type text,
      wall_type text,
      roof_type text,
      water_source text,
      sanitation text,
      lighting text,
      cooking_fuel text,
      verification_status text NOT NULL,
      verified_at date,
      source text NOT NULL${line}
    )`,
    `CREATE TABLE member${suffix} (
      nik char(16) COLLATE "C" NOT NULL,
      household_id text COLLATE "C" NOT NULL,
      name text NOT NULL,
      sex char(1),
      birth_date date,
      relationship text,
      pregnant boolean,
      disability text,
      in_school boolean,
      status text NOT NULL${line}
    )`,
    `CREATE TABLE program_recipient${suffix} (
      nik char(16) COLLATE "C" NOT NULL,
      program text NOT NULL,
      since date${line}
    )`,
  ];
}

/** Keys and indexes of the served tables: NIK lookup, households by region prefix, members by household. */
export function registryIndexDdl(suffix: string): string[] {
  return [
    `ALTER TABLE household${suffix} ADD CONSTRAINT household${suffix}_pkey PRIMARY KEY (household_id)`,
    `CREATE INDEX household${suffix}_region_idx ON household${suffix} (region_code)`,
    `ALTER TABLE member${suffix} ADD CONSTRAINT member${suffix}_pkey PRIMARY KEY (nik)`,
    `CREATE INDEX member${suffix}_household_idx ON member${suffix} (household_id)`,
    `ALTER TABLE program_recipient${suffix} ADD CONSTRAINT program_recipient${suffix}_pkey PRIMARY KEY (nik, program)`,
  ];
}
