import { ensureDemoClients } from '../../src/demo/demo-clients.js';
import { loadOrCreateSigningKeys } from '../../src/auth/tokens/signing-keys.js';
import { issueAccessToken } from '../../src/auth/tokens/token-issuer.js';
import type { TestDatabase } from './test-database.js';
import type { TestGateway } from './test-gateway.js';

export interface DemoAccess {
  secrets: Record<string, string>;
  /** A fresh bearer token for a client, signed with the gateway's key. */
  token(clientId: string, ttlSeconds?: number): Promise<string>;
  /** Headers for a request as this client, with an optional purpose. */
  as(clientId: string, purpose?: string): Promise<Record<string, string>>;
}

/** Registers the demo clients of CONTRACT §7 in a test database and mints their tokens. */
export async function demoAccess(db: TestDatabase, gateway: TestGateway): Promise<DemoAccess> {
  const secrets = await ensureDemoClients(db.db, gateway.dataDir);
  const keys = await loadOrCreateSigningKeys(gateway.dataDir);
  const token = async (clientId: string, ttlSeconds = 600) =>
    (
      await issueAccessToken(keys, {
        clientId,
        issuer: 'dtks-gateway',
        audience: 'dtks-gateway',
        ttlSeconds,
      })
    ).accessToken;
  return {
    secrets,
    token,
    async as(clientId, purpose) {
      return {
        authorization: `Bearer ${await token(clientId)}`,
        'x-officer-id': `officer-of-${clientId}`,
        ...(purpose ? { 'x-purpose': purpose } : {}),
      };
    },
  };
}
