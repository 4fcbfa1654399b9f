import { sql, type Kysely } from 'kysely';

/**
 * Trusted documents (issue #13, CONTRACT §10).
 *
 * - `persisted_document`: the GraphQL documents each client application published, per version
 *   (`dtks-gateway documents publish`). A document's id is `sha256:` and the SHA-256 of its text
 *   (checked when published), so one id always names one text, whichever application published
 *   it. Written by the owner only: the serving gateway reads it.
 * - Agreements gain `trusted_documents_only` (the client may run published documents only, never
 *   query text) and `document_apps` (the applications whose documents it may run; empty: any).
 * - Audit events gain the document a request ran and the application and version that published
 *   it (`app` is `name@version`); both null for query text, so events without them keep the
 *   canonical form `dtks-audit-v1` and their hashes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE persisted_document (
      app text COLLATE "C" NOT NULL CHECK (app ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
      version text COLLATE "C" NOT NULL CHECK (version ~ '^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$'),
      id text COLLATE "C" NOT NULL CHECK (id ~ '^sha256:[0-9a-f]{64}$'),
      body text NOT NULL,
      published_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (app, version, id)
    )`.execute(db);
  await sql`CREATE INDEX persisted_document_id ON persisted_document (id)`.execute(db);
  await sql`
    ALTER TABLE agreement
      ADD COLUMN trusted_documents_only boolean NOT NULL DEFAULT false,
      ADD COLUMN document_apps text[] NOT NULL DEFAULT '{}'`.execute(db);
  await sql`
    ALTER TABLE audit_event
      ADD COLUMN document_id text,
      ADD COLUMN app text`.execute(db);
}
