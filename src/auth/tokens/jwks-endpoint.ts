import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http/json-http.js';
import type { SigningKeys } from './signing-keys.js';

/** How often the endpoint looks for a rotation done by another process (milliseconds). */
const REFRESH_INTERVAL_MS = 10_000;
/** Only public members leave the gateway, whatever the key set holds. */
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use'] as const;

/**
 * `GET /.well-known/jwks.json`: the public keys that verify the gateway's tokens — the active key
 * and the retired keys still within their grace period. Cacheable for five minutes.
 */
export function createJwksEndpoint(
  keys: SigningKeys,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      req.resume();
      sendJson(res, 405, { error: 'use GET' }, { allow: 'GET, HEAD' });
      return;
    }
    void keys
      .refresh({ ifOlderThanMs: REFRESH_INTERVAL_MS })
      .then(() => {
        const jwks = {
          keys: keys.publicJwks.keys.map((jwk) => {
            const copy: Record<string, unknown> = {};
            for (const member of PUBLIC_MEMBERS)
              if (jwk[member] !== undefined) copy[member] = jwk[member];
            return copy;
          }),
        };
        sendJson(res, 200, jwks, { 'cache-control': 'public, max-age=300' });
      })
      .catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: 'internal server error' });
        else res.destroy();
      });
  };
}
