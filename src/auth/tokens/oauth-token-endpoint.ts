import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database-types.js';
import { generateClientSecret, hashClientSecret, verifyClientSecret } from '../client-secret.js';
import { readBody, sendJson } from '../../http/json-http.js';
import type { SigningKeys } from './signing-keys.js';
import {
  DEFAULT_TOKEN_TTL_SECONDS,
  issueAccessToken,
  MAX_TOKEN_TTL_SECONDS,
} from './token-issuer.js';

/**
 * `POST /oauth/token`: the OAuth 2.0 client credentials grant (RFC 6749 §4.4, answers per §5).
 * The client authenticates with `client_id` and `client_secret` form fields or with HTTP Basic
 * (§2.3.1), never both. An unknown client, a revoked one (or one whose agreement is revoked or
 * not valid now) and a wrong secret get the same 401 `invalid_client`, after the same slow hash.
 */

export interface ClientCredentialsStore {
  /** The stored secret hash of an active client (not revoked, agreement valid now), or null. */
  activeClientSecretHash(clientId: string): Promise<string | null>;
}

export interface TokenEndpointOptions {
  keys: SigningKeys;
  store: ClientCredentialsStore;
  issuer: string;
  audience: string;
  /** Lifetime of issued tokens (seconds, default 3600, at most 24 h). */
  ttlSeconds?: number;
}

const MAX_BODY_BYTES = 8 * 1024;
const FORM_TYPE = 'application/x-www-form-urlencoded';
const CLIENT_ID_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type';

class OAuthProblem extends Error {
  constructor(
    readonly status: number,
    readonly error: OAuthError,
    readonly description: string,
  ) {
    super(description);
  }
}

const invalidRequest = (description: string) =>
  new OAuthProblem(400, 'invalid_request', description);
const invalidClient = () => new OAuthProblem(401, 'invalid_client', 'client authentication failed');

export function createTokenEndpoint(
  options: TokenEndpointOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { keys, store, issuer, audience } = options;
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw new RangeError(`ttlSeconds must be 1 to ${MAX_TOKEN_TTL_SECONDS} whole seconds`);
  }
  // Computed ahead, so that the first unknown client takes no longer than any other.
  void dummyHash();

  return async (req, res) => {
    try {
      if (req.method !== 'POST') {
        drain(req);
        return sendJson(
          res,
          405,
          { error: 'invalid_request', error_description: 'use POST' },
          { ...NO_STORE, allow: 'POST' },
        );
      }
      const params = await readForm(req);
      const grantType = single(params, 'grant_type');
      if (grantType === null) throw invalidRequest('grant_type is required');
      if (grantType !== 'client_credentials') {
        throw new OAuthProblem(
          400,
          'unsupported_grant_type',
          'only the client_credentials grant is supported',
        );
      }
      const { clientId, clientSecret } = clientCredentials(req, params);
      const stored = CLIENT_ID_RE.test(clientId)
        ? await store.activeClientSecretHash(clientId)
        : null;
      // Always one slow hash: unknown, revoked and wrong secret take about the same time.
      const matches = await verifyClientSecret(clientSecret, stored ?? (await dummyHash()));
      if (stored === null || !matches) throw invalidClient();
      const token = await issueAccessToken(keys, { clientId, issuer, audience, ttlSeconds });
      sendJson(
        res,
        200,
        {
          access_token: token.accessToken,
          token_type: token.tokenType,
          expires_in: token.expiresIn,
        },
        NO_STORE,
      );
    } catch (error) {
      if (!(error instanceof OAuthProblem)) throw error;
      const headers: Record<string, string> = { ...NO_STORE };
      if (error.status === 401) headers['www-authenticate'] = 'Basic realm="dtks-gateway"';
      if (error.status === 413) headers.connection = 'close';
      sendJson(
        res,
        error.status,
        { error: error.error, error_description: error.description },
        headers,
      );
    }
  };
}

/** The form parameters of the request body; refuses other media types, big bodies, repeats. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== FORM_TYPE) {
    drain(req);
    throw invalidRequest(`send the parameters as ${FORM_TYPE}`);
  }
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === null) {
    throw new OAuthProblem(413, 'invalid_request', `request body over ${MAX_BODY_BYTES} bytes`);
  }
  const params = new URLSearchParams(body.toString('utf8'));
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (seen.has(name)) throw invalidRequest(`parameter ${safeName(name)} is repeated`);
    seen.add(name);
  }
  return params;
}

/** A parameter's value; empty counts as absent (RFC 6749 §3.1). */
function single(params: URLSearchParams, name: string): string | null {
  const value = params.get(name);
  return value === null || value === '' ? null : value;
}

/** Client id and secret from HTTP Basic or from the form, exactly one of the two. */
function clientCredentials(
  req: IncomingMessage,
  params: URLSearchParams,
): { clientId: string; clientSecret: string } {
  const bodyId = single(params, 'client_id');
  const bodySecret = single(params, 'client_secret');
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const basic = parseBasic(authorization);
    if (!basic) throw invalidClient();
    if (bodySecret !== null) throw invalidRequest('use one client authentication method');
    if (bodyId !== null && bodyId !== basic.clientId) {
      throw invalidRequest('client_id differs from the authenticated client');
    }
    return basic;
  }
  if (bodyId === null || bodySecret === null) {
    throw invalidRequest('client_id and client_secret are required (or HTTP Basic authentication)');
  }
  return { clientId: bodyId, clientSecret: bodySecret };
}

/** `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1), or null. */
function parseBasic(header: string): { clientId: string; clientSecret: string } | null {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    const clientId = formDecode(decoded.slice(0, colon));
    const clientSecret = formDecode(decoded.slice(colon + 1));
    if (clientId === '' || clientSecret === '') return null;
    return { clientId, clientSecret };
  } catch {
    return null;
  }
}

const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));

/** Parameter names are echoed only when they look like parameter names. */
const safeName = (name: string) => (/^[a-z_]{1,32}$/.test(name) ? name : 'name');

/** Reads and discards a body we do not want, so the connection can be reused. */
function drain(req: IncomingMessage): void {
  req.resume();
}

let dummy: Promise<string> | null = null;
/** The hash of a secret nobody knows, verified against when the client is unknown. */
function dummyHash(): Promise<string> {
  dummy ??= hashClientSecret(generateClientSecret()).catch((error: unknown) => {
    dummy = null;
    throw error;
  });
  return dummy;
}

/**
 * The clients that may get a token: not revoked, with an agreement that is not revoked and valid
 * now (`valid_from ≤ now < valid_until`, or no `valid_until`).
 */
export function databaseClientStore(db: Kysely<Database>): ClientCredentialsStore {
  return {
    async activeClientSecretHash(clientId: string): Promise<string | null> {
      const row = await db
        .selectFrom('client')
        .innerJoin('agreement', 'agreement.id', 'client.agreement_id')
        .select('client.secret_hash')
        .where('client.id', '=', clientId)
        .where('client.revoked_at', 'is', null)
        .where('agreement.revoked_at', 'is', null)
        .where(sql<boolean>`agreement.valid_from <= now()`)
        .where(sql<boolean>`(agreement.valid_until IS NULL OR agreement.valid_until > now())`)
        .executeTakeFirst();
      return row?.secret_hash ?? null;
    },
  };
}
