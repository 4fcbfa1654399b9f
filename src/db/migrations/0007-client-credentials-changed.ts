import { sql, type Kysely } from 'kysely';

/**
 * When a client's credentials last changed (created, re-created with a new secret, revoked).
 * Tokens issued before that moment are refused, so revoking and re-creating a client can never
 * bring back a token minted with the old (perhaps leaked) secret.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE client ADD COLUMN credentials_changed_at timestamptz NOT NULL DEFAULT now()`.execute(
    db,
  );
}
