import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, signedEnvelope, signedEnvelopeJson } from '../../src/dci/dci-signature.js';

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

  it('writes the signed envelope in pieces that make exactly the JCS form it signs', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const key = { privateKey, senderId: 'dtks', keyId: 'k' };
    // Long arrays are written a slice at a time, and large answers in pieces: both are covered.
    const message = fc.record({
      transaction_id: fc.string(),
      search_response: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 400, size: 'max' }),
      meta: fc.dictionary(
        fc.string(),
        fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 150, size: 'max' }),
      ),
    });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), message, (header, msg) => {
        const body = Buffer.concat(signedEnvelope(header, msg, key)).toString('utf8');
        const canonical = canonicalize({ header, message: msg })!;
        const signature = /^\{"signature":("(?:[^"\\]|\\.)*"),/.exec(body)!;
        expect(body.slice(signature[0].length - 1)).toBe(`,${canonical.slice(1)}`);
        const fields = Object.fromEntries(
          [...(JSON.parse(signature[1]!) as string).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [
            m[1],
            m[2],
          ]),
        );
        const digest = createHash('blake2b512').update(canonical).digest('base64');
        const content = `(created): ${fields.created}\n(expires): ${fields.expires}\ndigest: BLAKE-512=${digest}`;
        expect(
          verify(null, Buffer.from(content), publicKey, Buffer.from(fields.signature!, 'base64')),
        ).toBe(true);
      }),
      // No shrinking: the values are large, and the first failure already shows the fault.
      { numRuns: 100, endOnFailure: true },
    );
  });
});
