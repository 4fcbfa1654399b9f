import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.js';

/** The longest lifetime of a gateway token (seconds); retired keys must outlive it. */
export const MAX_TOKEN_TTL_SECONDS = 24 * 60 * 60;
/** The default lifetime of a token from `POST /oauth/token` (seconds). */
export const DEFAULT_TOKEN_TTL_SECONDS = 60 * 60;
/** JWT `typ` of access tokens (RFC 9068), required by the verifier. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** How often the issuer looks for a rotation done by another process (milliseconds). */
const REFRESH_INTERVAL_MS = 10_000;

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

/**
 * Signs an access token for a client with the active key:
 * header `{ alg: 'EdDSA', kid, typ: 'at+jwt' }`, claims `iss`, `aud`, `sub` = `client_id`,
 * `client_id`, `iat`, `nbf`, `exp`, `jti` (random).
 */
export async function issueAccessToken(
  keys: SigningKeys,
  claims: { clientId: string; issuer: string; audience: string; ttlSeconds: number },
): Promise<IssuedToken> {
  const { clientId, issuer, audience, ttlSeconds } = claims;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw new RangeError(`a token lifetime is 1 to ${MAX_TOKEN_TTL_SECONDS} whole seconds`);
  }
  if (typeof clientId !== 'string' || clientId.length === 0) {
    throw new TypeError('a token needs a client id');
  }
  // Sign with the key other processes rotated to, not one they are retiring.
  await keys.refresh({ ifOlderThanMs: REFRESH_INTERVAL_MS });
  const { kid, privateKey } = keys.active;
  const now = Math.floor(Date.now() / 1000);
  const accessToken = await new SignJWT({ client_id: clientId })
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(clientId)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(randomUUID())
    .sign(privateKey);
  return { accessToken, expiresIn: ttlSeconds, tokenType: 'Bearer' };
}
