import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the signed content is
 * `webhook-id.webhook-timestamp.body`; `webhook-signature` lists one or more signatures,
 * space-separated:
 *
 * - `v1a,<base64>`: Ed25519 with the gateway's webhook key, whose public half (`whpk_…`) is
 *   published at `/.well-known/webhooks.json`: any receiver verifies without a shared secret;
 * - `v1,<base64>`: HMAC-SHA256 with the agreement's own secret (`whsec_…`, given once by
 *   `clients create --webhook-url`), as the standard's libraries verify by default.
 */

/** The gateway's webhook signing key, from a 32-byte seed (keys/webhook-signing.key). */
export interface WebhookSigningKey {
  privateKey: KeyObject;
  /** `whpk_` and the raw public key in base64, the standard's form. */
  publicKey: string;
}

export const WEBHOOK_SIGNING_KEY = 'webhook-signing';

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function webhookSigningKey(seed: Buffer): WebhookSigningKey {
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: `whpk_${spki.subarray(-32).toString('base64')}` };
}

/** A new per-agreement secret in the standard's form. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function content(id: string, timestamp: number, body: string): Buffer {
  return Buffer.from(`${id}.${timestamp}.${body}`, 'utf8');
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/**
 * The three headers of one delivery, and its body as the UTF-8 bytes to send. The body is the
 * tail of the signed content (`id.timestamp.body`), not a copy: a body of 1000 events is about
 * 0.5 MB, and encoding it once instead of twice (once to sign, once more by fetch) saves a
 * millisecond or two and as much garbage per attempt.
 */
export function signWebhook(
  message: { id: string; timestamp: number; body: string },
  keys: { signing: WebhookSigningKey; secret: string | null },
): {
  headers: Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;
  body: Buffer;
} {
  const prefix = `${message.id}.${message.timestamp}.`;
  const signed = Buffer.from(prefix + message.body, 'utf8');
  const signatures = [`v1a,${sign(null, signed, keys.signing.privateKey).toString('base64')}`];
  if (keys.secret !== null) {
    const mac = createHmac('sha256', secretBytes(keys.secret)).update(signed).digest('base64');
    signatures.push(`v1,${mac}`);
  }
  return {
    headers: {
      'webhook-id': message.id,
      'webhook-timestamp': String(message.timestamp),
      'webhook-signature': signatures.join(' '),
    },
    body: signed.subarray(Buffer.byteLength(prefix, 'utf8')),
  };
}

/**
 * What a receiver checks (shown in docs/change-feeds.md): a signature of the content by the
 * published key (or the secret), and a timestamp within `toleranceSeconds` of now.
 */
export function verifyWebhook(
  body: string,
  headers: Record<string, string | undefined>,
  key: { publicKey?: string; secret?: string },
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  const id = headers['webhook-id'];
  const timestamp = Number(headers['webhook-timestamp']);
  const signatures = headers['webhook-signature'];
  if (!id || !Number.isInteger(timestamp) || !signatures) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const signed = content(id, timestamp, body);
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',', 2) as [string, string | undefined];
    if (!value) continue;
    const given = Buffer.from(value, 'base64');
    if (version === 'v1a' && key.publicKey) {
      const raw = Buffer.from(key.publicKey.replace(/^whpk_/, ''), 'base64');
      const publicKey = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
        format: 'jwk',
      });
      if (verify(null, signed, publicKey, given)) return true;
    }
    if (version === 'v1' && key.secret) {
      const expected = createHmac('sha256', secretBytes(key.secret)).update(signed).digest();
      if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    }
  }
  return false;
}
