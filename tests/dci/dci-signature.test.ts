import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, signedEnvelopeJson } from '../../src/dci/dci-signature.js';

/*
 * The gateway's JCS serializer (RFC 8785) against the `canonicalize` package, the reference
 * implementation of the RFC's author, and its signed envelopes checked the way a receiver does.
 */
describe('DCI canonical JSON', () => {
  it('is the JCS form of any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 5000 },
    );
  });

  it('sorts keys by UTF-16 code units, as JCS does', () => {
    const value = { b: 1, a: [{ z: null, é: 'x', A: 2.5e-7 }], '\u{1F600}': true, '\uFFFF': 0 };
    expect(canonicalJson(value)).toBe(canonicalize(value));
    // A "__proto__" key (JSON.parse makes it an own key) is a key like any other.
    const proto = JSON.parse('{"":{"__proto__":null,"":0}}') as unknown;
    expect(canonicalJson(proto)).toBe(canonicalize(proto));
  });

  it('signs an envelope so that a receiver verifies it over the JCS form', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const header = { action: 'on-search', message_id: 'm', total_count: 1, status: 'succ' };
    const message = { transaction_id: 't', search_response: [{ b: 2, a: 1 }] };
    const body = JSON.parse(
      signedEnvelopeJson(header, message, { privateKey, senderId: 'dtks', keyId: 'k' }),
    ) as { signature: string; header: unknown; message: unknown };
    expect(body.header).toEqual(header);
    expect(body.message).toEqual(message);
    const fields = Object.fromEntries(
      [...body.signature.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    expect(fields.kidId).toBe('dtks|k|ed25519');
    const digest = createHash('blake2b512')
      .update(canonicalize({ header: body.header, message: body.message })!)
      .digest('base64');
    const content = `(created): ${fields.created}\n(expires): ${fields.expires}\ndigest: BLAKE-512=${digest}`;
    expect(
      verify(null, Buffer.from(content), publicKey, Buffer.from(fields.signature!, 'base64')),
    ).toBe(true);
  });
});
