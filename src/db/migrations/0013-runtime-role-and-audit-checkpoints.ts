import { sql, type Kysely } from 'kysely';

/**
 * The gateway serves as a least-privilege role, and the audit chain is signed (issue #11).
 *
 * - `dtks_runtime`: the group role of the serving gateway (src/db/runtime-role.ts grants it its
 *   rights after every migration). Created here when missing; an owner without CREATEROLE needs
 *   a database administrator to create it first (`CREATE ROLE dtks_runtime NOLOGIN`). Tables the
 *   owner creates later, such as the snapshot tables an import swaps in, are readable by it.
 * - `audit_checkpoint` replaces `audit_head`, which a writer had to UPDATE. Every batch of audit
 *   events appends one checkpoint: the chain's last id and hash at that point, signed with the
 *   gateway's Ed25519 checkpoint key (src/audit/checkpoint-key.ts). A role that may only INSERT
 *   cannot change or remove events, and cannot sign what it appends, so `audit verify` (with the
 *   public key only) finds any event that no signed checkpoint covers.
 * - The first checkpoint (seq 1) is the genesis: the head as it stood before signing began,
 *   unsigned. Events up to it are protected by the hash chain alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dtks_runtime') THEN
        CREATE ROLE dtks_runtime NOLOGIN;
      END IF;
    END $$`.execute(db);
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO dtks_runtime`.execute(
    db,
  );
  await sql`
    CREATE TABLE audit_checkpoint (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY CHECK (seq >= 1),
      last_id bigint NOT NULL CHECK (last_id >= 0),
      last_hash bytea NOT NULL CHECK (length(last_hash) = 32),
      at timestamptz NOT NULL,
      key_id text,
      signature bytea,
      CHECK ((key_id IS NULL) = (signature IS NULL)),
      CHECK (seq = 1 OR signature IS NOT NULL)
    )`.execute(db);
  await sql`
    INSERT INTO audit_checkpoint (last_id, last_hash, at)
    SELECT last_id, last_hash, date_trunc('milliseconds', now()) FROM audit_head`.execute(db);
  await sql`DROP TABLE audit_head`.execute(db);
}
