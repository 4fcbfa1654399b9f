import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookSigningKey } from '../changes/webhook-signature.js';
import { sendJson } from '../http/json-http.js';

/**
 * `GET /.well-known/webhooks.json`: the public key that verifies the gateway's webhook
 * deliveries (Standard Webhooks `v1a`, Ed25519), in the standard's `whpk_` form. The same key signs
 * DCI answers and callbacks (docs/dci.md "Signatures"), under the key id given as `dciKidId`.
 */
export function createWebhookKeyEndpoint(
  key: WebhookSigningKey,
  dciKidId: string,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'use GET' }, { allow: 'GET, HEAD' });
      return;
    }
    sendJson(
      res,
      200,
      {
        standard: 'https://www.standardwebhooks.com',
        signature: 'v1a (Ed25519 over webhook-id.webhook-timestamp.body)',
        publicKeys: [key.publicKey],
        dci: { kidId: dciKidId, algorithm: 'ed25519' },
      },
      { 'cache-control': 'public, max-age=300' },
    );
  };
}
