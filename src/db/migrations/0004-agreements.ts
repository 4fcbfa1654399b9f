import { sql, type Kysely } from 'kysely';

/**
 * Agencies, their data-sharing agreements (PKS) and their API clients. An agreement carries the
 * whole policy of a client as data: scopes, programs, purposes, region scope, field policy, limits,
 * privacy budget and validity. Secrets are stored only as slow hashes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE agency (
      id text PRIMARY KEY,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('MINISTRY', 'LOCAL_GOV', 'RESEARCHER', 'INTERNAL', 'ADMIN')),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE agreement (
      id text PRIMARY KEY,
      agency_id text NOT NULL REFERENCES agency (id),
      title text NOT NULL,
      scopes text[] NOT NULL DEFAULT '{}',
      programs text[] NOT NULL DEFAULT '{}',
      purposes text[] NOT NULL DEFAULT '{}',
      region_scope text[] NOT NULL DEFAULT '{}',
      field_policy jsonb NOT NULL DEFAULT '{}',
      detailed_reasons boolean NOT NULL DEFAULT false,
      batch_limit integer NOT NULL DEFAULT 10000 CHECK (batch_limit BETWEEN 0 AND 10000),
      daily_quota integer NOT NULL DEFAULT 1000000 CHECK (daily_quota >= 0),
      rate_limit_per_minute integer NOT NULL DEFAULT 6000 CHECK (rate_limit_per_minute >= 0),
      privacy_budget double precision CHECK (privacy_budget >= 0),
      valid_from timestamptz NOT NULL DEFAULT now(),
      valid_until timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE client (
      id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      agency_id text NOT NULL REFERENCES agency (id),
      agreement_id text NOT NULL REFERENCES agreement (id),
      secret_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX client_agreement_idx ON client (agreement_id)`.execute(db);
}
