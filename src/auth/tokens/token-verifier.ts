import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { GatewayError, unauthenticated } from '../../errors/gateway-errors.js';
import { KID_PATTERN, SIGNING_ALG, type SigningKeys } from './signing-keys.js';
import { ACCESS_TOKEN_TYPE, MAX_TOKEN_TTL_SECONDS } from './token-issuer.js';

/**
 * Verifies bearer tokens: the gateway's own (EdDSA, a kid of ours, `typ: at+jwt`) and, when
 * configured, those of an external identity provider (by its JWKS URL, issuer and audience). The
 * token's `iss` picks the verifier; then everything is checked properly. Any failure is
 * UNAUTHENTICATED (HTTP 401) with a short message that never repeats the token.
 *
 * Whether the client exists and is active is not decided here: the principal builder checks that
 * against the database on every request.
 */

export interface VerifiedToken {
  clientId: string;
  tokenId: string | null;
  expiresAt: Date;
  /** When the token was issued (`iat`); null when an external token has none. */
  issuedAt: Date | null;
  source: 'gateway' | 'external';
}

export interface TokenVerifier {
  /** The verified token, or throws `unauthenticated()` (extensions.code UNAUTHENTICATED). */
  verify(bearer: string): Promise<VerifiedToken>;
}

export interface TokenVerifierOptions {
  keys: SigningKeys;
  issuer: string;
  audience: string;
  external: { jwksUrl: string; issuer: string; audience: string } | null;
  /** Allowed clock difference for `exp`, `nbf` and `iat` (seconds, default 30). */
  clockToleranceSeconds?: number;
}

/** Algorithms accepted from an external identity provider. */
export const EXTERNAL_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'PS256'];

const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** How often an unknown kid may make the verifier re-read the key folder (milliseconds). */
const KEY_REFRESH_INTERVAL_MS = 1_000;
/** How often verifying with a known kid re-reads the key folder, without waiting (milliseconds). */
const KNOWN_KEY_REFRESH_INTERVAL_MS = 10_000;

const MESSAGES = {
  malformed: 'the access token is malformed',
  invalid: 'the access token is not valid',
  algorithm: 'the access token is not signed with an accepted algorithm',
  signature: 'the access token signature does not verify',
  unknownKey: 'the access token was signed with an unknown key',
  issuer: 'the access token issuer is not accepted',
  audience: 'the access token is meant for another audience',
  expired: 'the access token has expired',
  notYetValid: 'the access token is not valid yet',
  noClient: 'the access token names no client',
  providerKeys: 'the identity provider keys could not be fetched',
} as const;

class Rejected extends Error {}
const reject = (message: string): never => {
  throw new Rejected(message);
};

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { keys, issuer, audience, external } = options;
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  let remoteKeys: ReturnType<typeof createRemoteJWKSet> | null = null;
  const externalKeys = (jwksUrl: string) =>
    (remoteKeys ??= createRemoteJWKSet(new URL(jwksUrl), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    }));

  /** One of our public keys for `kid`, re-reading the key folder (rate-limited) when unknown. */
  async function ownKeyFor(kid: unknown) {
    if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) return null;
    const key = keys.publicKeyFor(kid);
    if (key) {
      // In the background: a key withdrawn by another process stops verifying within seconds.
      void keys.refresh({ ifOlderThanMs: KNOWN_KEY_REFRESH_INTERVAL_MS });
      return key;
    }
    await keys.refresh({ ifOlderThanMs: KEY_REFRESH_INTERVAL_MS });
    return keys.publicKeyFor(kid);
  }

  async function verifyOwn(
    token: string,
    header: ProtectedHeaderParameters,
    key: Awaited<ReturnType<typeof ownKeyFor>>,
  ): Promise<VerifiedToken> {
    if (header.alg !== SIGNING_ALG) reject(MESSAGES.algorithm);
    if (!key) return reject(MESSAGES.unknownKey);
    const { payload } = await jwtVerify(token, key, {
      algorithms: [SIGNING_ALG],
      issuer,
      audience,
      typ: ACCESS_TOKEN_TYPE,
      clockTolerance,
      maxTokenAge: MAX_TOKEN_TTL_SECONDS,
      requiredClaims: ['exp', 'nbf', 'iat', 'sub', 'jti', 'client_id'],
    });
    // Exactly our audience (jose also accepts an array that contains it).
    if (payload.aud !== audience) reject(MESSAGES.audience);
    const clientId = payload.client_id;
    if (typeof clientId !== 'string' || clientId === '' || clientId !== payload.sub) {
      reject(MESSAGES.noClient);
    }
    if (payload.exp! - payload.iat! > MAX_TOKEN_TTL_SECONDS) reject(MESSAGES.invalid);
    return {
      clientId: clientId as string,
      tokenId: typeof payload.jti === 'string' ? payload.jti : null,
      expiresAt: new Date(payload.exp! * 1000),
      issuedAt: new Date(payload.iat! * 1000),
      source: 'gateway',
    };
  }

  async function verifyExternal(
    token: string,
    provider: NonNullable<TokenVerifierOptions['external']>,
  ): Promise<VerifiedToken> {
    const { payload } = await jwtVerify(token, externalKeys(provider.jwksUrl), {
      algorithms: EXTERNAL_ALGORITHMS,
      issuer: provider.issuer,
      audience: provider.audience,
      clockTolerance,
      requiredClaims: ['exp'],
    });
    const clientId = externalClientId(payload);
    if (!clientId) return reject(MESSAGES.noClient);
    return {
      clientId,
      tokenId: typeof payload.jti === 'string' ? payload.jti : null,
      expiresAt: new Date(payload.exp! * 1000),
      issuedAt: typeof payload.iat === 'number' ? new Date(payload.iat * 1000) : null,
      source: 'external',
    };
  }

  async function verifyOrThrow(bearer: string): Promise<VerifiedToken> {
    if (typeof bearer !== 'string') return reject(MESSAGES.malformed);
    const token = bearer.trim().replace(/^bearer\s+/i, '');
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) reject(MESSAGES.malformed);
    let header: ProtectedHeaderParameters;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      return reject(MESSAGES.malformed);
    }
    if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') {
      reject(MESSAGES.algorithm);
    }
    const externalMatches = external !== null && claims.iss === external.issuer;
    if (claims.iss === issuer) {
      const key = header.alg === SIGNING_ALG ? await ownKeyFor(header.kid) : null;
      // Same issuer configured for both (unusual): a kid of ours decides.
      if (key || !externalMatches) return verifyOwn(token, header, key);
    }
    if (externalMatches) return verifyExternal(token, external!);
    return reject(MESSAGES.issuer);
  }

  return {
    async verify(bearer: string): Promise<VerifiedToken> {
      try {
        return await verifyOrThrow(bearer);
      } catch (error) {
        throw toUnauthenticated(error);
      }
    },
  };
}

/** The client of an external token: `client_id`, else `azp`, else `sub`. */
function externalClientId(payload: JWTPayload): string | null {
  for (const claim of ['client_id', 'azp', 'sub']) {
    const value = payload[claim];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}

function toUnauthenticated(error: unknown): GatewayError {
  if (error instanceof GatewayError && error.code === 'UNAUTHENTICATED') return error;
  if (error instanceof Rejected) return unauthenticated(error.message);
  if (error instanceof errors.JWTExpired) {
    return unauthenticated(error.claim === 'exp' ? MESSAGES.expired : MESSAGES.invalid);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || (error.claim === 'iat' && error.reason === 'check_failed')) {
      return unauthenticated(MESSAGES.notYetValid);
    }
    if (error.claim === 'iss') return unauthenticated(MESSAGES.issuer);
    if (error.claim === 'aud') return unauthenticated(MESSAGES.audience);
    return unauthenticated(MESSAGES.invalid);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return unauthenticated(MESSAGES.algorithm);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return unauthenticated(MESSAGES.signature);
  }
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return unauthenticated(MESSAGES.unknownKey);
  }
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC')
  ) {
    return unauthenticated(MESSAGES.providerKeys);
  }
  return unauthenticated(MESSAGES.invalid);
}
