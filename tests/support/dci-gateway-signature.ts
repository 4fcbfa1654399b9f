import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The gateway's published signing key (`/.well-known/webhooks.json`), which signs DCI answers. */
export async function gatewayDciKey(gatewayUrl: string): Promise<KeyObject> {
  const published = (await (await fetch(`${gatewayUrl}/.well-known/webhooks.json`)).json()) as {
    publicKeys: string[];
  };
  const raw = published.publicKeys[0]!.replace(/^whpk_/, '');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw, 'base64').toString('base64url') },
    format: 'jwk',
  });
}

/**
 * Whether a DCI envelope's signature, in the spec's form, verifies with the gateway's key over the
 * BLAKE2b-512 digest of the JCS form of {header, message} as the reference `canonicalize` writes it.
 */
export function signedByGateway(
  body: { signature?: string; header?: unknown; message?: unknown },
  key: KeyObject,
): boolean {
  const fields = Object.fromEntries(
    [...(body.signature ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );
  const digest = createHash('blake2b512')
    .update(canonicalize({ header: body.header, message: body.message })!)
    .digest('base64');
  const content = `(created): ${fields.created}\n(expires): ${fields.expires}\ndigest: BLAKE-512=${digest}`;
  return verify(null, Buffer.from(content), key, Buffer.from(fields.signature!, 'base64'));
}
